/**
 * What the Launches and Timeline screens show about a run, kept up to date launch by launch:
 * the timeline's tracks (sorted slices, extent), launch durations grouped by kernel, the faults,
 * the offload count. The store owns one per shown run and appends each batch of events to it, so
 * opening a screen or a batch arriving costs the batch, never a pass over 100,000 launches
 * (rebuilding the tracks on mount was 0.7 s; the kernel summary's sort every refresh, 100 ms; its
 * median by selection, 10-20 ms of a streaming frame: the statistics are now kept per launch).
 * Pure (no DOM, no React); `buildTracks`, `kernelSummary` and `runFaults` stay the references.
 */
import type { LaunchEvent, OffloadEvent } from '../../contract/events.js';
import { launchFault, type LaunchFault } from '../../contract/launch-faults.js';
import type { KernelSummaryRow } from '../../contract/run-stats.js';
import { RunningStats } from './running-stats.js';
import type { Slice, TimelineInput, Track } from './timeline-model.js';

/** Inserts keeping `list` sorted by start; equal starts keep arrival order. Appending is the common case. */
function insertByStart(list: Slice[], slice: Slice): void {
  const n = list.length;
  if (n === 0 || list[n - 1]!.start <= slice.start) {
    list.push(slice);
    return;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start <= slice.start) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, slice);
}

export class RunIndex {
  private run?: { startMs: number; endMs?: number; label: string };
  private invocation?: Slice;
  private lastLaunchEnd = -Infinity;
  private readonly host: Slice[] = [];
  private readonly devices = new Map<string, Slice[]>();
  private readonly offload: Slice[] = [];
  private readonly stdout: Slice[] = [];
  private start = Infinity;
  private end = -Infinity;
  /** Kernel duration statistics by kernel name, kept as launches arrive (running-stats.ts). */
  private readonly durations = new Map<string, RunningStats>();
  private cachedSummary?: { at: number; when: number; rows: KernelSummaryRow[] };
  /** Slice labels by kernel (and loop): one string per kernel, not one per launch (100,000 strings of garbage). */
  private readonly labels = new Map<string, string>();
  private readonly callLabels = new Map<string, string>();
  readonly faults: LaunchFault[] = [];
  offloaded = 0;
  launches = 0;

  /** Everything `buildTracks` takes, at once (a reopened run, or a rebuild). */
  static from(input: TimelineInput): RunIndex {
    const index = new RunIndex();
    if (input.run) index.setRun(input.run);
    for (const l of input.launches) index.addLaunch(l);
    for (const s of input.syncs ?? []) index.addSync(s);
    for (const o of input.offload ?? []) index.addOffload(o);
    for (const s of input.stdout ?? []) index.addStdout(s);
    return index;
  }

  private label(text: string): string {
    const known = this.labels.get(text);
    if (known !== undefined) return known;
    this.labels.set(text, text);
    return text;
  }

  /** `launch <kernel>`, made once per kernel. */
  private callLabel(kernel: string): string {
    let label = this.callLabels.get(kernel);
    if (label === undefined) this.callLabels.set(kernel, (label = `launch ${kernel}`));
    return label;
  }

  private widen(s: Slice): void {
    if (s.start < this.start) this.start = s.start;
    if (s.end > this.end) this.end = s.end;
  }

  /** The invocation slice spans the run, and at least to the last launch's end (as `buildTracks`). */
  private updateInvocation(): void {
    const run = this.run;
    if (!run) return;
    const lastEnd = Math.max(run.endMs ?? -Infinity, this.lastLaunchEnd);
    const end = Number.isFinite(lastEnd) ? Math.max(lastEnd, run.startMs) : run.startMs;
    if (!this.invocation) this.invocation = { start: run.startMs, end, label: run.label, kind: 'invocation' };
    else Object.assign(this.invocation, { start: run.startMs, end, label: run.label });
    this.widen(this.invocation);
  }

  setRun(run: { startMs: number; endMs?: number; label: string }): void {
    this.run = { ...run };
    this.updateInvocation();
  }

  /** The run ended at `t`. */
  endRun(t: number): void {
    if (!this.run) return;
    this.run.endMs = t;
    this.updateInvocation();
  }

