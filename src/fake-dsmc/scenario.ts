// The scenario file (FAKE_DSMC_SCENARIO): parsed and validated by hand so a test author
// gets a precise error, and so the fake needs nothing beyond Node at start-up.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { errorMessage } from '../core/errors.js';
import type { Json } from './scenario-fields.js';
import { ScenarioError, checkKeys, isObject, nonNegativeInt, oneOf, stringValue } from './scenario-fields.js';
import type { LibraryScenario } from './scenario-library.js';
import { parseLibraryScenario } from './scenario-library.js';

export { ScenarioError } from './scenario-fields.js';

export type RuleCommand = 'archive' | 'retrieve' | 'delete' | 'query' | 'any';
// hold-stdout, long-line and flood misbehave at afterFiles, then the session goes on normally;
// sent-not-deleted: archive sends each file ([Sent]) but cannot remove it (ANS4007E), rc 8 unless the rule says otherwise.
export type RuleAction = 'fail' | 'hang' | 'crash' | 'prompt' | 'partial' | 'succeed' | 'sent-not-deleted' | 'hold-stdout' | 'long-line' | 'flood';
export type MessageStream = 'stderr' | 'stdout';

export interface ScenarioRule {
  command: RuleCommand;
  action: RuleAction;
  times?: number;
  rc?: number;
  message?: string;
  afterFiles?: number;
  signal?: NodeJS.Signals;
  ignoreSigterm?: boolean;
  mountDelayMs?: number;
  bytesPerSecond?: number;
  /** long-line: characters of the line printed without a newline. */
  lineBytes?: number;
  /** flood: messages printed. */
  floodMessages?: number;
}

export interface Scenario {
  mountDelayMs: number;
  bytesPerSecond: number;
  filesPerVolume: number;
  volumePrefix: string;
  messagesOn: MessageStream;
  failIds: ReadonlySet<string>;
  wrongSizeIds: ReadonlySet<string>;
  rules: ScenarioRule[];
  /** Drives for retrieve sessions (mounts, locates, waits); null: every mount costs mountDelayMs. */
  library: LibraryScenario | null;
}

export const DEFAULT_SCENARIO: Scenario = {
  mountDelayMs: 0,
  bytesPerSecond: 0,
  filesPerVolume: 4,
  volumePrefix: 'L',
  messagesOn: 'stderr',
  failIds: new Set(),
  wrongSizeIds: new Set(),
  rules: [],
  library: null,
};

const TOP_KEYS = new Set(['mountDelayMs', 'bytesPerSecond', 'filesPerVolume', 'volumePrefix', 'messagesOn', 'failIds', 'wrongSizeIds', 'rules', 'library']);
const RULE_KEYS = new Set(['command', 'action', 'times', 'rc', 'message', 'afterFiles', 'signal', 'ignoreSigterm', 'mountDelayMs', 'bytesPerSecond', 'lineBytes', 'floodMessages']);
const COMMANDS: readonly RuleCommand[] = ['archive', 'retrieve', 'delete', 'query', 'any'];
const ACTIONS: readonly RuleAction[] = ['fail', 'hang', 'crash', 'prompt', 'partial', 'succeed', 'sent-not-deleted', 'hold-stdout', 'long-line', 'flood'];

function idSet(object: Json, key: string): Set<string> {
  const value = object[key];
  if (value === undefined) return new Set();
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ScenarioError(`${key}: expected an array of strings`);
  }
  return new Set(value);
}

function signalValue(object: Json, where: string): NodeJS.Signals | undefined {
  const value = stringValue(object, 'signal', where);
  if (value === undefined) return undefined;
  if (!(value in constants.signals)) throw new ScenarioError(`${where}.signal: unknown signal ${JSON.stringify(value)}`);
  return value as NodeJS.Signals;
}

