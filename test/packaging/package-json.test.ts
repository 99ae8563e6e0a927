import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');

interface PackageJson {
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  files?: string[];
  bin?: Record<string, string>;
}

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as PackageJson;

function sourceTexts(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
}

/** What npm runs on `npm install` of the package (and warns about on a global install since npm 11). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

describe('package.json', () => {
  it('fault 11: declares no dependency that src/ never imports (check-disk-space, chokidar, p-queue were)', () => {
    const sources = sourceTexts(path.join(repoRoot, 'src')).join('\n');
    const unused = Object.keys(pkg.dependencies ?? {}).filter((name) => {
      const imported = new RegExp(`from '${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/[^']*)?'`);
      return !imported.test(sources);
    });
    expect(unused).toEqual([]);
  });

  it('fault 11: has no install-time script, so a global install of the tarball runs nothing and warns about nothing', () => {
    expect(Object.keys(pkg.scripts ?? {}).filter((name) => INSTALL_SCRIPTS.includes(name))).toEqual([]);
    // The tarball ships dist/ built: `npm pack` builds first.
    expect(pkg.scripts?.['prepack']).toMatch(/npm run build/);
    expect(pkg.files).toContain('dist/');
  });

  it('fault 11: ships no source map pointing at src/, which is not shipped', () => {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'tsconfig.build.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    const options = config?.options ?? {};
    const mapsUsable = options.sourceMap !== true || options.inlineSources === true || (pkg.files ?? []).includes('src/');
    expect(mapsUsable).toBe(true);
  });

  it('names a bin shim for every program, each runnable from a checkout', () => {
    for (const [name, file] of Object.entries(pkg.bin ?? {})) {
      const full = path.join(repoRoot, file);
      expect(fs.statSync(full).mode & 0o111, `${name} executable`).not.toBe(0);
      expect(fs.readFileSync(full, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });
});
