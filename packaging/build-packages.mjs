#!/usr/bin/env node
// Builds the system packages of endit (`npm run package`):
//   pkg/endit_<version>_all.deb         (Debian, with dpkg-deb)
//   pkg/endit-<version>-1.noarch.rpm    (EL9, with rpmbuild)
// Both hold the same tree, staged once:
//   /usr/bin/endit, endit-{archiver,retriever,deleter,tapehints} -> /usr/lib/endit/bin/
//   /usr/lib/endit            package.json, bin/, dist/ (compiled here), node_modules/ (production only)
//   /usr/lib/systemd/system/  the units of startup/
//   /usr/lib/tmpfiles.d/endit.conf   /run/endit from boot on
//   /usr/share/endit/         examples/ (endit.conf, overrides, dashboard)
//   /usr/share/doc/endit/     README.md, systemd.md, copyright
//   /etc/endit/               empty: the configuration is the site's
//
// Usage: node packaging/build-packages.mjs [--out DIR] [--formats deb,rpm]
// Offline: dist/ is compiled from src/ into the staging tree (the checkout's
// dist/ is left alone), node_modules/ is copied from the checkout's, as far as
// package-lock.json says a package is a production dependency.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const REPO = path.resolve(import.meta.dirname, '..');
const HERE = import.meta.dirname;
/** Programs put on the PATH; fake-dsmc stays in /usr/lib/endit/bin (the demo uses it). */
const PATH_PROGRAMS = ['endit', 'endit-archiver', 'endit-retriever', 'endit-deleter', 'endit-tapehints'];
const UNIT_FILE = /\.(service|target|timer)$/;

