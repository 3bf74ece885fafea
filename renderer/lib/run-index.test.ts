import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LaunchEvent, OffloadEvent } from '../../contract/events.js';
import { runFaults } from '../../contract/launch-faults.js';
import { kernelSummary } from '../../contract/run-stats.js';
import { createFrameBatcher } from './frame-batcher.js';
import { RunIndex } from './run-index.js';
import { buildTracks, timeExtent, type Track } from './timeline-model.js';

const launch = (seq: number, start: number, dur: number, extra: Partial<LaunchEvent> = {}): LaunchEvent => ({ type: 'launch', runId: 'r', t: start + dur, seq, kernel: `k${seq % 3}`, ptxHash: 'h', grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: '', device: 'cpu', startMs: start, endMs: start + dur, kernelMs: dur, ...extra });

/** A run's events as they may arrive: launches mostly in time order, some early or late; syncs, offload actions, stdout. */
const arbInput = fc.record({
  run: fc.option(fc.record({ startMs: fc.integer({ min: 0, max: 100 }), endMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }), label: fc.constant('go()') }), { nil: undefined }),
  launches: fc.array(
    fc.record({ start: fc.integer({ min: 0, max: 5000 }), dur: fc.integer({ min: 0, max: 40 }), device: fc.constantFrom('cpu', 'cuda:0'), offload: fc.boolean(), fault: fc.boolean() }),
    { maxLength: 60 },
  ),
  syncs: fc.array(fc.record({ t: fc.integer({ min: 0, max: 5000 }), durationMs: fc.integer({ min: 0, max: 5 }), status: fc.constantFrom(0, 700) }), { maxLength: 10 }),
  offload: fc.array(fc.record({ t: fc.integer({ min: 0, max: 5000 }), action: fc.constantFrom('dispatch', 'fallback', 'promote') }), { maxLength: 10 }),
  stdout: fc.array(fc.record({ t: fc.integer({ min: 0, max: 5000 }), text: fc.string({ maxLength: 5 }) }), { maxLength: 5 }),
});

function input(a: fc.RecordValue<typeof arbInput extends fc.Arbitrary<infer T> ? T : never>) {
  return {
    ...(a.run ? { run: a.run } : {}),
    launches: a.launches.map((l, i) => launch(i + 1, l.start, l.dur, { device: l.device, ...(l.offload ? { origin: 'offload' as const, loopId: 'f#0' } : {}), ...(l.fault ? { error: { code: 700, message: 'illegal address' } } : {}) })),
    syncs: a.syncs,
    offload: a.offload.map((o): OffloadEvent => ({ type: 'offload', runId: 'r', t: o.t, loopId: 'f#0', function: 'f', action: o.action as OffloadEvent['action'], reason: 'r' })),
    stdout: a.stdout,
  };
}

/** Tracks compared as sets per track (equal starts may come in another order) plus the sort order buildTracks promises. */
function normalise(tracks: readonly Track[]) {
  return tracks.map((t) => ({ id: t.id, label: t.label, slices: [...t.slices].sort((x, y) => x.start - y.start || x.end - y.end || x.label.localeCompare(y.label) || (x.seq ?? 0) - (y.seq ?? 0) || x.kind.localeCompare(y.kind)) }));
}

