import { describe, expect, it } from 'vitest';
import { classifyUnitState, decideIntent, parseExpectList, planDaemonUnits } from '../../src/cli/daemon-intent.js';
import { UsageError } from '../../src/cli/cli-io.js';

describe('daemon intent', () => {
  it.each([
    { answer: 'enabled\n', intent: 'expected' },
    { answer: 'enabled-runtime\n', intent: 'expected' },
    { answer: 'indirect\n', intent: 'expected' },
    { answer: 'static\n', intent: 'expected' },
    { answer: 'disabled\n', intent: 'disabled' },
    { answer: 'masked\n', intent: 'disabled' },
    { answer: '', intent: 'unknown' },
    { answer: 'not-found\n', intent: 'unknown' },
    { answer: undefined, intent: 'unknown' },
  ])('systemctl is-enabled $answer → $intent', ({ answer, intent }) => {
    expect(classifyUnitState(answer)).toBe(intent);
  });

  it.each([
    { config: '/etc/endit/endit.conf', units: ['endit-archiver.service'] },
    { config: '/etc/endit/pool1.conf', units: ['endit-archiver.service', 'endit-archiver@pool1.service'] },
    { config: '/srv/endit.config', units: ['endit-archiver.service'] },
  ])('asks about the units that run $config', ({ config, units }) => {
    expect(planDaemonUnits('archiver', config)).toEqual(units);
  });

  it.each([
    { states: ['disabled', 'expected'], intent: 'expected' },
    { states: ['disabled', 'unknown'], intent: 'disabled' },
    { states: ['unknown'], intent: 'unknown' },
    { states: [], intent: 'unknown' },
  ] as const)('combines $states into $intent', ({ states, intent }) => {
    expect(decideIntent(states)).toBe(intent);
  });

  it('parses --expect, refusing names that are not daemons', () => {
    expect([...parseExpectList('archiver, retriever')]).toEqual(['archiver', 'retriever']);
    expect([...parseExpectList('')]).toEqual([]);
    expect(() => parseExpectList('archiver,endit')).toThrow(UsageError);
  });
});
