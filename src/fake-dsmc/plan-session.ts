// Chooses what a session does from the scenario: the first matching rule wins. Pure.
import type { RuleAction, Scenario, ScenarioRule } from './scenario.js';

export type SessionCommand = 'archive' | 'retrieve' | 'delete' | 'query' | 'unknown';

export interface SessionPlan {
  /** `normal` when no rule matched; `succeed` behaves the same but is recorded. */
  action: RuleAction | 'normal';
  ruleIndex?: number;
  rc: number;
  message: string;
  /** Files processed before the action strikes; undefined = at once. */
  afterFiles?: number;
  signal: NodeJS.Signals;
  ignoreSignals: boolean;
  mountDelayMs: number;
  bytesPerSecond: number;
  /** long-line: characters printed without a newline. */
  lineBytes: number;
  /** flood: messages printed. */
  floodMessages: number;
}

const DEFAULT_LINE_BYTES = 100 * 1024 * 1024;
const DEFAULT_FLOOD_MESSAGES = 200_000;

const DEFAULT_MESSAGES: Partial<Record<RuleAction, string>> = {
  fail: 'ANS1017E Session rejected: TCP/IP connection failure',
  partial: 'ANS1029E Communication with the IBM Storage Protect server is lost.',
};

/** Start entries per command so far, plus `any` = all of them. */
export type StartCounts = ReadonlyMap<string, number>;

/** Whether a rule needs the journal's history (only `times` does). */
export function needsStartCounts(scenario: Scenario): boolean {
  return scenario.rules.some((rule) => rule.times !== undefined);
}

function ruleMatches(rule: ScenarioRule, command: SessionCommand, counts: StartCounts): boolean {
  if (rule.command !== 'any' && rule.command !== command) return false;
  if (rule.times === undefined) return true;
  return (counts.get(rule.command) ?? 0) < rule.times;
}

export function planSession(scenario: Scenario, command: SessionCommand, counts: StartCounts): SessionPlan {
  const ruleIndex = command === 'unknown' ? -1 : scenario.rules.findIndex((rule) => ruleMatches(rule, command, counts));
  const rule = scenario.rules[ruleIndex];
  const base: SessionPlan = {
    action: 'normal',
    rc: 12,
    message: '',
    signal: 'SIGSEGV',
    ignoreSignals: false,
    mountDelayMs: scenario.mountDelayMs,
    bytesPerSecond: scenario.bytesPerSecond,
    lineBytes: DEFAULT_LINE_BYTES,
    floodMessages: DEFAULT_FLOOD_MESSAGES,
  };
  if (rule === undefined) return base;
  const plan: SessionPlan = {
    ...base,
    action: rule.action,
    ruleIndex,
    rc: rule.rc ?? 12,
    message: rule.message ?? DEFAULT_MESSAGES[rule.action] ?? '',
    signal: rule.signal ?? 'SIGSEGV',
    // hang and prompt imitate a stuck client that only SIGKILL ends
    ignoreSignals: (rule.action === 'hang' || rule.action === 'prompt') && rule.ignoreSigterm !== false,
    mountDelayMs: rule.mountDelayMs ?? scenario.mountDelayMs,
    bytesPerSecond: rule.bytesPerSecond ?? scenario.bytesPerSecond,
    lineBytes: rule.lineBytes ?? DEFAULT_LINE_BYTES,
    floodMessages: rule.floodMessages ?? DEFAULT_FLOOD_MESSAGES,
  };
  return rule.afterFiles === undefined ? plan : { ...plan, afterFiles: rule.afterFiles };
}
