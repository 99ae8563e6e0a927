/**
 * Splits a byte stream into lines as they come, and hands out the unfinished
 * tail too: dsmc's `Action [...] :` prompt arrives without a newline.
 */
export class LineSplitter {
  private tail = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onPartial: (partial: string) => void = () => {},
  ) {}

  push(chunk: string): void {
    const text = this.tail + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      this.onLine(text.slice(start, nl).replace(/\r$/, ''));
      start = nl + 1;
    }
    this.tail = text.slice(start);
    if (this.tail.length > 0) this.onPartial(this.tail);
  }

  end(): void {
    if (this.tail.length > 0) this.onLine(this.tail);
    this.tail = '';
  }
}
