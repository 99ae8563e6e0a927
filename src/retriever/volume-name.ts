/** The group of requests whose volume the hint file does not know: no fill waits, no remount delay. */
export const DEFAULT_VOLUME = 'default';

/** Every run of characters outside `A-Za-z0-9.-` becomes `_` (SPEC 6.4); empty names stay empty (the caller treats them as unknown). */
export { sanitizeVolumeName } from '../core/hints/index.js';
