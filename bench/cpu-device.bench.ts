/**
 * CPU device vs native C: the same kernels (fixtures/cuda, sm_75 PTX) on the CPU device and as
 * plain C compiled here with `gcc -O3` and run single-threaded. Prints each ratio
 * (CPU device time / native time) and the geometric mean. Run: npx tsx bench/cpu-device.bench.ts
 * Guest memory is a WebAssembly.Memory, as the engine passes it, so kernels in the CPU device's
 * WebAssembly subset run as Wasm (docs/CPU-DEVICE.md); the table says which backend ran each.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { KernelArg } from '../contract/device.js';
import { CpuDevice } from '../runtime/devices/cpu/cpu-device.js';

/** The repository root, from the TypeScript source (bench/) or the built JavaScript (dist/bench/). */
function repoRoot(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'fixtures', 'cuda')) && existsSync(join(dir, 'bench', 'native'))) return dir;
    dir = join(dir, '..');
  }
  throw new Error('cannot find fixtures/cuda and bench/native above ' + import.meta.dirname);
}
const root = repoRoot();
const REPS = Number(process.env.BENCH_REPS ?? 7);

interface Workload {
  name: string;
  fixture: string;
  native: string;
  nativeArgs: number[];
  /** Guest memory size and the launch, built over fresh memory. */
  setup(): { memory: Uint8Array; grid: [number, number, number]; block: [number, number, number]; shared: number; args: KernelArg[] };
}

const scalar = (tag: 'i32' | 'f32', v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  const dv = new DataView(bytes.buffer);
  if (tag === 'i32') dv.setInt32(0, v, true);
  else dv.setFloat32(0, v, true);
  return { kind: 'scalar', tag, bytes };
};
/**
 * Guest memory as the engine hands it to the device: the bytes of a WebAssembly.Memory (a guest's
 * linear memory), so kernels the CPU device compiles to Wasm run on it directly.
 */
function guestMemory(bytes: number): Uint8Array {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  MEMORIES.set(memory.buffer, memory);
  return new Uint8Array(memory.buffer);
}
const wasmMemoryOf = (memory: Uint8Array): WebAssembly.Memory | undefined => MEMORIES.get(memory.buffer);
const MEMORIES = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();

const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });

function floats(mem: Uint8Array, offset: number, n: number, f: (i: number) => number): void {
  const v = new Float32Array(mem.buffer, offset, n);
  for (let i = 0; i < n; i++) v[i] = f(i);
}

const N_VEC = 1 << 22;
const N_MAT = 256;
const N_RED = 1 << 22;
const N_HIST = 1 << 22;

