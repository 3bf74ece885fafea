/**
 * The block pool: blocks of one launch on several threads give the bytes one thread gives (CUDA's
 * results don't depend on block order, save atomics' order and races), global atomics count
 * exactly across threads, a fault reports the same words, and a crashed worker costs one launch.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceError, type Dim3 } from '../../../../contract/device.js';
import { defaultFixtureDir } from '../../conformance/suite.js';
import { GuestMemory, launch, type Arg, type Buf } from '../../conformance/harness.js';
import { rng } from '../../conformance/reference.js';
import { CpuDevice } from '../cpu-device.js';
import { blockPool, existingBlockPool, isDead } from './block-pool.js';
import { CTL, OUTCOME, THREAD_WORDS, controlWords } from './block-runner.js';
import { lastStats, lowestFailure, poolTesting } from './pool-launch.js';

const FIXTURES = defaultFixtureDir();
const ptxOf = (name: string): string => readFileSync(join(FIXTURES, `${name}.sm_75.ptx`), 'utf8');
const hashOf = (ptx: string): string => createHash('sha256').update(ptx).digest('hex');

function load(device: CpuDevice, name: string, entry = name) {
  const ptx = ptxOf(name);
  return device.loadKernel(ptx, hashOf(ptx), entry);
}

const threadsOf = (workers: number): CpuDevice => new CpuDevice({ workers, poolMinThreads: 1, adaptivePool: false });

/** A kernel, the buffers it takes for a grid and block, and its arguments. */
interface Setup {
  name: string;
  args(mem: GuestMemory, grid: Dim3, block: Dim3, random: () => number): Arg[];
  block(pick: number): Dim3;
  /**
   * The kernel reads what it writes and indexes by blockIdx.x alone: blocks differing only in y or
   * z update the same elements, a race whose result CUDA leaves open (two workers may read the same
   * old value), so its grids are one row of blocks.
   */
  xOnly?: true;
}

const f32s = (random: () => number, n: number): number[] => Array.from({ length: n }, () => Math.fround(random() * 200 - 100));
const i32s = (random: () => number, n: number): number[] => Array.from({ length: n }, () => Math.floor(random() * 2 ** 32) | 0);
const pickOf = (shapes: Dim3[], p: number): Dim3 => shapes[p % shapes.length]!;
const threadsIn = (g: Dim3, b: Dim3): number => g[0] * g[1] * g[2] * b[0] * b[1] * b[2];

const SETUPS: Setup[] = [
  {
    name: 'vector_add',
    block: (p) => pickOf([[32, 1, 1], [64, 1, 1], [96, 1, 1]], p),
    args: (mem, g, b, r) => {
      const n = threadsIn(g, b) - 7; // a ragged end: the last block's tail threads skip
      return [mem.f32(f32s(r, n)), mem.f32(f32s(r, n)), mem.f32(new Array(n).fill(0)), ['i32', n]];
    },
  },
  {
    name: 'saxpy',
    xOnly: true, // y[i] = a*x[i] + y[i], i from blockIdx.x only
    block: (p) => pickOf([[32, 1, 1], [128, 1, 1]], p),
    args: (mem, g, b, r) => {
      const n = threadsIn(g, b);
      return [['i32', n], ['f32', Math.fround(1.5)], mem.f32(f32s(r, n)), mem.f32(f32s(r, n))];
    },
  },
  {
    name: 'grid_stride',
    block: (p) => pickOf([[32, 1, 1], [64, 1, 1]], p),
    args: (mem, g, b, r) => {
      const n = 3 * threadsIn(g, b) + 5;
      return [mem.i32(i32s(r, n)), mem.i32(new Array(n).fill(0)), ['i32', n]];
    },
  },
  {
    name: 'index3d',
    block: (p) => pickOf([[8, 4, 2], [4, 4, 4], [16, 2, 1]], p),
    args: (mem, g, b) => {
      const nx = g[0] * b[0] - 1, ny = g[1] * b[1], nz = g[2] * b[2];
      return [mem.i32(new Array(Math.max(1, nx * ny * nz) * 4).fill(0)), ['i32', nx], ['i32', ny], ['i32', nz]];
    },
  },
  {
    name: 'reduce_block',
    xOnly: true, // n and out count the blocks along x only
    block: () => [256, 1, 1],
    args: (mem, g, _b, r) => {
      const n = g[0] * 256 - 13;
      return [mem.f32(f32s(r, n)), mem.f32(new Array(g[0] * g[1] * g[2]).fill(0)), ['i32', n]];
    },
  },
  {
    name: 'histogram',
    block: (p) => pickOf([[64, 1, 1], [256, 1, 1]], p),
    args: (mem, g, b, r) => {
      const n = 2 * threadsIn(g, b);
      return [mem.u8(Array.from({ length: n }, () => Math.floor(r() * 256))), mem.i32(new Array(256).fill(0)), ['i32', n]];
    },
  },
];

