/** The bench's check: the device's output regions against the C's, exactly or within the kernel's tolerance. */
import { view } from './image.js';
import type { BenchKernel, Launch } from './kernels.js';

/** Undefined when they agree; otherwise what differs (the first few elements), for the failure message. */
export function compareOutputs(k: BenchKernel, l: Launch, device: Uint8Array, native: Uint8Array): string | undefined {
  const problems: string[] = [];
  for (const r of l.outputs) {
    const d = view(device, r);
    const n = view(native, r);
    let mismatches = 0;
    const first: string[] = [];
    const tol = k.tolerance;
    let meanAbs = 0;
    if (tol !== undefined) {
      for (let i = 0; i < r.count; i++) meanAbs += Math.abs(Number(n[i]));
      meanAbs /= r.count || 1;
    }
    for (let i = 0; i < r.count; i++) {
      const dv = d[i]!;
      const nv = n[i]!;
      const ok =
        tol === undefined
          ? dv === nv
          : Number.isNaN(Number(nv))
            ? Number.isNaN(Number(dv))
            : Math.abs(Number(dv) - Number(nv)) <= tol * (Math.abs(Number(nv)) + meanAbs);
      if (!ok) {
        mismatches++;
        if (first.length < 4) first.push(`[${i}] device ${String(dv)} vs C ${String(nv)}`);
      }
    }
    if (mismatches > 0) problems.push(`${mismatches} of ${r.count} ${r.type} at offset ${r.offset} differ${tol === undefined ? ' (exact)' : ` (tolerance ${tol})`}: ${first.join(', ')}`);
  }
  return problems.length ? problems.join('; ') : undefined;
}
