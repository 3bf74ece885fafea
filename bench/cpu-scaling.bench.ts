/**
 * CPU device scaling: the same big-grid launches with their blocks on 1 thread and on 2 (the
 * calling thread and one block-pool worker, runtime/devices/cpu/pool/), in the same run, over a
 * WebAssembly.Memory as the engine passes guest memory. Prints each kernel's median time per
 * thread count and the ratio (2 threads / 1); issue 18's goal is ≤ 0.6× for a big grid.
 * Run: npm run bench -- cpu-scaling   (BENCH_REPS sets the repetitions, default 7; BENCH_THREADS
 * a larger thread count to print beside 2, on a machine with more cores.)
 * The machine's load average is printed with the figures: other work on the cores shows up here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Dim3, KernelArg } from '../contract/device.js';
import { CpuDevice } from '../runtime/devices/cpu/cpu-device.js';
import { blockPool } from '../runtime/devices/cpu/pool/block-pool.js';
import { lastStats, pooledLaunches } from '../runtime/devices/cpu/pool/pool-launch.js';
import { repoRoot } from './repo-root.js';
import { percentile } from './stats.js';

const root = repoRoot(import.meta.dirname);
const REPS = Number(process.env.BENCH_REPS ?? 7);
const EXTRA = Number(process.env.BENCH_THREADS ?? 0);
const GOAL = 0.6;

interface Case {
  name: string;
  /** Allocates the inputs in `mem` (a guest memory) and returns the launch. */
  setup(mem: Guest): { grid: Dim3; block: Dim3; args: KernelArg[] };
}

/** A guest memory: a WebAssembly.Memory and a bump allocator over it. */
class Guest {
  readonly memory: WebAssembly.Memory;
  readonly bytes: Uint8Array;
  private top = 1024;
  constructor(size: number) {
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(size / 65536) });
    this.bytes = new Uint8Array(this.memory.buffer);
  }
  f32(n: number, fill: (i: number) => number): KernelArg {
    const offset = this.top;
    this.top = Math.ceil((offset + 4 * n) / 256) * 256;
    const f = new Float32Array(this.memory.buffer, offset, n);
    for (let i = 0; i < n; i++) f[i] = fill(i);
    return { kind: 'pointer', offset, length: 4 * n };
  }
  u8(n: number, fill: (i: number) => number): KernelArg {
    const offset = this.top;
    this.top = Math.ceil((offset + n) / 256) * 256;
    for (let i = 0; i < n; i++) this.bytes[offset + i] = fill(i);
    return { kind: 'pointer', offset, length: n };
  }
}

const i32 = (v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, v, true);
  return { kind: 'scalar', tag: 'i32', bytes };
};

const CASES: Case[] = [
  {
    name: 'matmul_tiled',
    setup: (g) => {
      const n = 512;
      return { grid: [n / 16, n / 16, 1], block: [16, 16, 1], args: [g.f32(n * n, (i) => (i % 7) - 3), g.f32(n * n, (i) => (i % 5) - 2), g.f32(n * n, () => 0), i32(n)] };
    },
  },
  {
    name: 'matmul_naive',
    setup: (g) => {
      const n = 384;
      return { grid: [n / 16, n / 16, 1], block: [16, 16, 1], args: [g.f32(n * n, (i) => (i % 7) - 3), g.f32(n * n, (i) => (i % 5) - 2), g.f32(n * n, () => 0), i32(n)] };
    },
  },
  {
    name: 'histogram',
    setup: (g) => {
      const n = 1 << 23;
      const bins = g.f32(256, () => 0);
      return { grid: [n / 256, 1, 1], block: [256, 1, 1], args: [g.u8(n, (i) => (i * 2654435761) >>> 24), bins, i32(n)] };
    },
  },
  {
    name: 'vector_add',
    setup: (g) => {
      const n = 1 << 23;
      return { grid: [n / 256, 1, 1], block: [256, 1, 1], args: [g.f32(n, (i) => i), g.f32(n, (i) => 2 * i), g.f32(n, () => 0), i32(n)] };
    },
  },
];

function timeCase(c: Case, threads: number): { ms: number; cores: number; pooled: number; blocks: number[] } {
  const device = new CpuDevice({ workers: threads });
  const ptx = readFileSync(join(root, 'fixtures', 'cuda', `${c.name}.sm_75.ptx`), 'utf8');
  const kernel = device.loadKernel(ptx, createHash('sha256').update(ptx).digest('hex'), c.name);
  const guest = new Guest(128 << 20);
  const launch = c.setup(guest);
  const run = (): void => {
    device.launch({ kernel, ...launch, sharedMemBytes: 0, memory: guest.bytes, wasmMemory: guest.memory });
  };
  run(); // compile and warm up
  if (device.lastBackend !== 'wasm') throw new Error(`${c.name} ran on the ${device.lastBackend} backend`);
  const samples: number[] = [];
  const pooledBefore = pooledLaunches();
  let cpu = 0, wall = 0;
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    samples.push(ms);
    wall += ms;
    cpu += (c.user + c.system) / 1000;
  }
  device.dispose();
  return { ms: percentile(samples, 50), cores: cpu / wall, pooled: pooledLaunches() - pooledBefore, blocks: threads > 1 ? [...(lastStats?.blocksPerThread ?? [])] : [] };
}

const counts = [1, 2, ...(EXTRA > 2 ? [EXTRA] : [])];
blockPool().warm(Math.max(...counts) - 1);
console.log(`cores: ${availableParallelism()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; median of ${REPS} launches each`);
// cores busy: the process's CPU time over the launches' wall time (a second thread that gets no
// second core shows as 1.0); pooled: how many of the timed launches went to the pool (pool-choice.ts)
console.log(['kernel'.padEnd(14), ...counts.map((t) => `${t} thread${t > 1 ? 's' : ''}`.padStart(12)), '2 / 1'.padStart(8), 'cores busy'.padStart(14), 'pooled'.padStart(8), 'blocks per thread'.padStart(20)].join(''));
const ratios: number[] = [];
for (const c of CASES) {
  const times = counts.map((t) => timeCase(c, t));
  const ratio = times[1]!.ms / times[0]!.ms;
  ratios.push(ratio);
  console.log([c.name.padEnd(14), ...times.map((t) => `${t.ms.toFixed(1)} ms`.padStart(12)), `${ratio.toFixed(2)}×`.padStart(8), times.slice(0, 2).map((t) => t.cores.toFixed(2)).join(' / ').padStart(14), `${times[1]!.pooled}/${REPS}`.padStart(8), times[1]!.blocks.join(' / ').padStart(20)].join(''));
}
const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
const best = Math.min(...ratios);
console.log(`scaling, 2 threads / 1 thread: geomean ${geomean.toFixed(2)}×, best ${best.toFixed(2)}× (${CASES[ratios.indexOf(best)]!.name})  (goal ≤ ${GOAL}× for a big grid)  ${geomean <= GOAL ? 'MET' : 'NOT MET'}`);
