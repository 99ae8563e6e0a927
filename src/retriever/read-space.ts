import fs from 'node:fs/promises';
import type { SpaceView } from './space.js';

/** Free and total bytes of the filesystem holding `dir` (statfs; what an unprivileged writer can use). */
export async function readSpace(dir: string): Promise<SpaceView> {
  const st = await fs.statfs(dir);
  return { freeBytes: st.bavail * st.bsize, totalBytes: st.blocks * st.bsize };
}
