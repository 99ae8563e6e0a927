// Ordered, buffered output on fds 1 and 2. Buffering keeps 100,000-line listings cheap;
// one queue for both streams keeps their order when a reader merges them (2>&1).
// Messages go out within MESSAGE_FLUSH_AFTER_MS (daemons act on ANS1345E while the
// session runs, but a million of them must not cost a million writes), other lines
// at least every FLUSH_AFTER_MS. Every sleep and the exit flush first.
import { writeSync } from 'node:fs';
import type { MessageStream } from './scenario.js';
import { sleepSync } from './lock.js';
import { errnoCode } from '../core/errors.js';

const FLUSH_AT_BYTES = 64 * 1024;
const FLUSH_AFTER_MS = 50;
const MESSAGE_FLUSH_AFTER_MS = 2;

/** Severity letter of an `ANSnnnnX` line, or undefined for other text. */
export function messageSeverity(line: string): string | undefined {
  return /^AN[A-Z]\d{4}([A-Z])/.exec(line)?.[1];
}

/** I messages are progress; W/E/S go where the scenario says (stderr by default). */
export function planMessageFd(line: string, messagesOn: MessageStream): 1 | 2 {
  const severity = messageSeverity(line);
  if (severity === 'I' || messagesOn === 'stdout') return 1;
  return 2;
}

function writeFully(fd: number, text: string): void {
  let buffer = Buffer.from(text);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer));
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EPIPE') return; // reader gone: nobody to tell
      if (code !== 'EAGAIN') throw error;
      sleepSync(1);
    }
  }
}

export class Output {
  private readonly queue: { fd: number; text: string }[] = [];
  private queuedBytes = 0;
  private lastFlushMs = Date.now();
  private beforeFlush: (() => void) | null = null;

  constructor(private readonly messagesOn: MessageStream) {}

  /** A stdout line. */
  line(text = ''): void {
    this.push(1, `${text}\n`);
  }

  lines(texts: readonly string[]): void {
    for (const text of texts) this.line(text);
  }

  /** An ANS message line (continuation lines may follow after `\n`). */
  message(text: string): void {
    this.push(planMessageFd(text, this.messagesOn), `${text}\n`);
    if (Date.now() - this.lastFlushMs >= MESSAGE_FLUSH_AFTER_MS) this.flush();
  }

  /** An ANS message line, queued like other lines (a flood is not one write per message). */
  queueMessage(text: string): void {
    this.push(planMessageFd(text, this.messagesOn), `${text}\n`);
  }

  /** Text without a newline (a prompt), on stdout. */
  raw(text: string): void {
    this.push(1, text);
  }

  /** A diagnostic of the fake itself, always on stderr. */
  error(text: string): void {
    this.push(2, `${text}\n`);
  }

  /** Work that must be done before anything queued is written (deletions on record before they are reported). */
  setBeforeFlush(work: (() => void) | null): void {
    this.beforeFlush = work;
  }

  flush(): void {
    this.beforeFlush?.();
    let fd = -1;
    let pending = '';
    for (const chunk of this.queue) {
      if (chunk.fd !== fd && pending !== '') writeFully(fd, pending);
      if (chunk.fd !== fd) pending = '';
      fd = chunk.fd;
      pending += chunk.text;
    }
    if (pending !== '') writeFully(fd, pending);
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.lastFlushMs = Date.now();
  }

  private push(fd: number, text: string): void {
    this.queue.push({ fd, text });
    this.queuedBytes += text.length;
    if (this.queuedBytes >= FLUSH_AT_BYTES || Date.now() - this.lastFlushMs >= FLUSH_AFTER_MS) this.flush();
  }
}
