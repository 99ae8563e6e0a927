import { describe, expect, it } from 'vitest';
import { LOCAL_GROUP_VIEW, type GroupView } from '../../src/core/coordination/index.js';
import { GIB } from '../../src/core/units.js';
import { decideRetrieverCycle, INITIAL_RETRIEVER_STATE, type RequestInfo, type RetrieverView, type VolumeState } from '../../src/retriever/policy.js';
import { retrieverTestSettings } from './test-settings.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

const settings = retrieverTestSettings({ maxWorkers: 3 });

/** Volumes with one 1 GiB request each, `ageMs` old: past the fill wait and the wait of a small list (a third of the fill wait max), not starving. */
function world(names: string[], ageMs = 50 * MIN): Record<string, RequestInfo[]> {
  return Object.fromEntries(names.map((name, i) => [name, [{ id: `${name}-1`, sizeBytes: GIB, sinceMs: T0 - ageMs + i, order: null }]]));
}

function view(byVolume: Record<string, RequestInfo[]>, group: GroupView | undefined): RetrieverView {
  return {
    nowMs: T0,
    skipDelays: false,
    volumes: Object.entries(byVolume).map(([name, list]) => ({ name, files: list.length, bytes: GIB * list.length, oldestMs: Math.min(...list.map((r) => r.sinceMs)), newestMs: Math.max(...list.map((r) => r.sinceMs)), unread: 0 })),
    requestsOf: (volume) => byVolume[volume] ?? [],
    running: [],
    space: { freeBytes: 10_000 * GIB, totalBytes: 20_000 * GIB },
    ...(group === undefined ? {} : { group }),
  };
}

function group(over: Partial<{ retrieve: number; busy: string[]; ended: [string, number][] }> = {}): GroupView {
  return {
    slots: { archive: 4, retrieve: over.retrieve ?? 3, delete: over.retrieve ?? 3 },
    busyVolumes: new Set(over.busy ?? []),
    endedVolumes: new Map(over.ended ?? []),
  };
}

const started = (byVolume: Record<string, RequestInfo[]>, g: GroupView | undefined, s = settings) =>
  decideRetrieverCycle(s, INITIAL_RETRIEVER_STATE, view(byVolume, g)).sessions.map((p) => p.volume);

describe('retriever policy in a coordination group (issue 12)', () => {
  it('decides as before without a group, or with the local view', () => {
    const w = world(['A', 'B', 'C', 'D']);
    expect(started(w, undefined)).toEqual(['A', 'B', 'C']);
    expect(started(w, LOCAL_GROUP_VIEW)).toEqual(['A', 'B', 'C']);
  });

  it('starts no more sessions than the group budget has free for recalls', () => {
    const w = world(['A', 'B', 'C', 'D']);
    expect(started(w, group({ retrieve: 1 }))).toEqual(['A']);
    const none = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(w, group({ retrieve: 0 })));
    expect(none.sessions).toEqual([]);
    expect(none.reasons.join('\n')).toContain('no session free for recalls in the group budget');
  });

  it('leaves a volume another instance reads, and takes the next one instead', () => {
    const w = world(['A', 'B']);
    const decision = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(w, group({ busy: ['A'] })));
    expect(decision.sessions.map((s) => s.volume)).toEqual(['B']);
    expect(decision.reasons).toContain('A: read by another instance of the group; its session here follows when that one ends');
  });

  it('a volume just finished elsewhere is a follow-on: no fill wait (requests a minute old), ahead of the others', () => {
    const young = world(['A', 'B'], MIN);
    expect(started(young, group())).toEqual([]);
    const decision = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(young, group({ ended: [['B', T0 - 5_000]] })));
    expect(decision.sessions.map((s) => [s.volume, s.followOn, s.reason])).toEqual([['B', true, 'follow-on: tape still mounted']]);
  });

  it('nor the remount delay: this instance read the volume 30 minutes ago, another one just now', () => {
    const w = world(['A']);
    const state = decideRetrieverCycle(settings, INITIAL_RETRIEVER_STATE, view(w, group())).nextState;
    const volumes = new Map(state.volumes);
    volumes.set('A', { ...(volumes.get('A') as VolumeState), lastMountEndMs: T0 - 30 * MIN, lastRealMountEndMs: T0 - 30 * MIN, followOn: false, lastCut: false });
    const later = { volumes };
    // A 10 minute retention: our own end 30 minutes ago makes no follow-on; within the 120 minute remount delay
    // the volume only gets a slot no other volume was ready for, as a new mount.
    const short = { ...settings, mountRetentionMs: 10 * MIN };
    const alone = decideRetrieverCycle(short, later, view(w, group())).sessions;
    expect(alone.map((s) => [s.volume, s.followOn])).toEqual([['A', false]]);
    expect(alone[0]?.reason).toMatch(/remount within retriever_remountdelay/);
    const ended = decideRetrieverCycle(short, later, view(w, group({ ended: [['A', T0 - 1000]] }))).sessions;
    expect(ended.map((s) => [s.volume, s.followOn, s.reason])).toEqual([['A', true, 'follow-on: tape still mounted']]);
  });

  it('an end elsewhere older than the mount retention, or with retention 0, is no follow-on', () => {
    const young = world(['A'], MIN);
    expect(started(young, group({ ended: [['A', T0 - 61 * MIN]] }))).toEqual([]);
    expect(started(young, group({ ended: [['A', T0 - 1000]] }), { ...settings, mountRetentionMs: 0 })).toEqual([]);
  });
});
