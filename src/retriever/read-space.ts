import fs from 'node:fs/promises';
import type { Logger } from '../core/log/index.js';
import { errorMessage } from '../core/errors.js';
import type { SpaceView } from './space.js';

/** Free and total bytes of the filesystem holding `dir` (statfs; what an unprivileged writer can use). */
export async function readSpace(dir: string): Promise<SpaceView> {
  const st = await fs.statfs(dir);
  return { freeBytes: st.bavail * st.bsize, totalBytes: st.blocks * st.bsize };
}

/** Measures the space of in/ once per cycle; a failure is warned about once per distinct message. */
export class SpaceMeter {
  private lastError = '';
  private latest: SpaceView | null = null;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** The last measurement; null when it failed. */
  get space(): SpaceView | null {
    return this.latest;
  }

  async measure(): Promise<SpaceView | null> {
    try {
      this.latest = await readSpace(this.dir);
      this.lastError = '';
    } catch (error) {
      this.latest = null;
      const message = errorMessage(error);
      if (message !== this.lastError) this.logger.warn('space_unreadable', `cannot read the free space of ${this.dir}: ${message}`);
      this.lastError = message;
    }
    return this.latest;
  }
}
