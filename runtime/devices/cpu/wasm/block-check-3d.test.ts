/**
 * The once-per-block checks of addresses affine in %tid.x, %tid.y and %tid.z with run-time
 * coefficients (block-checks.ts, block-check-emit.ts): random 3-D indexing kernels in the forms nvcc
 * emits (`((size_t)z * ny + y) * nx + x` as mul.wide/cvt/mul.lo.s64, or a 32-bit mad chain widened
 * signed or unsigned), forwards or backwards, 4- or 8-byte elements, with or without the bounds
 * guard, sometimes a 32-bit index that wraps, over random 3-D block and grid shapes and buffers that
 * are sometimes too short (the first fault in the middle of a block, in the x, y or z direction):
 * the WebAssembly backend must leave exactly the bytes the JavaScript backend leaves and fail with
 * exactly its memcheck report.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';
import { filledMemory, launchCaught, type CaughtOutcome } from '../../../test-support/launch-caught.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';

interface Shape {
  /** nvcc: mul.wide.s32 + cvt.s64.s32 + mul.lo.s64; mad32s/mad32u: a 32-bit mad chain widened by cvt.s64.s32 / cvt.u64.u32. */
  index: 'nvcc' | 'mad32s' | 'mad32u';
  /** x, y, z from ctaid·ntid + tid (else tid alone, every block on the same elements). */
  global: boolean;
  guard: boolean;
  /** Bytes per element step: 4 or 8 forwards, -4 backwards. */
  step: 4 | 8 | -4;
  /** Added to x in 32 bits (a large one wraps it). */
  bias: number;
  /** Also load the element before storing it (two sites). */
  load: boolean;
  offset: 0 | 4;
  /**
   * Odd x store from a branch block off the entry's fall-through chain, through an address whose
   * last addition is in that block (even x: the block after the branch; odd with `late`, the
   * branch is taken before the index is computed, so the proof must not count on it).
   */
  split: 'none' | 'branch' | 'late';
}

