/**
 * A value per volume name given as bytes (the hint reader's plain members:
 * a million entries name about a thousand volumes), without making a string
 * of each: the bytes are hashed and compared with the name the hash was
 * first seen with. Another name of the same hash is looked up as a string
 * each time (never wrong, only slower).
 */
export class VolumeByBytes {
  private readonly known = new Map<number, { readonly volid: string; readonly value: number }>();

  constructor(private readonly valueOf: (volid: string) => number) {}

  /** valueOf the name in latin1 bytes `bytes[start, end)`. */
  get(bytes: Buffer, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    // 30 bits: a small integer, the quickest key of a Map.
    hash &= 0x3fffffff;
    const known = this.known.get(hash);
    if (known !== undefined && sameText(known.volid, bytes, start, end)) return known.value;
    const volid = bytes.toString('latin1', start, end);
    const value = this.valueOf(volid);
    if (known === undefined) this.known.set(hash, { volid, value });
    return value;
  }
}

function sameText(text: string, bytes: Buffer, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
