/**
 * One launch of a generated test kernel on a fresh CPU device, for differential tests that run the
 * same kernel on both backends and compare what each left in memory and the error it reported.
 * The memory set-up (a guest WebAssembly.Memory filled with a pattern) and the caught launch were
 * written out again in each such test; only the kernel, the arguments and the pattern differ.
 */
import type { Dim3, KernelArg } from '../../contract/device.js';
import { CpuDevice } from '../devices/cpu/cpu-device.js';

/** A guest memory of `pages` 64 KiB pages whose byte i is `fill(i)` (taken modulo 256). */
export function filledMemory(pages: number, fill: (i: number) => number): { memory: WebAssembly.Memory; bytes: Uint8Array } {
  const memory = new WebAssembly.Memory({ initial: pages });
  const bytes = new Uint8Array(memory.buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = fill(i) & 0xff;
  return { memory, bytes };
}

export interface CaughtLaunch {
  ptx: string;
  entry: string;
  /** The device's PTX cache key: one per PTX text (and per anything else the compiled kernel depends on). */
  hash: string;
  /** The Wasm backend (with the guest's memory passed) or the JavaScript one. */
  wasm: boolean;
  /** Threads for the block pool; default 1 (every block on the calling thread). */
  workers?: number;
  memory: WebAssembly.Memory;
  grid: Dim3;
  block: Dim3;
  args: KernelArg[];
}

/** What a launch left: the guest's bytes after it (a copy), its error message if it failed, the backend that ran it. */
export interface CaughtOutcome {
  bytes: Uint8Array;
  error?: string;
  backend?: string;
}

/** Launches once on a fresh device, catching the launch's error instead of throwing it. */
export function launchCaught(l: CaughtLaunch): CaughtOutcome {
  const bytes = new Uint8Array(l.memory.buffer);
  const dev = new CpuDevice({ wasmKernels: l.wasm, workers: l.workers ?? 1 });
  const kernel = dev.loadKernel(l.ptx, l.hash, l.entry);
  let error: string | undefined;
  try {
    dev.launch({ kernel, grid: l.grid, block: l.block, sharedMemBytes: 0, memory: bytes, wasmMemory: l.memory, args: l.args });
  } catch (e) {
    error = (e as Error).message;
  }
  return { bytes: bytes.slice(), error, backend: dev.lastBackend };
}
