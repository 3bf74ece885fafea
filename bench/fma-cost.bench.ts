/**
 * `npm run bench -- fma-cost`: what the exact `fma.rn.f32` costs the CPU device's memory-bound
 * kernels (docs/CPU-DEVICE.md, "Grid-stride loops in lock-step"). saxpy and the grid-stride loop
 * are timed as nvcc wrote them and with their one `fma.rn.f32` replaced — by a (not exact) `mul`
 * and `add`, by the f64 steps the exact form starts with (promote, f64 mul, f64 add, demote)
 * without its tie test, or (grid-stride) by a copy — beside vector add, which has the same shape
 * as saxpy. Wall-clock medians of BENCH_REPS (default 7) launches, variants alternating, on one
 * worker, with the machine's load average.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { KernelArg } from '../contract/device.js';
import { CpuDevice } from '../runtime/devices/cpu/cpu-device.js';
import { repoRoot } from './repo-root.js';

const REPS = Number(process.env.BENCH_REPS ?? 7);
const root = repoRoot(import.meta.dirname);
const read = (f: string): string => readFileSync(join(root, f), 'utf8');

/** Replaces the kernel's one `fma.rn.f32 d, a, b, c` by `form(d, a, b, c)`, declaring f64 registers for it. */
function withoutFma(ptx: string, form: (d: string, a: string, b: string, c: string) => string[]): string {
  const re = /fma\.rn\.f32\s+(%f\d+), (%f\d+), (%f\d+), (%f\d+);/;
  const m = re.exec(ptx);
  if (!m) throw new Error('internal: no fma.rn.f32 in the kernel');
  return ptx.replace('.reg .b64', '.reg .f64 %fdx<4>;\n\t.reg .b64').replace(re, form(m[1]!, m[2]!, m[3]!, m[4]!).join('\n\t'));
}
const mulAdd = (d: string, a: string, b: string, c: string): string[] => [`mul.rn.f32 ${d}, ${a}, ${b};`, `add.rn.f32 ${d}, ${d}, ${c};`];
const viaF64 = (d: string, a: string, b: string, c: string): string[] => [
  `cvt.f64.f32 %fdx1, ${a};`, `cvt.f64.f32 %fdx2, ${b};`, `cvt.f64.f32 %fdx3, ${c};`,
  'mul.rn.f64 %fdx1, %fdx1, %fdx2;', 'add.rn.f64 %fdx1, %fdx1, %fdx3;', `cvt.rn.f32.f64 ${d}, %fdx1;`,
];
const copy = (d: string, a: string): string[] => [`mov.f32 ${d}, ${a};`];

const N = 8 * 1024 * 1024;
const memory = new WebAssembly.Memory({ initial: Math.ceil((12 * N + 65536) / 65536) + 2 });
const bytes = new Uint8Array(memory.buffer);
const dv = new DataView(memory.buffer);
for (let i = 0; i < 3 * N; i++) dv.setFloat32(1024 + 4 * i, ((i * 7919) % 2000) / 100 - 10, true);
const f32 = (x: number): Uint8Array => new Uint8Array(new Float32Array([x]).buffer);
const u32 = (x: number): Uint8Array => new Uint8Array(new Uint32Array([x]).buffer);
const buffer = (k: number): KernelArg => ({ kind: 'pointer', offset: 1024 + 4 * N * k, length: 4 * N });

interface Variant { name: string; ptx: string; entry: string; grid: number; args: KernelArg[] }
const saxpy = read('fixtures/cuda/saxpy.sm_75.ptx');
const gridStride = read('fixtures/bench-kernels/grid_stride.sm_75.ptx');
const saxpyArgs: KernelArg[] = [{ kind: 'scalar', tag: 'u32', bytes: u32(N) }, { kind: 'scalar', tag: 'f32', bytes: f32(1.0001) }, buffer(0), buffer(1)];
const gsArgs: KernelArg[] = [buffer(0), buffer(1), { kind: 'scalar', tag: 'f32', bytes: f32(1.5) }, { kind: 'scalar', tag: 'f32', bytes: f32(-0.25) }, { kind: 'scalar', tag: 'u32', bytes: u32(N) }];
const variants: Variant[] = [
  { name: 'vector add', ptx: read('fixtures/cuda/vector_add.sm_75.ptx'), entry: 'vector_add', grid: N / 256, args: [buffer(0), buffer(1), buffer(2), { kind: 'scalar', tag: 'u32', bytes: u32(N) }] },
  { name: 'saxpy (exact fma)', ptx: saxpy, entry: 'saxpy', grid: N / 256, args: saxpyArgs },
  { name: 'saxpy, mul + add', ptx: withoutFma(saxpy, mulAdd), entry: 'saxpy', grid: N / 256, args: saxpyArgs },
  { name: 'saxpy, f64 steps, no tie test', ptx: withoutFma(saxpy, viaF64), entry: 'saxpy', grid: N / 256, args: saxpyArgs },
  { name: 'grid-stride (exact fma)', ptx: gridStride, entry: 'grid_stride', grid: 160, args: gsArgs },
  { name: 'grid-stride, mul + add', ptx: withoutFma(gridStride, mulAdd), entry: 'grid_stride', grid: 160, args: gsArgs },
  { name: 'grid-stride, f64 steps, no tie test', ptx: withoutFma(gridStride, viaF64), entry: 'grid_stride', grid: 160, args: gsArgs },
  { name: 'grid-stride, copy', ptx: withoutFma(gridStride, copy), entry: 'grid_stride', grid: 160, args: gsArgs },
];

const dev = new CpuDevice({ workers: 1 });
const kernels = variants.map((v, i) => dev.loadKernel(v.ptx, `fma-cost-${i}`, v.entry));
const times: number[][] = variants.map(() => []);
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start; ${N} elements, 256-thread blocks (grid-stride: 160 blocks), 1 worker, medians of ${REPS}`);
for (let r = 0; r < REPS + 1; r++) {
  variants.forEach((v, i) => {
    const t0 = performance.now();
    dev.launch({ kernel: kernels[i]!, grid: [v.grid, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: v.args });
    // the first round warms up every variant
    if (r > 0) times[i]!.push(performance.now() - t0);
    if (dev.lastBackend !== 'wasm') throw new Error(`${v.name} ran on the ${dev.lastBackend} backend`);
  });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const base = median(times[0]!);
variants.forEach((v, i) => console.log(`${v.name.padEnd(36)} ${median(times[i]!).toFixed(1).padStart(8)} ms  ${(median(times[i]!) / base).toFixed(2)}x vector add`));
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at end`);
