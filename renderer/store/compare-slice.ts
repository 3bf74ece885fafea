import { toErrorInfo, type ErrorInfo } from '../../contract/errors.js';
import type { CompareRequest, CompareResult } from '../../contract/workbench.js';
import { newId } from '../lib/ids.js';
import type { SliceCreator } from './types.js';

export interface CompareSlice {
  compareRunning?: string;
  compareProgressState?: { completed: number; total: number };
  compareResult?: CompareResult;
  compareError?: ErrorInfo;
  /** Progress when the last comparison was cancelled (the screen says so). */
  compareCancelledAt?: { completed: number; total: number };
  startCompare(request: Omit<CompareRequest, 'compareId' | 'moduleId'>): Promise<void>;
  cancelCompare(): Promise<void>;
  compareProgress(compareId: string, completed: number, total: number): void;
  /** Shows a comparison kept in Runs on the Compare screen. */
  showComparison(result: CompareResult): void;
}

/** Parses the sweep field: `1024, 4096, 16384` or `1024..65536 x4` (geometric). Pure. */
export function parseSweep(text: string): number[] | string {
  const t = text.trim();
  if (!t) return [];
  const range = /^(\d+)\s*\.\.\s*(\d+)\s*x\s*(\d+)$/.exec(t);
  if (range) {
    const [from, to, factor] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (factor < 2 || from < 1 || to < from) return 'a range is FROM..TO xFACTOR with FROM ≥ 1, TO ≥ FROM and FACTOR ≥ 2';
    const out: number[] = [];
    for (let v = from; v <= to && out.length < 64; v *= factor) out.push(v);
    return out;
  }
  const parts = t.split(/[\s,]+/).filter(Boolean);
  const values = parts.map(Number);
  if (values.some((v) => !Number.isSafeInteger(v))) return 'sizes must be integers separated by commas, or FROM..TO xFACTOR';
  if (values.length > 64) return 'at most 64 sizes';
  return values;
}

export const createCompareSlice: SliceCreator<CompareSlice> =
  ({ api }) =>
  (set, get) => ({
    startCompare: async (request) => {
      const module = get().module;
      if (!module || get().compareRunning) return;
      const compareId = newId('cmp');
      // Each point runs every warm-up and repetition twice (offload on, then off): the total is
      // known up front. One warm-up per side unless asked otherwise, as the service does.
      const total = (request.repetitions + (request.warmup ?? 1)) * 2 * Math.max(1, request.sweep?.values.length ?? 1);
      set({ compareRunning: compareId, compareProgressState: { completed: 0, total }, compareResult: undefined, compareError: undefined, compareCancelledAt: undefined });
      try {
        const result = await api.compareOffload({ ...request, compareId, moduleId: module.moduleId });
        set({ compareResult: result, compareRunning: undefined, ...(result.error ? { compareError: result.error } : {}), ...(result.cancelled ? { compareCancelledAt: get().compareProgressState } : {}) });
      } catch (error) {
        set({ compareError: toErrorInfo(error), compareRunning: undefined });
      }
    },
    cancelCompare: async () => {
      const id = get().compareRunning;
      if (id) await api.cancel(id).catch((error: unknown) => get().notify('error', error));
    },
    showComparison: (result) => set({ compareResult: result, compareError: result.error, compareCancelledAt: undefined, compareProgressState: undefined }),
    compareProgress: (compareId, completed, total) => {
      if (compareId === get().compareRunning) set({ compareProgressState: { completed, total } });
    },
  });
