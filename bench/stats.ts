/** Small helpers the benches share: percentiles of samples, and printing a figure. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function microseconds(ms: number): string {
  const us = ms * 1000;
  return us < 1 ? `${(us * 1000).toFixed(1)} ns` : `${us.toFixed(1)} µs`;
}

export async function sampleAsync(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out[i] = performance.now() - t0;
  }
  return out;
}

export function sampleSync(n: number, fn: () => unknown): number[] {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out[i] = performance.now() - t0;
  }
  return out;
}
