/**
 * Range rounds (lockstep-range.ts, lockstep-emit.ts lockstepRange): a call's whole block range
 * in rounds without slots, against the JavaScript backend, the differential oracle. Random
 * grid-stride kernels and launches: grids of many small blocks (so a call spans several blocks),
 * steps of ntid·nctaid, ntid, odd and negative constants, n not a multiple of anything, first
 * indices in thread order, against it, with a gap, or shared by two rows of threads, a register
 * that differs between blocks (not threads) read in the loop, %ctaid read in the loop itself,
 * threads that bypass the loop, in-place updates, x and y that alias, and y too short (a fault in
 * the loop), signed and unsigned loops. Both backends must leave the same bytes and memcheck
 * report; the plain shape must run every block in range rounds, the others must show the
 * fallback where the range breaks a condition.
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
import { lastStats } from '../pool/pool-launch.js';
import { lockstepStats } from './wasm-launch.js';

interface Shape {
  step: 'grid' | 'block' | number;
  /** First i: ctaid·ntid + tid, from the block's last thread down, or + tid with one skipped index after `cut`. */
  first: 'linear' | 'reversed' | 'gap';
  /** Threads with tid == cut leave before the loop. */
  bypass: boolean;
  /** The loop adds ctaid·5, computed before it (the same in a block's threads, not across blocks). */
  perBlock: boolean;
  /** The loop reads %ctaid.x itself. */
  ctaidInLoop: boolean;
  inPlace: boolean;
  float: boolean;
  offset: number;
  /** An unsigned loop: mul.wide.u32 and setp.lt.u32. */
  unsigned: boolean;
}

