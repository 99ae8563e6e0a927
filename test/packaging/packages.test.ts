import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountExists, adaptForVerify, findExecutable, isExecutable, securityExposure, systemdAnalyze, systemdVersion, verifyUnits } from '../startup/systemd-tools.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const dpkgDeb = findExecutable('dpkg-deb');
const rpmbuild = findExecutable('rpmbuild');
const rpm = findExecutable('rpm');
const PROGRAMS = ['endit', 'endit-archiver', 'endit-retriever', 'endit-deleter', 'endit-tapehints'];

function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Paths in a package listing, without the leading `./` or `/`, directories without a trailing `/`. */
function normalize(paths: readonly string[]): string[] {
  return paths.map((p) => p.replace(/^\.?\//, '').replace(/\/$/, '')).filter((p) => p !== '').sort();
}

/** Production packages by package-lock.json: node_modules/<name> keys that are not dev-only. */
function lockProductionPackages(): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages).filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev !== true).map(([key]) => key).sort();
}

const title = dpkgDeb === undefined
  ? 'packages (skipped: dpkg-deb is not installed; .ci/run installs it)'
  : `packages: npm run package builds the .deb${rpmbuild === undefined ? ' (the .rpm skipped: rpmbuild is not installed; .ci/run installs it)' : ' and the .rpm'}`;

