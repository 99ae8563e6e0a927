import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Tests that need a real tool skip themselves where it is missing, which is
 * right on a developer's laptop and wrong in CI: a skipped test proves
 * nothing. `.ci/run` installs every tool; this fails the CI run if one is
 * still missing, so no test can be skipped there unnoticed.
 */
const TOOLS = ['promtool', 'systemd-analyze', 'systemctl', 'dpkg-deb', 'rpmbuild', 'rpm', 'mkfifo', 'mount', 'java'];

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

describe('CI has every tool the tests use', () => {
  it.runIf(process.env['CI'] === 'true')('no test is skipped for want of a tool, root or tmpfs', () => {
    expect(TOOLS.filter((tool) => !onPath(tool))).toEqual([]);
    expect(fs.existsSync('/usr/bin/prometheus-node-exporter')).toBe(true);
    // The coordination tests' ZooKeeper (issue 12): they fail, never skip, without it; this names the cause.
    expect(fs.existsSync('/usr/share/zookeeper/bin/zkServer.sh')).toBe(true);
    expect(process.getuid?.()).toBe(0);
  });
});
