import type { LaunchEvent, OffloadEvent } from '../../contract/events.js';
import type { PtxSource, RunRecord, WorkbenchEvent } from '../../contract/workbench.js';
import { LaunchInterner } from '../lib/launch-interner.js';
import { RunIndex } from '../lib/run-index.js';
import type { ConsoleLine } from './invoke-slice.js';
import type { SliceCreator } from './types.js';

export interface BlockProgress {
  completed: number;
  total: number;
}

export interface RunMarks {
  run?: { startMs: number; endMs?: number; label: string };
  syncs: { t: number; durationMs: number; status: number }[];
  offload: OffloadEvent[];
  stdout: { t: number; text: string }[];
}

/** Marks kept per run: enough for any timeline, bounded for a guest that prints forever. */
const MARKS_LIMIT = 100_000;
const emptyMarks = (): RunMarks => ({ syncs: [], offload: [], stdout: [] });

export interface LaunchSlice {
  /** The run whose launches are shown (the latest invocation). */
  launchRunId?: string;
  /**
   * Launches of that run. Mutated in place and signalled through `launchVersion`, so thousands of
   * launches per second do not copy an ever-growing array on every batch.
   */
  launches: { items: LaunchEvent[] };
  /** What the timeline shows besides launches; mutated in place with `launches`. */
  marks: RunMarks;
  /**
   * Tracks, kernel summary, faults and counts of the shown run, appended to with each batch
   * (mutated in place with `launches`): screens opened or refreshed mid-run read it, never
   * rebuild it.
   */
  runIndex: RunIndex;
  /**
   * Block progress of launches whose launch event has not arrived yet (a launch event says its
   * grid is done): not one entry per launch of the run.
   */
  progress: Map<number, BlockProgress>;
  /** The highest launch number with block progress (the grid shows it): kept here, not found by scanning `progress`. */
  progressSeq: number;
  launchVersion: number;
  selectedSeq?: number;
  /** Set when a past run was reopened (not the live one). */
  shownRun?: string;
  /** The module whose launches are shown (the PTX view looks its PTX up there). */
  launchModuleId?: string;
  /** The PTX line the PTX view should scroll to (a sanitizer row's), for the selected launch. */
  ptxFocusLine?: number;
  focusPtxLine(seq: number, line: number | undefined): void;
  /** The PTX a launch ran (the transport's getPtx). */
  fetchPtx(moduleId: string, ptxHash: string): Promise<PtxSource>;
  /** A second past run shown under the first in the timeline, aligned at its start. */
  timelineB?: RunRecord;
  /** Shows run A (as `showRun`) with run B under it in the timeline. */
  showSideBySide(a: RunRecord, b: RunRecord): void;
  closeSideBySide(): void;
  beginLaunches(runId: string): void;
  resetLaunches(): void;
  selectLaunch(seq: number | undefined): void;
  /**
   * The run's record arrived: it holds every launch it kept, while batched events may still be in
   * flight (or the stream is down). Fills in what the events have not delivered yet.
   */
  completeLaunches(runId: string, launches: readonly LaunchEvent[]): void;
  /** Shows a past run in Launches and Timeline as it looked live (what its record kept). */
  showRun(record: RunRecord): void;
  /**
   * Applies one batch of pushed events to every slice that cares. With `quiet`, the launches,
   * marks and index take the batch but the screens are not told (no `launchVersion` bump) until
   * `announceLaunches`: a stream is taken in every frame and shown a few times a second.
   */
  ingest(batch: WorkbenchEvent[], quiet?: boolean): void;
  /** Tells the screens about what quiet ingests took in (nothing when there was none). */
  announceLaunches(): void;
}

