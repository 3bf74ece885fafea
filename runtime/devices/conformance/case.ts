/** What a conformance case gets, and the comparison helpers with clear mismatch reports. */
import type { Device, Dim3, KernelHandle } from '../../../contract/device.js';
import { launch, type Arg, type GuestMemory } from './harness.js';

export interface CaseContext {
  device: Device;
  kernel: KernelHandle;
  mem: GuestMemory;
  random: () => number;
  run(grid: Dim3, block: Dim3, args: readonly Arg[], shared?: number): void;
}

export interface ConformanceCase {
  /** Fixture base name: fixtures/cuda/<name>.<arch>.ptx */
  name: string;
  entry: string;
  run(ctx: CaseContext): void;
}

export function makeContext(device: Device, kernel: KernelHandle, mem: GuestMemory, random: () => number): CaseContext {
  return { device, kernel, mem, random, run: (grid, block, args, shared = 0) => launch(device, kernel, mem, grid, block, args, shared) };
}

const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Throws with the first mismatching index, its inputs and both values. */
export function check<T>(label: string, got: readonly T[], want: readonly T[], ok: (g: T, w: T, i: number) => boolean = (g, w) => (typeof g === 'number' ? same(g, w as number) : g === w), describe?: (i: number) => string): void {
  if (got.length !== want.length) throw new Error(`${label}: ${got.length} results, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (!ok(got[i]!, want[i]!, i)) {
      throw new Error(`${label}[${i}]: got ${String(got[i])}, expected ${String(want[i])}${describe ? ` (${describe(i)})` : ''}`);
    }
  }
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}
export function randF32(r: () => number, lo: number, hi: number): number {
  return Math.fround(lo + r() * (hi - lo));
}
export function int32(r: () => number): number {
  return (Math.floor(r() * 4294967296) | 0);
}
