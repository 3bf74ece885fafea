/**
 * Verification mode: compares what the kernels wrote with what the original loop wrote.
 * Integers must match exactly. Floats match when both are NaN, or when
 * |a − b| ≤ FLOAT_TOLERANCE[lane] · max(|a|, |b|) (relative), or both are within the absolute
 * floor of zero — the kernels round every op to nearest like Wasm, so on a correct device the
 * results are bit-identical; the tolerance only absorbs devices that flush or approximate.
 */
import type { LaneType } from './types.js';
import type { AccessWindow } from './windows.js';

export const FLOAT_TOLERANCE: Record<'f32' | 'f64', { relative: number; absolute: number }> = {
  f32: { relative: 1e-6, absolute: 1e-30 },
  f64: { relative: 1e-12, absolute: 1e-300 },
};

function laneValue(view: DataView, at: number, lane: LaneType): number | bigint {
  switch (lane) {
    case 'f32': return view.getFloat32(at, true);
    case 'f64': return view.getFloat64(at, true);
    case 'i32': return view.getInt32(at, true);
    case 'i64': return view.getBigInt64(at, true);
  }
}

export function valuesMatch(lane: LaneType, a: number | bigint, b: number | bigint): boolean {
  if (lane === 'i32' || lane === 'i64') return a === b;
  const x = a as number;
  const y = b as number;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (x === y) return true;
  const tol = FLOAT_TOLERANCE[lane];
  const diff = Math.abs(x - y);
  return diff <= tol.relative * Math.max(Math.abs(x), Math.abs(y)) || (Math.abs(x) <= tol.absolute && Math.abs(y) <= tol.absolute);
}

/** The first element where kernel and CPU results differ, in words; undefined when they agree. */
export function compareWindows(kernel: Uint8Array, cpu: Uint8Array, lane: LaneType, window: AccessWindow): string | undefined {
  const laneBytes = lane === 'f64' || lane === 'i64' ? 8 : 4;
  const kv = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const cv = new DataView(cpu.buffer, cpu.byteOffset, cpu.byteLength);
  const iterations = Math.floor((window.length - window.width) / Math.max(window.stride, 1)) + 1;
  for (let k = 0; k < iterations; k++) {
    for (let at = k * window.stride; at < k * window.stride + window.width; at += laneBytes) {
      if (at + laneBytes > kernel.length) break;
      const a = laneValue(kv, at, lane);
      const b = laneValue(cv, at, lane);
      if (!valuesMatch(lane, a, b)) {
        return `kernel result differs from the CPU loop at guest offset ${window.start + at}: kernel ${String(a)}, CPU ${String(b)} (${lane})`;
      }
    }
  }
  return undefined;
}
