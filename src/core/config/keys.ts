/**
 * The one table of configuration keys (SPEC 3.1 plus the keys of section 11).
 * The zod schema, the sample configuration, the override rules and the SIGHUP
 * rules are all derived from it.
 */

export type KeyKind =
  | 'string'
  /** A string used as part of file names: letters, digits, `.`, `_`, `-`; not `.` or `..`. */
  | 'name'
  | 'path'
  | 'posint'
  | 'nonnegint'
  /** Archiver thresholds 2–9: a non-negative integer, 0 means unset. */
  | 'threshold'
  /** An integer percentage 1–100. */
  | 'percent'
  /** A list separated by ", " (comma space). */
  | 'optionList'
  /** `0` or `1`. */
  | 'bool01'
  | 'enum'
  /** A named interval or a 5-field crontab expression. */
  | 'schedule';

export type KeyScope = 'common' | 'archiver' | 'retriever' | 'deleter';

/** One row of the table as written below; flags left out take their usual value. */
export interface KeyDef {
  readonly kind: KeyKind;
  readonly description: string;
  readonly default?: string;
  readonly example?: string;
  /** For `enum`. */
  readonly options?: readonly string[];
  readonly required?: true;
  readonly overridable?: true;
  /** Defaults to true; false for keys that need a restart. */
  readonly reloadable?: false;
}

/** A row with every flag resolved. */
export interface KeySpec {
  readonly name: string;
  readonly kind: KeyKind;
  readonly description: string;
  readonly default: string | undefined;
  readonly example: string | undefined;
  readonly options: readonly string[];
  readonly required: boolean;
  readonly overridable: boolean;
  readonly reloadable: boolean;
  readonly scope: KeyScope;
}

const thresholdDef = (sessions: number) =>
  ({
    kind: 'threshold',
    description: `When exceeding this usage, in GiB, use ${sessions} sessions (0 or unset: no such step).`,
    overridable: true,
  }) as const;

