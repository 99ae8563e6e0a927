/**
 * The reader of the session history (issue 11 §3): one JSON line per dsmc
 * session in `<logdir>/tsm<daemon>-sessions.jsonl`, the format fixed in
 * SESSION-HISTORY.md. Lines that do not parse or lack a field are left out
 * (counted, the first one named); unknown extra fields are ignored, so that
 * newer writers stay readable. Pure.
 */
import * as z from 'zod';

// One type for the writer and this reader.
export type { SessionHistoryRecord } from '../../core/log/session-history.js';
import type { SessionHistoryRecord } from '../../core/log/session-history.js';

/** `2025-06-01T12:00:00.000Z` (an offset instead of Z is accepted too). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const isoTime = z.string().refine((text) => ISO_TIME.test(text) && Number.isFinite(Date.parse(text)), 'not an ISO 8601 time');
const count = z.number().int().nonnegative();

// z.object drops unknown keys: forward compatibility.
const sessionRecordSchema: z.ZodType<SessionHistoryRecord> = z.object({
  time: isoTime,
  daemon: z.enum(['archiver', 'retriever', 'deleter']),
  hsm: z.string().min(1),
  volume: z.string().min(1).nullable(),
  pid: z.number().int().positive().nullable(),
  start: isoTime,
  end: isoTime,
  files: count,
  bytes: count,
  failed: count,
  rc: z.number().int().nullable(),
  reason: z.string(),
  followOn: z.boolean(),
});

export type SessionLinePlan = { readonly ok: true; readonly record: SessionHistoryRecord } | { readonly ok: false; readonly reason: string };

/** One line of a sessions file: the record, or why it is not one (`end: not an ISO 8601 time`). */
export function parseSessionHistoryLine(line: string): SessionLinePlan {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = sessionRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
  return { ok: false, reason: `${where}${issue?.message ?? 'not a session record'}` };
}

export interface SessionHistoryText {
  readonly records: SessionHistoryRecord[];
  readonly badLines: number;
  /** The first bad line (1-based) and why, for the one warning about the file. */
  readonly firstBad: { readonly lineNumber: number; readonly reason: string } | null;
}

/**
 * The records of a whole sessions file. Blank lines are skipped. A last line
 * without its newline that does not parse is a line still being written (the
 * daemon appends while we read): left out without a complaint.
 */
export function parseSessionHistoryText(text: string): SessionHistoryText {
  const lines = text.split('\n');
  const records: SessionHistoryRecord[] = [];
  let badLines = 0;
  let firstBad: SessionHistoryText['firstBad'] = null;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const plan = parseSessionHistoryLine(line);
    if (plan.ok) records.push(plan.record);
    else if (index < lines.length - 1) {
      badLines++;
      firstBad ??= { lineNumber: index + 1, reason: plan.reason };
    }
  });
  return { records, badLines, firstBad };
}
