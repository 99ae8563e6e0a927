/**
 * The fake dsmc's own share of "start → first session": from its spawn to its
 * journal start entry for an archive list of N files (then it hangs and is killed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { BenchOptions } from './bench-args.js';
import type { Measured } from './bench-row.js';
import { waitFor } from './daemon-process.js';
import { benchId } from './generate.js';
import { JournalTail } from './journal-tail.js';
import { note } from './progress.js';
import { createPool, destroyPool, FAKE_DSMC, trackChild } from './workspace.js';

export async function benchFakeDsmc(n: number, opts: BenchOptions): Promise<Measured[]> {
  const pool = createPool(`fake-${n}`, opts.tmpdir);
  try {
    const list = path.join(pool.sub('requestlists'), 'tsm-archive-files.BENCH0');
    const out = pool.sub('out');
    const fd = fs.openSync(list, 'w');
    try {
      let chunk = '';
      for (let i = 0; i < n; i++) {
        chunk += `${out}/${benchId(i)}\n`;
        if (chunk.length > 1 << 20) {
          fs.writeSync(fd, chunk);
          chunk = '';
        }
      }
      fs.writeSync(fd, chunk);
    } finally {
      fs.closeSync(fd);
    }
    pool.writeScenario({ rules: [{ command: 'archive', action: 'hang' }] });
    const samples: number[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      fs.rmSync(pool.journalPath, { force: true });
      const journal = new JournalTail(pool.journalPath);
      const spawnMs = Date.now();
      const child = spawn(process.execPath, [FAKE_DSMC, 'archive', '-deletefiles', '-description=BENCH', `-filelist=${list}`], { env: { ...process.env, ...pool.env() }, stdio: 'ignore' });
      trackChild(child);
      try {
        const start = await waitFor('the fake start entry', () => (journal.poll(), journal.starts('archive')[0]), 60_000 + n / 10, 5);
        samples.push((start.timeMs - spawnMs) / 1000);
      } finally {
        child.kill('SIGKILL');
      }
    }
    note(`fake-dsmc N=${n}: spawn → start entry ${samples.map((s) => s.toFixed(2)).join(', ')} s`);
    return [{ daemon: 'fake-dsmc', n, figure: 'spawn → start entry (archive list of N)', unit: 's', samples }];
  } finally {
    destroyPool(pool);
  }
}
