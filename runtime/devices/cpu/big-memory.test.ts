/**
 * Guest memories of 2 GiB and more (a 32-bit Wasm memory may hold up to 4 GiB): a launch whose
 * windows lie above 2^31 runs on both backends and on the pool, with the sums a plain loop in this
 * file computes. (Typed views were once made with `length >> k`, negative from 2 GiB on, so every
 * launch of such a guest threw a RangeError.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';
import { pooledLaunches } from './pool/pool-launch.js';

const ptx = readFileSync(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda', 'vector_add.sm_75.ptx'), 'utf8');
const PAGE = 65536;
const n = 70_000; // 274 blocks of 256: enough threads for the pool

const i32 = (v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, v, true);
  return { kind: 'scalar', tag: 'i32', bytes };
};

// One memory per size for the whole file: each is gigabytes of address space (pages are touched lazily).
const memories = new Map<number, WebAssembly.Memory>();
const memoryOf = (pages: number): WebAssembly.Memory => {
  let m = memories.get(pages);
  if (!m) memories.set(pages, (m = new WebAssembly.Memory({ initial: pages })));
  return m;
};
afterAll(() => memories.clear());

describe('guest memories of 2 GiB and more', () => {
  // 2 GiB + 1 MiB (every length from 2 GiB on made a negative shift), and the 4 GiB maximum
  for (const pages of [32784, 65536]) {
    for (const [label, wasm, workers] of [['JavaScript backend', false, 1], ['Wasm backend, one thread', true, 1], ['Wasm backend, block pool', true, 2]] as const) {
      it(`${pages} pages: vector_add with its arrays above 2^31 (${label})`, () => {
        const memory = memoryOf(pages);
        const bytes = new Uint8Array(memory.buffer);
        const dv = new DataView(memory.buffer);
        const top = pages * PAGE;
        // the three arrays in the last megabytes, 4 KiB apart: every offset above 2^31
        const z = top - 4096 - 4 * n, y = z - 4096 - 4 * n, x = y - 4096 - 4 * n;
        expect(x).toBeGreaterThan(2 ** 31);
        for (let i = 0; i < n; i++) {
          dv.setFloat32(x + 4 * i, i * 0.5, true);
          dv.setFloat32(y + 4 * i, 1000 - i, true);
          dv.setFloat32(z + 4 * i, -1, true);
        }
        // adaptivePool off: the pool's choice from the last launch's timing would make the test depend on the machine's speed
        const dev = new CpuDevice({ wasmKernels: wasm, workers, adaptivePool: false });
        const k = dev.loadKernel(ptx, `big-memory-${pages}`, 'vector_add');
        const ptr = (offset: number): KernelArg => ({ kind: 'pointer', offset, length: 4 * n });
        const pooledBefore = pooledLaunches();
        // twice: the second launch finds the pool's kept launch memory, grown to this guest's size
        for (let launch = 0; launch < 2; launch++) {
          dev.launch({ kernel: k, grid: [Math.ceil(n / 256), 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: wasm ? memory : undefined, args: [ptr(x), ptr(y), ptr(z), i32(n)] });
        }
        expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
        if (workers > 1) expect(pooledLaunches()).toBeGreaterThan(pooledBefore);
        let wrong = 0;
        for (let i = 0; i < n; i++) if (dv.getFloat32(z + 4 * i, true) !== Math.fround(Math.fround(i * 0.5) + (1000 - i))) wrong++;
        expect(wrong).toBe(0);
        // the bytes after z are untouched
        expect(dv.getUint32(z + 4 * n, true)).toBe(0);
      }, 60_000);
    }
  }
});
