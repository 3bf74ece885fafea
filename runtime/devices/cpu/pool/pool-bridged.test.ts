/**
 * A kernel with bridged instructions (js-bridge.ts) on the block pool: the workers rebuild the
 * bridge functions from their sources (WasmKernel.bridgeSources), so softmax — whose expf keeps an
 * ex2 bridge for inputs outside its native range — runs its blocks on every thread and gives the
 * bytes one thread and the JavaScript backend give, the bridge taken in the workers too.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { blockPool } from './block-pool.js';
import { lastStats, poolTesting, pooledLaunches } from './pool-launch.js';

const PTX = readFileSync(join(__dirname, '../../../../fixtures/bench-kernels/softmax.sm_75.ptx'), 'utf8');
const HASH = createHash('sha256').update(PTX).digest('hex');
const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const i32 = (v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, v, true);
  return { kind: 'scalar', tag: 'i32', bytes };
};

/** softmax over rows × cols of `xs` (a spread of hundreds: some exps leave ex2's native range). */
function run(device: CpuDevice, rows: number, cols: number, xs: number[]): Uint8Array {
  const n = rows * cols;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((1024 + 8 * n) / 65536) + 1 });
  const bytes = new Uint8Array(memory.buffer);
  const f = new Float32Array(memory.buffer, 1024, n);
  for (let i = 0; i < n; i++) f[i] = xs[i % xs.length]!;
  const kernel = device.loadKernel(PTX, HASH, 'softmax');
  device.launch({ kernel, grid: [rows, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(1024, 4 * n), ptr(1024 + 4 * n, 4 * n), i32(cols)] });
  return bytes.slice(1024 + 4 * n, 1024 + 8 * n);
}

describe('a kernel with bridged instructions on the block pool', () => {
  it('runs softmax on two workers with the bytes of one thread and of the JavaScript backend (fast-check)', () => {
    expect(blockPool().warm(2)).toBe(true);
    poolTesting.callerSkips = true; // every block on the workers: their bridges are the ones called
    try {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 400 }), fc.array(fc.float({ min: -300, max: 40, noNaN: true }), { minLength: 17, maxLength: 17 }), (rows, cols, xs) => {
          const before = pooledLaunches();
          const pooled = run(new CpuDevice({ workers: 2, poolMinThreads: 1, adaptivePool: false }), rows, cols, xs);
          expect(pooledLaunches()).toBe(before + 1);
          expect(lastStats?.blocksPerThread[0]).toBe(0);
          const one = run(new CpuDevice({ workers: 1 }), rows, cols, xs);
          const js = run(new CpuDevice({ wasmKernels: false }), rows, cols, xs);
          expect(Buffer.from(pooled).equals(Buffer.from(one))).toBe(true);
          expect(Buffer.from(pooled).equals(Buffer.from(js))).toBe(true);
        }),
        { numRuns: 4 },
      );
    } finally {
      poolTesting.callerSkips = false;
    }
  });
});
