/**
 * The timeline's data and geometry, pure (no DOM): tracks built from a run's events, the ruler's
 * tick steps, zoom about a point, and the level-of-detail pass that merges slices narrower than a
 * pixel so 100,000 slices draw in a few milliseconds. The canvas component only paints this.
 */
import type { LaunchEvent, OffloadEvent } from '../../contract/events.js';

export type SliceKind = 'invocation' | 'launch-call' | 'sync' | 'kernel' | 'offload-kernel' | 'fault' | 'dispatch' | 'fallback' | 'stdout';

export interface Slice {
  start: number;
  end: number;
  label: string;
  kind: SliceKind;
  /** The launch it belongs to (launch calls and kernels): selecting either selects the launch. */
  seq?: number;
}

export interface Track {
  id: string;
  label: string;
  /** Sorted by start. */
  slices: Slice[];
}

export interface TimelineInput {
  run?: { startMs: number; endMs?: number; label: string };
  launches: readonly LaunchEvent[];
  syncs?: readonly { t: number; durationMs: number; status: number }[];
  offload?: readonly OffloadEvent[];
  stdout?: readonly { t: number; text: string }[];
}

const byStart = (a: Slice, b: Slice) => a.start - b.start;

/**
 * Tracks, top to bottom: the invocation; the guest's wasi:cuda host calls (each launch call and
 * each sync); one track per device with its kernels (offload kernels marked); offload dispatches
 * and fallbacks; stdout marks.
 */
export function buildTracks(input: TimelineInput): Track[] {
  const tracks: Track[] = [];
  const lastEnd = Math.max(input.run?.endMs ?? -Infinity, ...input.launches.slice(-1).map((l) => l.endMs));
  if (input.run) tracks.push({ id: 'invocation', label: 'invocation', slices: [{ start: input.run.startMs, end: Number.isFinite(lastEnd) ? Math.max(lastEnd, input.run.startMs) : input.run.startMs, label: input.run.label, kind: 'invocation' }] });
  const host: Slice[] = [];
  const devices = new Map<string, Slice[]>();
  for (const l of input.launches) {
    if (l.origin !== 'offload') host.push({ start: l.startMs, end: l.endMs, label: `launch ${l.kernel}`, kind: 'launch-call', seq: l.seq });
    let list = devices.get(l.device);
    if (!list) devices.set(l.device, (list = []));
    list.push({ start: l.startMs, end: l.endMs, label: l.origin === 'offload' ? `${l.kernel} (offload ${l.loopId ?? ''})` : l.kernel, kind: l.error ? 'fault' : l.origin === 'offload' ? 'offload-kernel' : 'kernel', seq: l.seq });
  }
  for (const s of input.syncs ?? []) host.push({ start: s.t - s.durationMs, end: s.t, label: s.status ? `sync → ${s.status}` : 'sync', kind: 'sync' });
  if (host.length) tracks.push({ id: 'host', label: 'wasi:cuda host calls', slices: host.sort(byStart) });
  for (const [device, slices] of devices) tracks.push({ id: `device:${device}`, label: `device ${device}`, slices: slices.sort(byStart) });
  const offload = (input.offload ?? []).filter((o) => o.action === 'dispatch' || o.action === 'fallback');
  if (offload.length) tracks.push({ id: 'offload', label: 'offload', slices: offload.map((o) => ({ start: o.t, end: o.t, label: `${o.action} ${o.loopId}: ${o.reason}`, kind: o.action === 'dispatch' ? ('dispatch' as const) : ('fallback' as const) })).sort(byStart) });
  if (input.stdout?.length) tracks.push({ id: 'stdout', label: 'stdout', slices: input.stdout.map((s) => ({ start: s.t, end: s.t, label: s.text.slice(0, 80), kind: 'stdout' as const })).sort(byStart) });
  return tracks;
}

/** What a run record gives the timeline: the same input a reopened run shows with. */
export function recordInput(record: { startedAt: number; durationMs: number; exportName: string; argsJson: string; launches: readonly LaunchEvent[]; offloadEvents: readonly OffloadEvent[] }): TimelineInput {
  return {
    run: { startMs: record.startedAt, endMs: record.startedAt + record.durationMs, label: `${record.exportName}(${record.argsJson.slice(1, -1).slice(0, 60)})` },
    launches: record.launches,
    offload: record.offloadEvents,
  };
}

/**
 * Two runs in one timeline, B's tracks under A's, B shifted so both start at the same instant
 * (each run's start: its invocation, else its first slice). A keeps its track ids (flow arrows,
 * selection); B's get a `B/` prefix, and its slices no launch number, since selection and
 * details belong to A.
 */