/** Guest memory after one launch of `setup` on `workers` threads, from the same seeded start (`shared`: the guest's memory is a shared one). */
function bytesAfter(setup: Setup, workers: number, grid: Dim3, pick: number, seed: number, shared = false): Uint8Array {
  const device = threadsOf(workers);
  try {
    const kernel = load(device, setup.name);
    const random = rng(seed);
    const mem = new GuestMemory(1 << 20, random, shared ? 'shared' : true);
    const block = setup.block(pick);
    launch(device, kernel, mem, grid, block, setup.args(mem, grid, block, random));
    expect(device.lastBackend).toBe('wasm');
    return mem.bytes.slice();
  } finally {
    device.dispose();
  }
}

/** Property: a launch of a fixtures/cuda kernel leaves the same guest bytes with workers=1 and workers=`workers` (`shared`: in a shared guest memory, where the pool copies nothing). */
function propertySameBytes(workers = 2, shared = false): void {
  fc.assert(
    fc.property(
      fc.constantFrom(...SETUPS),
      fc.tuple(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
      fc.nat(5),
      fc.nat(),
      (setup, grid, pick, seed) => {
        const g: Dim3 = setup.xOnly ? [grid[0], 1, 1] : grid;
        const one = bytesAfter(setup, 1, g, pick, seed);
        const many = bytesAfter(setup, workers, g, pick, seed, shared);
        expect(Buffer.compare(one, many), `${setup.name} grid ${g.join('x')}`).toBe(0);
        expect(lastStats?.inPlace).toBe(shared);
      },
    ),
    { numRuns: 25 },
  );
}

describe('the CPU device block pool', () => {
  it('leaves a launch of one block, or a small grid under poolMinThreads, on the calling thread: no pool is made', () => {
    const device = new CpuDevice({ workers: 2, poolMinThreads: 1, adaptivePool: false });
    const kernel = load(device, 'vector_add');
    const mem = new GuestMemory(1 << 20, rng(1), true);
    const a = mem.f32([1, 2, 3]), b = mem.f32([4, 5, 6]), c = mem.f32([0, 0, 0]);
    launch(device, kernel, mem, [1, 1, 1], [32, 1, 1], [a, b, c, ['i32', 3]]);
    const small = new CpuDevice({ workers: 2 }); // the default threshold
    launch(small, load(small, 'vector_add'), mem, [4, 1, 1], [32, 1, 1], [a, b, c, ['i32', 3]]);
    expect(mem.readF32(c)).toEqual([5, 7, 9]);
    expect(existingBlockPool()).toBeUndefined();
  });

  it('gives the bytes one thread gives, over fixtures/cuda kernels and grid shapes, with the blocks on two workers at once', () => {
    expect(blockPool().warm(2)).toBe(true);
    poolTesting.callerSkips = true; // every block on the two workers, none on this thread
    try {
      propertySameBytes(3);
    } finally {
      poolTesting.callerSkips = false;
    }
    expect(existingBlockPool()?.started).toBe(2);
  });

  it('gives the bytes one thread gives with the caller and a worker sharing the blocks', () => {
    propertySameBytes();
    expect(existingBlockPool()?.started).toBe(2);
  });

  it('runs in a shared guest memory in place: the same bytes, junk in the scratch gap put back, no window copied', () => {
    propertySameBytes(2, true);
  });

  it('runs a shared guest memory launch on one thread in that memory too (the kernel variant that imports a shared memory)', () => {
    const device = threadsOf(1);
    const kernel = load(device, 'vector_add');
    const mem = new GuestMemory(1 << 20, rng(3), 'shared');
    const a = mem.f32([1, 2, 3]), b = mem.f32([4, 5, 6]), c = mem.f32([0, 0, 0]);
    launch(device, kernel, mem, [1, 1, 1], [32, 1, 1], [a, b, c, ['i32', 3]]);
    expect(device.lastBackend).toBe('wasm');
    expect(mem.readF32(c)).toEqual([5, 7, 9]);
  });

  it("sends a small grid of a long kernel to the pool once its first launch has shown it long (64 threads, each looping 2^17 times)", async () => {
    const { pooledLaunches } = await import('./pool-launch.js');
    const device = new CpuDevice({ workers: 2 }); // the default poolMinThreads (16384) and the adaptive choice
    const kernel = load(device, 'grid_stride');
    const n = 1 << 23;
    const mem = new GuestMemory(80 << 20, rng(5), 'shared'); // in place: no copies for the adaptive choice to weigh
    const x = mem.i32(Array.from({ length: n }, (_, i) => i)), y = mem.i32(new Array(n).fill(0));
    const before = pooledLaunches();
    launch(device, kernel, mem, [2, 1, 1], [32, 1, 1], [x, y, ['i32', n]]);
    expect(pooledLaunches()).toBe(before); // nothing known of it yet: one thread
    launch(device, kernel, mem, [2, 1, 1], [32, 1, 1], [x, y, ['i32', n]]);
    expect(pooledLaunches()).toBe(before + 1);
    expect(lastStats?.inPlace).toBe(true);
    const out = new Int32Array(mem.bytes.buffer, y.offset, n);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (out[i] !== 2 * i) wrong++; // in[i] * 3 - i
    expect(wrong).toBe(0);
    device.dispose();
  });

  it('counts every global atomic across threads: a histogram of 2^18 bytes is exact', () => {
    expect(blockPool().warm(1)).toBe(true);
    const device = threadsOf(2);
    const kernel = load(device, 'histogram');
    const random = rng(7);
    const n = 1 << 18;
    const data = Array.from({ length: n }, () => Math.floor(random() * 256) & (random() < 0.5 ? 0xff : 0x0f));
    const want = new Array<number>(256).fill(0);
    for (const v of data) want[v]!++;
    for (let attempt = 0; attempt < 3; attempt++) {
      const mem = new GuestMemory(1 << 20, random, true);
      const bins = mem.i32(new Array(256).fill(0));
      // one block per 256 bytes: 1024 blocks, each adding its shared counts into the global bins
      launch(device, kernel, mem, [n / 256, 1, 1], [256, 1, 1], [mem.u8(data), bins, ['i32', n]]);
      expect(mem.readU32(bins)).toEqual(want);
    }
  });

  it('makes every global atomic of the atomics fixture atomic across threads: 2^20 threads on the same words give exact totals', () => {
    expect(blockPool().warm(1)).toBe(true);
    const device = threadsOf(2);
    const kernel = load(device, 'atomics');
    const random = rng(11);
    const n = 1 << 20; // inputs below 16: 15 * n < 2^24, so the float sum of small integers is exact in any order
    const v = Array.from({ length: n }, () => Math.floor(random() * 16));
    const u32 = (x: number): number => x >>> 0;
    // expected values from the CUDA C semantics of each atomic, computed here over the inputs
    let add = 0, min = 2147483647, max = -2147483648, and = -1, or = 0, xor = 0, umax = 0, fsum = 0, usum = 0n;
    for (const x of v) {
      add = (add + x) | 0;
      min = Math.min(min, x);
      max = Math.max(max, x);
      and &= x | 0xff00ff;
      or |= x & 0x0f0f0;
      xor ^= x;
      umax = Math.max(umax, u32(x));
      fsum += x & 255;
      usum = BigInt.asUintN(64, usum + BigInt(u32(x)) * 4096n);
    }
    // a lost update needs both threads inside the same read-modify-write at once, which a busy
    // machine makes rare: several launches, each of which must be exact
    let concurrent = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const mem = new GuestMemory(8 << 20, random, true);
      const ints = mem.i32([0, 2147483647, -2147483648, -1, 0, 0, 0, 0, 0, 0]);
      const fs = mem.f32([0]), us = mem.u64([0n]);
      launch(device, kernel, mem, [n / 256, 1, 1], [256, 1, 1], [mem.i32(v), ints, fs, us, ['i32', n]]);
      const got = mem.readI32(ints);
      // ints[7] is a compare-and-swap chain that only counts up in thread order: left out
      expect([got[0], got[1], got[2], got[3], got[4], got[5], got[6], u32(got[8]!), u32(got[9]!)]).toEqual([add, min, max, and, or, xor, 42, umax, n % 1001]);
      expect(mem.readF32(fs)).toEqual([fsum]);
      expect(mem.readI64(us).map((x) => BigInt.asUintN(64, x))).toEqual([usum]);
      if (lastStats!.blocksPerThread.every((b) => b > 0)) concurrent++;
    }
    expect(concurrent, 'launches in which both threads ran blocks').toBeGreaterThan(0);
  });

  it('reports the lowest faulting block in memcheck\'s words, as one thread does, wherever the window ends', () => {
    expect(blockPool().warm(1)).toBe(true);
    const blocks = 2048, n = blocks * 64;
    const a = f32s(rng(4), n), b = f32s(rng(5), n);
    const message = (workers: number, cLength: number): string => {
      const device = threadsOf(workers);
      const kernel = load(device, 'vector_add');
      const mem = new GuestMemory(4 << 20, rng(3), true);
      const args: Arg[] = [mem.f32(a), mem.f32(b), mem.alloc(cLength), ['i32', n]];
      try {
        // c's window is short: every thread from cLength / 4 on writes past it, so every later block faults too
        launch(device, kernel, mem, [blocks, 1, 1], [64, 1, 1], args);
      } catch (error) {
        expect(error).toBeInstanceOf(DeviceError);
        return (error as Error).message;
      }
      throw new Error('the launch did not fault');
    };
    // the blocks on two workers at once (the caller runs none): when both trap, the report must
    // still be the lowest faulting block's (lowestFailure, tested below, whatever the machine's load)
    expect(blockPool().warm(2)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: n, max: 4 * n - 4 }), (length) => {
        const cLength = length & ~3;
        const one = message(1, cLength);
        expect(one).toMatch(/invalid __global__ write of 4 bytes/);
        expect(message(2, cLength)).toBe(one);
        poolTesting.callerSkips = true;
        try {
          expect(message(3, cLength)).toBe(one);
        } finally {
          poolTesting.callerSkips = false;
        }
      }),
      { numRuns: 10 },
    );
  });

  it('picks the failure one thread would have met first: the lowest faulting block, or the chunk a failure without a record stopped in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ outcome: fc.constantFrom(OUTCOME.ok, OUTCOME.trapped, OUTCOME.error), chunk: fc.nat(1000), offset: fc.nat(31), recorded: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        (threads) => {
          const ctl = new Int32Array(controlWords(threads.length));
          threads.forEach((t, k) => {
            ctl[CTL.threads + THREAD_WORDS * k] = t.outcome;
            ctl[CTL.threads + THREAD_WORDS * k + 1] = t.chunk;
          });
          const faultBlock = (k: number): number | undefined => (threads[k]!.recorded ? threads[k]!.chunk + threads[k]!.offset : undefined);
          // the oracle: every failing thread's block, written out from the rule, and the least
          const failing = threads
            .map((t, k) => ({ k, block: t.outcome === OUTCOME.trapped && t.recorded ? t.chunk + t.offset : t.chunk, failed: t.outcome !== OUTCOME.ok }))
            .filter((f) => f.failed);
          const got = lowestFailure(ctl, threads.length, faultBlock);
          if (failing.length === 0) {
            expect(got).toBeUndefined();
            return;
          }
          const least = Math.min(...failing.map((f) => f.block));
          expect(got?.block).toBe(least);
          expect(failing.find((f) => f.k === got!.k)?.block).toBe(least);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a worker that dies mid-launch fails that launch with -7; the next launch gets a fresh worker and the right bytes', () => {
    const device = threadsOf(2);
    const kernel = load(device, 'vector_add');
    const run = (): number[] => {
      const mem = new GuestMemory(1 << 20, rng(9), true);
      const n = 64 * 64;
      const c = mem.f32(new Array(n).fill(0));
      launch(device, kernel, mem, [64, 1, 1], [64, 1, 1], [mem.f32(new Array(n).fill(1)), mem.f32(new Array(n).fill(2)), c, ['i32', n]]);
      return mem.readF32(c);
    };
    expect(run().every((v) => v === 3)).toBe(true);
    const pool = blockPool();
    expect(pool.warm(1)).toBe(true); // a worker still starting takes no task: the caller runs every block
    const crashed = pool.membersForTest()[0]!;
    crashed.port.postMessage({ type: 'crash-next' });
    let error: unknown;
    // the crash comes when the worker takes a task: the caller runs no block, so the worker surely
    // gets one (on a busy machine a caller that ran blocks often finished them all first)
    poolTesting.callerSkips = true;
    try {
      run();
    } catch (e) {
      error = e;
    } finally {
      poolTesting.callerSkips = false;
    }
    expect(error).toBeInstanceOf(DeviceError);
    expect((error as DeviceError).message).toMatch(/worker thread stopped while it ran blocks of kernel 'vector_add'/);
    expect(run().every((v) => v === 3)).toBe(true);
    // the dead worker left the pool (the next launch ran on another: a live one, or a fresh one)
    expect(isDead(crashed)).toBe(true);
    expect(pool.membersForTest().includes(crashed)).toBe(false);
  });
});
