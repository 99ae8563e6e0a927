import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../../../src/fake-dsmc/catalog.js';
import { planTapeOffsets } from '../../../src/fake-dsmc/tape-plan.js';
import { planTapeLayout, scaleBytes } from '../../../src/bench/tape/tape-layout.js';
import { DEFAULT_TRACE_SPEC, generateTrace, type TraceRequest } from '../../../src/tape-model/trace.js';

function request(id: string, volume: string, positionBytes: number, sizeBytes: number): TraceRequest {
  return { id, arrivalMs: 0, volume, positionBytes, sizeBytes };
}

/** The layout as the fake stores it (seeded in order: positions 1, 2, ... per volume), and where the fake's drive model puts each object. */
function fakeOffsets(layout: ReturnType<typeof planTapeLayout>): Map<string, number> {
  const positions = new Map<string, number>();
  const objects: StoredObject[] = layout.objects.map((o, seq) => {
    const position = (positions.get(o.volume) ?? 0) + 1;
    positions.set(o.volume, position);
    return { seq, volume: o.volume, volumeId: 0, position, path: `/p/out/${o.id}`, id: o.id, sizeBytes: o.sizeBytes, description: 'x', archivedAtMs: 0, sparse: true };
  });
  const offsets = planTapeOffsets(objects, new Set(layout.objects.map((o) => o.volume)));
  return new Map(objects.map((o) => [o.id, offsets.get(o.seq) ?? -1]));
}

describe('planTapeLayout', () => {
  it('puts fillers in the gaps so that each traced file starts at its scaled position, in tape order per volume', () => {
    const layout = planTapeLayout([request('B', 'V2', 5000, 1000), request('A', 'V1', 3000, 2000), request('C', 'V1', 0, 1000)], 0.001);
    expect(layout.objects).toEqual([
      { id: 'C', volume: 'V1', sizeBytes: 1, filler: false },
      { id: expect.stringMatching(/^FFFF[0-9A-F]{32}$/) as unknown as string, volume: 'V1', sizeBytes: 2, filler: true },
      { id: 'A', volume: 'V1', sizeBytes: 2, filler: false },
      { id: expect.stringMatching(/^FFFF/) as unknown as string, volume: 'V2', sizeBytes: 5, filler: true },
      { id: 'B', volume: 'V2', sizeBytes: 1, filler: false },
    ]);
    expect(Object.fromEntries(layout.sizeBytes)).toEqual({ A: 2, B: 1, C: 1 });
    expect(layout.shiftedFiles).toBe(0);
  });

  it('a file a byte before the end of the one before it (rounding) is not counted as moved', () => {
    // A [500, 2000) becomes [1, 3) scaled; B at 2000 becomes 2: one byte back
    const layout = planTapeLayout([request('A', 'V', 500, 1500), request('B', 'V', 2000, 1000)], 0.001);
    expect(layout.objects.map((o) => [o.id, o.sizeBytes])).toEqual([[expect.stringMatching(/^FFFF/), 1], ['A', 2], ['B', 1]]);
    expect(fakeOffsets(layout).get('B')).toBe(3);
    expect(layout.shiftedFiles).toBe(0);
  });

  it('a file overlapping the one before it on tape is moved on to its end and counted', () => {
    const layout = planTapeLayout([request('A', 'V', 0, 5000), request('B', 'V', 2000, 1000)], 1);
    expect(layout.objects.map((o) => o.id)).toEqual(['A', 'B']);
    expect(layout).toMatchObject({ shiftedFiles: 1, maxShiftBytes: 3000 });
    expect(fakeOffsets(layout).get('B')).toBe(5000);
  });

  it('on a generated trace the fake places every traced file at its scaled trace position (save the moved ones)', () => {
    const trace = generateTrace({ ...DEFAULT_TRACE_SPEC, seed: 7, recalls: 200, volumes: 10 });
    const layout = planTapeLayout(trace, 0.001);
    const offsets = fakeOffsets(layout);
    // at most a byte off (rounding), but for the files moved past an overlapping one
    const placed = trace.filter((r) => Math.abs((offsets.get(r.id) ?? -9) - Math.round(r.positionBytes * 0.001)) <= 1).length;
    expect(placed).toBe(trace.length - layout.shiftedFiles);
    for (const r of trace) expect(layout.sizeBytes.get(r.id)).toBe(scaleBytes(r.sizeBytes, 0.001));
    const fillerIds = layout.objects.filter((o) => o.filler).map((o) => o.id);
    expect(new Set(fillerIds).size).toBe(fillerIds.length);
    expect(fillerIds.some((id) => trace.some((r) => r.id === id))).toBe(false);
  });

  it('scaleBytes keeps at least one byte', () => {
    expect(scaleBytes(3e9, 0.001)).toBe(3e6);
    expect(scaleBytes(10, 0.001)).toBe(1);
  });
});
