const HEX_NAME = /^[0-9A-Fa-f]+$/;

/**
 * A pnfsid is hexadecimal digits only. This is also the security boundary:
 * a name is only ever joined to a pool path after it passed this check.
 */
export function isPnfsid(name: string): boolean {
  return HEX_NAME.test(name);
}
