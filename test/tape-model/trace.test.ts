import { describe, expect, it } from 'vitest';
import { isPnfsid } from '../../src/core/pool/pnfsid.js';
import { createRandom, randomInt, shuffled } from '../../src/core/prng.js';
import { DEFAULT_TRACE_SPEC, generateTrace, volumeLabel, type TraceRequest } from '../../src/tape-model/trace.js';

const SEEDS = [1, 2, 3, 42, 1234];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

describe('prng', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = createRandom(5);
    const b = createRandom(5);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(createRandom(6)()).not.toBe(values[0]);
  });

  it('shuffles into a permutation and draws integers in range', () => {
    const random = createRandom(9);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const mixed = shuffled(random, items);
    expect([...mixed].sort((x, y) => x - y)).toEqual(items);
    expect(mixed).not.toEqual(items);
    for (let i = 0; i < 1000; i++) expect(randomInt(random, 3)).toBeLessThan(3);
  });
});

describe('trace generator', () => {
  it('gives the same trace for the same seed, and another for another seed', () => {
    for (const seed of SEEDS) expect(generateTrace({ ...DEFAULT_TRACE_SPEC, seed })).toEqual(generateTrace({ ...DEFAULT_TRACE_SPEC, seed }));
    expect(generateTrace({ ...DEFAULT_TRACE_SPEC, seed: 1 })).not.toEqual(generateTrace({ ...DEFAULT_TRACE_SPEC, seed: 2 }));
  });

  it.each(SEEDS)('seed %i: 600 recalls on 30 volumes, sorted by arrival, within the tape and the span', (seed) => {
    const spec = { ...DEFAULT_TRACE_SPEC, seed };
    const trace = generateTrace(spec);
    expect(trace).toHaveLength(600);
    expect(new Set(trace.map((r) => r.id)).size).toBe(600);
    expect(trace.every((r) => isPnfsid(r.id))).toBe(true);
    const labels = new Set(Array.from({ length: 30 }, (_, i) => volumeLabel(i)));
    expect(trace.every((r) => labels.has(r.volume))).toBe(true);
    expect(new Set(trace.map((r) => r.volume)).size).toBeGreaterThan(20);
    for (let i = 1; i < trace.length; i++) expect((trace[i] as TraceRequest).arrivalMs).toBeGreaterThanOrEqual((trace[i - 1] as TraceRequest).arrivalMs);
    for (const r of trace) {
      expect(Number.isInteger(r.positionBytes) && Number.isInteger(r.sizeBytes)).toBe(true);
      expect(r.positionBytes).toBeGreaterThanOrEqual(0);
      expect(r.positionBytes + r.sizeBytes).toBeLessThanOrEqual(spec.tapeCapacityBytes);
      expect(r.sizeBytes).toBeGreaterThanOrEqual(spec.minSizeBytes);
      expect(r.sizeBytes).toBeLessThanOrEqual(spec.maxSizeBytes);
      expect(r.arrivalMs).toBeGreaterThanOrEqual(0);
      expect(r.arrivalMs).toBeLessThan(spec.spanMs + spec.waveSpreadMs);
    }
  });

  it.each(SEEDS)('seed %i: sizes are a few GB, requests come in waves of neighbours on one tape', (seed) => {
    const trace = generateTrace({ ...DEFAULT_TRACE_SPEC, seed });
    const medianGb = median(trace.map((r) => r.sizeBytes)) / 1e9;
    expect(medianGb).toBeGreaterThan(2.5);
    expect(medianGb).toBeLessThan(3.6);
    // A wave: another request of the same volume, within 2 minutes and 100 GB on the tape.
    const inWave = trace.filter((r) =>
      trace.some((o) => o !== r && o.volume === r.volume && Math.abs(o.arrivalMs - r.arrivalMs) <= 120_000 && Math.abs(o.positionBytes - r.positionBytes) < 100e9),
    );
    expect(inWave.length / trace.length).toBeGreaterThan(0.8);
    // Within a wave, arrival order is not tape order.
    const byVolume = new Map<string, TraceRequest[]>();
    for (const r of trace) byVolume.set(r.volume, [...(byVolume.get(r.volume) ?? []), r]);
    const outOfOrder = [...byVolume.values()].some((list) => list.some((r, i) => i > 0 && r.positionBytes < (list[i - 1] as TraceRequest).positionBytes));
    expect(outOfOrder).toBe(true);
  });

  it('follows its spec: recalls, volumes, no singles', () => {
    const trace = generateTrace({ ...DEFAULT_TRACE_SPEC, seed: 8, recalls: 50, volumes: 2, singlesFraction: 0 });
    expect(trace).toHaveLength(50);
    expect(new Set(trace.map((r) => r.volume))).toEqual(new Set([volumeLabel(0), volumeLabel(1)]));
  });
});
