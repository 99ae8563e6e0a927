/** Before a run with `--against-perl DIR`: is DIR a checkout of the Perl ENDIT daemons, and can perl run them? */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PERL_MODULES, perlScript } from './implementation.js';

/** Files of neicnordic/endit the bench runs (the daemons load Endit.pm from their own directory). */
const PERL_FILES = [perlScript('archiver'), perlScript('retriever'), perlScript('deleter'), 'Endit.pm'];

/** What is wrong with the checkout and perl, one line each; empty when nothing is. */
export function perlProblems(dir: string): string[] {
  const problems: string[] = [];
  const missing = PERL_FILES.filter((file) => !fs.existsSync(path.join(dir, file)));
  if (missing.length > 0) problems.push(`${dir} is not a checkout of neicnordic/endit: no ${missing.join(', ')}`);
  const version = spawnSync('perl', ['-e', 'print "$^V"'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) return [...problems, 'perl cannot be run: install perl'];
  const lacking = PERL_MODULES.filter(({ module }) => spawnSync('perl', [`-M${module}`, '-e', '1'], { stdio: 'ignore' }).status !== 0);
  if (lacking.length > 0) {
    problems.push(`perl lacks ${lacking.map((m) => m.module).join(', ')}: on Debian or Ubuntu, apt-get install ${lacking.map((m) => m.debian).join(' ')}`);
  }
  return problems;
}

/** `perl v5.36.0; /tmp/perl-endit at 49ea460 (unmodified)`: what ran, for the record. */
export function describePerl(dir: string): string {
  const perl = spawnSync('perl', ['-e', 'print "$^V"'], { encoding: 'utf8' }).stdout;
  const git = (args: string[]): string | undefined => {
    const result = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const commit = git(['rev-parse', '--short', 'HEAD']);
  if (commit === undefined) return `perl ${perl}; ${dir} (not a git checkout: version unknown)`;
  const changes = git(['status', '--porcelain', '--untracked-files=no']);
  return `perl ${perl}; ${dir} at ${commit} (${changes === '' ? 'unmodified' : 'MODIFIED'})`;
}
