/** A configuration that cannot be used; `message` is the first problem, one line. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  /** Every problem found, one line each (`message` is the first). */
  readonly problems: readonly string[];

  constructor(problems: readonly string[] | string) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list[0] ?? 'invalid configuration');
    this.problems = list;
  }
}

/** The main file could not be read; a sample configuration was written to `samplePath`. */
export class ConfigMissingError extends ConfigError {
  override readonly name: string = 'ConfigMissingError';
  readonly samplePath: string;

  constructor(message: string, samplePath: string) {
    super(message);
    this.samplePath = samplePath;
  }
}