export const KEY_DEFS = {
  'desc-short': {
    kind: 'name',
    required: true,
    reloadable: false,
    example: 'pool1',
    description:
      'Short name of this instance, written on each log line and used as the hsm metric label\n' +
      'and in the stats file names: letters, digits, ".", "_" and "-" only.\n' +
      'Should equal the dCache pool name.',
  },
  'desc-long': {
    kind: 'string',
    required: true,
    example: 'ENDIT for pool pool1 on host poolhost1',
    description: 'Long description of this instance, written on start-up.',
  },
  dir: {
    kind: 'path',
    required: true,
    reloadable: false,
    example: '/grid/pool',
    description: 'Pool base directory (must exist).',
  },
  logdir: {
    kind: 'path',
    required: true,
    reloadable: false,
    example: '/var/log/dcache',
    description: 'Log directory; - means standard output (for journald).',
  },
  confoverridefile: {
    kind: 'path',
    reloadable: false,
    default: '/run/endit/conf-override.json',
    description:
      'JSON file of runtime configuration overrides, for automatic changes such as\n' +
      'limiting sessions based on the current load. Only keys marked "Overridable" may be set.',
  },
  currstatsdir: {
    kind: 'path',
    reloadable: false,
    default: '/run/endit',
    description: 'Directory for the current status files (JSON and Prometheus .prom).',
  },
  dsmcopts: {
    kind: 'optionList',
    required: true,
    example: '-asnode=EXAMPLENODE, -errorlogname=/var/log/dcache/dsmerror.log',
    description: 'Base options to dsmc, a ", "-delimited list.',
  },
  dsmc_displayopts: {
    kind: 'optionList',
    default: '-dateformat=3, -timeformat=1, -numberformat=1',
    description:
      'dsmc display options, added to every dsmc call except archive, a ", "-delimited list.\n' +
      'Not intended to be changed: the output parsers rely on these formats.',
  },
  dsmc_executable: {
    kind: 'string',
    reloadable: false,
    default: 'dsmc',
    description: 'Program to run as dsmc.',
  },
  dsmc_cpulimit: {
    kind: 'posint',
    default: '172800',
    description: 'CPU time limit for each spawned dsmc process, seconds.',
  },
  dsmc_stalltimeout: {
    kind: 'nonnegint',
    default: '1800',
    description:
      'Kill a dsmc retrieve session that prints nothing and lands no bytes in in/ for this\n' +
      'many seconds (a failed session, logged as dsmc_stalled; its recalls are retried).\n' +
      'A session that waits this long for a drive is killed too. 0 disables this.',
  },
  sleeptime: {
    kind: 'posint',
    default: '60',
    description: 'Sleep for this many seconds between cycles.',
  },
  retry_backoff_max: {
    kind: 'posint',
    default: '3600',
    overridable: true,
    description:
      'After consecutive failed dsmc sessions wait sleeptime*2^(n-1) seconds,\n' +
      'but at most this many seconds, before trying again.',
  },
  log_format: {
    kind: 'enum',
    options: ['text', 'json'],
    reloadable: false,
    default: 'text',
    description: 'Log line format: text, or json for one JSON object per line.',
  },
  verbose: {
    kind: 'bool01',
    default: '1',
    overridable: true,
    description: 'Verbose logging including each processed file (1 to enable, 0 to disable).',
  },
  debug: {
    kind: 'bool01',
    default: '0',
    overridable: true,
    description: 'Debug logging, keeps file lists (1 to enable, 0 to disable).',
  },
  archiver_timeout: {
    kind: 'posint',
    default: '21600',
    example: '21600',
    overridable: true,
    description:
      'Push to tape anyway after data has waited this many seconds.\n' +
      'This should be significantly shorter than the dCache store timeout (commonly 1 day).',
  },
  archiver_retrytimeout: {
    kind: 'posint',
    default: '3600',
    overridable: true,
    description:
      'Timeout used instead of archiver_timeout when files are waiting for a retry, seconds.\n' +
      'Usually much lower than archiver_timeout, to avoid hitting the dCache store timeout.',
  },
  archiver_timeout_dsmcopts: {
    kind: 'optionList',
    description: 'Extra dsmc options for sessions started because of archiver_timeout, a ", "-delimited list.',
  },
  archiver_threshold1_usage: {
    kind: 'posint',
    default: '500',
    example: '500',
    overridable: true,
    description:
      'Require this usage, in GiB, before migrating to tape using 1 session.\n' +
      'Tune this to be 20-30 minutes or more of tape activity.',
  },
  archiver_threshold2_usage: {
    kind: 'threshold',
    example: '2000',
    overridable: true,
    description:
      'When exceeding this usage, in GiB, use 2 sessions. This starts an additional\n' +
      "tape session if one session can't keep up. Recommended: between twice\n" +
      'archiver_threshold1_usage and 20% of the total pool size.\n' +
      'Each threshold that is set must exceed every lower one; an override of 0 removes it.',
  },
  archiver_threshold3_usage: thresholdDef(3),
  archiver_threshold4_usage: thresholdDef(4),
  archiver_threshold5_usage: thresholdDef(5),
  archiver_threshold6_usage: thresholdDef(6),
  archiver_threshold7_usage: thresholdDef(7),
  archiver_threshold8_usage: thresholdDef(8),
  archiver_threshold9_usage: thresholdDef(9),
  retriever_maxworkers: {
    kind: 'posint',
    default: '1',
    example: '3',
    overridable: true,
    description:
      'Maximum number of concurrent dsmc retrieve sessions.\n' +
      'Note: the node must have MAXNUMMP increased from the default 1.',
  },
  retriever_remountdelay: {
    kind: 'posint',
    default: '7200',
    overridable: true,
    description:
      'A volume whose tape was really mounted less than this ago (a follow-on is no mount)\n' +
      'gets a drive only when no other volume is ready for it, seconds.',
  },
  retriever_hintfile: {
    kind: 'path',
    example: '/var/spool/endit/tapehints/EXAMPLENODE.json',
    description:
      'Tape hints file (which file is on which volume), enabling one session per volume.\n' +
      'Generate it periodically with the tape hints program for the -asnode in dsmcopts.',
  },
  retriever_reqlistfillwait: {
    kind: 'posint',
    default: '600',
    overridable: true,
    description:
      "Wait this long after a volume's newest request before starting a session for it, seconds;\n" +
      "half of it once the list holds 72 GB (a mount's worth).",
  },
  retriever_reqlistfillwaitmax: {
    kind: 'posint',
    default: '7200',
    overridable: true,
    description:
      "Start a session anyway this long after a volume's oldest request, even if its\n" +
      'request list is still filling up or the volume was just read, seconds. A list\n' +
      "under 72 GB (a mount's worth) waits at least a third of this after its oldest request.",
  },
  retriever_mountretention: {
    kind: 'nonnegint',
    default: '3600',
    overridable: true,
    description:
      "How long the TSM server keeps an idle volume mounted (its MOUNTRETENTION), seconds.\n" +
      'New requests for a volume whose session ended less than this ago start at once:\n' +
      'no fill wait, no remount delay. 0 disables this.',
  },
  retriever_maxsessionbytes: {
    kind: 'nonnegint',
    default: '0',
    example: '2000',
    overridable: true,
    description:
      "Cap on one session's list, in GiB, so older work on other volumes can cut in;\n" +
      'the rest follows on while the tape is still mounted. 0: no cap.',
  },
  retriever_maxsessionfiles: {
    kind: 'nonnegint',
    default: '0',
    example: '5000',
    overridable: true,
    description: "Cap on the number of files in one session's list, like retriever_maxsessionbytes. 0: no cap.",
  },
  retriever_buffersize: {
    kind: 'posint',
    default: '100',
    overridable: true,
    description: 'Space on the filesystem, in GiB, reserved for recalled files not yet taken by dCache.',
  },
  retriever_backlogthreshold: {
    kind: 'percent',
    default: '10',
    overridable: true,
    description: 'When use of the reserved buffer goes above this percentage, start no new sessions.',
  },
  retriever_killthreshold: {
    kind: 'percent',
    default: '95',
    overridable: true,
    description:
      'When use of the reserved buffer goes above this percentage, kill running sessions\n' +
      'to avoid filling the filesystem.',
  },
  deleter_queueprocinterval: {
    kind: 'schedule',
    default: 'monthly',
    description:
      'Deletion queue processing interval: minutely, hourly, daily, weekly, monthly,\n' +
      'or a 5-field crontab expression, e.g. "0 0 1 * *".',
  },
  deleter_volumequiet: {
    kind: 'nonnegint',
    default: '0',
    overridable: true,
    description:
      'Volume-aware deletion (needs retriever_hintfile): send the queued deletions of a volume\n' +
      'only when it has had no new deletion for this many seconds, or when the queue covers\n' +
      'every file the hints list on it. 0 disables this.',
  },
} as const satisfies Record<string, KeyDef>;

