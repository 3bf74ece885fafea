/**
 * Offload on vs forced off for one export: N timed runs each (after one warm-up each, which
 * prepares the rewritten variant and the workers), per-run timings, median, p95, speedup and
 * whether every run returned the same results.
 */
import type { CallOptions, EngineApi, ModuleRef, OffloadSettings } from '../../contract/engine.js';
import type { OffloadEvent } from '../../contract/events.js';
import type { CompareOffloadResult, CompareRun, CompareSide } from '../../contract/offload.js';
import { DEFAULT_THRESHOLDS } from './analyze.js';

export interface CompareOptions {
  /** Thresholds and verify for the `on` side (enabled is forced on / off per side). */
  offload?: Partial<OffloadSettings>;
  device?: CallOptions['device'];
  deadlineMs?: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

function side(runs: CompareRun[]): CompareSide {
  const sorted = runs.map((r) => r.durationMs).sort((a, b) => a - b);
  return { runs, medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
}

export async function compareOffload(
  engine: EngineApi,
  ref: ModuleRef,
  exportName: string,
  argsJson: string,
  n: number,
  options: CompareOptions = {},
): Promise<CompareOffloadResult> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const thresholds = {
    tripCountThreshold: options.offload?.tripCountThreshold ?? DEFAULT_THRESHOLDS.tripCountThreshold,
    v128RatioThreshold: options.offload?.v128RatioThreshold ?? DEFAULT_THRESHOLDS.v128RatioThreshold,
  };
  const call = (enabled: boolean): CallOptions => ({
    offload: { ...options.offload, ...thresholds, enabled },
    ...(options.device ? { device: options.device } : {}),
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
  });
  const once = async (enabled: boolean): Promise<{ run: CompareRun; device: string }> => {
    const result = await engine.invoke(ref, exportName, argsJson, call(enabled));
    const offload = result.events.filter((e): e is OffloadEvent => e.type === 'offload');
    return {
      run: {
        durationMs: result.durationMs,
        resultsJson: result.resultsJson,
        launches: result.launches,
        dispatches: offload.filter((e) => e.action === 'dispatch').length,
        fallbacks: offload.filter((e) => e.action === 'fallback').length,
      },
      device: result.device,
    };
  };
  // Warm-up: the first `on` call analyses and rewrites the module; neither warm-up is timed.
  const warmOn = await once(true);
  await once(false);
  const on: CompareRun[] = [];
  const off: CompareRun[] = [];
  // Interleaved so drift in machine load affects both sides alike.
  for (let i = 0; i < n; i++) {
    on.push((await once(true)).run);
    off.push((await once(false)).run);
  }
  const onSide = side(on);
  const offSide = side(off);
  const first = off[0]?.resultsJson;
  return {
    export: exportName,
    args: argsJson,
    n,
    device: warmOn.device,
    thresholds,
    on: onSide,
    off: offSide,
    speedup: offSide.medianMs / onSide.medianMs,
    outputsEqual: [...on, ...off].every((r) => r.resultsJson === first),
  };
}
