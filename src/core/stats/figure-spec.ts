import type { HistogramSnapshot } from './histogram.js';

interface FigureSpecBase<Name extends string> {
  readonly name: Name;
  /**
   * The `# HELP` text is `ENDIT tsm<daemon> <help>.`, as the Perl daemons
   * wrote it. For a name the Perl daemons also write, help and type are
   * exactly theirs: node_exporter drops a metric whose HELP or TYPE differs
   * between two files of its textfile directory (a host with a Perl pool and
   * an endit pool).
   */
  readonly help: string;
  /** Label names besides `hsm` (e.g. `code` for error counts, `version` for info). */
  readonly labels?: readonly string[];
}

/**
 * One figure a daemon publishes: a key of the stats JSON and, as
 * `endit_<name>`, a Prometheus metric. A histogram's value is a
 * HistogramSnapshot with `buckets` as its upper bounds; the JSON gets it as
 * flat `_count`, `_sum` and `_bucket_le_<bound>` keys.
 */
export type FigureSpec<Name extends string = string> =
  | (FigureSpecBase<Name> & { readonly type: 'counter' | 'gauge' })
  | (FigureSpecBase<Name> & { readonly type: 'histogram'; readonly buckets: readonly number[] });

/** The figures the shared shell adds to every daemon's own. */
export type CommonFigureName<Daemon extends string> = `${Daemon}_${'time' | 'starttime' | 'info' | 'errors'}`;

/**
 * The values a daemon computes itself, keyed by its figure names (all but the
 * common ones), so that a misspelt or forgotten figure fails to compile: a
 * number, or a HistogramSnapshot for a histogram.
 */
export type OwnFigureValues<Specs extends readonly FigureSpec[], Daemon extends string> = {
  [Spec in Specs[number] as Spec['name'] extends CommonFigureName<Daemon> ? never : Spec['name']]: Spec extends { readonly type: 'histogram' } ? HistogramSnapshot : number;
};

/** Figures every daemon has; `<daemon>` is substituted. */
export function commonFigures<Daemon extends string>(daemon: Daemon): readonly FigureSpec<CommonFigureName<Daemon>>[] {
  return [
    // The Perl daemons' help texts.
    { name: `${daemon}_time`, help: 'Unix time when these metrics were last updated', type: 'gauge' },
    { name: `${daemon}_starttime`, help: 'Unix time when this process was started', type: 'gauge' },
    // Perl's label was gitversiontag (and only from a git checkout); label names may differ between files.
    { name: `${daemon}_info`, help: 'Version', type: 'gauge', labels: ['version'] },
    { name: `${daemon}_errors`, help: 'Warnings and errors logged, by stable code', type: 'counter', labels: ['code'] },
  ];
}
