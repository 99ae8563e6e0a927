// What the demo does, decided up front from a seed. Pure.

import { createRandom, type Random } from '../../core/prng.js';

const KIB = 1024;
const MIB = 1024 * KIB;

/** A file dCache flushes in the demo. */
export interface DemoFile {
  readonly id: string;
  readonly sizeBytes: number;
  /** Its name in the dCache namespace (request JSON `path`). */
  readonly path: string;
}

export interface DemoPlan {
  /** Flush waves, written one after another. */
  readonly waves: readonly (readonly DemoFile[])[];
  /** Flushed files recalled later: every third, so that they spread over the volumes. */
  readonly recalls: readonly DemoFile[];
  /** A recall of an id that was never written: it must fail with `.err`. */
  readonly missing: DemoFile;
  /** Flushed files removed later (trash/), none of them recalled. */
  readonly removals: readonly DemoFile[];
}

export interface DemoPlanOptions {
  readonly files: number;
  readonly waves: number;
  readonly removals: number;
}

export const DEFAULT_DEMO_PLAN: DemoPlanOptions = { files: 36, waves: 4, removals: 8 };

/** A 36-digit pnfsid-like id. */
function planId(random: Random): string {
  let hex = '0000';
  while (hex.length < 36) hex += Math.floor(random() * 16).toString(16).toUpperCase();
  return hex;
}

/** Sizes from 1 KiB to 16 MiB, log-uniform (most small, a few large), as on a real pool. */
function planSize(random: Random): number {
  return Math.round(2 ** (10 + random() * 14));
}

function planFile(random: Random, index: number): DemoFile {
  return { id: planId(random), sizeBytes: planSize(random), path: `/demo/data/run-${String(index + 1).padStart(3, '0')}.root` };
}

function splitWaves(files: readonly DemoFile[], waves: number): DemoFile[][] {
  const size = Math.ceil(files.length / waves);
  return Array.from({ length: waves }, (_, w) => files.slice(w * size, (w + 1) * size)).filter((wave) => wave.length > 0);
}

export function planDemo(seed: number, options: DemoPlanOptions = DEFAULT_DEMO_PLAN): DemoPlan {
  const random = createRandom(seed);
  const files = Array.from({ length: options.files }, (_, i) => planFile(random, i));
  const recalls = files.filter((_, i) => i % 3 === 1);
  const removals = files.filter((_, i) => i % 3 === 2).slice(0, options.removals);
  const missing = { id: planId(random), sizeBytes: 4 * MIB + 321, path: '/demo/data/lost-on-tape.root' };
  return { waves: splitWaves(files, options.waves), recalls, missing, removals };
}

export function planTotalBytes(files: readonly DemoFile[]): number {
  return files.reduce((sum, file) => sum + file.sizeBytes, 0);
}
