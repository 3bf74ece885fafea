/**
 * Grid-stride loops in lock-step (lockstep-loop.ts, lockstep-emit.ts) against the JavaScript
 * backend, the differential oracle: random kernels of nvcc's grid-stride shape — steps of
 * ntid·nctaid, ntid or a constant, n not a multiple of the step, threads that exit early, first
 * indices in or against thread order, a guarded update and a running value carried through the
 * loop (different in threads that share their indices: blocks two rows high), a register that
 * differs per thread, in-place updates, output buffers that overlap the input, and buffers too
 * small (a fault inside the loop) — on random grid and block shapes. Both backends must leave the same bytes and the same memcheck report (thread,
 * line, address). The runs must include blocks that went lock-step and ones that fell back.
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
import { lockstepStats } from './wasm-launch.js';

interface Shape {
  step: 'grid' | 'block' | number;
  earlyExit: boolean;
  carried: boolean;
  guarded: boolean;
  inPlace: boolean;
  float: boolean;
  offset: number;
  /** First i from the block's last thread down (reverse thread order). */
  reversed: boolean;
  /** The loop adds a register that differs per thread but is not written in the loop (the block falls back). */
  perThread: boolean;
}

function gridStrideKernel(s: Shape, id: number): string {
  const step = s.step === 'grid' ? ['mov.u32 %r9, %nctaid.x;', 'mul.lo.s32 %r11, %r1, %r9;'] : s.step === 'block' ? ['mov.u32 %r11, %r1;'] : [`mov.u32 %r11, ${s.step};`];
  const body: string[] = ['mul.wide.s32 %rd5, %r10, 4;'];
  // the input: x[i], or y[i] itself for an in-place update (one address expression for load and store)
  body.push(`add.s64 %rd6, ${s.inPlace ? '%rd4' : '%rd3'}, %rd5;`, 'ld.global.u32 %r12, [%rd6];');
  if (s.float) body.push('mov.b32 %f1, %r12;', 'fma.rn.f32 %f2, %f1, 0f3FC00000, 0fBE800000;', 'mov.b32 %r13, %f2;');
  else body.push('mul.lo.s32 %r13, %r12, 3;', 'xor.b32 %r13, %r13, %r10;');
  if (s.carried) body.push('add.s32 %r14, %r14, %r12;', 'xor.b32 %r13, %r13, %r14;');
  if (s.guarded) body.push('and.b32 %r15, %r12, 1;', 'setp.eq.u32 %p3, %r15, 0;', '@%p3 add.s32 %r16, %r16, 7;', 'add.s32 %r13, %r13, %r16;');
  if (s.perThread) body.push('add.s32 %r13, %r13, %r18;');
  body.push('add.s64 %rd7, %rd4, %rd5;', `st.global.u32 [%rd7+${s.offset}], %r13;`);
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry gs${id}(.param .u64 xp, .param .u64 yp, .param .u32 n, .param .u32 cut)
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
  ${s.reversed ? 'sub.s32 %r17, %r1, %r3;\n  add.s32 %r17, %r17, -1;\n  mad.lo.s32 %r10, %r2, %r1, %r17;' : 'mad.lo.s32 %r10, %r2, %r1, %r3;'}
  mov.u32 %r8, %tid.y;
  mad.lo.s32 %r14, %r8, 1000, %r3;
  mul.lo.s32 %r18, %r3, 5;
  mov.u32 %r16, 0;
  ${s.earlyExit ? 'setp.eq.u32 %p1, %r3, %r7;\n  @%p1 bra $L_end;' : ''}
  setp.ge.s32 %p1, %r10, %r6;
  @%p1 bra $L_end;
  ${step.join('\n  ')}
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
$L_loop:
  ${body.join('\n  ')}
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
  block: [number, number];
  n: number;
  cut: number;
  /** y's offset from x in words (0: the same buffer; small: overlapping). */
  yAt: number;
  /** Words in y's window (less than n + 1: a fault inside the loop). */
  yWords: number;
  fill: number;
}

const X = 16384;

function run(ptx: string, entry: string, wasm: boolean, l: Launch): CaughtOutcome {
  const { memory } = filledMemory(8, (i) => i * 7 + l.fill);
  const args: KernelArg[] = [ptr(X, 4 * (l.n + 8)), ptr(X + 4 * l.yAt, 4 * l.yWords), u32(l.n), u32(l.cut)];
  return launchCaught({ ptx, entry, hash: `${entry}-${wasm}`, wasm, memory, grid: [l.grid, 1, 1], block: [l.block[0], l.block[1], 1], args });
}

