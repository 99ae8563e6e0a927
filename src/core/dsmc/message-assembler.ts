import { classifyLine, type DsmcMessage, type LineClass } from './classify-line.js';

function hasOpenQuote(text: string): boolean {
  let quotes = 0;
  for (let i = text.indexOf("'"); i >= 0; i = text.indexOf("'", i + 1)) quotes++;
  return quotes % 2 === 1;
}

/**
 * Joins a message whose quoted path wrapped onto the next line (no prefix)
 * back into one, so the path can be read from it. A next line that is itself
 * a message or a prompt is no continuation: both go out as they are. Use one
 * assembler per stream: a continuation follows on the stream of its message.
 */
export class MessageAssembler {
  private pending: DsmcMessage | null = null;

  constructor(private readonly emit: (line: string, cls: LineClass) => void) {}

  push(line: string): void {
    const cls = classifyLine(line);
    if (this.pending !== null) {
      if (cls.kind === 'other') {
        // The break fell inside the quoted path: join without a separator.
        const joined = `${this.pending.text}${line.trim()}`;
        this.pending = null;
        this.emit(joined, classifyLine(joined));
        return;
      }
      this.flush();
    }
    if (cls.kind === 'message' && hasOpenQuote(cls.message.text)) {
      this.pending = cls.message;
      return;
    }
    this.emit(line, cls);
  }

  flush(): void {
    if (this.pending !== null) {
      const { text } = this.pending;
      this.pending = null;
      this.emit(text, classifyLine(text));
    }
  }
}
