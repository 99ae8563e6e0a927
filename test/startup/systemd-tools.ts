// Shared by the tests of the unit files in startup/ and of the installed packages.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  return dirs.filter((d) => d !== '').map((d) => path.join(d, name)).find(isExecutable);
}

/** True when the account database knows the name (`getent`, else /etc/passwd or /etc/group). */
export function accountExists(database: 'passwd' | 'group', name: string): boolean {
  const getent = findExecutable('getent');
  if (getent !== undefined) return spawnSync(getent, [database, name]).status === 0;
  try {
    const lines = fs.readFileSync(`/etc/${database}`, 'utf8').split('\n');
    return lines.some((line) => line.split(':')[0] === name);
  } catch {
    return false;
  }
}

export const systemdAnalyze = findExecutable('systemd-analyze');
export const systemctl = findExecutable('systemctl');

/** The version of systemd-analyze (`systemd 252 (252.39-1~deb12u2)` → 252), if installed. */
export function systemdVersion(): number | undefined {
  if (systemdAnalyze === undefined) return undefined;
  const match = /^systemd (\d+)/.exec(spawnSync(systemdAnalyze, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export type UnitFile = Map<string, Map<string, string[]>>;

/** Sections → keys → values (a key may repeat). Comments and blank lines are skipped. */
export function parseUnit(text: string): UnitFile {
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

/**
 * A copy of a unit file that `systemd-analyze verify` can check on this
 * machine: ExecStart= names `programFor(<program name>)` (the built or the
 * installed program), and User=/Group= fall back to root when there is no
 * dcache account.
 */
export function adaptForVerify(text: string, users: { user: boolean; group: boolean }, programFor: (name: string) => string): string {
  return text
    .split('\n')
    .map((line) => {
      const exec = /^ExecStart=([-@:+!]*)(\S+)(.*)$/.exec(line);
      if (exec !== null) return `ExecStart=${exec[1] ?? ''}${programFor(path.basename(exec[2] ?? ''))}${exec[3] ?? ''}`;
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
export function ourProblems(output: string, tempDir: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .filter((line) => {
      const foreign = /^(\/[^:\s]+):\d+: /.exec(line);
      return foreign?.[1] === undefined || foreign[1].startsWith(`${tempDir}/`);
    });
}

/** `systemd-analyze verify` of these files (run in their directory); its problems that concern them. */
export function verifyUnits(files: readonly string[], tempDir: string): { status: number | null; problems: string[] } {
  const result = spawnSync(systemdAnalyze ?? 'systemd-analyze', ['verify', ...files], {
    cwd: tempDir,
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '', LC_ALL: 'C' },
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, problems: ourProblems(`${result.stdout}\n${result.stderr}`, tempDir) };
}

/** `systemd-analyze security --offline=true`: the overall exposure (0 safest … 10) and its word (OK, MEDIUM, …). */
export function securityExposure(unitFile: string): { level: number; label: string; output: string } {
  const result = spawnSync(systemdAnalyze ?? 'systemd-analyze', ['security', '--offline=true', '--no-pager', unitFile], {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '', LC_ALL: 'C' },
  });
  if (result.error !== undefined) throw result.error;
  const output = `${result.stdout}\n${result.stderr}`;
  const match = /Overall exposure level for \S+: (\d+(?:\.\d+)?) (\w+)/.exec(output);
  if (match === null) throw new Error(`no exposure level in the output of systemd-analyze security:\n${output}`);
  return { level: Number(match[1]), label: match[2] ?? '', output };
}