const shape: fc.Arbitrary<Shape> = fc.record({
  step: fc.oneof(fc.constant('grid' as const), fc.constant('block' as const), fc.constantFrom(16, 3000)),
  earlyExit: fc.boolean(),
  carried: fc.boolean(),
  guarded: fc.boolean(),
  inPlace: fc.boolean(),
  float: fc.boolean(),
  offset: fc.constantFrom(0, 0, 4, 8),
  reversed: fc.boolean(),
  perThread: fc.constantFrom(false, false, false, true),
});

const launch: fc.Arbitrary<Launch> = fc
  .record({
    grid: fc.integer({ min: 1, max: 4 }),
    bx: fc.constantFrom(1, 32, 96, 128),
    by: fc.constantFrom(1, 1, 1, 2),
    per: fc.integer({ min: 0, max: 6 }),
    extra: fc.integer({ min: 0, max: 200 }),
    cut: fc.integer({ min: 0, max: 140 }),
    overlap: fc.constantFrom('apart', 'apart', 'same', 'near', 'before', 'tail'),
    short: fc.integer({ min: 0, max: 2 }),
    fill: fc.integer({ min: 0, max: 255 }),
  })
  .map((r) => {
    const n = r.grid * r.bx * r.per + r.extra;
    // tail: y's last words are x's first (only the lowest indices of x meet y)
    const yAt = r.overlap === 'apart' ? n + 64 : r.overlap === 'same' ? 0 : r.overlap === 'near' ? 3 : r.overlap === 'tail' ? 2 - n : -2;
    // room for n words and the store offset, or (short === 0) ten words too few
    const yWords = r.short === 0 ? Math.max(1, n - 10) : n + 3;
    return { grid: r.grid, block: [r.bx, r.by] as [number, number], n, cut: r.cut, yAt, yWords, fill: r.fill };
  });

