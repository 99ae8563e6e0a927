import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPool, startDaemon, waitFor, type DaemonProgram } from './harness.js';
import { freePort, NODE_EXPORTER, scrape } from './node-exporter-tools.js';

const PERL_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/perl-prom');
const exporters: Array<ReturnType<typeof spawn>> = [];

afterEach(() => {
  for (const p of exporters.splice(0)) p.kill('SIGKILL');
});


/** `name{a="1",b="2"}` with the labels sorted, for every sample line of a text exposition. */
function seriesOf(text: string): Set<string> {
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (match === null) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => `${m[1]}="${m[2]}"`).sort();
    series.add(`${match[1]}{${labels.join(',')}}`);
  }
  return series;
}

/** The `# HELP` and `# TYPE` line of each metric name. */
function metadataOf(text: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const m of text.matchAll(/^# (HELP|TYPE) (\S+) (.*)$/gm)) lines.set(`${m[1]} ${m[2]}`, m[3] ?? '');
  return lines;
}

describe('a Perl pool and an endit pool in one node_exporter textfile directory', () => {
  it.skipIf(!fs.existsSync(NODE_EXPORTER))('fault 2: node_exporter exposes every series of both and no scrape error', async () => {
    const pool = createTestPool();
    const daemons: DaemonProgram[] = ['archiver', 'retriever', 'deleter'];
    for (const d of daemons) startDaemon(d, pool);
    const ours = daemons.map((d) => path.join(pool.statsdir, `testpool-${d}-stats.prom`));
    await waitFor(() => ours.every((f) => fs.existsSync(f)), 'all three .prom files');
    const perl = fs.readdirSync(PERL_FIXTURES).filter((f) => f.endsWith('.prom'));
    expect(perl).toHaveLength(2);
    for (const f of perl) fs.copyFileSync(path.join(PERL_FIXTURES, f), path.join(pool.statsdir, f));

    const port = await freePort();
    const exporter = spawn(
      NODE_EXPORTER,
      [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${pool.statsdir}`],
      { stdio: 'ignore' },
    );
    exporters.push(exporter);
    let text: string | null = null;
    await waitFor(async () => (text = await scrape(port)) !== null, 'node_exporter answers');
    const exposed = text as unknown as string;

    expect(exposed).toMatch(/^node_textfile_scrape_error 0$/m);
    const exposedSeries = seriesOf(exposed);
    const files = [...ours, ...perl.map((f) => path.join(pool.statsdir, f))];
    for (const file of files) {
      const expected = [...seriesOf(fs.readFileSync(file, 'utf8'))];
      expect(expected.length, file).toBeGreaterThan(10);
      expect(expected.filter((s) => !exposedSeries.has(s)), `series of ${path.basename(file)} missing`).toEqual([]);
    }
    // One HELP and one TYPE per name, the Perl daemons' for the names they write.
    const exposedMeta = metadataOf(exposed);
    for (const f of perl) {
      for (const [key, value] of metadataOf(fs.readFileSync(path.join(PERL_FIXTURES, f), 'utf8'))) expect(exposedMeta.get(key), key).toBe(value);
    }
  });
});
