/**
 * The longest name taken for a pnfsid. dCache's ids are 24 (PNFS) or 36
 * (Chimera) hex digits; 64 leaves room for growth while every file name built
 * from an id (`<id>.err`, temporaries beside it) stays far below the 255-byte
 * limit of a file name.
 */
export const MAX_PNFSID_LENGTH = 64;

const HEX_NAME = /^[0-9A-Fa-f]+$/;

/**
 * A pnfsid is 1 to MAX_PNFSID_LENGTH hexadecimal digits. This is also the
 * security boundary: a name is only ever joined to a pool path after it
 * passed this check.
 */
export function isPnfsid(name: string): boolean {
  return name.length <= MAX_PNFSID_LENGTH && HEX_NAME.test(name);
}
