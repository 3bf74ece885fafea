/**
 * Pure statistics the workbench, its reports and the comparison share: sample statistics and a
 * per-kernel summary shaped like Nsight Systems' `cuda_gpu_kern_sum`.
 */
import type { LaunchEvent } from './events.js';
import type { SampleStats } from './workbench.js';

/** Linear-interpolated quantile of sorted values (q in [0, 1]). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function sampleStats(values: readonly number[]): SampleStats {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    median: quantile(sorted, 0.5),
    p05: quantile(sorted, 0.05),
    p95: quantile(sorted, 0.95),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/**
 * Indices of Tukey outliers: values below Q1 − 1.5·IQR or above Q3 + 1.5·IQR (quartiles
 * interpolated as `quantile` does). Fewer than 4 values have no quartiles worth the name: none.
 */
export function outlierIndices(values: readonly number[]): number[] {
  if (values.length < 4) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  const lo = q1 - 1.5 * iqr;
  const hi = q3 + 1.5 * iqr;
  const out: number[] = [];
  values.forEach((v, i) => {
    if (v < lo || v > hi) out.push(i);
  });
  return out;
}

/** One marker for a point's offload runs, from the offload actions they reported. */
export function dispatchMarker(actions: Iterable<string>): 'dispatched' | 'fell back' | 'mixed' | 'none' {
  let dispatched = false;
  let fellBack = false;
  for (const a of actions) {
    if (a === 'dispatch') dispatched = true;
    else if (a === 'fallback' || a === 'demote') fellBack = true;
  }
  return dispatched && fellBack ? 'mixed' : dispatched ? 'dispatched' : fellBack ? 'fell back' : 'none';
}

export interface KernelSummaryRow {
  kernel: string;
  /** Share of all kernel time, 0–100. */
  timePercent: number;
  totalMs: number;
  instances: number;
  meanMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  stdDevMs: number;
}

/** One row per kernel name, sorted by total time descending (as cuda_gpu_kern_sum prints them). */
export function kernelSummary(launches: readonly Pick<LaunchEvent, 'kernel' | 'kernelMs'>[]): KernelSummaryRow[] {
  const byKernel = new Map<string, number[]>();
  for (const l of launches) {
    let list = byKernel.get(l.kernel);
    if (!list) byKernel.set(l.kernel, (list = []));
    list.push(l.kernelMs);
  }
  const grand = launches.reduce((a, l) => a + l.kernelMs, 0);
  const rows: KernelSummaryRow[] = [];
  for (const [kernel, times] of byKernel) {
    const stats = sampleStats(times);
    const total = times.reduce((a, b) => a + b, 0);
    const variance = times.length > 1 ? times.reduce((a, t) => a + (t - stats.mean) ** 2, 0) / (times.length - 1) : 0;
    rows.push({
      kernel,
      timePercent: grand > 0 ? (total / grand) * 100 : 0,
      totalMs: total,
      instances: times.length,
      meanMs: stats.mean,
      medianMs: stats.median,
      minMs: stats.min,
      maxMs: stats.max,
      stdDevMs: Math.sqrt(variance),
    });
  }
  return rows.sort((a, b) => b.totalMs - a.totalMs || a.kernel.localeCompare(b.kernel));
}

export interface KernelDeltaRow {
  kernel: string;
  aTotalMs: number;
  bTotalMs: number;
  aInstances: number;
  bInstances: number;
  deltaMs: number;
}

/** Two runs' kernels side by side, sorted by the absolute time delta (largest change first). */
export function kernelDeltas(a: readonly Pick<LaunchEvent, 'kernel' | 'kernelMs'>[], b: readonly Pick<LaunchEvent, 'kernel' | 'kernelMs'>[]): KernelDeltaRow[] {
  const sa = new Map(kernelSummary(a).map((r) => [r.kernel, r]));
  const sb = new Map(kernelSummary(b).map((r) => [r.kernel, r]));
  const names = new Set([...sa.keys(), ...sb.keys()]);
  return [...names]
    .map((kernel) => {
      const ra = sa.get(kernel);
      const rb = sb.get(kernel);
      const aTotalMs = ra?.totalMs ?? 0;
      const bTotalMs = rb?.totalMs ?? 0;
      return { kernel, aTotalMs, bTotalMs, aInstances: ra?.instances ?? 0, bInstances: rb?.instances ?? 0, deltaMs: bTotalMs - aTotalMs };
    })
    .sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs) || x.kernel.localeCompare(y.kernel));
}
