/** Longest line kept, in characters; the rest of a longer line is counted and dropped. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte stream into lines as they come, and hands out the unfinished
 * tail too: dsmc's `Action [...] :` prompt arrives without a newline.
 *
 * Work is linear in the input: each chunk is scanned once, and a line is kept
 * up to `maxLineChars` only (its start, where the message code is), so a
 * 100 MB line without a newline costs no more than many short ones.
 */
export class LineSplitter {
  private tail = '';
  private tailCut = false;
  private droppedCharCount = 0;
  private truncatedLineCount = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onPartial: (partial: string) => void = () => {},
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  /** Characters dropped from lines longer than the cap. */
  get droppedChars(): number {
    return this.droppedCharCount;
  }

  /** Lines that were cut to the cap. */
  get truncatedLines(): number {
    return this.truncatedLineCount;
  }

  /** Characters of the unfinished line held now (never more than the cap). */
  get pendingChars(): number {
    return this.tail.length;
  }

  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      this.keep(chunk, start, nl);
      this.emitTail();
      start = nl + 1;
    }
    if (start < chunk.length && this.keep(chunk, start, chunk.length)) this.onPartial(this.tail);
  }

  end(): void {
    if (this.tail.length > 0 || this.tailCut) this.emitTail();
  }

  /** Appends `chunk[from, to)` to the tail up to the cap; true when the tail grew. */
  private keep(chunk: string, from: number, to: number): boolean {
    const room = this.maxLineChars - this.tail.length;
    const taken = Math.min(room, to - from);
    if (taken < to - from) {
      this.droppedCharCount += to - from - taken;
      this.tailCut = true;
    }
    if (taken <= 0) return false;
    this.tail += chunk.slice(from, from + taken);
    return true;
  }

  private emitTail(): void {
    const line = this.tail.endsWith('\r') ? this.tail.slice(0, -1) : this.tail;
    if (this.tailCut) this.truncatedLineCount++;
    this.tail = '';
    this.tailCut = false;
    this.onLine(line);
  }
}