describe.skipIf(dpkgDeb === undefined)(title, () => {
  let work = '';
  let outDir = '';
  let root = '';
  const deb = (): string => path.join(outDir, `endit_${version}_all.deb`);
  const rpmFile = (): string => path.join(outDir, `endit-${version}-1.noarch.rpm`);

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-pkgtest-'));
    outDir = path.join(work, 'pkg');
    root = path.join(work, 'root');
    const formats = rpmbuild === undefined ? 'deb' : 'deb,rpm';
    run(process.execPath, [path.join(repoRoot, 'packaging/build-packages.mjs'), '--out', outDir, '--formats', formats]);
    // Installed into a scratch root, as dpkg would unpack it.
    run(dpkgDeb ?? 'dpkg-deb', ['-x', deb(), root]);
  }, 300_000);

  afterAll(() => {
    if (work !== '') fs.rmSync(work, { recursive: true, force: true });
  });

  it('names the .deb endit_<version>_all.deb, architecture all, depending on nodejs >= 20', () => {
    const fields = run(dpkgDeb ?? 'dpkg-deb', ['-f', deb(), 'Package', 'Version', 'Architecture', 'Depends']);
    expect(fields).toBe(`Package: endit\nVersion: ${version}\nArchitecture: all\nDepends: nodejs (>= 20)\n`);
    const control = run(dpkgDeb ?? 'dpkg-deb', ['-I', deb()]);
    for (const script of ['postinst', 'prerm', 'postrm']) expect(control).toContain(script);
  });

  it('puts the programs in /usr/bin, pointing into /usr/lib/endit', () => {
    for (const program of PROGRAMS) {
      const link = path.join(root, 'usr/bin', program);
      expect(fs.readlinkSync(link)).toBe(`../lib/endit/bin/${program}`);
      expect(isExecutable(link), program).toBe(true);
    }
    expect(fs.existsSync(path.join(root, 'usr/bin/fake-dsmc'))).toBe(false);
  });

  it('runs from the installed tree: --version of every program', () => {
    for (const program of PROGRAMS) {
      expect(run(path.join(root, 'usr/bin', program), ['--version'])).toBe(`${program} ${version}\n`);
    }
    expect(run(path.join(root, 'usr/bin/endit'), ['sample-config'])).toMatch(/^# /);
  });

  it('holds the application with its production dependencies only, and no source maps of its own', () => {
    const app = path.join(root, 'usr/lib/endit');
    expect(fs.existsSync(path.join(app, 'dist/cli/main.js'))).toBe(true);
    expect(fs.existsSync(path.join(app, 'dist/bench'))).toBe(false);
    expect(fs.readdirSync(path.join(app, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'))).toEqual([]);
    const installed = fs.readdirSync(path.join(app, 'node_modules'), { recursive: true, encoding: 'utf8' })
      .filter((p) => fs.existsSync(path.join(app, 'node_modules', p, 'package.json')))
      .map((p) => `node_modules/${p}`)
      // Subdirectories of a package that carry a package.json of their own (e.g. zod/v4) are not packages.
      .filter((p) => /^node_modules\/(@[^/]+\/)?[^/@]+(\/node_modules\/(@[^/]+\/)?[^/@]+)*$/.test(p))
      .sort();
    expect(installed).toEqual(lockProductionPackages());
    for (const dev of ['typescript', 'vitest', '@types/node']) expect(fs.existsSync(path.join(app, 'node_modules', dev)), dev).toBe(false);
  });

  it('holds the units, the tmpfiles.d entry for /run/endit, the example configuration and an empty /etc/endit', () => {
    const units = fs.readdirSync(path.join(root, 'usr/lib/systemd/system')).sort();
    expect(units).toEqual(fs.readdirSync(path.join(repoRoot, 'startup')).filter((n) => /\.(service|target|timer)$/.test(n)).sort());
    const tmpfiles = fs.readFileSync(path.join(root, 'usr/lib/tmpfiles.d/endit.conf'), 'utf8');
    expect(tmpfiles.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual(['d /run/endit 0755 root root -']);
    expect(fs.readFileSync(path.join(root, 'usr/share/endit/examples/endit.conf'), 'utf8')).toBe(fs.readFileSync(path.join(repoRoot, 'examples/endit.conf'), 'utf8'));
    expect(fs.readdirSync(path.join(root, 'etc/endit'))).toEqual([]);
  });

  describe.skipIf(systemdAnalyze === undefined)('the installed units', () => {
    let unitDir = '';

    beforeAll(() => {
      unitDir = fs.mkdtempSync(path.join(work, 'units-'));
      const users = { user: accountExists('passwd', 'dcache'), group: accountExists('group', 'dcache') };
      const installed = path.join(root, 'usr/lib/systemd/system');
      for (const name of fs.readdirSync(installed)) {
        // ExecStart=/usr/bin/<program> of the scratch root.
        const text = adaptForVerify(fs.readFileSync(path.join(installed, name), 'utf8'), users, (program) => path.join(root, 'usr/bin', program));
        fs.writeFileSync(path.join(unitDir, name), text);
      }
    });

    it.each([
      ['endit.target', 'endit-archiver.service', 'endit-retriever.service', 'endit-deleter.service'],
      ['endit@.target', 'endit-archiver@.service', 'endit-retriever@.service', 'endit-deleter@.service'],
      ['endit-tapehints.service', 'endit-tapehints.timer'],
      ['endit-tapehints@.service', 'endit-tapehints@.timer'],
    ])('systemd-analyze verify %s …', (...files) => {
      const { status, problems } = verifyUnits(files.map((f) => path.join(unitDir, f)), unitDir);
      expect(problems).toEqual([]);
      expect(status).toBe(0);
    });

    const version = systemdVersion();
    it.skipIf(version === undefined || version < 250)(`systemd-analyze security --offline=true: exposure 2.0 or better${version === undefined || version < 250 ? ' (skipped: needs systemd 250)' : ''}`, () => {
      for (const name of fs.readdirSync(unitDir).filter((n) => n.endsWith('.service'))) {
        expect(securityExposure(path.join(root, 'usr/lib/systemd/system', name)).level, name).toBeLessThanOrEqual(2.0);
      }
    });
  });

  describe.skipIf(rpmbuild === undefined || rpm === undefined)('the .rpm', () => {
    function query(...args: string[]): string {
      return run(rpm ?? 'rpm', ['-qp', ...args, rpmFile()]);
    }

    it('is endit-<version>-1.noarch, requiring nodejs >= 20 (epoch 1, as EL9 streams carry) and nothing from node_modules', () => {
      expect(query('--qf', '%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE}\n')).toBe(`endit ${version} 1 noarch GPL-3.0-or-later\n`);
      const requires = query('--requires').split('\n').filter((r) => r !== '' && !r.startsWith('rpmlib('));
      expect(requires.filter((r) => r !== '/bin/sh')).toEqual(['nodejs >= 1:20']);
      expect(query('--scripts')).toMatch(/postinstall scriptlet[\s\S]*preuninstall scriptlet[\s\S]*postuninstall scriptlet/);
    });

    it('holds the same files as the .deb, owned by root, the /usr/bin programs as symbolic links', () => {
      const rpmFiles = normalize(query('--list').split('\n'));
      const debFiles = normalize(listDeb(deb()));
      // The deb lists the directories it shares with the system (usr/, usr/lib/, …); the rpm owns only its own.
      expect(rpmFiles.filter((f) => !debFiles.includes(f))).toEqual([]);
      expect(debFiles.filter((f) => !rpmFiles.includes(f) && !['etc', 'usr', 'usr/bin', 'usr/lib', 'usr/lib/systemd', 'usr/lib/systemd/system', 'usr/lib/tmpfiles.d', 'usr/share', 'usr/share/doc'].includes(f))).toEqual([]);
      const owners = new Set(query('--qf', '[%{FILEUSERNAME}:%{FILEGROUPNAME}\n]').split('\n').filter((l) => l !== ''));
      expect([...owners]).toEqual(['root:root']);
      expect(query('--qf', '[%{FILENAMES} %{FILELINKTOS}\n]')).toContain('/usr/bin/endit ../lib/endit/bin/endit\n');
    });
  });
});

function listDeb(file: string): string[] {
  return run(dpkgDeb ?? 'dpkg-deb', ['-c', file]).split('\n').filter((l) => l !== '').map((line) => {
    const name = line.split(/\s+/).slice(5).join(' ');
    return name.replace(/ -> .*$/, '');
  });
}
