/** Reads the fake dsmc's journal as it grows: only new bytes, one JSON entry per line. */
import fs from 'node:fs';
import { isErrno } from '../core/errors.js';

export interface JournalEvent {
  readonly event: 'start' | 'end' | 'signal';
  readonly timeMs: number;
  /** Start events: when the fake's process began (absent from older fakes' journals). */
  readonly spawnedMs?: number;
  readonly pid: number;
  readonly command?: string;
  readonly listLength?: number;
  readonly rc?: number | null;
  readonly outcome?: string;
}

export class JournalTail {
  private offset = 0;
  private partial = '';
  readonly events: JournalEvent[] = [];

  constructor(private readonly file: string) {}

  /** Appends new entries to `events`; returns how many were new. */
  poll(): number {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return 0;
      throw error;
    }
    const before = this.events.length;
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= this.offset) return 0;
      const buffer = Buffer.alloc(size - this.offset);
      const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.toString('utf8', 0, read);
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        try {
          const { event, timeMs, spawnedMs, pid, command, listLength, rc, outcome } = JSON.parse(line) as JournalEvent;
          this.events.push({ event, timeMs, pid, ...(spawnedMs === undefined ? {} : { spawnedMs }), ...(command === undefined ? {} : { command }), ...(listLength === undefined ? {} : { listLength }), ...(rc === undefined ? {} : { rc }), ...(outcome === undefined ? {} : { outcome }) });
        } catch {
          // not ours to judge
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return this.events.length - before;
  }

  starts(command?: string): JournalEvent[] {
    return this.events.filter((e) => e.event === 'start' && (command === undefined || e.command === command));
  }

  ends(command?: string): JournalEvent[] {
    return this.events.filter((e) => e.event === 'end' && (command === undefined || e.command === command));
  }
}

/** Starts a new fake-dsmc journal for the next daemon start and follows it. */
export function freshJournal(journalPath: string): JournalTail {
  fs.rmSync(journalPath, { force: true });
  return new JournalTail(journalPath);
}
