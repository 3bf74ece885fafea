/**
 * Range rounds' walk in SIMD lanes (lanes-range.ts): 4 consecutive i of a grid-stride loop at once.
 * Oracle: the JavaScript backend (a separate implementation) — both must leave the same bytes and
 * the same error. fast-check over grid-stride kernels whose loop body is a random chain of 32-bit
 * integer, f32, f64 or 64-bit integer instructions (with and without SIMD forms, guarded ones,
 * predicates from setp), one or two loads and a store, elements consecutive per i (k == size: one
 * v128 access) or every other one (k == 2·size: per lane), stored apart or in place, on data with every bit pattern (NaN, Inf,
 * subnormals: fma's non-finite lanes take the scalar path), over random grids and n. The walk must
 * really run in lanes (the exported count), and the bench's grid_stride.cu too.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';
import { filledMemory, launchCaught, type CaughtOutcome } from '../../../test-support/launch-caught.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { rangeLanes } from './lanes-range.js';
import { lockstepStats } from './wasm-launch.js';

type Ty = 'u32' | 'f32' | 'u64' | 'f64';
const SIZE: Record<Ty, number> = { u32: 4, f32: 4, u64: 8, f64: 8 };
const REG: Record<Ty, string> = { u32: '%r', f32: '%f', u64: '%rd', f64: '%fd' };

/** One instruction of the chain: d = f(a, b) (registers of the chain's type); `p` a free predicate. */
type Op = (d: string, a: string, b: string, p: string) => string[];
const OPS: Record<Ty, Op[]> = {
  u32: [
    (d, a, b) => [`add.s32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`sub.s32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`mul.lo.s32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`xor.b32 ${d}, ${a}, ${b};`],
    (d, a) => [`shl.b32 ${d}, ${a}, 3;`],
    (d, a) => [`shr.s32 ${d}, ${a}, 7;`],
    (d, a, b) => [`min.s32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`max.u32 ${d}, ${a}, ${b};`],
    (d, a) => [`popc.b32 ${d}, ${a};`],
    (d, a) => [`div.u32 ${d}, ${a}, 7;`],
    (d, a) => [`add.s32 ${d}, ${a}, %r10;`],
    (d, a, b) => [`mul.hi.u32 ${d}, ${a}, ${b};`],
    (d, a) => [`bfe.u32 ${d}, ${a}, 3, 9;`],
    (d, a, b, p) => [`setp.lt.s32 ${p}, ${a}, ${b};`, `selp.b32 ${d}, ${a}, ${b}, ${p};`],
    (d, a, b, p) => [`setp.gt.u32 ${p}, ${a}, ${b};`, `mov.b32 ${d}, ${a};`, `@${p} add.s32 ${d}, ${d}, 5;`],
  ],
  f32: [
    (d, a, b) => [`add.f32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`sub.f32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`mul.f32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`fma.rn.f32 ${d}, ${a}, ${b}, %f30;`],
    (d, a) => [`fma.rn.f32 ${d}, ${a}, %f30, 0fBE800000;`],
    (d, a) => [`neg.f32 ${d}, ${a};`],
    (d, a) => [`abs.f32 ${d}, ${a};`],
    (d, a, b) => [`min.f32 ${d}, ${a}, ${b};`],
    (d, a, b) => [`div.rn.f32 ${d}, ${a}, ${b};`],
    (d, a) => [`sqrt.rn.f32 ${d}, ${a};`],
    (d, a, b, p) => [`setp.gt.f32 ${p}, ${a}, ${b};`, `selp.f32 ${d}, ${a}, ${b}, ${p};`],
    (d, a, b, p) => [`setp.lt.f32 ${p}, ${a}, 0f00000000;`, `mov.f32 ${d}, ${b};`, `@${p} mul.f32 ${d}, ${d}, 0f40000000;`],
  ],
  u64: [
    (d, a, b) => [`add.s64 ${d}, ${a}, ${b};`],
    (d, a, b) => [`mul.lo.s64 ${d}, ${a}, ${b};`],
    (d, a, b) => [`xor.b64 ${d}, ${a}, ${b};`],
    (d, a) => [`shl.b64 ${d}, ${a}, 7;`],
    (d, a) => [`shr.u64 ${d}, ${a}, 13;`],
    (d, a) => [`add.s64 ${d}, ${a}, %rd5;`],
    (d, a, b) => [`min.u64 ${d}, ${a}, ${b};`],
    (d, a, b, p) => [`setp.lt.s64 ${p}, ${a}, ${b};`, `selp.b64 ${d}, ${a}, ${b}, ${p};`],
  ],
  f64: [
    (d, a, b) => [`add.f64 ${d}, ${a}, ${b};`],
    (d, a, b) => [`mul.f64 ${d}, ${a}, ${b};`],
    (d, a, b) => [`fma.rn.f64 ${d}, ${a}, ${b}, ${a};`],
    (d, a, b) => [`sub.f64 ${d}, ${a}, ${b};`],
    (d, a, b) => [`div.rn.f64 ${d}, ${a}, ${b};`],
    (d, a) => [`neg.f64 ${d}, ${a};`],
    (d, a, b, p) => [`setp.lt.f64 ${p}, ${a}, ${b};`, `selp.f64 ${d}, ${a}, ${b}, ${p};`],
  ],
};

interface Body {
  ty: Ty;
  /** Element stride per i in elements: 1 (consecutive, one v128 access) or 2 (per lane). */
  stride: 1 | 2;
  twoLoads: boolean;
  /** The result stored over the loaded element (y = x): an i run twice would show. */
  inPlace: boolean;
  /** Indices into OPS[ty], and which earlier values each reads (mod the values so far). */
  ops: { op: number; a: number; b: number }[];
}

function kernel(s: Body, id: number): string {
  const r = REG[s.ty], size = SIZE[s.ty], k = size * s.stride;
  const values = [`${r}12`];
  const lines = [`ld.global.${s.ty} ${r}12, [%rd6];`];
  if (s.twoLoads) {
    lines.push(`ld.global.${s.ty} ${r}13, [%rd6+${size}];`);
    values.push(`${r}13`);
  }
  s.ops.forEach((o, j) => {
    const d = `${r}${14 + j}`;
    const ops = OPS[s.ty];
    lines.push(...ops[o.op % ops.length]!(d, values[o.a % values.length]!, values[o.b % values.length]!, `%p${3 + (j % 4)}`));
    values.push(d);
  });
  lines.push('add.s64 %rd7, %rd4, %rd5;', `st.global.${s.ty} [${s.inPlace ? '%rd6' : '%rd7'}], ${values[values.length - 1]};`);
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry lr${id}(.param .u64 xp, .param .u64 yp, .param .u32 n, .param .f32 a)
{
  .reg .pred %p<8>;
  .reg .f32 %f<32>;
  .reg .b32 %r<32>;
  .reg .b64 %rd<32>;
  .reg .f64 %fd<32>;
  ld.param.u64 %rd1, [xp];
  ld.param.u64 %rd2, [yp];
  ld.param.u32 %r6, [n];
  ld.param.f32 %f30, [a];
  mov.u32 %r1, %ntid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %tid.x;
  mad.lo.s32 %r10, %r2, %r1, %r3;
  setp.ge.s32 %p1, %r10, %r6;
  @%p1 bra $L_end;
  mov.u32 %r9, %nctaid.x;
  mul.lo.s32 %r11, %r1, %r9;
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
$L_loop:
  mul.wide.s32 %rd5, %r10, ${k};
  add.s64 %rd6, %rd3, %rd5;
  ${lines.join('\n  ')}
  add.s32 %r10, %r10, %r11;
  setp.lt.s32 %p2, %r10, %r6;
  @%p2 bra $L_loop;
$L_end:
  ret;
}
`;
}

interface Launch {
  grid: number;
  block: number;
  n: number;
  seed: number;
  a: number;
}

const X = 4096;

function run(ptx: string, entry: string, wasm: boolean, s: Body, l: Launch): CaughtOutcome & { groups: number } {
  const k = SIZE[s.ty] * s.stride;
  // every bit pattern (NaN, ±Inf, subnormals, ±0 all occur), from the launch's seed
  let x = l.seed | 1;
  const { memory } = filledMemory(16, (i) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (i & 7) === 3 && (x & 3) === 0 ? 0x7f : x;
  });
  const xBytes = k * l.n + 16, yAt = X + xBytes + 64;
  const args: KernelArg[] = [ptr(X, xBytes), ptr(yAt, k * l.n), u32(l.n), { kind: 'scalar', tag: 'f32', bytes: new Uint8Array(new Float32Array([l.a]).buffer) }];
  const seen = lockstepStats.laneGroups;
  const outcome = launchCaught({ ptx, entry, hash: `${entry}-${wasm}-${rangeLanes.enabled}`, wasm, memory, grid: [l.grid, 1, 1], block: [l.block, 1, 1], args });
  return { ...outcome, bytes: outcome.bytes.slice(X, yAt + k * l.n + 64), groups: lockstepStats.laneGroups - seen };
}

const bodyArb: fc.Arbitrary<Body> = fc.record({
  ty: fc.constantFrom<Ty>('u32', 'f32', 'f32', 'u64', 'f64'),
  stride: fc.constantFrom<1 | 2>(1, 1, 1, 2),
  twoLoads: fc.boolean(),
  inPlace: fc.boolean(),
  ops: fc.array(fc.record({ op: fc.nat(40), a: fc.nat(9), b: fc.nat(9) }), { minLength: 1, maxLength: 6 }),
});

const launchArb: fc.Arbitrary<Launch> = fc.record({
  grid: fc.integer({ min: 1, max: 24 }),
  block: fc.constantFrom(1, 3, 4, 8, 32, 64),
  n: fc.integer({ min: 0, max: 900 }),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  a: fc.constantFrom(1.5, -0.25, 3e38, Number.NaN, 1e-40),
});

/** Whether the elements of the type that hold byte `at` (an address; bytes start at X) are NaN in both a and b. */
function bothNaN(ty: Ty, a: Uint8Array, b: Uint8Array, at: number): boolean {
  if (ty !== 'f32' && ty !== 'f64') return false;
  const size = SIZE[ty], start = at - ((at - X) % size);
  const get = (u: Uint8Array): number => (ty === 'f32' ? new DataView(u.buffer, u.byteOffset).getFloat32(start - X, true) : new DataView(u.buffer, u.byteOffset).getFloat64(start - X, true));
  return Number.isNaN(get(a)) && Number.isNaN(get(b));
}

/**
 * The kernel on the JavaScript backend, on Wasm with range lanes and on Wasm without: the lanes'
 * bytes exactly the scalar Wasm code's, and both the JavaScript backend's — but where two NaN
 * operands meet, whose payload the JavaScript backend keeps is V8's choice (docs/CPU-DEVICE.md, the
 * lanes' f64 forms): there both results must be NaN.
 */
function compare(s: Body, l: Launch, id: number): { wasm: ReturnType<typeof run>; lanes: boolean } {
  const ptx = kernel(s, id);
  const module = parsePtx(ptx);
  const verdict = compileWasmKernel(module, module.functions.get(`lr${id}`)!);
  const lanes = 'kernel' in verdict && verdict.kernel.rangeLanes;
  const js = run(ptx, `lr${id}`, false, s, l);
  const wasm = run(ptx, `lr${id}`, true, s, l);
  rangeLanes.enabled = false;
  let scalar: ReturnType<typeof run>;
  try {
    scalar = run(ptx, `lr${id}`, true, s, l);
  } finally {
    rangeLanes.enabled = true;
  }
  const what = `kernel ${id} ${JSON.stringify(s)} launch ${JSON.stringify(l)}\n${ptx}`;
  expect([js.backend, wasm.backend], what).toEqual(['js', 'wasm']);
  expect(scalar.groups, what).toBe(0);
  expect(wasm.error, what).toBe(js.error);
  expect(scalar.error, what).toBe(js.error);
  const vsScalar = wasm.bytes.findIndex((b, i) => b !== scalar.bytes[i]);
  expect(vsScalar, `${what}: first byte differing from the scalar Wasm code at ${vsScalar}`).toBe(-1);
  const at = wasm.bytes.findIndex((b, i) => b !== js.bytes[i] && !bothNaN(s.ty, wasm.bytes, js.bytes, X + i));
  expect(at, `${what}: first byte differing from the JavaScript backend at ${at}`).toBe(-1);
  return { wasm, lanes };
}

describe('range rounds walking 4 i at once in SIMD lanes', () => {
  it('leave the bytes and errors of the JavaScript backend on random loop bodies, types and launches (fast-check)', () => {
    let id = 0;
    const totals = { planned: 0, groups: 0, kernels: 0 };
    fc.assert(
      fc.property(bodyArb, launchArb, (s, l) => {
        const { wasm, lanes } = compare(s, l, id++);
        totals.kernels++;
        if (lanes) totals.planned++;
        totals.groups += wasm.groups;
        if (!lanes) expect(wasm.groups).toBe(0);
      }),
      { numRuns: 150 },
    );
    console.log(`kernels ${totals.kernels}, walked in lanes ${totals.planned}, lane groups ${totals.groups}`);
    // most bodies have a lane plan (a few per-lane runs are allowed) and the walks ran in lanes
    expect(totals.planned).toBeGreaterThan(totals.kernels / 3);
    expect(totals.groups).toBeGreaterThan(1000);
  });

  it('walks a plain f32 body in lanes, and the same kernel without lanes gives the same bytes', () => {
    const s: Body = { ty: 'f32', stride: 1, twoLoads: true, inPlace: false, ops: [{ op: 3, a: 0, b: 1 }, { op: 4, a: 2, b: 0 }] };
    const l: Launch = { grid: 6, block: 32, n: 6 * 32 * 5 + 3, seed: 99, a: 1.5 };
    const on = compare(s, l, 5000);
    expect(on.lanes).toBe(true);
    // every round in which all threads go on walks in groups of 4 (a call's threads are a multiple
    // of 4): all but the last two rounds, at most one step (192 i) each
    expect(on.wasm.groups * 4).toBeGreaterThanOrEqual(l.n - 2 * 192);
    expect(on.wasm.groups * 4).toBeLessThanOrEqual(l.n);
    rangeLanes.enabled = false;
    try {
      const off = compare(s, l, 5001);
      expect(off.lanes).toBe(false);
      expect(off.wasm.groups).toBe(0);
      expect(Buffer.from(off.wasm.bytes).equals(Buffer.from(on.wasm.bytes))).toBe(true);
    } finally {
      rangeLanes.enabled = true;
    }
  });

  it('runs the bench fixture grid_stride.cu in lanes, as the JavaScript backend computes it', () => {
    const ptx = readFileSync('fixtures/bench-kernels/grid_stride.sm_75.ptx', 'utf8');
    const n = 20_011;
    const results = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 8 });
      const bytes = new Uint8Array(memory.buffer);
      const dv = new DataView(memory.buffer);
      for (let i = 0; i < n; i++) dv.setFloat32(X + 4 * i, i % 97 === 0 ? Infinity : Math.sin(i) * 1e3, true);
      const f32 = (v: number): Uint8Array => new Uint8Array(new Float32Array([v]).buffer);
      const dev = new CpuDevice({ wasmKernels: wasm, workers: 1 });
      const k = dev.loadKernel(ptx, `grid_stride-lanes-${String(wasm)}`, 'grid_stride');
      const seen = lockstepStats.laneGroups;
      dev.launch({
        kernel: k, grid: [40, 1, 1], block: [64, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory,
        args: [
          { kind: 'pointer', offset: X, length: 4 * n },
          { kind: 'pointer', offset: X + 4 * n, length: 4 * n },
          { kind: 'scalar', tag: 'f32', bytes: f32(1.5) },
          { kind: 'scalar', tag: 'f32', bytes: f32(-0.25) },
          { kind: 'scalar', tag: 'u32', bytes: new Uint8Array(new Uint32Array([n]).buffer) },
        ],
      });
      return { out: bytes.slice(X + 4 * n, X + 8 * n), groups: lockstepStats.laneGroups - seen };
    });
    // all but the last two rounds of each call (a step of 2560 i) walk in groups of 4
    expect(results[1]!.groups * 4).toBeGreaterThanOrEqual(n - 2 * 2560);
    expect(results[1]!.groups * 4).toBeLessThanOrEqual(n);
    expect(Buffer.from(results[1]!.out).equals(Buffer.from(results[0]!.out))).toBe(true);
  });
});
