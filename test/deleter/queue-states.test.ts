import { describe, expect, it } from 'vitest';
import { QueueIdStates } from '../../src/deleter/queue-states.js';
import { createRandom } from '../../src/core/prng.js';

const id = (n: number): string => `0000${n.toString(16).toUpperCase().padStart(32, '0')}`;

describe('QueueIdStates', () => {
  it('holds each queued id once, in the order first queued, across queue files', () => {
    const states = QueueIdStates.of([[id(1), id(2), id(1)], [id(3), id(2)]]);
    expect(states.size).toBe(3);
    expect([...states.keys()]).toEqual([id(1), id(2), id(3)]);
    expect(states.has(id(3))).toBe(true);
    expect(states.has(id(4))).toBe(false);
  });

  it('takes one queue file as it is: an id in it twice is marked at its first place, and once only', () => {
    const states = QueueIdStates.of([[id(1), id(2), id(1)]]);
    expect(states.size).toBe(3);
    expect(states.markGone(id(1))).toBe('marked');
    expect(states.markGone(id(1))).toBe('again');
    expect(states.isGone(id(1))).toBe(true);
    expect(states.isGone(id(2))).toBe(false);
  });

  it('marks an id gone once: again is told apart, and an id never queued is stray', () => {
    const states = QueueIdStates.of([[id(1), id(2)]]);
    expect(states.markGone(id(2))).toBe('marked');
    expect(states.markGone(id(2))).toBe('again');
    expect(states.markGone(id(9))).toBe('stray');
    expect(states.isGone(id(2))).toBe(true);
    expect(states.isGone(id(1))).toBe(false);
    expect(states.isGone(id(9))).toBe(false);
  });

  it('finds ids by value, not by the string object (dsmc output gives fresh strings)', () => {
    const states = QueueIdStates.of([[id(7)]]);
    const fromOutput = `/pool/out/${id(7)}`.slice('/pool/out/'.length);
    expect(states.markGone(fromOutput)).toBe('marked');
    expect(states.isGone(id(7))).toBe(true);
  });

  it('agrees with a Map over random queues with repeats', () => {
    const random = createRandom(15);
    for (let round = 0; round < 20; round++) {
      const files = Array.from({ length: 1 + Math.floor(random() * 3) }, () => Array.from({ length: Math.floor(random() * 3000) }, () => id(Math.floor(random() * 4000))));
      const states = QueueIdStates.of(files);
      const model = new Map<string, boolean>();
      for (const file of files) for (const queued of file) if (!model.has(queued)) model.set(queued, false);
      if (files.length > 1) {
        expect(states.size).toBe(model.size);
        expect([...states.keys()]).toEqual([...model.keys()]);
      }
      for (let i = 0; i < 2000; i++) {
        const probe = id(Math.floor(random() * 5000));
        const expected = !model.has(probe) ? 'stray' : model.get(probe) === true ? 'again' : 'marked';
        if (model.has(probe)) model.set(probe, true);
        expect(states.markGone(probe)).toBe(expected);
      }
      for (const [queued, gone] of model) expect(states.isGone(queued)).toBe(gone);
    }
  });
});
