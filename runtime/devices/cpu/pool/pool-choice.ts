/**
 * Whether a launch is worth the pool: the pool saves (1 − 1/threads) of the kernel's time but
 * costs copying every window in and out of the launch memory, which for a memory-bound kernel
 * (vector add: 3 × 32 MiB moved twice around a 22 ms kernel) is more than it saves. Each kernel
 * remembers its time per block from its last launch (on one thread, or on the pool scaled by its
 * threads) and the share of its window bytes that launch copied back (only the windows it may have
 * written go back), this thread remembers how fast windows copied; a launch goes to the pool when
 * the time saved exceeds the copies' cost by half again. A kernel's first launch goes to the pool.
 */
import type { WasmKernel } from '../wasm/compile-wasm.js';

const msPerBlock = new WeakMap<WasmKernel, number>();

/** Copy cost, ms per byte (in and out counted once each); a first guess of 2 GB/s until a pooled launch measures it. */
let copyMsPerByte = 1 / 2e6;

export function worthPooling(kernel: WasmKernel, blocks: number, threads: number, windowBytes: number): boolean {
  const perBlock = msPerBlock.get(kernel);
  if (perBlock === undefined) return true;
  const saved = perBlock * blocks * (1 - 1 / threads);
  // every window copied in; back, the share of the window bytes the kernel's last pooled launch wrote (all until one has)
  return saved > 1.5 * (1 + (backShare.get(kernel) ?? 1)) * windowBytes * copyMsPerByte;
}

/** The share of its window bytes each kernel's last pooled launch copied back (the windows it may have written: pool-launch.ts). */
const backShare = new WeakMap<WasmKernel, number>();

/** A pooled launch of `kernel` copied `backBytes` of its `windowBytes` back to the guest. */
export function recordCopyBack(kernel: WasmKernel, windowBytes: number, backBytes: number): void {
  if (windowBytes > 0) backShare.set(kernel, Math.min(1, backBytes / windowBytes));
}

/**
 * A launch under poolMinThreads threads still goes to the pool when the kernel's last launch says
 * it runs this long on one thread (n-body: 23 blocks, each thread looping over every body).
 */
export const POOL_MIN_MS = 2;

/** The blocks of each kernel's last launch: longEnoughToPool extrapolates only from a launch of about the same size. */
const lastBlocks = new WeakMap<WasmKernel, number>();

/**
 * Whether the kernel's last launch says `blocks` of it take at least POOL_MIN_MS on one thread:
 * false before its first launch, and after a launch of fewer than half as many blocks (a one-block
 * launch's time, on a busy machine or before V8 optimised the kernel, says little of four blocks).
 */
export function longEnoughToPool(kernel: WasmKernel, blocks: number): boolean {
  const perBlock = msPerBlock.get(kernel);
  const measured = lastBlocks.get(kernel);
  return perBlock !== undefined && measured !== undefined && 2 * measured >= blocks && perBlock * blocks >= POOL_MIN_MS;
}

/** A launch's kernel time on `threads` threads (1: the calling thread alone). */
export function recordKernelTime(kernel: WasmKernel, ms: number, blocks: number, threads: number): void {
  if (blocks > 0 && ms >= 0) {
    msPerBlock.set(kernel, (ms * threads) / blocks);
    lastBlocks.set(kernel, blocks);
  }
}

/** Copying `bytes` (one way) took `ms`; a moving average over launches. */
export function recordCopy(bytes: number, ms: number): void {
  if (bytes < 1 << 20) return; // too small to time
  copyMsPerByte = 0.5 * copyMsPerByte + 0.5 * (ms / bytes);
}
