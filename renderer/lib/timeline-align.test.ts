import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LaunchEvent } from '../../contract/events.js';
import { alignRuns, buildTracks, recordInput } from './timeline-model.js';

const launch = (seq: number, start: number, dur: number): LaunchEvent => ({ type: 'launch', runId: 'r', t: start + dur, seq, kernel: `k${seq}`, ptxHash: 'h', grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: '', device: 'cpu', startMs: start, endMs: start + dur, kernelMs: dur });

/** A run record as the history keeps it: launches at offsets (ms) from its start. */
const arbRun = fc.record({
  startedAt: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  offsets: fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 20 }),
});
const record = (r: { startedAt: number; offsets: [number, number][] }) => ({
  startedAt: r.startedAt,
  durationMs: 6000,
  exportName: 'go',
  argsJson: '[1]',
  launches: r.offsets.map(([o, d], i) => launch(i + 1, r.startedAt + o, d)),
  offloadEvents: [],
});

describe('two runs side by side in the timeline', () => {
  it('B starts where A starts, keeps its own offsets and durations, sits under A, and selects nothing', () => {
    fc.assert(
      fc.property(arbRun, arbRun, (a, b) => {
        const ra = record(a);
        const rb = record(b);
        const tracksA = buildTracks(recordInput(ra));
        const tracksB = buildTracks(recordInput(rb));
        const both = alignRuns(tracksA, tracksB);
        expect(both.map((t) => t.id)).toEqual([...tracksA.map((t) => t.id), ...tracksB.map((t) => `B/${t.id}`)]);
        expect(both.find((t) => t.id === 'B/invocation')!.slices[0]!.start).toBe(a.startedAt);
        const kernelsB = both.find((t) => t.id === 'B/device:cpu')?.slices ?? [];
        const original = tracksB.find((t) => t.id === 'device:cpu')?.slices ?? [];
        expect(kernelsB.map((s) => [s.start - a.startedAt, s.end - s.start])).toEqual(original.map((s) => [s.start - b.startedAt, s.end - s.start]));
        expect(kernelsB.every((s) => s.seq === undefined)).toBe(true);
        // A is untouched apart from its label
        expect(both.slice(0, tracksA.length).map((t) => t.slices)).toEqual(tracksA.map((t) => t.slices));
        expect(both.every((t, i) => t.label.startsWith(i < tracksA.length ? 'A · ' : 'B · '))).toBe(true);
      }),
    );
  });
});