  addLaunch(l: LaunchEvent): void {
    this.launches++;
    this.lastLaunchEnd = l.endMs;
    if (l.origin !== 'offload') {
      const call: Slice = { start: l.startMs, end: l.endMs, label: this.callLabel(l.kernel), kind: 'launch-call', seq: l.seq };
      insertByStart(this.host, call);
      this.widen(call);
    } else this.offloaded++;
    let list = this.devices.get(l.device);
    if (!list) this.devices.set(l.device, (list = []));
    const kernel: Slice = { start: l.startMs, end: l.endMs, label: l.origin === 'offload' ? this.label(`${l.kernel} (offload ${l.loopId ?? ''})`) : l.kernel, kind: l.error ? 'fault' : l.origin === 'offload' ? 'offload-kernel' : 'kernel', seq: l.seq };
    insertByStart(list, kernel);
    this.widen(kernel);
    this.updateInvocation();
    let times = this.durations.get(l.kernel);
    if (!times) this.durations.set(l.kernel, (times = new RunningStats()));
    times.add(l.kernelMs);
    const fault = launchFault(l);
    if (fault) this.faults.push(fault);
  }

  addSync(s: { t: number; durationMs: number; status: number }): void {
    const slice: Slice = { start: s.t - s.durationMs, end: s.t, label: s.status ? `sync → ${s.status}` : 'sync', kind: 'sync' };
    insertByStart(this.host, slice);
    this.widen(slice);
  }

  addOffload(o: OffloadEvent): void {
    if (o.action !== 'dispatch' && o.action !== 'fallback') return;
    const slice: Slice = { start: o.t, end: o.t, label: `${o.action} ${o.loopId}: ${o.reason}`, kind: o.action === 'dispatch' ? 'dispatch' : 'fallback' };
    insertByStart(this.offload, slice);
    this.widen(slice);
  }

  addStdout(s: { t: number; text: string }): void {
    const slice: Slice = { start: s.t, end: s.t, label: s.text.slice(0, 80), kind: 'stdout' };
    insertByStart(this.stdout, slice);
    this.widen(slice);
  }

  /** The tracks in `buildTracks`' order; their slice arrays are this index's own (read, never change them). */
  tracks(): Track[] {
    const tracks: Track[] = [];
    if (this.invocation) tracks.push({ id: 'invocation', label: 'invocation', slices: [this.invocation] });
    if (this.host.length) tracks.push({ id: 'host', label: 'wasi:cuda host calls', slices: this.host });
    for (const [device, slices] of this.devices) tracks.push({ id: `device:${device}`, label: `device ${device}`, slices });
    if (this.offload.length) tracks.push({ id: 'offload', label: 'offload', slices: this.offload });
    if (this.stdout.length) tracks.push({ id: 'stdout', label: 'stdout', slices: this.stdout });
    return tracks;
  }

  /** As `timeExtent(this.tracks())`, without the pass over every slice. */
  extent(): { start: number; end: number } {
    if (!Number.isFinite(this.start)) return { start: 0, end: 1 };
    return { start: this.start, end: this.end > this.start ? this.end : this.start + 1 };
  }

  /**
   * `kernelSummary` of the launches so far, from the statistics kept per kernel (O(kernels));
   * reused until a launch arrives, or while it is younger than `staleOkMs` (a live run's view
   * refreshes twice a second anyway).
   */
  kernelSummary(staleOkMs = 0, now = 0): KernelSummaryRow[] {
    const cached = this.cachedSummary;
    if (cached && (cached.at === this.launches || now - cached.when < staleOkMs)) return cached.rows;
    let grand = 0;
    for (const times of this.durations.values()) grand += times.total;
    const rows: KernelSummaryRow[] = [];
    for (const [kernel, times] of this.durations) {
      rows.push({
        kernel,
        timePercent: grand > 0 ? (times.total / grand) * 100 : 0,
        totalMs: times.total,
        instances: times.count,
        meanMs: times.meanValue(),
        medianMs: times.median(),
        minMs: times.min,
        maxMs: times.max,
        stdDevMs: Math.sqrt(times.variance()),
      });
    }
    rows.sort((a, b) => b.totalMs - a.totalMs || a.kernel.localeCompare(b.kernel));
    this.cachedSummary = { at: this.launches, when: now, rows };
    return rows;
  }
}
