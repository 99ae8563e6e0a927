/** The message of anything thrown: an Error's message, else its string form. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The errno code (`ENOENT`, `EEXIST`, …) of a failed system call, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` is a failed system call with this errno code. */
export function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code;
}