export type KeyDefs = typeof KEY_DEFS;
export type ConfigKey = keyof KeyDefs;

export const DEPRECATED_KEYS: Readonly<Record<string, ConfigKey>> = Object.freeze({
  timeout: 'archiver_timeout',
  minusage: 'archiver_threshold1_usage',
  maxretrievers: 'retriever_maxworkers',
  tapefile: 'retriever_hintfile',
  remounttime: 'retriever_remountdelay',
});

export const OBSOLETE_KEYS: ReadonlySet<string> = new Set([
  'hsminstance',
  'remotedirs',
  'pollinginterval',
  'maxusage',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `archiver_threshold${n}_dsmcopts`),
]);

export type ThresholdKey = `archiver_threshold${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}_usage`;

/** The archiver threshold keys; index i is the threshold for i+1 sessions. */
export const THRESHOLD_KEYS: readonly ThresholdKey[] = Object.freeze(
  [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `archiver_threshold${n}_usage` as ThresholdKey),
);

export function scopeOfKey(name: string): KeyScope {
  const prefix = /^(archiver|retriever|deleter)_/.exec(name)?.[1];
  return (prefix as KeyScope | undefined) ?? 'common';
}

function resolveDef(name: string, def: KeyDef): KeySpec {
  return Object.freeze({
    name,
    kind: def.kind,
    description: def.description,
    default: def.default,
    example: def.example,
    options: def.options ?? [],
    required: def.required === true,
    overridable: def.overridable === true,
    reloadable: def.reloadable !== false,
    scope: scopeOfKey(name),
  });
}

/** Every key, in table order (the order of the sample configuration). */
export const KEY_TABLE: readonly KeySpec[] = Object.freeze(
  Object.entries(KEY_DEFS).map(([name, def]) => resolveDef(name, def)),
);

const SPEC_BY_NAME: ReadonlyMap<string, KeySpec> = new Map(KEY_TABLE.map((spec) => [spec.name, spec]));

export function isConfigKey(name: string): name is ConfigKey {
  return SPEC_BY_NAME.has(name);
}

export function keySpec(name: string): KeySpec | undefined {
  return SPEC_BY_NAME.get(name);
}
