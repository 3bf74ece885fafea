import type { LaunchEvent } from '../../contract/events.js';
import type { WorkbenchEvent } from '../../contract/workbench.js';
import type { ConsoleLine } from './invoke-slice.js';
import type { SliceCreator } from './types.js';

export interface BlockProgress {
  completed: number;
  total: number;
}

export interface LaunchSlice {
  /** The run whose launches are shown (the latest invocation). */
  launchRunId?: string;
  /**
   * Launches of that run. Mutated in place and signalled through `launchVersion`, so thousands of
   * launches per second do not copy an ever-growing array on every batch.
   */
  launches: { items: LaunchEvent[] };
  progress: Map<number, BlockProgress>;
  launchVersion: number;
  selectedSeq?: number;
  beginLaunches(runId: string): void;
  resetLaunches(): void;
  selectLaunch(seq: number | undefined): void;
  /**
   * The run's record arrived: it holds every launch it kept, while batched events may still be in
   * flight (or the stream is down). Fills in what the events have not delivered yet.
   */
  completeLaunches(runId: string, launches: readonly LaunchEvent[]): void;
  /** Applies one batch of pushed events to every slice that cares. */
  ingest(batch: WorkbenchEvent[]): void;
}

export const createLaunchSlice: SliceCreator<LaunchSlice> = () => (set, get) => ({
  launches: { items: [] },
  progress: new Map(),
  launchVersion: 0,
  beginLaunches: (runId) => set({ launchRunId: runId, launches: { items: [] }, progress: new Map(), launchVersion: get().launchVersion + 1, selectedSeq: undefined }),
  resetLaunches: () => set({ launchRunId: undefined, launches: { items: [] }, progress: new Map(), launchVersion: get().launchVersion + 1, selectedSeq: undefined }),
  selectLaunch: (seq) => set({ selectedSeq: seq }),
  completeLaunches: (runId, launches) => {
    const state = get();
    if (state.launchRunId !== runId || launches.length <= state.launches.items.length) return;
    const items = state.launches.items;
    const seen = new Set(items.map((l) => l.seq));
    for (const l of launches) {
      if (seen.has(l.seq)) continue;
      items.push(l);
      const blocks = l.grid[0] * l.grid[1] * l.grid[2];
      state.progress.set(l.seq, { completed: blocks, total: blocks });
    }
    items.sort((a, b) => a.seq - b.seq);
    set({ launchVersion: state.launchVersion + 1 });
  },
  ingest: (batch) => {
    const state = get();
    const runId = state.launchRunId;
    const items = state.launches.items;
    const progress = state.progress;
    let touched = false;
    const lines: ConsoleLine[] = [];
    for (const item of batch) {
      if (item.kind === 'run') {
        const e = item.event;
        if (e.runId !== runId) continue;
        if (e.type === 'launch') {
          if (items.length > 0 && items[items.length - 1]!.seq >= e.seq && items.some((l) => l.seq === e.seq)) continue;
          items.push(e);
          progress.set(e.seq, { completed: e.grid[0] * e.grid[1] * e.grid[2], total: e.grid[0] * e.grid[1] * e.grid[2] });
          touched = true;
        } else if (e.type === 'block-progress') {
          const old = progress.get(e.launchSeq);
          if (!old || old.completed < e.completedBlocks) progress.set(e.launchSeq, { completed: e.completedBlocks, total: e.totalBlocks });
          touched = true;
        } else if ((e.type === 'stdout' || e.type === 'stderr') && e.runId === state.activeRunId) {
          // Output of a run that already finished arrived late: its record's output is shown instead.
          lines.push({ stream: e.type, text: e.text });
        }
      } else if (item.kind === 'compare-progress') state.compareProgress(item.compareId, item.completed, item.total);
      else if (item.kind === 'run-recorded') state.recordedRun(item.summary);
    }
    if (lines.length) state.appendConsole(lines);
    if (touched) set({ launchVersion: state.launchVersion + 1 });
  },
});