const WORKLOADS: Workload[] = [
  {
    name: 'vector add',
    fixture: 'vector_add',
    native: 'vector_add',
    nativeArgs: [N_VEC],
    setup() {
      const memory = guestMemory(N_VEC * 12 + 4096);
      floats(memory, 0, N_VEC, (i) => i * 0.5);
      floats(memory, N_VEC * 4, N_VEC, (i) => i * 0.25);
      return { memory, grid: [N_VEC / 256, 1, 1], block: [256, 1, 1], shared: 0, args: [ptr(0, N_VEC * 4), ptr(N_VEC * 4, N_VEC * 4), ptr(N_VEC * 8, N_VEC * 4), scalar('i32', N_VEC)] };
    },
  },
  {
    name: 'saxpy',
    fixture: 'saxpy',
    native: 'saxpy',
    nativeArgs: [N_VEC],
    setup() {
      const memory = guestMemory(N_VEC * 8 + 4096);
      floats(memory, 0, N_VEC, (i) => i * 0.5);
      floats(memory, N_VEC * 4, N_VEC, (i) => i * 0.25);
      return { memory, grid: [N_VEC / 256, 1, 1], block: [256, 1, 1], shared: 0, args: [scalar('i32', N_VEC), scalar('f32', 1.0001), ptr(0, N_VEC * 4), ptr(N_VEC * 4, N_VEC * 4)] };
    },
  },
  ...(['matmul_naive', 'matmul_tiled'] as const).map(
    (k): Workload => ({
      name: k === 'matmul_naive' ? 'naive matmul' : 'tiled matmul',
      fixture: k,
      native: k,
      nativeArgs: [N_MAT],
      setup() {
        const bytes = N_MAT * N_MAT * 4;
        const memory = guestMemory(bytes * 3 + 4096);
        floats(memory, 0, N_MAT * N_MAT, (i) => (i % 7) * 0.1);
        floats(memory, bytes, N_MAT * N_MAT, (i) => (i % 5) * 0.2);
        const g = N_MAT / 16;
        return { memory, grid: [g, g, 1], block: [16, 16, 1], shared: 0, args: [ptr(0, bytes), ptr(bytes, bytes), ptr(bytes * 2, bytes), scalar('i32', N_MAT)] };
      },
    }),
  ),
  {
    name: 'reduction',
    fixture: 'reduce_block',
    native: 'reduction',
    nativeArgs: [N_RED],
    setup() {
      const blocks = N_RED / 256;
      const memory = guestMemory(N_RED * 4 + blocks * 4 + 4096);
      floats(memory, 0, N_RED, (i) => (i % 13) * 0.01);
      return { memory, grid: [blocks, 1, 1], block: [256, 1, 1], shared: 0, args: [ptr(0, N_RED * 4), ptr(N_RED * 4, blocks * 4), scalar('i32', N_RED)] };
    },
  },
  {
    name: 'histogram',
    fixture: 'histogram',
    native: 'histogram',
    nativeArgs: [N_HIST],
    setup() {
      const memory = guestMemory(N_HIST + 1024 + 4096);
      let x = 12345;
      for (let i = 0; i < N_HIST; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        memory[i] = x >>> 24;
      }
      // 256 threads per block, a grid of 64 blocks striding over the data, as a GPU would launch it
      return { memory, grid: [64, 1, 1], block: [256, 1, 1], shared: 0, args: [ptr(0, N_HIST), ptr(N_HIST, 1024), scalar('i32', N_HIST)] };
    },
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Compiles a workload's native baseline with gcc -O3; returns the executable. */
function buildNative(dir: string, w: Workload): string {
  const exe = join(dir, w.native);
  execFileSync('gcc', ['-O3', '-o', exe, join(root, 'bench', 'native', `${w.native}.c`)], { stdio: 'inherit' });
  return exe;
}

/** One native sample: the median ns of NATIVE_REPS runs inside one process (milliseconds each). */
function nativeSampleNs(exe: string, w: Workload): number {
  const out = execFileSync(exe, [...w.nativeArgs.map(String), String(NATIVE_REPS)], { encoding: 'utf8' });
  return Number(out.trim());
}
const NATIVE_REPS = 4;

/**
 * Frees the previous workload's guest memory (tens of MB) and lets the background threads finish
 * with it before the next one is measured: CPU time is the whole process's, and the unmapping
 * of an old WebAssembly.Memory would otherwise be charged to whichever kernel runs next.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function settle(): void {
  collectGarbage();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
}

/** Loads the workload's kernel on a fresh CPU device over fresh guest memory; returns one timed launch. */
function prepareDevice(w: Workload): { run: () => number; backend: () => string } {
  settle();
  const ptx = readFileSync(join(root, 'fixtures', 'cuda', `${w.fixture}.sm_75.ptx`), 'utf8');
  const hash = createHash('sha256').update(ptx).digest('hex');
  // BENCH_BACKEND=js keeps every kernel on the JavaScript backend, for comparison
  const dev = new CpuDevice({ wasmKernels: process.env.BENCH_BACKEND !== 'js' });
  const kernel = dev.loadKernel(ptx, hash, w.fixture);
  const s = w.setup();
  // CPU time of this process (user + system), like the native side's CLOCK_PROCESS_CPUTIME_ID:
  // stable when other processes share the cores.
  const run = (): number => {
    const t0 = process.cpuUsage();
    dev.launch({ kernel, grid: s.grid, block: s.block, sharedMemBytes: s.shared, args: s.args, memory: s.memory, wasmMemory: wasmMemoryOf(s.memory)! });
    const d = process.cpuUsage(t0);
    return (d.user + d.system) * 1000;
  };
  return { run, backend: () => dev.lastBackend ?? '?' };
}

/**
 * Native and device samples taken in turns (native, device, native, …), so both sides of each
 * ratio see the machine in the same state: on a shared box the speed of the moment drifts by up to
 * 2× within a minute, and measuring all of one side first made the same kernel's ratio swing by as much.
 */
function measure(dir: string, w: Workload): { nativeNs: number; deviceNs: number; backend: string } {
  const exe = buildNative(dir, w);
  const device = prepareDevice(w);
  // warm-up: V8 optimises the JavaScript kernel, and tiers the Wasm kernel up from its baseline compiler
  device.run();
  device.run();
  nativeSampleNs(exe, w);
  const nativeTimes: number[] = [];
  const deviceTimes: number[] = [];
  for (let i = 0; i < REPS; i++) {
    nativeTimes.push(nativeSampleNs(exe, w));
    deviceTimes.push(device.run());
  }
  return { nativeNs: median(nativeTimes), deviceNs: median(deviceTimes), backend: device.backend() };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-wasm-bench-'));
  console.log(`CPU device vs gcc -O3 (single thread), median CPU time of ${REPS} runs each, taken in turns (each native run: the median of ${NATIVE_REPS} in one process)`);
  console.log(['kernel'.padEnd(14), 'native ms'.padStart(10), 'cpu dev ms'.padStart(11), 'ratio'.padStart(8), 'backend'.padStart(8)].join(' '));
  const ratios: number[] = [];
  for (const w of WORKLOADS) {
    const m = measure(dir, w);
    const ratio = m.deviceNs / m.nativeNs;
    ratios.push(ratio);
    console.log([w.name.padEnd(14), (m.nativeNs / 1e6).toFixed(2).padStart(10), (m.deviceNs / 1e6).toFixed(2).padStart(11), `${ratio.toFixed(2)}x`.padStart(8), m.backend.padStart(8)].join(' '));
  }
  const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  console.log(`geomean ratio: ${geo.toFixed(2)}x slower than native (goal: <= 5x)`);
}

main();
