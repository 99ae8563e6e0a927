import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiverFigures } from '../../src/archiver/figures.js';
import { deleterFigures } from '../../src/deleter/figures.js';
import { retrieverFigures } from '../../src/retriever/figures.js';

const dir = path.resolve(import.meta.dirname, '../../examples/prometheus');
const rulesFile = path.join(dir, 'endit-alerts.yml');
const testsFile = path.join(dir, 'endit-alerts.test.yml');
const rules = fs.readFileSync(rulesFile, 'utf8');
const tests = fs.readFileSync(testsFile, 'utf8');
const emitted = new Set([...archiverFigures, ...retrieverFigures, ...deleterFigures].map((f) => `endit_${f.name}`));

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/bin'];
  return dirs.filter((d) => d !== '').map((d) => path.join(d, name)).find((f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const alertNames = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1] as string);

describe('examples/prometheus/endit-alerts.yml', () => {
  it('has the alerts issue 13 asks for, each with a severity and a unit test', () => {
    expect(alertNames).toEqual(
      expect.arrayContaining([
        'EnditRecallPendingLong',
        'EnditRecallPendingTooLong',
        'EnditStatsStale',
        'EnditFlushBacklogGrowing',
        'EnditArchiverErrors',
        'EnditRetrieverErrors',
        'EnditDeleterErrors',
        'EnditRecallSpaceFull',
        'EnditArchiverBackoffLong',
        'EnditRetrieverBackoffLong',
        'EnditDeleterBackoffLong',
      ]),
    );
    expect(new Set(alertNames).size).toBe(alertNames.length);
    expect([...rules.matchAll(/^\s+severity: (\S+)$/gm)].map((m) => m[1])).toEqual(alertNames.map(() => expect.stringMatching(/^(warning|critical)$/)));
    // A test in which it fires.
    for (const name of alertNames) expect(tests, name).toMatch(new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`));
  });

  it('uses only metrics the daemons write', () => {
    const names = [...new Set([...rules.matchAll(/endit_[a-z0-9_]+/g)].map((m) => m[0]))];
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !emitted.has(n))).toEqual([]);
    for (const daemon of ['archiver', 'retriever', 'deleter']) expect(emitted.has(`endit_${daemon}_time`)).toBe(true);
  });

  const promtool = findExecutable('promtool');
  it.skipIf(promtool === undefined)(`passes promtool check rules and promtool test rules${promtool === undefined ? ' (skipped: promtool is not installed)' : ''}`, () => {
    for (const args of [['check', 'rules', rulesFile], ['test', 'rules', testsFile]]) {
      const result = spawnSync(promtool ?? 'promtool', args, { encoding: 'utf8', cwd: dir });
      expect(result.status, `promtool ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});
