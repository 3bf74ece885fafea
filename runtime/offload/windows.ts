/**
 * Memory windows of a dispatch: where each access of a promoted loop reads or writes over all its
 * iterations, and whether the kernel's element-wise order is safe for them (no store overlaps
 * another store, and a load overlaps a store only when it reads exactly the element that the
 * same kernel writes).
 */
import type { LoopPlan } from './types.js';

export interface AccessWindow {
  access: number;
  kind: 'load' | 'store';
  /** First byte (u32 guest offset). */
  start: number;
  /** Bytes from start to the end of the last iteration's access. */
  length: number;
  stride: number;
  width: number;
}

export function accessWindows(plan: LoopPlan, bases: readonly number[], trips: number): AccessWindow[] {
  return plan.accesses.map((a, i) => {
    const start = ((bases[i] ?? 0) + a.offset) >>> 0;
    return { access: i, kind: a.kind, start, length: (trips - 1) * a.stride + a.width, stride: a.stride, width: a.width };
  });
}

function rangesOverlap(x: AccessWindow, y: AccessWindow): boolean {
  return x.start < y.start + y.length && y.start < x.start + x.length;
}

/** Whether the bytes the two accesses touch over all iterations intersect. */
export function windowsOverlap(x: AccessWindow, y: AccessWindow): boolean {
  if (!rangesOverlap(x, y)) return false;
  if (x.stride !== y.stride || x.stride <= 0) return true;
  // Same stride: compare the positions within one stride period.
  const d = (((y.start - x.start) % x.stride) + x.stride) % x.stride;
  const disjointInPeriod = d >= x.width && d + y.width <= x.stride;
  return !disjointInPeriod;
}

/** Why the windows are unsafe for an element-wise kernel, or undefined when they are safe. */
export function aliasProblem(plan: LoopPlan, windows: readonly AccessWindow[], memoryBytes: number): string | undefined {
  for (const w of windows) {
    if (w.start + w.length > memoryBytes) return `${w.kind} window [${w.start}, +${w.length}) runs past linear memory (${memoryBytes} bytes)`;
  }
  const stores = windows.filter((w) => w.kind === 'store');
  for (let i = 0; i < stores.length; i++) {
    for (let j = i + 1; j < stores.length; j++) {
      if (windowsOverlap(stores[i] as AccessWindow, stores[j] as AccessWindow)) return 'two stores of the loop write overlapping memory';
    }
  }
  for (const load of windows.filter((w) => w.kind === 'load')) {
    for (const store of stores) {
      if (!windowsOverlap(load, store)) continue;
      const kernel = plan.kernels.find((k) => k.store === store.access);
      const sameElement = load.start === store.start && load.stride === store.stride && load.width === store.width;
      const readByThatKernelOnly = kernel?.loads.includes(load.access) && plan.kernels.every((k) => k === kernel || !k.loads.includes(load.access));
      if (!(sameElement && readByThatKernelOnly && load.access < store.access)) {
        return `a load window [${load.start}, +${load.length}) overlaps the store window [${store.start}, +${store.length}) (cross-iteration dependency at run time)`;
      }
    }
  }
  return undefined;
}
