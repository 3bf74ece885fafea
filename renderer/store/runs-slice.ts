import type { ExportedReport, ReportFormat, RunRecord, RunSummary } from '../../contract/workbench.js';
import type { SliceCreator } from './types.js';

export interface RunsSlice {
  runs: RunSummary[];
  /** The two runs picked for side-by-side comparison. */
  runA?: RunRecord;
  runB?: RunRecord;
  refreshRuns(): Promise<void>;
  recordedRun(summary: RunSummary): void;
  pickRun(runId: string): Promise<void>;
  clearPicked(): void;
  /** Reopens a past run in Launches and Timeline. */
  openRun(runId: string): Promise<void>;
  /** Opens the two picked runs in the timeline, B under A, aligned at their start. */
  openPickedInTimeline(): void;
  deleteRun(runId: string): Promise<void>;
  exportReport(runId: string, format: ReportFormat): Promise<ExportedReport | undefined>;
}

export const createRunsSlice: SliceCreator<RunsSlice> =
  ({ api }) =>
  (set, get) => ({
    runs: [],
    refreshRuns: async () => {
      try {
        set({ runs: await api.listRuns() });
      } catch (error) {
        get().notify('error', error);
      }
    },
    recordedRun: (summary) => set({ runs: [summary, ...get().runs.filter((r) => r.runId !== summary.runId)] }),
    /** First pick fills A, second B; a third starts over with A. */
    pickRun: async (runId) => {
      try {
        const record = await api.getRun(runId);
        const { runA, runB } = get();
        if (!runA || runB) set({ runA: record, runB: undefined });
        else set({ runB: record });
      } catch (error) {
        get().notify('error', error);
      }
    },
    clearPicked: () => set({ runA: undefined, runB: undefined }),
    openRun: async (runId) => {
      if (get().activeRunId) return get().notify('info', 'A run is in progress: open past runs when it ends.');
      try {
        const record = await api.getRun(runId);
        // A comparison kept in Runs reopens where it was made; a run in the timeline.
        if (record.comparison) {
          if (get().compareRunning) return get().notify('info', 'A comparison is in progress: open past ones when it ends.');
          get().showComparison(record.comparison);
          set({ screen: 'compare' });
          return;
        }
        get().showRun(record);
        set({ screen: 'timeline' });
      } catch (error) {
        get().notify('error', error);
      }
    },
    openPickedInTimeline: () => {
      const { runA, runB, activeRunId } = get();
      if (!runA || !runB) return;
      if (activeRunId) return get().notify('info', 'A run is in progress: open past runs when it ends.');
      get().showSideBySide(runA, runB);
      set({ screen: 'timeline' });
    },
    deleteRun: async (runId) => {
      try {
        await api.deleteRun(runId);
        set({ runs: get().runs.filter((r) => r.runId !== runId) });
      } catch (error) {
        get().notify('error', error);
      }
    },
    exportReport: async (runId, format) => {
      try {
        return await api.exportReport(runId, format);
      } catch (error) {
        get().notify('error', error);
        return undefined;
      }
    },
  });
