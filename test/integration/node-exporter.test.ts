import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { archiverFigures } from '../../src/archiver/figures.js';
import { retrieverFigures } from '../../src/retriever/figures.js';
import { deleterFigures } from '../../src/deleter/figures.js';
import { createTestPool, startDaemon, waitFor, type DaemonProgram } from './harness.js';
import { freePort, NODE_EXPORTER, scrape } from './node-exporter-tools.js';

const exporters: Array<ReturnType<typeof spawn>> = [];

afterEach(() => {
  for (const p of exporters.splice(0)) p.kill('SIGKILL');
});


describe('node_exporter textfile collector', () => {
  it.skipIf(!fs.existsSync(NODE_EXPORTER))('scrapes every endit metric of the three daemons with its hsm label and no error', async () => {
    const pool = createTestPool();
    // An override every daemon rejects, so that each has an error code to count.
    fs.writeFileSync(pool.overridePath, JSON.stringify({ dir: '/elsewhere' }));
    const daemons: DaemonProgram[] = ['archiver', 'retriever', 'deleter'];
    for (const d of daemons) startDaemon(d, pool);
    await waitFor(() => daemons.every((d) => fs.existsSync(`${pool.statsdir}/testpool-${d}-stats.prom`)), 'all three .prom files');

    const port = await freePort();
    const exporter = spawn(
      NODE_EXPORTER,
      [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${pool.statsdir}`],
      { stdio: 'ignore' },
    );
    exporters.push(exporter);
    let text: string | null = null;
    await waitFor(async () => (text = await scrape(port)) !== null, 'node_exporter answers');
    const metrics = text as unknown as string;

    expect(metrics).toMatch(/^node_textfile_scrape_error 0$/m);
    for (const figure of [...archiverFigures, ...retrieverFigures, ...deleterFigures]) {
      // A histogram's samples are its _bucket, _sum and _count series.
      const samples = figure.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => `${figure.name}${suffix}`) : [figure.name];
      for (const sample of samples) expect(metrics, sample).toMatch(new RegExp(`^endit_${sample}\\{[^}]*hsm="testpool"[^}]*\\} `, 'm'));
    }
    for (const d of daemons) expect(metrics).toMatch(new RegExp(`^endit_${d}_errors\\{code="override_rejected",hsm="testpool"\\} 1$`, 'm'));
  });
});