function kernel(s: Shape): string {
  const lines: string[] = [];
  const coord = (d: 'x' | 'y' | 'z', r: number): void => {
    if (s.global) lines.push(`mov.u32 %r${r}, %ctaid.${d};`, `mov.u32 %r${r + 1}, %ntid.${d};`, `mov.u32 %r${r + 2}, %tid.${d};`, `mad.lo.s32 %r${r + 3}, %r${r}, %r${r + 1}, %r${r + 2};`);
    else lines.push(`mov.u32 %r${r + 3}, %tid.${d};`);
  };
  coord('x', 10);
  coord('y', 20);
  coord('z', 30);
  // x (with the bias) in %r14, y in %r23, z in %r33
  lines.push('add.s32 %r14, %r13, %r9;');
  // the value: x·7 + y·11 + z·13 (+ what was there), defined before any branch
  lines.push('mul.lo.s32 %r51, %r14, 7;', 'mad.lo.s32 %r52, %r23, 11, %r51;', 'mad.lo.s32 %r53, %r33, 13, %r52;', 'cvt.u64.u32 %rd18, %r53;');
  if (s.guard) {
    lines.push('setp.ge.s32 %p1, %r14, %r4;', 'setp.ge.s32 %p2, %r23, %r5;', 'or.pred %p3, %p1, %p2;', 'setp.ge.s32 %p4, %r33, %r6;', 'or.pred %p5, %p3, %p4;', '@%p5 bra $L_end;');
  }
  const branch = ['and.b32 %r60, %r14, 1;', 'setp.eq.u32 %p6, %r60, 1;', '@%p6 bra $L_odd;'];
  if (s.split === 'late') lines.push(...branch);
  lines.push('cvta.to.global.u64 %rd3, %rd1;', 'sub.s64 %rd4, %rd3, %rd2;');
  if (s.index === 'nvcc') {
    lines.push('mul.wide.s32 %rd5, %r5, %r33;', 'cvt.s64.s32 %rd6, %r23;', 'add.s64 %rd7, %rd5, %rd6;', 'cvt.s64.s32 %rd8, %r4;', 'mul.lo.s64 %rd9, %rd7, %rd8;', 'cvt.s64.s32 %rd10, %r14;', 'add.s64 %rd11, %rd9, %rd10;');
  } else {
    lines.push('mad.lo.s32 %r40, %r33, %r5, %r23;', 'mad.lo.s32 %r41, %r40, %r4, %r14;', `cvt.${s.index === 'mad32s' ? 's64.s32' : 'u64.u32'} %rd11, %r41;`);
  }
  if (s.step === 4) lines.push('shl.b64 %rd12, %rd11, 2;');
  else lines.push(`mul.lo.s64 %rd12, %rd11, ${s.step};`);
  if (s.split === 'branch') lines.push(...branch);
  lines.push('add.s64 %rd13, %rd4, %rd12;');
  const type = s.step === 8 ? 'u64' : 'u32';
  const reg = s.step === 8 ? '%rd14' : '%r50';
  if (s.load) {
    lines.push(`ld.global.${type} ${reg}, [%rd13+${s.offset}];`);
    if (s.step === 8) lines.push('cvt.u64.u32 %rd15, %r53;', 'add.s64 %rd16, %rd14, %rd15;');
    else lines.push('add.s32 %r54, %r50, %r53;');
  } else if (s.step === 8) lines.push('cvt.u64.u32 %rd16, %r53;');
  else lines.push('mov.u32 %r54, %r53;');
  const value = s.step === 8 ? '%rd16' : '%r54';
  if (s.split === 'none') lines.push(`st.global.${type} [%rd13+${s.offset}], ${value};`);
  else {
    lines.push(`st.global.${type} [%rd13+${s.offset}], ${value};`, 'bra.uni $L_end;', '$L_odd:', 'add.s64 %rd17, %rd4, %rd12;', `st.global.${type} [%rd17+${s.offset}], ${s.step === 8 ? '%rd18' : '%r53'};`);
  }
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry i3(.param .u64 buf, .param .u64 lower, .param .u32 nx, .param .u32 ny, .param .u32 nz, .param .u32 bias)
{
  .reg .pred %p<8>;
  .reg .b32 %r<62>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [buf];
  ld.param.u64 %rd2, [lower];
  ld.param.u32 %r4, [nx];
  ld.param.u32 %r5, [ny];
  ld.param.u32 %r6, [nz];
  ld.param.u32 %r9, [bias];
  ${lines.join('\n  ')}
$L_end:
  ret;
}
`;
}

interface Launch {
  block: [number, number, number];
  grid: [number, number, number];
  /** How many elements short of the volume (or past it) the coordinates say, per dimension. */
  trim: [number, number, number];
  /** Bytes the buffer lacks of the volume (0: it fits). */
  cut: number;
  fill: number;
}

const u64 = (v: bigint): KernelArg => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return { kind: 'scalar', tag: 'u64', bytes };
};

const BASE = 4096;

function run(ptx: string, wasm: boolean, s: Shape, l: Launch): CaughtOutcome {
  const dims = [0, 1, 2].map((d) => Math.max(1, (s.global ? l.grid[d]! : 1) * l.block[d]! - l.trim[d]!));
  const [nx, ny, nz] = dims as [number, number, number];
  const n = nx * ny * nz;
  const size = Math.abs(s.step);
  // lower: the first element (the last one, backwards) at BASE when nothing wraps
  const lower = BigInt(s.step) * (BigInt(s.bias | 0) + (s.step < 0 ? BigInt(n - 1) : 0n));
  const length = Math.max(size, n * size + s.offset - l.cut);
  const { memory } = filledMemory(Math.ceil((BASE + length + 65536) / 65536), (i) => i * 31 + l.fill);
  // the key names the PTX: the device caches compiled kernels by it
  const hash = `i3-${createHash('sha256').update(ptx).digest('hex')}`;
  return launchCaught({ ptx, entry: 'i3', hash, wasm, memory, grid: l.grid, block: l.block, args: [ptr(BASE, length), u64(lower), u32(nx), u32(ny), u32(nz), u32(s.bias)] });
}

const SHAPE: fc.Arbitrary<Shape> = fc.record({
  index: fc.constantFrom('nvcc', 'mad32s', 'mad32u'),
  global: fc.boolean(),
  guard: fc.boolean(),
  step: fc.constantFrom(4, 8, -4),
  // 0, or x wrapping past 2^31 (or below 0) within the first few dozen threads
  bias: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 40 }).map((j) => 2 ** 31 - j), fc.integer({ min: 1, max: 40 }).map((j) => 2 ** 32 - j)),
  load: fc.boolean(),
  offset: fc.constantFrom(0, 4),
  split: fc.constantFrom('none', 'branch', 'late'),
}) as fc.Arbitrary<Shape>;

const LAUNCH: fc.Arbitrary<Launch> = fc.record({
  block: fc.tuple(fc.constantFrom(1, 3, 8, 16, 32), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
  grid: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  trim: fc.tuple(fc.integer({ min: -1, max: 5 }), fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 })),
  cut: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 4000 })),
  fill: fc.integer({ min: 0, max: 255 }),
}) as fc.Arbitrary<Launch>;

describe('3-D affine accesses checked once per block', () => {
  it('are block-checked in every generated form', () => {
    fc.assert(
      fc.property(SHAPE, (s) => {
        const m = parsePtx(kernel(s));
        const v = compileWasmKernel(m, m.functions.get('i3')!);
        // with `late`, the odd-x store's definitions may not have run: it is checked per thread
        expect('kernel' in v && v.kernel.blockChecks).toBe((s.load ? 2 : 1) + (s.split === 'branch' ? 1 : 0));
      }),
      { numRuns: 40 },
    );
  });

  it('leave the same bytes and report the same faults on the WebAssembly and the JavaScript backend', () => {
    let faults = 0;
    let clean = 0;
    fc.assert(
      // (not `late`: its odd-x threads would store through registers they never defined)
      fc.property(SHAPE.map((s) => (s.split === 'late' ? { ...s, split: 'branch' as const } : s)), LAUNCH, (s, l) => {
        const ptx = kernel(s);
        const js = run(ptx, false, s, l);
        const wasm = run(ptx, true, s, l);
        if (!js.error) expect([js.backend, wasm.backend]).toEqual(['js', 'wasm']);
        expect(wasm.error, ptx).toBe(js.error);
        const at = wasm.bytes.findIndex((b, k) => b !== js.bytes[k]);
        expect(at, `first differing byte at ${at}\n${ptx}`).toBe(-1);
        if (js.error) faults++;
        else clean++;
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
    expect(faults).toBeGreaterThan(10);
    expect(clean).toBeGreaterThan(10);
  });
});
