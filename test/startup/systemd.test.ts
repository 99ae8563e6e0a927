import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountExists, adaptForVerify, isExecutable, parseUnit, securityExposure, systemdAnalyze, systemctl, systemdVersion, verifyUnits, type UnitFile } from './systemd-tools.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const startupDir = path.join(repoRoot, 'startup');

const daemons = ['archiver', 'retriever', 'deleter'] as const;

/** Units verified together, so that the references between them resolve. */
const groups: Readonly<Record<string, readonly string[]>> = {
  daemons: ['endit.target', ...daemons.map((d) => `endit-${d}.service`)],
  'daemon templates': ['endit@.target', ...daemons.map((d) => `endit-${d}@.service`)],
  tapehints: ['endit-tapehints.service', 'endit-tapehints.timer'],
  'tapehints templates': ['endit-tapehints@.service', 'endit-tapehints@.timer'],
};

const unitSuffix = /\.(service|target|timer|socket|path|mount)$/;

function readUnit(name: string): UnitFile {
  return parseUnit(fs.readFileSync(path.join(startupDir, name), 'utf8'));
}

function values(unit: UnitFile, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** The single value of a key; fails the test when it is missing or repeated. */
function value(unit: UnitFile, section: string, key: string): string {
  const all = values(unit, section, key);
  expect(all, `[${section}] ${key}=`).toHaveLength(1);
  return all[0] ?? '';
}

describe('systemd units in startup/', () => {
  const unitFiles = fs.readdirSync(startupDir).filter((f) => unitSuffix.test(f)).sort();

  it('puts every unit file in exactly one verification group', () => {
    const grouped = Object.values(groups).flat().sort();
    expect(grouped).toEqual(unitFiles);
  });

  const verifyTitle = systemdAnalyze === undefined
    ? 'systemd-analyze verify (skipped: systemd-analyze is not installed)'
    : `systemd-analyze verify (${systemdAnalyze})`;

  describe(verifyTitle, () => {
    let tempDir = '';

    beforeAll(() => {
      if (systemdAnalyze === undefined) return;
      tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-systemd-'));
      const users = { user: accountExists('passwd', 'dcache'), group: accountExists('group', 'dcache') };
      for (const name of unitFiles) {
        const text = fs.readFileSync(path.join(startupDir, name), 'utf8');
        fs.writeFileSync(path.join(tempDir, name), adaptForVerify(text, users, (program) => {
          const built = path.join(repoRoot, 'bin', program);
          return isExecutable(built) ? built : process.execPath;
        }));
      }
    });

    afterAll(() => {
      if (tempDir !== '') fs.rmSync(tempDir, { recursive: true, force: true });
    });

    function verify(files: readonly string[]): { status: number | null; problems: string[] } {
      return verifyUnits(files.map((f) => path.join(tempDir, f)), tempDir);
    }

    it.skipIf(systemdAnalyze === undefined)('reports a planted mistake (the check can fail)', () => {
      const name = 'endit-archiver.service';
      const broken = fs.readFileSync(path.join(tempDir, name), 'utf8').replace('KillMode=mixed', 'KillMode=mixed\nNoSuchSetting=1');
      const dir = fs.mkdtempSync(path.join(tempDir, 'broken-'));
      fs.writeFileSync(path.join(dir, name), broken);
      fs.copyFileSync(path.join(tempDir, 'endit.target'), path.join(dir, 'endit.target'));
      const { problems } = verify([path.join(path.basename(dir), name), path.join(path.basename(dir), 'endit.target')]);
      expect(problems.join('\n')).toMatch(/NoSuchSetting/);
    });

    for (const [group, files] of Object.entries(groups)) {
      it.skipIf(systemdAnalyze === undefined)(`${group}: ${files.join(' ')}`, () => {
        const { status, problems } = verify(files);
        expect(problems).toEqual([]);
        expect(status).toBe(0);
      });
    }

    it.skipIf(systemdAnalyze === undefined)('points ExecStart= at an existing program', () => {
      for (const name of unitFiles.filter((f) => f.endsWith('.service'))) {
        const exec = values(parseUnit(fs.readFileSync(path.join(tempDir, name), 'utf8')), 'Service', 'ExecStart');
        expect(exec, name).toHaveLength(1);
        expect(isExecutable((exec[0] ?? '').split(/\s+/)[0] ?? ''), `${name}: ${exec[0]}`).toBe(true);
      }
    });
  });

  describe.each(daemons.flatMap((d) => [
    { daemon: d, file: `endit-${d}.service`, target: 'endit.target' },
    { daemon: d, file: `endit-${d}@.service`, target: 'endit@%i.target' },
  ]))('$file', ({ daemon, file, target }) => {
    const unit = readUnit(file);

    it('runs the daemon, reloads with SIGHUP and leaves killing dsmc to it', () => {
      expect(value(unit, 'Service', 'Type')).toBe('simple');
      expect(value(unit, 'Service', 'ExecStart')).toBe(`/usr/bin/endit-${daemon}`);
      expect(value(unit, 'Service', 'ExecReload')).toMatch(/^\/bin\/kill -(HUP|SIGHUP|s HUP) \$MAINPID$/);
      expect(value(unit, 'Service', 'KillMode')).toBe('mixed');
      expect(value(unit, 'Service', 'WorkingDirectory')).toBe('/');
      expect(value(unit, 'Service', 'User')).toBe('dcache');
      expect(value(unit, 'Service', 'Group')).toBe('dcache');
    });

    it('restarts on failure, within a start limit', () => {
      expect(value(unit, 'Service', 'Restart')).toBe('on-failure');
      expect(value(unit, 'Service', 'RestartSec')).toMatch(/^\d+(s|min)?$/);
      expect(value(unit, 'Unit', 'StartLimitIntervalSec')).toMatch(/^[1-9]\d*(s|min)?$/);
      expect(value(unit, 'Unit', 'StartLimitBurst')).toMatch(/^[1-9]\d*$/);
    });

    it('shares /run/endit with the other daemons', () => {
      expect(value(unit, 'Service', 'RuntimeDirectory')).toBe('endit');
      expect(value(unit, 'Service', 'RuntimeDirectoryPreserve')).toBe('yes');
    });

    it('is sandboxed, with the pool, log and stats directories writable', () => {
      expect(value(unit, 'Service', 'NoNewPrivileges')).toBe('yes');
      expect(value(unit, 'Service', 'ProtectSystem')).toBe('strict');
      expect(value(unit, 'Service', 'PrivateTmp')).toBe('yes');
      expect(value(unit, 'Service', 'ProtectHome')).toBe('yes');
      const writable = values(unit, 'Service', 'ReadWritePaths').flatMap((v) => v.split(/\s+/));
      expect(writable).toEqual(expect.arrayContaining(['/var/log/dcache', '/run/endit']));
      expect(writable.some((p) => p.startsWith('/grid/'))).toBe(true);
    });

    it(`belongs to ${target}`, () => {
      expect(value(unit, 'Unit', 'PartOf')).toBe(target);
      expect(value(unit, 'Unit', 'ReloadPropagatedFrom')).toBe(target);
      expect(value(unit, 'Install', 'WantedBy')).toBe(target);
      if (file.includes('@')) {
        expect(values(unit, 'Service', 'Environment')).toContain('ENDIT_CONFIG=/etc/endit/%i.conf');
      }
    });
  });

  it.skipIf(systemctl === undefined)(
    `enabling the targets enables their daemons${systemctl === undefined ? ' (skipped: systemctl is not installed)' : ''}`,
    () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-systemctl-'));
      try {
        const unitDir = path.join(root, 'etc/systemd/system');
        fs.mkdirSync(unitDir, { recursive: true });
        for (const name of unitFiles) fs.copyFileSync(path.join(startupDir, name), path.join(unitDir, name));
        const result = spawnSync(systemctl ?? 'systemctl', ['--root', root, 'enable', 'endit.target', 'endit@pool1.target', 'endit-tapehints@pool1.timer'], {
          encoding: 'utf8',
          env: { ...process.env, SYSTEMD_LOG_COLOR: '0', LC_ALL: 'C' },
        });
        expect(result.status, result.stderr).toBe(0);
        const links = fs.readdirSync(unitDir, { recursive: true, encoding: 'utf8' })
          .filter((p) => p.includes('.wants/'))
          .sort();
        expect(links).toEqual([
          ...daemons.map((d) => `endit.target.wants/endit-${d}.service`),
          ...daemons.map((d) => `endit@pool1.target.wants/endit-${d}@pool1.service`),
          'multi-user.target.wants/endit.target',
          'multi-user.target.wants/endit@pool1.target',
          'timers.target.wants/endit-tapehints@pool1.timer',
        ].sort());
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );

  const services = unitFiles.filter((f) => f.endsWith('.service'));

  it.each(services)('%s: fault 10: hardened beyond the file system (capabilities, address families, system calls, namespaces)', (file) => {
    const unit = readUnit(file);
    expect(value(unit, 'Service', 'CapabilityBoundingSet')).toBe('');
    // dsmc, inside the sandbox, needs TCP to the TSM server.
    expect(value(unit, 'Service', 'RestrictAddressFamilies').split(/\s+/).sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    expect(value(unit, 'Service', 'SystemCallFilter')).toBe('@system-service');
    expect(value(unit, 'Service', 'SystemCallArchitectures')).toBe('native');
    for (const key of ['RestrictNamespaces', 'RestrictSUIDSGID', 'ProtectKernelLogs', 'ProtectClock', 'ProtectHostname', 'LockPersonality']) {
      expect(value(unit, 'Service', key), key).toBe('yes');
    }
    // The retriever must see the requesting Java process, whoever runs it.
    expect(values(unit, 'Service', 'ProtectProc')).toEqual(file.startsWith('endit-retriever') ? [] : ['invisible']);
  });

  const version = systemdVersion();
  const offline = version !== undefined && version >= 250;
  const securityTitle = offline
    ? `systemd-analyze security --offline=true (systemd ${version})`
    : `systemd-analyze security (skipped: needs systemd-analyze 250 or newer for --offline, found ${version ?? 'none'})`;
  describe(securityTitle, () => {
    it.skipIf(!offline).each(services)('%s: fault 10: overall exposure 2.0 or better (was 7.0 MEDIUM)', (file) => {
      const { level, label } = securityExposure(path.join(startupDir, file));
      expect(level).toBeLessThanOrEqual(2.0);
      expect(['SAFE', 'OK']).toContain(label);
    });
  });

  it.each([
    { file: 'endit.target', also: daemons.map((d) => `endit-${d}.service`) },
    { file: 'endit@.target', also: daemons.map((d) => `endit-${d}@%i.service`) },
  ])('$file enables the three daemons with it', ({ file, also }) => {
    const unit = readUnit(file);
    expect(value(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
    expect(values(unit, 'Install', 'Also').flatMap((v) => v.split(/\s+/)).sort()).toEqual([...also].sort());
  });

  it.each(['', '@'])('endit-tapehints%s.service runs once, sandboxed, from a daily timer', (at) => {
    const service = readUnit(`endit-tapehints${at}.service`);
    expect(value(service, 'Service', 'Type')).toBe('oneshot');
    expect(value(service, 'Service', 'ExecStart')).toBe('/usr/bin/endit-tapehints');
    expect(value(service, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(value(service, 'Service', 'ProtectSystem')).toBe('strict');
    expect(value(service, 'Service', 'PrivateTmp')).toBe('yes');
    expect(value(service, 'Service', 'ProtectHome')).toBe('yes');
    if (at === '@') expect(values(service, 'Service', 'Environment')).toContain('ENDIT_CONFIG=/etc/endit/%i.conf');
    const timer = readUnit(`endit-tapehints${at}.timer`);
    expect(value(timer, 'Timer', 'OnCalendar')).toBe('daily');
    expect(value(timer, 'Timer', 'RandomizedDelaySec')).toMatch(/^\d+(s|min|h)?$/);
    expect(values(timer, 'Timer', 'Unit')).toEqual([]);
    expect(value(timer, 'Install', 'WantedBy')).toBe('timers.target');
  });
});
