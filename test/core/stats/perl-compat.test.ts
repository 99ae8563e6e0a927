import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StatsPublisher, type FigureSpec } from '../../../src/core/stats/index.js';
import { archiverFigures } from '../../../src/archiver/figures.js';
import { retrieverFigures } from '../../../src/retriever/figures.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/perl-prom');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-perl-compat-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `HELP <name>` / `TYPE <name>` → the rest of the line. */
function metadataOf(text: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const m of text.matchAll(/^# (HELP|TYPE) (\S+) (.*)$/gm)) lines.set(`${m[1]} ${m[2]}`, m[3] ?? '');
  return lines;
}

async function ourProm(daemon: string, figures: readonly FigureSpec[]): Promise<string> {
  const publisher = new StatsPublisher({ daemon, hsm: 'p', dir, figures, version: '1' });
  return publisher.renderProm({ values: Object.fromEntries(figures.map((f) => [f.name, 1])), errorsByCode: new Map() });
}

describe('HELP and TYPE of the metrics the Perl daemons also write (fixtures from Endit.pm writeprom)', () => {
  it.each([
    ['archiver', archiverFigures, 14],
    ['retriever', retrieverFigures, 16],
  ] as const)('fault 2: %s: every name of the Perl file has its exact HELP and TYPE', async (daemon, figures, names) => {
    const perl = metadataOf(fs.readFileSync(path.join(FIXTURES, `perlpool-${daemon}-stats.prom`), 'utf8'));
    const ours = metadataOf(await ourProm(daemon, figures));
    expect(perl.size).toBe(2 * names);
    const differing = [...perl].filter(([key, value]) => ours.get(key) !== value).map(([key, value]) => `${key}: perl '${value}', endit '${ours.get(key) ?? '(none)'}'`);
    expect(differing).toEqual([]);
  });
});
