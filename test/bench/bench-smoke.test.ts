/**
 * The bench at tiny N: it runs the real daemons end to end and writes
 * well-formed rows. No timing is asserted (that is what the bench is for).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const BENCH = path.join(REPO_ROOT, 'dist', 'bench', 'main.js');

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // About 25 s on a quiet machine; more beside other test files in CI.
    const timer = setTimeout(() => child.kill('SIGINT'), 110_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench --tiny', () => {
  it('writes one well-formed row per figure, ratio = median / floor, and leaves nothing behind', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-bench-smoke-'));
    temps.push(work);
    const out = path.join(work, 'rows.json');
    const result = await runBench(['--tiny', '--out', out, '--tmpdir', work]);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      expect(typeof row['daemon']).toBe('string');
      expect(typeof row['figure']).toBe('string');
      expect(typeof row['unit']).toBe('string');
      for (const key of ['n', 'min', 'median', 'max']) {
        expect(typeof row[key], `${String(row['figure'])}.${key}`).toBe('number');
        expect(Number.isFinite(row[key]), `${String(row['figure'])}.${key}`).toBe(true);
      }
      const { min, median, max, floor, ratio } = row as { min: number; median: number; max: number; floor: number | null; ratio: number | null };
      expect(min).toBeLessThanOrEqual(median);
      expect(median).toBeLessThanOrEqual(max);
      if (floor === null) {
        expect(ratio).toBeNull();
      } else {
        expect(floor).toBeGreaterThan(0);
        expect(ratio).toBeCloseTo(median / floor, 9);
      }
    }
    const daemons = new Set(rows.map((r) => r['daemon']));
    expect(daemons.has('archiver')).toBe(true);
    expect(rows.some((r) => r['daemon'] === 'archiver' && r['figure'] === 'first session' && r['n'] === 300)).toBe(true);
    // The table went to stdout; the temporary pools are gone.
    expect(result.stdout).toMatch(/first session/);
    expect(fs.readdirSync(work).filter((name) => name.startsWith('endit-bench-'))).toEqual([]);
  }, 120_000);
});
