/** The group of requests whose volume the hint file does not know: no fill waits, no remount delay. */
export const DEFAULT_VOLUME = 'default';

/**
 * A volume name safe for file names and logs (SPEC 6.4): every run of
 * characters outside `A-Za-z0-9.-` becomes `_`. Empty names stay empty
 * (the caller treats them as unknown).
 */
export function sanitizeVolumeName(volid: string): string {
  return volid.replace(/[^A-Za-z0-9.-]+/g, '_');
}
