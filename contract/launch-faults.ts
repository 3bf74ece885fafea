/**
 * Kernel faults (the CPU device's memcheck reports, a trap, a CUDA launch failure) read back from a
 * launch's error: what the sanitizer view lists and the grid marks. The CPU device writes its
 * reports as compute-sanitizer does (runtime/devices/cpu/memcheck.ts):
 *   `invalid __global__ write of 4 bytes at address 0x… (… the nearest window: …) in kernel 'k'
 *    by thread (x,y,z) in block (x,y,z) (PTX line N)`
 * A message in another shape still yields a fault with its text. Plain data, no Node, no DOM.
 */
import type { LaunchEvent } from './events.js';

export interface LaunchFault {
  launchSeq: number;
  kernel: string;
  /** The guest-visible CUDA code (-5 launch_failed for memcheck reports). */
  code: number;
  /** What went wrong, without the where (`invalid __global__ write of 4 bytes at address 0x…`). */
  what: string;
  access?: 'read' | 'write';
  sizeBytes?: number;
  /** `0x…` for global/generic addresses; `offset N` in shared/local/const/param space. */
  address?: string;
  thread?: [number, number, number];
  block?: [number, number, number];
  /** The nearest pointer argument's window, as the report describes it. */
  nearestWindow?: string;
  ptxLine?: number;
  message: string;
}

const WHERE = /^([\s\S]*) in kernel '([^']*)' by thread \((\d+),(\d+),(\d+)\) in block \((\d+),(\d+),(\d+)\) \(PTX line (\d+)\)\s*$/;

const triple = (a: string, b: string, c: string): [number, number, number] => [Number(a), Number(b), Number(c)];

/** The fault a failed launch reports, or undefined for a launch that succeeded. */
export function launchFault(launch: Pick<LaunchEvent, 'seq' | 'kernel' | 'error'>): LaunchFault | undefined {
  if (!launch.error) return undefined;
  const message = launch.error.message;
  const fault: LaunchFault = { launchSeq: launch.seq, kernel: launch.kernel, code: launch.error.code, what: message, message };
  const m = WHERE.exec(message);
  if (!m) return fault;
  const what = m[1]!;
  fault.what = what.replace(/\s*\([^()]*nearest window[\s\S]*\)$/, '').replace(/\s*\(the launch has no pointer arguments\)$/, '');
  fault.kernel = m[2]!;
  fault.thread = triple(m[3]!, m[4]!, m[5]!);
  fault.block = triple(m[6]!, m[7]!, m[8]!);
  fault.ptxLine = Number(m[9]);
  const access = /\b(read|write)\b/.exec(what);
  if (access) fault.access = access[1] as 'read' | 'write';
  const size = /of (\d+) bytes|for a (\d+)-byte/.exec(what);
  if (size) fault.sizeBytes = Number(size[1] ?? size[2]);
  const address = /at address (0x[0-9a-f]+)|address (0x[0-9a-f]+)|at offset (\d+)/.exec(what);
  if (address) fault.address = address[1] ?? address[2] ?? `offset ${address[3]}`;
  const window = /\(([^()]*the nearest window: [\s\S]*)\)$/.exec(what);
  if (window) fault.nearestWindow = window[1]!;
  return fault;
}

/** Every fault of a run, in launch order. */
export function runFaults(launches: readonly Pick<LaunchEvent, 'seq' | 'kernel' | 'error'>[]): LaunchFault[] {
  const out: LaunchFault[] = [];
  for (const l of launches) {
    const f = launchFault(l);
    if (f) out.push(f);
  }
  return out;
}

/** Linear block index (x fastest), as the grid view numbers cells. */
export function linearBlock(block: readonly [number, number, number], grid: readonly [number, number, number]): number {
  return block[0] + block[1] * grid[0] + block[2] * grid[0] * grid[1];
}