/** A count that only one action reads: anywhere else it is a mistake in the scenario. */
function actionCount(object: Json, key: string, action: RuleAction, owner: RuleAction, where: string): number | undefined {
  const value = nonNegativeInt(object, key, where);
  if (value !== undefined && action !== owner) throw new ScenarioError(`${where}.${key}: only for action ${owner}`);
  return value;
}

type Loose<T> = { [K in keyof T]-?: T[K] | undefined };

/** Copies only the keys that are set, so optional properties stay absent (exactOptionalPropertyTypes). */
export function definedOnly<T extends object>(object: Loose<T>): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function parseRule(raw: unknown, index: number): ScenarioRule {
  const where = `rules[${index}]`;
  if (!isObject(raw)) throw new ScenarioError(`${where}: expected an object`);
  checkKeys(raw, RULE_KEYS, where);
  const command = oneOf(raw, 'command', COMMANDS, where) ?? 'any';
  const action = oneOf(raw, 'action', ACTIONS, where);
  if (action === undefined) throw new ScenarioError(`${where}.action: required`);
  const ignoreSigterm = raw['ignoreSigterm'];
  if (ignoreSigterm !== undefined && typeof ignoreSigterm !== 'boolean') {
    throw new ScenarioError(`${where}.ignoreSigterm: expected a boolean`);
  }
  return definedOnly<ScenarioRule>({
    command,
    action,
    times: nonNegativeInt(raw, 'times', where),
    rc: nonNegativeInt(raw, 'rc', where),
    message: stringValue(raw, 'message', where),
    afterFiles: nonNegativeInt(raw, 'afterFiles', where),
    signal: signalValue(raw, where),
    ignoreSigterm,
    mountDelayMs: nonNegativeInt(raw, 'mountDelayMs', where),
    bytesPerSecond: nonNegativeInt(raw, 'bytesPerSecond', where),
    lineBytes: actionCount(raw, 'lineBytes', action, 'long-line', where),
    floodMessages: actionCount(raw, 'floodMessages', action, 'flood', where),
  });
}

function parseRules(value: unknown): ScenarioRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ScenarioError('rules: expected an array');
  return value.map(parseRule);
}

/** Validates a scenario document (already JSON-parsed) and fills in defaults. */
export function parseScenario(raw: unknown): Scenario {
  if (!isObject(raw)) throw new ScenarioError('expected a JSON object');
  checkKeys(raw, TOP_KEYS, 'scenario');
  const filesPerVolume = nonNegativeInt(raw, 'filesPerVolume', 'scenario') ?? DEFAULT_SCENARIO.filesPerVolume;
  if (filesPerVolume < 1) throw new ScenarioError('scenario.filesPerVolume: must be at least 1');
  const volumePrefix = stringValue(raw, 'volumePrefix', 'scenario') ?? DEFAULT_SCENARIO.volumePrefix;
  if (!/^[A-Za-z0-9]*$/.test(volumePrefix)) throw new ScenarioError('scenario.volumePrefix: letters and digits only');
  return {
    mountDelayMs: nonNegativeInt(raw, 'mountDelayMs', 'scenario') ?? 0,
    bytesPerSecond: nonNegativeInt(raw, 'bytesPerSecond', 'scenario') ?? 0,
    filesPerVolume,
    volumePrefix,
    messagesOn: oneOf(raw, 'messagesOn', ['stderr', 'stdout'] as const, 'scenario') ?? 'stderr',
    failIds: idSet(raw, 'failIds'),
    wrongSizeIds: idSet(raw, 'wrongSizeIds'),
    rules: parseRules(raw['rules']),
    library: parseLibraryScenario(raw['library']),
  };
}

/** Reads the scenario file; re-read at every invocation so tests can change it. */
export function readScenario(path: string | undefined): Scenario {
  if (path === undefined || path === '') return DEFAULT_SCENARIO;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`cannot read: ${errorMessage(error)}`);
  }
  try {
    return parseScenario(JSON.parse(text));
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    throw new ScenarioError(`not valid JSON: ${errorMessage(error)}`);
  }
}
