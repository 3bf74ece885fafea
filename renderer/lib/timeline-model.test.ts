import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LaunchEvent } from '../../contract/events.js';
import { buildTracks, fitView, formatTick, panBy, rulerStep, timeExtent, visibleRects, zoomAt, type Slice } from './timeline-model.js';

const launch = (seq: number, start: number, dur: number, extra: Partial<LaunchEvent> = {}): LaunchEvent => ({ type: 'launch', runId: 'r', t: start + dur, seq, kernel: `k${seq % 2}`, ptxHash: 'h', grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: '', device: 'cpu', startMs: start, endMs: start + dur, kernelMs: dur, ...extra });

describe('timeline tracks', () => {
  it('puts the invocation, host calls, each device, offload and stdout on their own tracks', () => {
    const tracks = buildTracks({
      run: { startMs: 0, endMs: 100, label: 'go()' },
      launches: [launch(1, 10, 5), launch(2, 20, 5, { origin: 'offload', loopId: 'f#0', device: 'cuda:0 X' }), launch(3, 30, 1, { error: { code: -5, message: 'x' } })],
      syncs: [{ t: 40, durationMs: 2, status: 0 }],
      offload: [{ type: 'offload', runId: 'r', t: 19, loopId: 'f#0', function: 'f', action: 'dispatch', reason: 'r' }],
      stdout: [{ t: 50, text: 'hi\n' }],
    });
    expect(tracks.map((t) => t.id)).toEqual(['invocation', 'host', 'device:cpu', 'device:cuda:0 X', 'offload', 'stdout']);
    // offload kernels have no guest launch call; syncs are host calls
    expect(tracks[1]!.slices.map((s) => s.kind)).toEqual(['launch-call', 'launch-call', 'sync']);
    expect(tracks[2]!.slices.map((s) => s.kind)).toEqual(['kernel', 'fault']);
    expect(tracks[3]!.slices[0]).toMatchObject({ kind: 'offload-kernel', seq: 2 });
    expect(timeExtent(tracks)).toEqual({ start: 0, end: 100 });
  });
});

describe('view arithmetic', () => {
  it('zooming keeps the time under the cursor fixed; panning moves by pixels (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 2000, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), (t0, msPerPx, x, f) => {
        const v = { t0, msPerPx };
        const z = zoomAt(v, x, f);
        expect(z.t0 + x * z.msPerPx).toBeCloseTo(t0 + x * msPerPx, 6);
        expect(panBy(v, 10).t0 - t0).toBeCloseTo(10 * msPerPx, 9);
      }),
    );
  });
  it('fits the whole run with a margin', () => {
    const v = fitView({ start: 100, end: 200 }, 1000);
    expect(v.t0).toBeLessThan(100);
    expect(v.t0 + 1000 * v.msPerPx).toBeGreaterThan(200);
  });
  it('ruler steps are 1, 2 or 5 × 10^k and at least the minimum spacing', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-7, max: 1e4, noNaN: true }), (msPerPx) => {
        const step = rulerStep(msPerPx, 80);
        expect(step / msPerPx).toBeGreaterThanOrEqual(80 - 1e-6);
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect([1, 2, 5, 10].some((m) => Math.abs(m - mantissa) < 1e-6)).toBe(true);
      }),
    );
    expect(formatTick(1500, 1000)).toBe('1.5 s');
    expect(formatTick(0.25, 0.05)).toBe('250 µs');
  });
});

describe('level of detail', () => {
  it('draws 100,000 sub-pixel slices as at most a few rectangles per pixel, counting every one', () => {
    const slices: Slice[] = Array.from({ length: 100_000 }, (_, i) => ({ start: i * 0.01, end: i * 0.01 + 0.005, label: 'k', kind: 'kernel' as const, seq: i + 1 }));
    const view = fitView({ start: 0, end: 1000 }, 1000);
    const rects = visibleRects(slices, view, 1000);
    expect(rects.length).toBeLessThanOrEqual(1000);
    expect(rects.reduce((n, r) => n + r.count, 0)).toBe(100_000);
  });
  it('keeps every visible slice when zoomed in, and only those (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true })), { maxLength: 200 }), fc.double({ min: 0, max: 900, noNaN: true }), (raw, t0) => {
        const slices = raw.map(([s, d]) => ({ start: s, end: s + d, label: '', kind: 'kernel' as const })).sort((a, b) => a.start - b.start);
        const view = { t0, msPerPx: 0.01 }; // 100 px per ms: wide slices
        const rects = visibleRects(slices, view, 1000);
        const tEnd = t0 + 10;
        const visible = slices.filter((s) => s.end >= t0 && s.start <= tEnd);
        expect(rects.reduce((n, r) => n + r.count, 0)).toBeLessThanOrEqual(visible.length);
        // every visible slice wider than a pixel is drawn as itself
        for (const s of visible) if ((s.end - s.start) / 0.01 >= 1 && s.end - s.start < 50) expect(rects.some((r) => r.slice === s) || s.start < t0 - 0).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
