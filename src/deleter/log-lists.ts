/** Characters of ids per log line: lines stay well under 4 KiB whatever the list size. */
export const LOG_LIST_CHARS = 3500;

/**
 * Logs a list of ids as it comes, as lines `<prefix>: id id …` of at most
 * about LOG_LIST_CHARS characters each: a million ids never become one line
 * (the Perl deleter wrote tens of megabytes on one line) nor one array of lines.
 */
export class IdLineBuffer {
  private ids: string[] = [];
  private chars = 0;

  constructor(
    private readonly prefix: string,
    private readonly emit: (line: string) => void,
    private readonly maxChars = LOG_LIST_CHARS,
  ) {}

  push(id: string): void {
    if (this.ids.length > 0 && this.chars + id.length + 1 > this.maxChars) this.flush();
    this.ids.push(id);
    this.chars += id.length + 1;
  }

  flush(): void {
    if (this.ids.length === 0) return;
    this.emit(`${this.prefix}: ${this.ids.join(' ')}`);
    this.ids = [];
    this.chars = 0;
  }
}

/** The lines IdLineBuffer writes for `ids`. Pure. */
export function formatIdListLines(prefix: string, ids: Iterable<string>, maxChars = LOG_LIST_CHARS): string[] {
  const lines: string[] = [];
  const buffer = new IdLineBuffer(prefix, (line) => lines.push(line), maxChars);
  for (const id of ids) buffer.push(id);
  buffer.flush();
  return lines;
}
