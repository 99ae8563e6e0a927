import type { SessionHistoryRecord } from '../../../src/cli/tapemetrics/session-record.js';

/** A retriever session record as SESSION-HISTORY.md fixes it; `over` changes fields. */
export function sessionRecord(over: Partial<SessionHistoryRecord> = {}): SessionHistoryRecord {
  return {
    time: '2025-06-01T12:00:00.001Z',
    daemon: 'retriever',
    hsm: 'pool1',
    volume: 'VOL001',
    pid: 4242,
    start: '2025-06-01T11:00:00.000Z',
    end: '2025-06-01T12:00:00.000Z',
    files: 10,
    bytes: 1000,
    failed: 0,
    rc: 0,
    reason: 'oldest request waited past reqlistfillwait',
    followOn: false,
    ...over,
  };
}
