/**
 * The bench's CPU-device side: a kernel loaded on a fresh CpuDevice, launched over a
 * WebAssembly.Memory (as the engine passes a guest's memory) that is reset to the launch's image
 * before each launch, outside the timing.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelArg } from '../../contract/device.js';
import { CpuDevice, type CpuDeviceOptions } from '../../runtime/devices/cpu/cpu-device.js';
import type { Arg, BenchKernel, Launch } from './kernels.js';

function kernelArg(a: Arg): KernelArg {
  if ('ptr' in a) return { kind: 'pointer', offset: a.ptr.offset, length: a.ptr.bytes };
  const bytes = new Uint8Array(4);
  const dv = new DataView(bytes.buffer);
  if ('i32' in a) dv.setInt32(0, a.i32, true);
  else if ('u32' in a) dv.setUint32(0, a.u32, true);
  else dv.setFloat32(0, a.f32, true);
  return { kind: 'scalar', tag: 'i32' in a ? 'i32' : 'u32' in a ? 'u32' : 'f32', bytes };
}

/**
 * Guest memory for a launch: its image and 1 MiB more, as a guest has room beyond its buffers —
 * the WebAssembly backend keeps a launch's scratch (shared memory, saved registers) there, and
 * leaves a kernel to the JavaScript backend when it finds none.
 */
export function guestMemoryFor(l: Launch, shared = false): WebAssembly.Memory {
  const pages = Math.ceil((l.image.length + (1 << 20)) / 65536);
  // shared: as a guest built with threads declares its memory (the block pool then runs in it, copying nothing)
  return new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
}

export interface DeviceRunner {
  /** Resets the memory, launches once; the launch's wall time in ns and the backend that ran it. */
  launch(): Promise<{ ns: number; backend: string }>;
  /** The memory after the last launch (a view: copy it before the next launch). */
  memory(): Uint8Array;
}

/**
 * `workers`: the worker count for the device's block pool (CpuDeviceOptions.workers, issue 18's
 * "every core"). Passed through a cast so this compiles before that option lands; a device that
 * does not know it ignores it.
 */
export function deviceRunner(root: string, k: BenchKernel, l: Launch, options: { workers?: number; wasmKernels?: boolean; memory?: WebAssembly.Memory; adaptivePool?: boolean; /** appended to the PTX's hash: a compile of its own (the process-wide cache is by hash) */ idSuffix?: string } = {}): DeviceRunner {
  const ptx = readFileSync(join(root, k.ptx), 'utf8');
  const dev = new CpuDevice({ wasmKernels: options.wasmKernels ?? true, workers: options.workers, ...(options.adaptivePool === false ? { adaptivePool: false } : {}) } as CpuDeviceOptions);
  const kernel = dev.loadKernel(ptx, createHash('sha256').update(ptx).digest('hex') + (options.idSuffix ?? ''), k.entry);
  const wasmMemory = options.memory ?? guestMemoryFor(l);
  const memory = new Uint8Array(wasmMemory.buffer);
  const args = l.args.map(kernelArg);
  return {
    async launch() {
      memory.set(l.image);
      const t0 = performance.now();
      const timing = await dev.launch({ kernel, grid: l.grid, block: l.block, sharedMemBytes: 0, args, memory, wasmMemory });
      const ns = (performance.now() - t0) * 1e6;
      return { ns, backend: timing.backend ?? dev.lastBackend ?? '?' };
    },
    memory: () => memory,
  };
}
