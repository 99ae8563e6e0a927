/** The floor: what listing and stat-ing a directory costs the filesystem itself. */
import { spawnSync } from 'node:child_process';
import { spreadOf } from './bench-row.js';

/** Wall seconds of one `find DIR -maxdepth 1 -type f -printf '%s %T@\n' > /dev/null`. */
export function timeFind(dir: string): number {
  const started = performance.now();
  const result = spawnSync('find', [dir, '-maxdepth', '1', '-type', 'f', '-printf', '%s %T@\n'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`find ${dir} failed: ${result.error?.message ?? `exit ${result.status}`}`);
  return seconds;
}

/** Median of `repeats` runs (the first one also warms the cache, as the daemons find it warm too). */
export function measureFloor(dir: string, repeats = 3): number {
  const samples = Array.from({ length: repeats }, () => timeFind(dir));
  return spreadOf(samples).median;
}

/** Wall seconds of `find DIR -maxdepth 1 -type f -delete`: what removing the files costs the filesystem itself. */
export function timeFindDelete(dir: string): number {
  const started = performance.now();
  const result = spawnSync('find', [dir, '-maxdepth', '1', '-type', 'f', '-delete'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`find ${dir} -delete failed: ${result.error?.message ?? `exit ${result.status}`}`);
  return seconds;
}