function kernel(s: Shape, id: number): string {
  const step = s.step === 'grid' ? ['mov.u32 %r9, %nctaid.x;', 'mul.lo.s32 %r11, %r1, %r9;'] : s.step === 'block' ? ['mov.u32 %r11, %r1;'] : [`mov.u32 %r11, ${s.step};`];
  const first = {
    linear: 'mad.lo.s32 %r10, %r2, %r1, %r3;',
    reversed: 'sub.s32 %r17, %r1, %r3;\n  add.s32 %r17, %r17, -1;\n  mad.lo.s32 %r10, %r2, %r1, %r17;',
    gap: 'setp.gt.u32 %p3, %r3, %r7;\n  selp.u32 %r17, 1, 0, %p3;\n  add.s32 %r17, %r17, %r3;\n  mad.lo.s32 %r10, %r2, %r1, %r17;',
  }[s.first];
  const u = s.unsigned ? 'u32' : 's32';
  const body: string[] = [`mul.wide.${u} %rd5, %r10, 4;`, `add.s64 %rd6, ${s.inPlace ? '%rd4' : '%rd3'}, %rd5;`, 'ld.global.u32 %r12, [%rd6];'];
  if (s.float) body.push('mov.b32 %f1, %r12;', 'fma.rn.f32 %f2, %f1, 0f3FC00000, 0fBE800000;', 'mov.b32 %r13, %f2;');
  else body.push('mul.lo.s32 %r13, %r12, 3;', 'xor.b32 %r13, %r13, %r10;');
  if (s.perBlock) body.push('add.s32 %r13, %r13, %r19;');
  if (s.ctaidInLoop) body.push('mov.u32 %r15, %ctaid.x;', 'add.s32 %r13, %r13, %r15;');
  body.push('add.s64 %rd7, %rd4, %rd5;', `st.global.u32 [%rd7+${s.offset}], %r13;`);
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry gr${id}(.param .u64 xp, .param .u64 yp, .param .u32 n, .param .u32 cut)
{
  .reg .pred %p<4>;
  .reg .f32 %f<4>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [xp];
  ld.param.u64 %rd2, [yp];
  ld.param.u32 %r6, [n];
  ld.param.u32 %r7, [cut];
  mov.u32 %r1, %ntid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %tid.x;
  ${first}
  mul.lo.s32 %r19, %r2, 5;
  ${s.bypass ? 'setp.eq.u32 %p1, %r3, %r7;\n  @%p1 bra $L_end;' : ''}
  setp.ge.${u} %p1, %r10, %r6;
  @%p1 bra $L_end;
  ${step.join('\n  ')}
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
$L_loop:
  ${body.join('\n  ')}
  add.s32 %r10, %r10, %r11;
  setp.lt.${u} %p2, %r10, %r6;
  @%p2 bra $L_loop;
$L_end:
  ret;
}
`;
}

interface Launch {
  grid: number;
  block: [number, number];
  n: number;
  cut: number;
  /** y's offset from x in words (0: the same buffer; small or negative: overlapping). */
  yAt: number;
  /** Words in y's window (fewer than n + 3: a fault inside the loop). */
  yWords: number;
  fill: number;
}

const X = 16384;

function run(ptx: string, entry: string, wasm: boolean, l: Launch, workers = 1): CaughtOutcome & { blocks: number; rangeBlocks: number } {
  const { memory } = filledMemory(8, (i) => i * 7 + l.fill);
  const args: KernelArg[] = [ptr(X, 4 * (l.n + 8)), ptr(X + 4 * l.yAt, 4 * l.yWords), u32(l.n), u32(l.cut)];
  const seen = { ...lockstepStats };
  const outcome = launchCaught({ ptx, entry, hash: `${entry}-${wasm}`, wasm, workers, memory, grid: [l.grid, 1, 1], block: [l.block[0], l.block[1], 1], args });
  return { ...outcome, blocks: lockstepStats.blocks - seen.blocks, rangeBlocks: lockstepStats.rangeBlocks - seen.rangeBlocks };
}

const anyShape: fc.Arbitrary<Shape> = fc.record({
  step: fc.oneof(fc.constant('grid' as const), fc.constant('grid' as const), fc.constant('block' as const), fc.constantFrom(7, 33, 4096, -16)),
  first: fc.constantFrom('linear' as const, 'linear' as const, 'reversed' as const, 'gap' as const),
  bypass: fc.boolean(),
  perBlock: fc.constantFrom(false, false, true),
  ctaidInLoop: fc.constantFrom(false, false, true),
  inPlace: fc.boolean(),
  float: fc.boolean(),
  offset: fc.constantFrom(0, 0, 4),
  unsigned: fc.boolean(),
});

/** Half the kernels have the plain shape (the range rounds' own), with random data types and store offsets. */
const shape: fc.Arbitrary<Shape> = fc.oneof(
  anyShape,
  fc.record({ inPlace: fc.boolean(), float: fc.boolean(), offset: fc.constantFrom(0, 4), unsigned: fc.boolean() }).map((r) => ({ step: 'grid' as const, first: 'linear' as const, bypass: false, perBlock: false, ctaidInLoop: false, ...r })),
);

const launch: fc.Arbitrary<Launch> = fc
  .record({
    grid: fc.integer({ min: 1, max: 40 }),
    bx: fc.constantFrom(1, 3, 8, 32),
    by: fc.constantFrom(1, 1, 1, 2),
    per: fc.integer({ min: 0, max: 4 }),
    extra: fc.integer({ min: 0, max: 90 }),
    cut: fc.integer({ min: 0, max: 40 }),
    overlap: fc.constantFrom('apart', 'apart', 'apart', 'apart', 'same', 'near', 'before', 'tail'),
    short: fc.integer({ min: 0, max: 3 }),
    fill: fc.integer({ min: 0, max: 255 }),
  })
  .map((r) => {
    const n = r.grid * r.bx * r.per + r.extra;
    const yAt = r.overlap === 'apart' ? n + 64 : r.overlap === 'same' ? 0 : r.overlap === 'near' ? 3 : r.overlap === 'tail' ? 2 - n : -2;
    const yWords = r.short === 0 ? Math.max(1, n - 10) : n + 3;
    return { grid: r.grid, block: [r.bx, r.by] as [number, number], n, cut: r.cut, yAt, yWords, fill: r.fill };
  });

/** The shape the range rounds exist for: every call of a clean launch must run them (an in-place store at an offset meets the loads: not plain). */
const plain = (s: Shape, l: Launch): boolean =>
  s.step === 'grid' && s.first === 'linear' && !s.bypass && !s.perBlock && !s.ctaidInLoop && !(s.inPlace && s.offset !== 0) && l.block[1] === 1 && l.yAt === l.n + 64 && l.yWords > l.n;

function compare(s: Shape, l: Launch, id: number, workers = 1): { js: ReturnType<typeof run>; wasm: ReturnType<typeof run> } {
  const ptx = kernel(s, id);
  const module = parsePtx(ptx);
  const verdict = compileWasmKernel(module, module.functions.get(`gr${id}`)!);
  expect('kernel' in verdict && verdict.kernel.lockstep, `kernel ${id} has no lock-step plan:\n${ptx}`).toBe(true);
  const js = run(ptx, `gr${id}`, false, l);
  const wasm = run(ptx, `gr${id}`, true, l, workers);
  const what = `kernel ${id} ${JSON.stringify(s)} launch ${JSON.stringify(l)}`;
  if (!js.error) expect([js.backend, wasm.backend], what).toEqual(['js', 'wasm']);
  expect(wasm.error, what).toBe(js.error);
  const at = wasm.bytes.findIndex((b, i) => b !== js.bytes[i]);
  expect(at, `${what}: first differing byte at ${at}`).toBe(-1);
  return { js, wasm };
}

const base: Shape = { step: 'grid', first: 'linear', bypass: false, perBlock: false, ctaidInLoop: false, inPlace: false, float: true, offset: 0, unsigned: false };
const wide: Launch = { grid: 32, block: [8, 1], n: 32 * 8 * 3 + 17, cut: 5, yAt: 32 * 8 * 3 + 17 + 64, yWords: 32 * 8 * 3 + 20, fill: 3 };

describe('grid-stride loops in range rounds', () => {
  it('leave the bytes and memcheck reports of the JavaScript backend (fast-check over kernels and launches)', () => {
    let id = 0;
    const totals = { range: 0, fallback: 0, plain: 0, faults: 0 };
    fc.assert(
      fc.property(shape, launch, (s, l) => {
        const { js, wasm } = compare(s, l, id++);
        if (js.error) totals.faults++;
        totals.range += wasm.rangeBlocks;
        totals.fallback += wasm.blocks - wasm.rangeBlocks;
        expect(wasm.rangeBlocks).toBeLessThanOrEqual(wasm.blocks);
        if (plain(s, l)) {
          // every call ran its whole range in rounds, every block counted once as lock-step
          expect(wasm.blocks, JSON.stringify(l)).toBe(l.grid);
          expect(wasm.rangeBlocks, JSON.stringify(l)).toBe(l.grid);
          totals.plain++;
        }
      }),
      { numRuns: 120 },
    );
    console.log(`range-round blocks ${totals.range}, other lock-step blocks ${totals.fallback}, plain launches ${totals.plain}, faulting launches ${totals.faults}`);
    expect(totals.range).toBeGreaterThan(100);
    expect(totals.fallback).toBeGreaterThan(20);
    expect(totals.plain).toBeGreaterThan(3);
    expect(totals.faults).toBeGreaterThan(3);
  });

  // Each case breaks one condition of the range over calls of 4 blocks (grid 32 on one worker:
  // 8 calls): the rounds must not run a range, the blocks still run in lock-step one by one.
  const fallbacks: [string, Partial<Shape>, Partial<Launch>][] = [
    ['first i against thread order', { first: 'reversed' }, {}],
    ['first i with a gap (one skipped index per block)', { first: 'gap' }, {}],
    ['two rows of threads share their first i', {}, { block: [8, 2] }],
    ['a register that differs between blocks, read in the loop', { perBlock: true }, {}],
    ['%ctaid.x read in the loop', { ctaidInLoop: true }, {}],
    ['a step of ntid (the range spans more than one step)', { step: 'block' }, {}],
  ];
  // (each its own kernel id: the device caches compiled kernels by the hash, here the id)
  fallbacks.forEach(([what, s, l], k) => {
    it(`fall back to blocks one by one, with the same bytes: ${what}`, () => {
      const { wasm } = compare({ ...base, ...s }, { ...wide, ...l }, 1010 + k);
      expect(wasm.rangeBlocks, what).toBe(0);
      expect(wasm.blocks, what).toBe(wide.grid);
    });
  });

  it('runs the plain shape over every call of the same launch in range rounds', () => {
    const { wasm } = compare(base, wide, 1001);
    expect(wasm.rangeBlocks).toBe(wide.grid);
  });

  it('fall back when y overlaps x over the range, and fault where the JavaScript backend does when y is short', () => {
    // y starts two words before x: each block's stores meet the loads of another block's threads
    const before = compare(base, { ...wide, yAt: -2 }, 1002);
    expect(before.wasm.rangeBlocks).toBe(0);
    const short = compare(base, { ...wide, yWords: wide.n - 10 }, 1003);
    expect(short.js.error).toMatch(/out of bounds|memcheck|invalid/i);
    expect(short.wasm.rangeBlocks).toBe(0);
  });

  it('runs the bench fixture grid_stride.cu in range rounds on one worker and on the pool, as the JavaScript backend computes it', () => {
    const ptx = readFileSync('fixtures/bench-kernels/grid_stride.sm_75.ptx', 'utf8');
    const n = 40_003;
    const results = [
      [false, 1],
      [true, 1],
      [true, 2],
    ].map(([wasm, workers]) => {
      const memory = new WebAssembly.Memory({ initial: 8 });
      const bytes = new Uint8Array(memory.buffer);
      const dv = new DataView(memory.buffer);
      for (let i = 0; i < n; i++) dv.setFloat32(X + 4 * i, Math.sin(i) * 1e3, true);
      const f32 = (v: number): Uint8Array => new Uint8Array(new Float32Array([v]).buffer);
      const dev = new CpuDevice({ wasmKernels: wasm as boolean, workers: workers as number, poolMinThreads: 1, adaptivePool: false });
      const k = dev.loadKernel(ptx, `grid_stride-${String(wasm)}`, 'grid_stride');
      const seen = { ...lockstepStats };
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
      const pooled = workers === 2 ? lastStats?.threads : 1;
      dev.dispose();
      return { out: bytes.slice(X + 4 * n, X + 8 * n), rangeBlocks: lockstepStats.rangeBlocks - seen.rangeBlocks, backend: dev.lastBackend, pooled };
    });
    expect(results.map((r) => r.backend)).toEqual(['js', 'wasm', 'wasm']);
    expect(results[1]!.rangeBlocks).toBe(40);
    expect(results[2]!.pooled).toBe(2);
    for (const r of results.slice(1)) expect(Buffer.from(r.out).equals(Buffer.from(results[0]!.out))).toBe(true);
  });
});