describe('RunIndex', () => {
  it('has the tracks and extent buildTracks/timeExtent give, events added one by one in any arrival order (property)', () => {
    fc.assert(
      fc.property(arbInput, fc.infiniteStream(fc.nat()), (a, order) => {
        const whole = input(a);
        const index = new RunIndex();
        if (whole.run) index.setRun(whole.run);
        // Launches in seq order (as the store receives them); the rest interleaved at random points.
        const others: (() => void)[] = [...whole.syncs.map((s) => () => index.addSync(s)), ...whole.offload.map((o) => () => index.addOffload(o)), ...whole.stdout.map((s) => () => index.addStdout(s))];
        const it = order[Symbol.iterator]();
        for (const l of whole.launches) {
          while (others.length && it.next().value % 3 === 0) others.shift()!();
          index.addLaunch(l);
        }
        for (const f of others) f();
        const expected = buildTracks(whole);
        expect(normalise(index.tracks())).toEqual(normalise(expected));
        for (const t of index.tracks()) for (let i = 1; i < t.slices.length; i++) expect(t.slices[i]!.start).toBeGreaterThanOrEqual(t.slices[i - 1]!.start);
        expect(index.extent()).toEqual(timeExtent(expected));
        expect(RunIndex.from(whole).extent()).toEqual(timeExtent(expected));
      }),
    );
  });

  it('keeps the faults and the offload count runFaults and a filter give (property)', () => {
    fc.assert(
      fc.property(arbInput, (a) => {
        const whole = input(a);
        const index = RunIndex.from(whole);
        expect(index.faults).toEqual(runFaults(whole.launches));
        expect(index.offloaded).toBe(whole.launches.filter((l) => l.origin === 'offload').length);
      }),
    );
  });

  it('has the kernel summary contract/run-stats gives (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.double({ min: 0, max: 100, noNaN: true })), { maxLength: 80 }), (pairs) => {
        const launches = pairs.map(([kernel, ms], i) => launch(i + 1, i, 1, { kernel, kernelMs: ms }));
        const got = RunIndex.from({ launches }).kernelSummary();
        const want = kernelSummary(launches);
        expect(got.map((r) => r.kernel)).toEqual(want.map((r) => r.kernel));
        got.forEach((r, i) => {
          const w = want[i]!;
          expect(r.instances).toBe(w.instances);
          for (const k of ['totalMs', 'meanMs', 'medianMs', 'minMs', 'maxMs', 'stdDevMs', 'timePercent'] as const) expect(r[k]).toBeCloseTo(w[k], 9);
        });
      }),
    );
  });

  it('reuses a summary younger than the staleness asked for, and recomputes once it is older', () => {
    const index = RunIndex.from({ launches: [launch(1, 0, 1, { kernel: 'a', kernelMs: 1 })] });
    expect(index.kernelSummary(500, 1000)[0]!.instances).toBe(1);
    index.addLaunch(launch(2, 1, 1, { kernel: 'a', kernelMs: 3 }));
    expect(index.kernelSummary(500, 1200)[0]!.instances).toBe(1);
    expect(index.kernelSummary(500, 1600)[0]!.instances).toBe(2);
    index.addLaunch(launch(3, 2, 1, { kernel: 'a', kernelMs: 3 }));
    expect(index.kernelSummary(0, 1601)[0]!.instances).toBe(3);
  });
});

describe('frame batcher', () => {
  it('delivers everything pushed once, in order, at the frame or the timer, whichever comes first (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 4 }), { maxLength: 20 }), fc.array(fc.constantFrom('frame', 'timer', 'push'), { maxLength: 40 }), fc.constantFrom(0, 250), (pushes, steps, minIntervalMs) => {
        const frames: (() => void)[] = [];
        const timers: (() => void)[] = [];
        const delivered: number[][] = [];
        let clock = 0;
        const push = createFrameBatcher<number>((items) => delivered.push(items), { requestFrame: (cb) => frames.push(cb), setTimer: (cb) => timers.push(cb), now: () => (clock += 100) }, { minIntervalMs });
        const queue = [...pushes];
        for (const step of steps) {
          if (step === 'push' && queue.length) push(queue.shift()!);
          else if (step === 'frame') frames.shift()?.();
          else if (step === 'timer') timers.shift()?.();
        }
        for (const p of queue) push(p);
        while (frames.length || timers.length) (frames.shift() ?? timers.shift())!();
        expect(delivered.flat()).toEqual(pushes.flat());
        expect(delivered.every((d) => d.length > 0)).toBe(true);
      }),
    );
  });

  it('while events keep coming, delivers at most once per interval; the first after a quiet spell at the next frame', () => {
    let clock = 0;
    const frames: (() => void)[] = [];
    const timers: { at: number; cb: () => void }[] = [];
    const times: number[] = [];
    const push = createFrameBatcher<number>(() => times.push(clock), { requestFrame: (cb) => frames.push(cb), setTimer: (cb, ms) => timers.push({ at: clock + ms, cb }), now: () => clock }, { minIntervalMs: 250, maxWaitMs: 100 });
    // 16 ms frames for 2 s, a batch every 50 ms
    for (clock = 0; clock < 2000; clock += 16) {
      if (clock % 48 === 0) push([clock]);
      for (const t of timers.filter((t) => t.at <= clock)) {
        timers.splice(timers.indexOf(t), 1);
        t.cb();
      }
      for (const f of frames.splice(0)) f();
    }
    expect(times[0]).toBe(0);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(250);
    expect(times.length).toBeGreaterThanOrEqual(6);
  });
});