function fail(message) {
  process.stderr.write(`build-packages: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  if (result.error !== undefined) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Copies a tree, symbolic links as they are. */
function copy(from, to, filter = () => true) {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter });
}

/** Production packages of package-lock.json (lockfile v2/v3): keys such as node_modules/a or node_modules/a/node_modules/b. */
function productionPackages() {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8'));
  if (lock.packages === undefined) fail('package-lock.json has no "packages" (lockfileVersion 2 or later needed)');
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.startsWith('node_modules/') && entry.dev !== true && entry.link !== true)
    .map(([key, entry]) => ({ key, optional: entry.optional === true }));
}

function stageNodeModules(app) {
  for (const { key, optional } of productionPackages()) {
    const from = path.join(REPO, key);
    if (!fs.existsSync(from)) {
      if (optional) continue; // an optional dependency for another platform
      fail(`${key} is missing: run npm ci first`);
    }
    // Nested node_modules are packages of their own in the lock file.
    copy(from, path.join(app, key), (source) => !path.relative(from, source).split(path.sep).includes('node_modules'));
  }
}

function stageApplication(root) {
  const app = path.join(root, 'usr/lib/endit');
  fs.mkdirSync(app, { recursive: true });
  run(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', path.join(app, 'dist')]);
  // The bench is a developer's tool; it needs the checkout.
  fs.rmSync(path.join(app, 'dist/bench'), { recursive: true, force: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(app, 'package.json'));
  copy(path.join(REPO, 'bin'), path.join(app, 'bin'));
  stageNodeModules(app);
  // The daemons run bundled (bin/endit-<daemon>); esbuild is the checkout's, the modules bundled the staged ones.
  run(process.execPath, [path.join(REPO, 'packaging/bundle.mjs'), path.join(app, 'dist')]);
  const bin = path.join(root, 'usr/bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const program of PATH_PROGRAMS) fs.symlinkSync(`../lib/endit/bin/${program}`, path.join(bin, program));
}

function stageSystemFiles(root) {
  const units = path.join(root, 'usr/lib/systemd/system');
  fs.mkdirSync(units, { recursive: true });
  for (const name of fs.readdirSync(path.join(REPO, 'startup')).filter((n) => UNIT_FILE.test(n))) {
    fs.copyFileSync(path.join(REPO, 'startup', name), path.join(units, name));
  }
  fs.mkdirSync(path.join(root, 'usr/lib/tmpfiles.d'), { recursive: true });
  fs.copyFileSync(path.join(HERE, 'files/tmpfiles-endit.conf'), path.join(root, 'usr/lib/tmpfiles.d/endit.conf'));
  copy(path.join(REPO, 'examples'), path.join(root, 'usr/share/endit/examples'));
  const doc = path.join(root, 'usr/share/doc/endit');
  fs.mkdirSync(doc, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'README.md'), path.join(doc, 'README.md'));
  fs.copyFileSync(path.join(REPO, 'startup/README.md'), path.join(doc, 'systemd.md'));
  fs.writeFileSync(path.join(doc, 'copyright'), `endit: GPL-3.0-or-later\n\n${fs.readFileSync(path.join(REPO, 'LICENSE'), 'utf8')}`);
  fs.mkdirSync(path.join(root, 'etc/endit'), { recursive: true });
}

/** Owner root (set by the package tools), mode 0755 for directories and executables, 0644 for the rest, whatever the umask. */
function normalizeModes(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      fs.chmodSync(full, 0o755);
      normalizeModes(full);
    } else {
      fs.chmodSync(full, (fs.statSync(full).mode & 0o111) === 0 ? 0o644 : 0o755);
    }
  }
}

function stage(work) {
  const root = path.join(work, 'root');
  stageApplication(root);
  stageSystemFiles(root);
  normalizeModes(root);
  return root;
}

function duKib(dir) {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return Math.ceil(bytes / 1024);
}

function buildDeb(root, version, work, outDir) {
  const tree = path.join(work, 'deb');
  copy(root, tree);
  const control = path.join(tree, 'DEBIAN');
  fs.mkdirSync(control);
  const text = fs.readFileSync(path.join(HERE, 'debian/control.in'), 'utf8').replace('@VERSION@', version).replace('@INSTALLED_SIZE@', String(duKib(root)));
  fs.writeFileSync(path.join(control, 'control'), text, { mode: 0o644 });
  for (const script of ['postinst', 'prerm', 'postrm']) {
    fs.copyFileSync(path.join(HERE, 'debian', script), path.join(control, script));
    fs.chmodSync(path.join(control, script), 0o755);
  }
  const file = path.join(outDir, `endit_${version}_all.deb`);
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, file]);
  return file;
}

function buildRpm(root, version, work, outDir) {
  const units = fs.readdirSync(path.join(root, 'usr/lib/systemd/system')).sort().map((n) => `/usr/lib/systemd/system/${n}`);
  const spec = path.join(work, 'endit.spec');
  const text = fs.readFileSync(path.join(HERE, 'rpm/endit.spec.in'), 'utf8').replace('@VERSION@', version).replace('@UNITS@', units.join('\n'));
  fs.writeFileSync(spec, text);
  const defines = {
    _topdir: path.join(work, 'rpmbuild'),
    _rpmdir: outDir,
    _build_name_fmt: '%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
    _endit_stage: root,
    // Nothing to compile, strip or byte-compile: the tree is installed as staged.
    __os_install_post: '%{nil}',
    debug_package: '%{nil}',
    _build_id_links: 'none',
    _binary_payload: 'w6.gzdio',
  };
  const args = Object.entries(defines).flatMap(([name, value]) => ['--define', `${name} ${value}`]);
  run('rpmbuild', ['-bb', '--quiet', ...args, spec], { env: { ...process.env, HOME: work } });
  return path.join(outDir, `endit-${version}-1.noarch.rpm`);
}

function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' }, formats: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write('Usage: node packaging/build-packages.mjs [--out DIR] [--formats deb,rpm]\n');
    return;
  }
  const outDir = path.resolve(values.out ?? path.join(REPO, 'pkg'));
  const formats = (values.formats ?? 'deb,rpm').split(',');
  const unknown = formats.filter((f) => f !== 'deb' && f !== 'rpm');
  if (unknown.length > 0) fail(`--formats: unknown ${unknown.join(', ')} (deb, rpm)`);
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  fs.mkdirSync(outDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-package-'));
  try {
    const root = stage(work);
    if (formats.includes('deb')) process.stdout.write(`${buildDeb(root, version, work, outDir)}\n`);
    if (formats.includes('rpm')) process.stdout.write(`${buildRpm(root, version, work, outDir)}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
