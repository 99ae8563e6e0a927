/** Which program the bench runs: endit, or the Perl ENDIT daemons of a checkout (`--against-perl DIR`). Pure. */
import type { DaemonProgram } from './daemon-process.js';

export type ImplName = 'endit' | 'perl';

export type Implementation = { readonly name: 'endit' } | { readonly name: 'perl'; readonly dir: string };

export const ENDIT: Implementation = { name: 'endit' };

/** endit alone, or endit and the Perl checkout at `perlDir`. */
export function implementationsOf(perlDir: string | undefined): Implementation[] {
  const perl = perlOf({ againstPerl: perlDir });
  return perl === undefined ? [ENDIT] : [ENDIT, perl];
}

/** The Perl implementation of `--against-perl DIR`; undefined without it. */
export function perlOf(opts: { readonly againstPerl: string | undefined }): Implementation | undefined {
  return opts.againstPerl === undefined ? undefined : { name: 'perl', dir: opts.againstPerl };
}

/**
 * The order of the daemon starts: repeat by repeat, each implementation in
 * turn (endit, Perl, endit, Perl, ...), so that a machine getting busier or
 * quieter during the run weighs on both alike.
 */
export function alternation<T>(impls: readonly T[], repeats: number): Array<{ impl: T; repeat: number }> {
  const order: Array<{ impl: T; repeat: number }> = [];
  for (let repeat = 0; repeat < repeats; repeat++) for (const impl of impls) order.push({ impl, repeat });
  return order;
}

/**
 * A wait allowed to a run: the Perl daemons get four times endit's (at a
 * million requests the Perl retriever needs minutes where endit needs seconds).
 */
export function scaledTimeoutMs(impl: Implementation, enditTimeoutMs: number): number {
  return impl.name === 'perl' ? 4 * enditTimeoutMs : enditTimeoutMs;
}

/** The Perl script that is this daemon (`tsmarchiver.pl`, ...). */
export function perlScript(program: DaemonProgram): string {
  return `tsm${program}.pl`;
}

/** How a run names the program it started, in notes and errors. */
export function programLabel(impl: Implementation, program: DaemonProgram): string {
  return impl.name === 'endit' ? `endit-${program}` : perlScript(program);
}

/** The Perl modules the ENDIT daemons load, with the Debian package of each. */
export const PERL_MODULES: ReadonlyArray<{ module: string; debian: string }> = [
  { module: 'JSON', debian: 'libjson-perl' },
  { module: 'JSON::XS', debian: 'libjson-xs-perl' },
  { module: 'Filesys::Df', debian: 'libfilesys-df-perl' },
  { module: 'Schedule::Cron', debian: 'libschedule-cron-perl' },
];
