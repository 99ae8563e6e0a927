/** Progress lines on stderr, so that stdout carries only the table. */
export function note(message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[${time}] ${message}\n`);
}

/** Runs `fn`, noting how long it took. */
export function timed<T>(what: string, fn: () => T): T {
  const t0 = performance.now();
  const value = fn();
  note(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}
