import { describe, expect, it } from 'vitest';
import { runInSlices } from '../../src/core/slices.js';

function* counting(steps: number, log: string[]): Generator<void, number, void> {
  try {
    for (let i = 0; i < steps; i++) yield;
    return steps;
  } finally {
    log.push('closed');
  }
}

describe('runInSlices', () => {
  it('runs the steps to the end and returns what the last one returned', async () => {
    const log: string[] = [];
    expect(await runInSlices(counting(10_000, log))).toEqual({ stopped: false, value: 10_000 });
    expect(log).toEqual(['closed']);
  });

  it('gives the event loop its turn between slices, and stops there when the signal is aborted (the generator closed)', async () => {
    const log: string[] = [];
    const stop = new AbortController();
    setImmediate(() => stop.abort());
    // A slice of 0 ms is one step: the abort comes in the first turn.
    expect(await runInSlices(counting(1_000_000, log), stop.signal, 0)).toEqual({ stopped: true });
    expect(log).toEqual(['closed']);
  });
});
