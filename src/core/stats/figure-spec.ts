/** One figure a daemon publishes: a key of the stats JSON and, as `endit_<name>`, a Prometheus metric. */
export interface FigureSpec<Name extends string = string> {
  readonly name: Name;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  /** Label names besides `hsm` (e.g. `code` for error counts, `version` for info). */
  readonly labels?: readonly string[];
}

/** The figures the shared shell adds to every daemon's own. */
export type CommonFigureName<Daemon extends string> = `${Daemon}_${'time' | 'starttime' | 'info' | 'errors'}`;

/**
 * The values a daemon computes itself, keyed by its figure names (all but the
 * common ones), so that a misspelt or forgotten figure fails to compile.
 */
export type OwnFigureValues<Specs extends readonly FigureSpec[], Daemon extends string> = Record<
  Exclude<Specs[number]['name'], CommonFigureName<Daemon>>,
  number
>;

/** Figures every daemon has; `<daemon>` is substituted. */
export function commonFigures<Daemon extends string>(daemon: Daemon): readonly FigureSpec<CommonFigureName<Daemon>>[] {
  return [
    { name: `${daemon}_time`, help: 'Unix time of these figures', type: 'gauge' },
    { name: `${daemon}_starttime`, help: 'Unix time the daemon started', type: 'gauge' },
    { name: `${daemon}_info`, help: 'Always 1; the label version is the endit version', type: 'gauge', labels: ['version'] },
    { name: `${daemon}_errors`, help: 'Warnings and errors logged, by stable code', type: 'counter', labels: ['code'] },
  ];
}
