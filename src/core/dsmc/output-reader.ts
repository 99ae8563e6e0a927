import type { Readable } from 'node:stream';
import { isPromptPartial, type LineClass } from './classify-line.js';
import { LineSplitter } from './line-splitter.js';
import { MessageAssembler } from './message-assembler.js';

interface StreamReader {
  readonly splitter: LineSplitter;
  readonly assembler: MessageAssembler;
}

/**
 * Reads dsmc's stdout and stderr line by line as they come, each through its
 * own splitter and assembler (a wrapped message continues on its own stream),
 * and hands every line with its class to `onLine`. An unfinished line that is
 * a prompt calls `onPrompt` at once: dsmc prints it without a newline.
 */
export class OutputReader {
  private readonly readers: StreamReader[] = [];

  constructor(
    streams: ReadonlyArray<Readable | null>,
    onLine: (line: string, cls: LineClass) => void,
    onPrompt: () => void,
  ) {
    for (const stream of streams) {
      if (stream === null) continue;
      const assembler = new MessageAssembler(onLine);
      const splitter = new LineSplitter(
        (line) => assembler.push(line),
        (partial) => {
          if (isPromptPartial(partial)) onPrompt();
        },
      );
      const reader = { splitter, assembler };
      this.readers.push(reader);
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => splitter.push(chunk));
      stream.on('end', () => finishReader(reader));
    }
  }

  /** Hands out what is left unfinished (a stream destroyed after dsmc exited never ends). */
  finish(): void {
    for (const reader of this.readers) finishReader(reader);
  }

  get truncatedLines(): number {
    return this.readers.reduce((sum, { splitter }) => sum + splitter.truncatedLines, 0);
  }

  get droppedLineChars(): number {
    return this.readers.reduce((sum, { splitter }) => sum + splitter.droppedChars, 0);
  }
}

function finishReader({ splitter, assembler }: StreamReader): void {
  splitter.end();
  assembler.flush();
}
