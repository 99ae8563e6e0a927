import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { fileListName } from '../core/dsmc/index.js';
import type { PoolFiles } from '../core/pool/index.js';
import { isErrno } from '../core/errors.js';

/** Bytes gathered before each write. */
const BUFFER_BYTES = 64 * 1024;
/** Writes between two turns of the event loop. */
const WRITES_PER_TURN = 64;

/**
 * Writes the file list of an archive session, `<outDir>/<name>` per line,
 * into a new file in `dir`; returns its path. The lines go straight into one
 * reused buffer: a million paths make no strings at all (names are checked
 * pnfsids, ASCII).
 */
export async function writeArchiveList(dir: string, prefix: string, outDir: string, files: PoolFiles): Promise<string> {
  const head = Buffer.from(`${outDir}/`, 'utf8');
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  for (;;) {
    const file = path.join(dir, fileListName(prefix));
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o644);
    } catch (error) {
      if (isErrno(error, 'EEXIST')) continue;
      throw error;
    }
    try {
      let used = 0;
      let writes = 0;
      for (let i = 0; i < files.length; i++) {
        const name = files.name(i);
        const lineBytes = head.length + name.length + 1;
        if (used + lineBytes > BUFFER_BYTES) {
          fs.writeSync(fd, buffer, 0, used);
          used = 0;
          if (++writes % WRITES_PER_TURN === 0) await yieldToEventLoop();
        }
        used += head.copy(buffer, used);
        used += buffer.write(name, used, 'latin1');
        buffer[used++] = 0x0a;
      }
      if (used > 0) fs.writeSync(fd, buffer, 0, used);
    } catch (error) {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw error;
    }
    fs.closeSync(fd);
    return file;
  }
}