describe('grid-stride loops in lock-step', () => {
  it('leave the bytes and memcheck reports of the JavaScript backend (fast-check over kernels and launches)', () => {
    let id = 0;
    let lockstepBlocks = 0;
    let faults = 0;
    let clean = 0;
    const before = lockstepStats.blocks;
    fc.assert(
      fc.property(shape, launch, (s, l) => {
        const k = id++;
        const ptx = gridStrideKernel(s, k);
        const module = parsePtx(ptx);
        const verdict = compileWasmKernel(module, module.functions.get(`gs${k}`)!);
        expect('kernel' in verdict && verdict.kernel.lockstep, `kernel ${k} has no lock-step plan:\n${ptx}`).toBe(true);
        const js = run(ptx, `gs${k}`, false, l);
        const seen = lockstepStats.blocks;
        const wasm = run(ptx, `gs${k}`, true, l);
        lockstepBlocks += lockstepStats.blocks - seen;
        const what = `kernel ${k} ${JSON.stringify(s)} launch ${JSON.stringify(l)}`;
        if (!js.error) expect([js.backend, wasm.backend], what).toEqual(['js', 'wasm']);
        expect(wasm.error, what).toBe(js.error);
        const at = wasm.bytes.findIndex((b, i) => b !== js.bytes[i]);
        expect(at, `${what}: first differing byte at ${at}`).toBe(-1);
        if (js.error) faults++;
        else clean++;
      }),
      {
        numRuns: 80,
        // first indices against thread order while y's tail is x's head: only the least first
        // index (not the first thread's) shows the ranges meet
        examples: [[{ step: 'grid', earlyExit: false, carried: false, guarded: false, inPlace: false, float: false, offset: 0, reversed: true, perThread: false }, { grid: 2, block: [32, 1], n: 300, cut: 0, yAt: -298, yWords: 303, fill: 1 }]],
      },
    );
    expect(lockstepStats.blocks - before).toBe(lockstepBlocks);
    console.log(`lock-step blocks ${lockstepBlocks}, faulting launches ${faults}, clean ${clean}`);
    expect(lockstepBlocks).toBeGreaterThan(25);
    expect(faults).toBeGreaterThan(2);
    expect(clean).toBeGreaterThan(25);
  });

  it('plans lock-step only for the grid-stride shape: one self-loop, no effect outside its planned accesses', () => {
    const base: Shape = { step: 'grid', earlyExit: true, carried: true, guarded: true, inPlace: false, float: true, offset: 0, reversed: false, perThread: false };
    const planned = (ptx: string): boolean => {
      const module = parsePtx(ptx);
      const verdict = compileWasmKernel(module, [...module.functions.values()][0]!);
      if (!('kernel' in verdict)) throw new Error(verdict.unsupported);
      return verdict.kernel.lockstep;
    };
    const ptx = gridStrideKernel(base, 0);
    expect(planned(ptx)).toBe(true);
    for (const f of ['fixtures/cuda/grid_stride.sm_75.ptx', 'fixtures/cuda/grid_stride.sm_90.ptx', 'fixtures/bench-kernels/grid_stride.sm_75.ptx']) expect(planned(readFileSync(f, 'utf8')), f).toBe(true);
    const loopEnd = 'add.s32 %r10, %r10, %r11;';
    const refused: Record<string, string> = {
      // a store before the loop: the park pass would have an effect
      'store before the loop': ptx.replace('cvta.to.global.u64 %rd4, %rd2;', 'cvta.to.global.u64 %rd4, %rd2;\n  st.global.u32 [%rd4], %r3;'),
      // an atomic in the loop: not a planned site
      'atomic in the loop': ptx.replace(loopEnd, `atom.global.add.u32 %r19, [%rd4], 1;\n  ${loopEnd}`),
      // %tid.x read in the loop: rounds do not track the thread's coordinates
      '%tid.x in the loop': ptx.replace(loopEnd, `add.s32 %r13, %r13, %tid.x;\n  ${loopEnd}`),
      // a warp-level site: its passes are scheduled from JavaScript (a barrier instead: lockstep-phase.test.ts)
      'a shuffle': ptx.replace('$L_end:\n  ret;', '$L_end:\n  shfl.sync.idx.b32 %r19, %r3, 0, 31, -1;\n  ret;'),
      // a load the plan cannot bound (not affine in i)
      'an unplanned load': ptx.replace(loopEnd, `ld.global.u32 %r19, [%rd4];\n  ${loopEnd}`),
      // a carry chain through the loop
      'a carry in the loop': ptx.replace(loopEnd, `add.cc.u32 %r19, %r19, 1;\n  addc.u32 %r13, %r13, 0;\n  ${loopEnd}`),
    };
    for (const [what, text] of Object.entries(refused)) {
      expect(text, what).not.toBe(ptx);
      expect(planned(text), what).toBe(false);
    }
  });

  it('runs the bench fixture grid_stride.cu in lock-step, as the JavaScript backend computes it', () => {
    const ptx = readFileSync('fixtures/bench-kernels/grid_stride.sm_75.ptx', 'utf8');
    const n = 5003;
    const results = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 2 });
      const bytes = new Uint8Array(memory.buffer);
      const dv = new DataView(memory.buffer);
      for (let i = 0; i < n; i++) dv.setFloat32(X + 4 * i, Math.sin(i) * 1e3, true);
      const f32 = (v: number): Uint8Array => new Uint8Array(new Float32Array([v]).buffer);
      const dev = new CpuDevice({ wasmKernels: wasm, workers: 1 });
      const kernel = dev.loadKernel(ptx, `grid_stride-${wasm}`, 'grid_stride');
      const seen = lockstepStats.blocks;
      dev.launch({
        kernel, grid: [3, 1, 1], block: [128, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory,
        args: [
          { kind: 'pointer', offset: X, length: 4 * n },
          { kind: 'pointer', offset: X + 4 * n, length: 4 * n },
          { kind: 'scalar', tag: 'f32', bytes: f32(1.5) },
          { kind: 'scalar', tag: 'f32', bytes: f32(-0.25) },
          { kind: 'scalar', tag: 'u32', bytes: new Uint8Array(new Uint32Array([n]).buffer) },
        ],
      });
      return { out: bytes.slice(X + 4 * n, X + 8 * n), blocks: lockstepStats.blocks - seen, backend: dev.lastBackend };
    });
    expect(results.map((r) => r.backend)).toEqual(['js', 'wasm']);
    expect(results[1]!.blocks).toBe(3);
    expect(Buffer.from(results[1]!.out).equals(Buffer.from(results[0]!.out))).toBe(true);
  });
});
