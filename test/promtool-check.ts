import { spawnSync } from 'node:child_process';

/**
 * What `promtool check metrics` finds wrong with a .prom text, less one lint
 * accepted on purpose: the endit counters keep the Perl daemons' names and
 * TYPE counter (node_exporter needs both to match across a Perl pool's files
 * and ours), and those names lack the `_total` suffix promtool asks for.
 * Empty: the text is fine.
 */
export function promtoolProblems(prom: string | Buffer): string[] {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: prom, encoding: 'utf8' });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  const problems = lines.filter((line) => !/^endit_\w+ counter metrics should have "_total" suffix$/.test(line));
  // 3: lint problems only; anything else but 0 is a parse error.
  if (result.status !== 0 && result.status !== 3) problems.push(`promtool exited with ${String(result.status)}`);
  return problems;
}