export function alignRuns(a: readonly Track[], b: readonly Track[]): Track[] {
  const startOf = (tracks: readonly Track[]) => tracks.find((t) => t.id === 'invocation')?.slices[0]?.start ?? timeExtent(tracks).start;
  const shift = startOf(a) - startOf(b);
  return [
    ...a.map((t) => ({ ...t, label: `A · ${t.label}` })),
    ...b.map((t) => ({ id: `B/${t.id}`, label: `B · ${t.label}`, slices: t.slices.map((s) => ({ start: s.start + shift, end: s.end + shift, label: s.label, kind: s.kind })) })),
  ];
}

export function timeExtent(tracks: readonly Track[]): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const t of tracks) for (const s of t.slices) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  if (!Number.isFinite(start)) return { start: 0, end: 1 };
  return { start, end: end > start ? end : start + 1 };
}

/** The viewport: the time at the left edge and the milliseconds one CSS pixel spans. */
export interface View {
  t0: number;
  msPerPx: number;
}

export function fitView(extent: { start: number; end: number }, widthPx: number): View {
  const span = extent.end - extent.start;
  return { t0: extent.start - span * 0.02, msPerPx: (span * 1.04) / Math.max(1, widthPx) };
}

/** Zooms by `factor` (> 1 zooms in) keeping the time under `xPx` where it is. */
export function zoomAt(view: View, xPx: number, factor: number, minMsPerPx = 1e-6): View {
  const t = view.t0 + xPx * view.msPerPx;
  const msPerPx = Math.max(minMsPerPx, view.msPerPx / factor);
  return { t0: t - xPx * msPerPx, msPerPx };
}

export function panBy(view: View, dxPx: number): View {
  return { t0: view.t0 + dxPx * view.msPerPx, msPerPx: view.msPerPx };
}

/** A ruler step of 1, 2 or 5 × 10^k ms giving ticks at least `minPx` apart, with its unit label. */
export function rulerStep(msPerPx: number, minPx = 80): number {
  const raw = msPerPx * minPx;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function formatTick(ms: number, step: number): string {
  if (step >= 1000) return `${+(ms / 1000).toFixed(3)} s`;
  if (step >= 1) return `${+ms.toFixed(3)} ms`;
  if (step >= 0.001) return `${+(ms * 1000).toFixed(3)} µs`;
  return `${+(ms * 1e6).toFixed(1)} ns`;
}

/** First index whose slice ends at or after `t` (slices sorted by start, roughly by end). */
function firstVisible(slices: readonly Slice[], t: number): number {
  let lo = 0;
  let hi = slices.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (slices[mid]!.start < t) lo = mid + 1;
    else hi = mid;
  }
  // Step back over slices that started earlier but still reach into view (bounded look-back).
  let i = lo;
  for (let k = 0; i > 0 && k < 64; k++) if (slices[i - 1]!.end >= t) i--; else break;
  return i;
}

export interface DrawRect {
  x: number;
  w: number;
  /** The slice, or undefined for a merged run of sub-pixel slices. */
  slice?: Slice;
  /** How many slices this rectangle stands for. */
  count: number;
  kind: SliceKind;
}

/**
 * Rectangles to draw for one track in a view `widthPx` wide: slices wider than a pixel as
 * themselves; runs of narrower ones merged into one rectangle per pixel column they cover.
 */
export function visibleRects(slices: readonly Slice[], view: View, widthPx: number): DrawRect[] {
  const out: DrawRect[] = [];
  const tEnd = view.t0 + widthPx * view.msPerPx;
  let merged: DrawRect | undefined;
  for (let i = firstVisible(slices, view.t0); i < slices.length; i++) {
    const s = slices[i]!;
    if (s.start > tEnd) break;
    if (s.end < view.t0) continue;
    const x = (s.start - view.t0) / view.msPerPx;
    const w = (s.end - s.start) / view.msPerPx;
    if (w >= 1) {
      merged = undefined;
      out.push({ x, w, slice: s, count: 1, kind: s.kind });
    } else if (merged && x <= merged.x + merged.w + 1 && merged.kind === s.kind) {
      merged.w = Math.max(merged.w, x + Math.max(w, 1) - merged.x);
      merged.count++;
      merged.slice = undefined;
    } else {
      merged = { x, w: Math.max(w, 1), slice: s, count: 1, kind: s.kind };
      out.push(merged);
    }
  }
  return out;
}
