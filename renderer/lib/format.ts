/** Display formatting shared by the screens. Pure. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  if (ms < 10_000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatSignature(sig: { params: string[]; results: string[] } | undefined): string {
  if (!sig) return '';
  return `(${sig.params.join(', ')}) → ${sig.results.length ? sig.results.join(', ') : '()'}`;
}

export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}`;
}
