import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/bin', '/bin'];
  return dirs.filter((d) => d !== '').map((d) => path.join(d, name)).find(isExecutable);
}

/** True when the account database knows the name (`getent`, else /etc/passwd or /etc/group). */
function accountExists(database: 'passwd' | 'group', name: string): boolean {
  const getent = findExecutable('getent');
  if (getent !== undefined) return spawnSync(getent, [database, name]).status === 0;
  try {
    const lines = fs.readFileSync(`/etc/${database}`, 'utf8').split('\n');
    return lines.some((line) => line.split(':')[0] === name);
  } catch {
    return false;
  }
}

const systemdAnalyze = findExecutable('systemd-analyze');
const systemctl = findExecutable('systemctl');

type UnitFile = Map<string, Map<string, string[]>>;

/** Sections → keys → values (a key may repeat). Comments and blank lines are skipped. */
function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      section = new Map();
      unit.set(header[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 1) throw new Error(`unparsable unit line: ${raw}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

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

/**
 * A copy of a unit file that `systemd-analyze verify` can check on this
 * machine: ExecStart= names the built program (or node when it is not built
 * yet), and User=/Group= fall back to root when there is no dcache account.
 */
function adaptForVerify(text: string, users: { user: boolean; group: boolean }): string {
  return text
    .split('\n')
    .map((line) => {
      const exec = /^ExecStart=([-@:+!]*)(\S+)(.*)$/.exec(line);
      if (exec !== null) {
        const built = path.join(repoRoot, 'bin', path.basename(exec[2] ?? ''));
        const program = isExecutable(built) ? built : process.execPath;
        return `ExecStart=${exec[1] ?? ''}${program}${exec[3] ?? ''}`;
      }
      if (!users.user && line === 'User=dcache') return 'User=root';
      if (!users.group && line === 'Group=dcache') return 'Group=root';
      return line;
    })
    .join('\n');
}

/**
 * systemd-analyze may also report problems of units it loads from the
 * system (e.g. network-online.target and what it pulls in), prefixed with
 * that unit file's path. Those are not ours: ignore exactly the lines that
 * begin with a unit file path outside our temporary directory. None appear
 * on the development machine; everything else counts.
 */
function ourProblems(output: string, tempDir: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .filter((line) => {
      const foreign = /^(\/[^:\s]+):\d+: /.exec(line);
      return foreign?.[1] === undefined || foreign[1].startsWith(`${tempDir}/`);
    });
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
        fs.writeFileSync(path.join(tempDir, name), adaptForVerify(text, users));
      }
    });

    afterAll(() => {
      if (tempDir !== '') fs.rmSync(tempDir, { recursive: true, force: true });
    });

    function verify(files: readonly string[]): { status: number | null; problems: string[] } {
      const result = spawnSync(systemdAnalyze ?? 'systemd-analyze', ['verify', ...files.map((f) => path.join(tempDir, f))], {
        cwd: tempDir,
        encoding: 'utf8',
        env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '', LC_ALL: 'C' },
      });
      if (result.error !== undefined) throw result.error;
      return { status: result.status, problems: ourProblems(`${result.stdout}\n${result.stderr}`, tempDir) };
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