export const createLaunchSlice: SliceCreator<LaunchSlice> = ({ api }) => (set, get) => {
  /** What quiet ingests took in and the screens were not told yet. */
  let unannounced: { runId?: string; progressSeq: number } | undefined;
  /** Shares equal parts of the streamed run's launches (one per run: its memory goes with the run). */
  let interner = new LaunchInterner();
  return {
  fetchPtx: (moduleId, ptxHash) => api.getPtx(moduleId, ptxHash),
  launches: { items: [] },
  marks: emptyMarks(),
  runIndex: new RunIndex(),
  progress: new Map(),
  progressSeq: 0,
  launchVersion: 0,
  focusPtxLine: (seq, line) => set({ selectedSeq: seq, ptxFocusLine: line }),
  beginLaunches: (runId) => {
    interner = new LaunchInterner();
    set({ launchRunId: runId, launchModuleId: get().module?.moduleId, ptxFocusLine: undefined, shownRun: undefined, timelineB: undefined, launches: { items: [] }, marks: emptyMarks(), runIndex: new RunIndex(), progress: new Map(), progressSeq: 0, launchVersion: get().launchVersion + 1, selectedSeq: undefined });
  },
  resetLaunches: () => set({ launchRunId: undefined, launches: { items: [] }, marks: emptyMarks(), runIndex: new RunIndex(), progress: new Map(), progressSeq: 0, launchVersion: get().launchVersion + 1, selectedSeq: undefined }),
  selectLaunch: (seq) => set({ selectedSeq: seq, ptxFocusLine: undefined }),
  showRun: (record) => {
    const items = [...record.launches];
    const progress = new Map<number, BlockProgress>();
    const marks: RunMarks = { ...emptyMarks(), run: { startMs: record.startedAt, endMs: record.startedAt + record.durationMs, label: `${record.exportName}(${record.argsJson.slice(1, -1).slice(0, 60)})` }, offload: [...record.offloadEvents] };
    const runIndex = RunIndex.from({ ...(marks.run ? { run: marks.run } : {}), launches: items, offload: marks.offload });
    set({ launchRunId: record.runId, launchModuleId: record.moduleId, ptxFocusLine: undefined, shownRun: record.runId, timelineB: undefined, launches: { items }, marks, runIndex, progress, progressSeq: items.at(-1)?.seq ?? 0, launchVersion: get().launchVersion + 1, selectedSeq: undefined });
  },
  showSideBySide: (a, b) => {
    get().showRun(a);
    set({ timelineB: b });
  },
  closeSideBySide: () => set({ timelineB: undefined }),
  completeLaunches: (runId, launches) => {
    const state = get();
    if (state.launchRunId !== runId || launches.length <= state.launches.items.length) return;
    const items = state.launches.items;
    const seen = new Set(items.map((l) => l.seq));
    let inOrder = true;
    for (const l of launches) {
      if (seen.has(l.seq)) continue;
      if (items.length && items[items.length - 1]!.seq > l.seq) inOrder = false;
      items.push(l);
      if (inOrder) state.runIndex.addLaunch(l);
      state.progress.delete(l.seq);
    }
    items.sort((a, b) => a.seq - b.seq);
    // Launches the stream lost, filled in between others: the index is built again, once.
    const runIndex = inOrder ? state.runIndex : RunIndex.from({ ...(state.marks.run ? { run: state.marks.run } : {}), launches: items, syncs: state.marks.syncs, offload: state.marks.offload, stdout: state.marks.stdout });
    set({ runIndex, launchVersion: state.launchVersion + 1, progressSeq: Math.max(state.progressSeq, items.at(-1)?.seq ?? 0) });
  },
  announceLaunches: () => {
    if (!unannounced) return;
    const { runId, progressSeq } = unannounced;
    unannounced = undefined;
    // A run begun or reopened since keeps its own progress.
    set({ launchVersion: get().launchVersion + 1, ...(runId === get().launchRunId ? { progressSeq: Math.max(progressSeq, get().progressSeq) } : {}) });
  },
  ingest: (batch, quiet = false) => {
    const state = get();
    const runId = state.launchRunId;
    const items = state.launches.items;
    const progress = state.progress;
    const index = state.runIndex;
    let touched = false;
    let progressSeq = state.progressSeq;
    const lines: ConsoleLine[] = [];
    for (const item of batch) {
      if (item.kind === 'run') {
        const e = item.event;
        if (e.runId !== runId) continue;
        if (e.type === 'launch') {
          if (items.length > 0 && items[items.length - 1]!.seq >= e.seq && items.some((l) => l.seq === e.seq)) continue;
          items.push(interner.intern(e));
          index.addLaunch(e);
          progress.delete(e.seq);
          if (e.seq > progressSeq) progressSeq = e.seq;
          touched = true;
        } else if (e.type === 'block-progress') {
          const old = progress.get(e.launchSeq);
          // Progress of a launch whose launch event came first (launches arrive in seq order) is not kept.
          const arrived = items.length > 0 && items[items.length - 1]!.seq >= e.launchSeq;
          if (!arrived && (!old || old.completed < e.completedBlocks)) progress.set(e.launchSeq, { completed: e.completedBlocks, total: e.totalBlocks });
          if (e.launchSeq > progressSeq) progressSeq = e.launchSeq;
          touched = true;
        } else if (e.type === 'started') {
          state.marks.run = { startMs: e.t, label: `${e.export ?? 'run'}` };
          index.setRun(state.marks.run);
          touched = true;
        } else if (e.type === 'finished' || e.type === 'failed') {
          if (state.marks.run) state.marks.run.endMs = e.t;
          index.endRun(e.t);
          touched = true;
        } else if (e.type === 'sync') {
          if (state.marks.syncs.length < MARKS_LIMIT) {
            state.marks.syncs.push({ t: e.t, durationMs: e.durationMs, status: e.status });
            index.addSync(e);
          }
          touched = true;
        } else if (e.type === 'offload') {
          if (state.marks.offload.length < MARKS_LIMIT) {
            state.marks.offload.push(e);
            index.addOffload(e);
          }
          touched = true;
        }
        if (e.type === 'stdout' && state.marks.stdout.length < MARKS_LIMIT) {
          state.marks.stdout.push({ t: e.t, text: e.text });
          index.addStdout(e);
        }
        if ((e.type === 'stdout' || e.type === 'stderr') && e.runId === state.activeRunId) {
          // Output of a run that already finished arrived late: its record's output is shown instead.
          lines.push({ stream: e.type, text: e.text });
        }
      } else if (item.kind === 'compare-progress') state.compareProgress(item.compareId, item.completed, item.total);
      else if (item.kind === 'run-recorded') state.recordedRun(item.summary);
    }
    if (lines.length) state.appendConsole(lines);
    if (!touched) return;
    if (quiet) unannounced = { runId, progressSeq: Math.max(progressSeq, unannounced?.runId === runId ? (unannounced?.progressSeq ?? 0) : 0) };
    else {
      unannounced = undefined;
      set({ launchVersion: state.launchVersion + 1, progressSeq });
    }
  },
  };
};
