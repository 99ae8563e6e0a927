// The tape hint file for `pertape`, `status` and the demo: the shared parser of
// src/core/hints, read synchronously (one read per command).
import fs from 'node:fs';
import { HintFileError, parseHintFile, sanitizeVolumeName, withHintFile, type HintMap, type TapeHint } from '../core/hints/index.js';
import { errorMessage } from '../core/errors.js';
import type { CliIo } from './cli-io.js';

export type { HintMap, TapeHint };

/** The volume of a hint as the retriever names it (SPEC 6.4). */
export function volumeOf(hint: TapeHint): string {
  return sanitizeVolumeName(hint.volid);
}

export type HintRead = { readonly ok: true; readonly hints: HintMap; readonly skipped: number } | { readonly ok: false; readonly error: string };

/** Reads and parses the hint file; a one-line error naming the file otherwise. */
export function readHintFile(file: string): HintRead {
  let text: string;
  try {
    // Never a blocking open: a FIFO at the hint file's path must not hang `endit status`.
    text = withHintFile(file, ({ fd }) => fs.readFileSync(fd, 'utf8'));
  } catch (error) {
    if (error instanceof HintFileError) return { ok: false, error: error.message };
    return { ok: false, error: `${file}: cannot read the hint file (${errorMessage(error)})` };
  }
  try {
    let skipped = 0;
    const hints = parseHintFile(text, file, () => skipped++);
    return { ok: true, hints, skipped };
  } catch (error) {
    if (error instanceof HintFileError) return { ok: false, error: error.message };
    throw error;
  }
}

/**
 * Hints for grouping pending recalls by volume; a missing or broken hint
 * file leaves every request on `default`, as in the retriever (warned about
 * on standard error, prefixed with the command).
 */
export function readQueueHints(file: string | undefined, command: string, io: CliIo): HintMap {
  if (file === undefined) return new Map();
  const read = readHintFile(file);
  if (read.ok) return read.hints;
  io.err(`${command}: warning: ${read.error}; requests are shown on volume default\n`);
  return new Map();
}
