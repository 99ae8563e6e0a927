/** One figure a daemon publishes: a key of the stats JSON and, as `endit_<name>`, a Prometheus metric. */
export interface FigureSpec {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  /** Label names besides `hsm` (e.g. `code` for error counts, `version` for info). */
  readonly labels?: readonly string[];
}

/** Figures every daemon has; `<daemon>` is substituted. */
export function commonFigures(daemon: string): FigureSpec[] {
  return [
    { name: `${daemon}_time`, help: 'Unix time of these figures', type: 'gauge' },
    { name: `${daemon}_starttime`, help: 'Unix time the daemon started', type: 'gauge' },
    { name: `${daemon}_info`, help: 'Always 1; the label version is the endit version', type: 'gauge', labels: ['version'] },
    { name: `${daemon}_errors`, help: 'Warnings and errors logged, by stable code', type: 'counter', labels: ['code'] },
  ];
}
