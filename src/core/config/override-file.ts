import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../regular-file.js';
import { errorMessage, isErrno } from '../errors.js';

export type OverrideRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly data: Readonly<Record<string, unknown>>; readonly mtimeMs: number }
  | { readonly kind: 'unreadable'; readonly error: string };

export interface OverrideReadOptions {
  /** Tries before giving up (the file may be written non-atomically). */
  readonly attempts?: number;
  readonly delayMs?: number;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

type Attempt = OverrideRead | { readonly kind: 'retry'; readonly error: string };

function isEnoent(error: unknown): boolean {
  return isErrno(error, 'ENOENT');
}

/** Parse the override file's text: a JSON object, or a reason why not. Pure. */
export function parseOverrideText(text: string): { ok: true; data: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: false, error: 'empty file' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, error: 'not a JSON object' };
  return { ok: true, data: data as Record<string, unknown> };
}

/** Modification time of the file, null when it does not exist. */
export async function statMtimeMs(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch (error) {
    if (isEnoent(error)) return null;
    throw error;
  }
}

/** A FIFO, a device or a huge file is refused at once (no retries): waiting will not make it an override file. */
async function readOnce(file: string): Promise<Attempt> {
  try {
    const { text, mtimeMs } = await readRegularFile(file);
    const parsed = parseOverrideText(text);
    return parsed.ok ? { kind: 'ok', data: parsed.data, mtimeMs } : { kind: 'retry', error: parsed.error };
  } catch (error) {
    if (isEnoent(error)) return { kind: 'absent' };
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) return { kind: 'unreadable', error: `${file}: ${error.message}` };
    return { kind: 'retry', error: errorMessage(error) };
  }
}

/** Read the override file tolerantly: an empty or unparsable file is retried ~100 ms apart. */
export async function readOverrideFile(file: string, options: OverrideReadOptions = {}): Promise<OverrideRead> {
  const attempts = Math.max(1, options.attempts ?? 10);
  const delayMs = options.delayMs ?? 100;
  const pause = options.sleep ?? sleep;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await readOnce(file);
    if (result.kind !== 'retry') return result;
    lastError = result.error;
    if (attempt < attempts) await pause(delayMs);
  }
  return { kind: 'unreadable', error: `${file}: cannot be loaded after ${attempts} tries: ${lastError}` };
}
