/**
 * Grid-stride loops in lock-step inside a barrier phase (lockstep-loop.ts lockstepPhasePlan,
 * lockstep-emit.ts lockstepPhase) against the JavaScript backend: random kernels of the
 * histogram's shape — shared bins zeroed, a barrier, a grid-stride loop of byte loads and shared
 * `atom`/`red.add`, a barrier, the bins added to global memory and a per-thread value carried out
 * of the loop stored after it — with steps of ntid·nctaid or ntid, early exits, a value the loop
 * carries and one it computes for after the loop, a shared address the compiler cannot bound (no
 * lock-step then), data windows too short (a fault inside the loop) and random block shapes.
 * Both backends must leave the same bytes and the same memcheck report.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';
import { filledMemory, launchCaught, type CaughtOutcome } from '../../../test-support/launch-caught.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { lockstepStats } from './wasm-launch.js';

interface Shape {
  step: 'grid' | 'block';
  earlyExit: boolean;
  red: boolean;
  carried: boolean;
  computed: boolean;
  unbounded: boolean;
}

function histogramKernel(s: Shape, id: number): string {
  const loop = [
    'cvt.s64.s32 %rd5, %r29;',
    'add.s64 %rd6, %rd1, %rd5;',
    'ld.global.u8 %rs1, [%rd6];',
    'mul.wide.u16 %r20, %rs1, 4;',
    ...(s.unbounded ? ['rem.u32 %r24, %r29, 250;', 'shl.b32 %r24, %r24, 2;', 'add.s32 %r20, %r20, %r24;', 'and.b32 %r20, %r20, 1023;', 'and.b32 %r20, %r20, -4;'] : []),
    'mov.u32 %r21, sh;',
    'add.s32 %r22, %r21, %r20;',
    s.red ? 'red.shared.add.u32 [%r22], %r29;' : 'atom.shared.add.u32 %r23, [%r22], 1;',
    ...(s.carried ? ['add.s32 %r28, %r28, %r20;'] : []),
    ...(s.computed ? ['xor.b32 %r27, %r29, 77;'] : []),
    'add.s32 %r29, %r29, %r7;',
    'setp.lt.s32 %p4, %r29, %r13;',
    '@%p4 bra $L5;',
  ];
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry hs${id}(.param .u64 data, .param .u64 bins, .param .u32 n, .param .u32 cut)
{
  .reg .pred %p<8>;
  .reg .b16 %rs<2>;
  .reg .b32 %r<32>;
  .reg .b64 %rd<12>;
  .shared .align 4 .b8 sh[1024];
  ld.param.u64 %rd3, [data];
  ld.param.u64 %rd4, [bins];
  ld.param.u32 %r13, [n];
  ld.param.u32 %r14, [cut];
  mov.u32 %r30, %tid.x;
  mov.u32 %r28, %tid.y;
  mov.u32 %r27, 5;
  setp.lt.s32 %p1, %r30, 256;
  @%p1 bra $L1;
  bra.uni $L3;
$L1:
  mov.u32 %r2, %ntid.x;
  mov.u32 %r15, sh;
  mov.u32 %r26, %r30;
$L2:
  shl.b32 %r16, %r26, 2;
  add.s32 %r17, %r15, %r16;
  st.shared.u32 [%r17], 0;
  add.s32 %r26, %r26, %r2;
  setp.lt.s32 %p2, %r26, 256;
  @%p2 bra $L2;
$L3:
  mov.u32 %r5, %ntid.x;
  bar.sync 0;
  mov.u32 %r18, %ctaid.x;
  mad.lo.s32 %r29, %r18, %r5, %r30;
  ${s.earlyExit ? 'setp.eq.u32 %p6, %r30, %r14;\n  @%p6 bra $L6;' : ''}
  setp.ge.s32 %p3, %r29, %r13;
  @%p3 bra $L6;
  ${s.step === 'grid' ? 'mov.u32 %r19, %nctaid.x;\n  mul.lo.s32 %r7, %r5, %r19;' : 'mov.u32 %r7, %r5;'}
  cvta.to.global.u64 %rd1, %rd3;
$L5:
  ${loop.join('\n  ')}
$L6:
  setp.gt.s32 %p5, %r30, 255;
  bar.sync 0;
  cvta.to.global.u64 %rd2, %rd4;
  mov.u32 %r31, %tid.y;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r31, %r31, %r3, %r30;
  mul.wide.u32 %rd9, %r31, 4;
  add.s64 %rd10, %rd2, %rd9;
  add.s32 %r28, %r28, %r27;
  atom.global.add.u32 %r12, [%rd10+1024], %r28;
  @%p5 bra $L11;
  mov.u32 %r25, sh;
$L8:
  shl.b32 %r24, %r30, 2;
  add.s32 %r26, %r25, %r24;
  ld.shared.u32 %r11, [%r26];
  setp.eq.s32 %p7, %r11, 0;
  @%p7 bra $L10;
  mul.wide.s32 %rd7, %r30, 4;
  add.s64 %rd8, %rd2, %rd7;
  atom.global.add.u32 %r10, [%rd8], %r11;
$L10:
  add.s32 %r30, %r30, %r5;
  setp.lt.s32 %p7, %r30, 256;
  @%p7 bra $L8;
$L11:
  ret;
}
`;
}

interface Launch {
  grid: number;
  block: [number, number];
  n: number;
  cut: number;
  /** Bytes in the data window (less than n: a fault inside the loop). */
  dataBytes: number;
  fill: number;
}

const DATA = 8192;

function run(ptx: string, entry: string, wasm: boolean, l: Launch): CaughtOutcome {
  const { memory, bytes } = filledMemory(4, (i) => i * 131 + l.fill);
  const bins = (DATA + l.n + 64 + 15) & ~15;
  bytes.fill(0, bins, bins + 1024 + 4 * 1024);
  const args: KernelArg[] = [ptr(DATA, l.dataBytes), ptr(bins, 1024 + 4 * 1024), u32(l.n), u32(l.cut)];
  return launchCaught({ ptx, entry, hash: `${entry}-${wasm}`, wasm, memory, grid: [l.grid, 1, 1], block: [l.block[0], l.block[1], 1], args });
}

const shape: fc.Arbitrary<Shape> = fc.record({
  step: fc.constantFrom('grid' as const, 'block' as const),
  earlyExit: fc.boolean(),
  red: fc.boolean(),
  carried: fc.boolean(),
  computed: fc.boolean(),
  unbounded: fc.constantFrom(false, false, false, true),
});

const launch: fc.Arbitrary<Launch> = fc
  .record({
    grid: fc.integer({ min: 1, max: 3 }),
    bx: fc.constantFrom(32, 96, 256, 300),
    by: fc.constantFrom(1, 1, 2),
    n: fc.integer({ min: 0, max: 6000 }),
    cut: fc.integer({ min: 0, max: 300 }),
    short: fc.integer({ min: 0, max: 3 }),
    fill: fc.integer({ min: 0, max: 255 }),
  })
  .filter((r) => r.bx * r.by <= 1024)
  .map((r) => ({ grid: r.grid, block: [r.bx, r.by] as [number, number], n: r.n, cut: r.cut, dataBytes: r.short === 0 ? Math.max(1, r.n - 7) : r.n + 1, fill: r.fill }));

describe('grid-stride loops in lock-step inside a barrier phase', () => {
  it('leave the bytes and memcheck reports of the JavaScript backend (fast-check over kernels and launches)', () => {
    let id = 0;
    let lockstepBlocks = 0;
    let faults = 0;
    let planned = 0;
    fc.assert(
      fc.property(shape, launch, (s, l) => {
        const k = id++;
        const ptx = histogramKernel(s, k);
        const module = parsePtx(ptx);
        const verdict = compileWasmKernel(module, module.functions.get(`hs${k}`)!);
        expect('kernel' in verdict, `kernel ${k} is not in the Wasm subset:\n${ptx}`).toBe(true);
        // an unbounded shared address needs a check, which could fault out of order: no lock-step then
        if ('kernel' in verdict) expect(verdict.kernel.lockstep, `kernel ${k}`).toBe(!s.unbounded);
        if (!s.unbounded) planned++;
        const js = run(ptx, `hs${k}`, false, l);
        const seen = lockstepStats.blocks;
        const wasm = run(ptx, `hs${k}`, true, l);
        lockstepBlocks += lockstepStats.blocks - seen;
        const what = `kernel ${k} ${JSON.stringify(s)} launch ${JSON.stringify(l)}`;
        if (!js.error) expect([js.backend, wasm.backend], what).toEqual(['js', 'wasm']);
        expect(wasm.error, what).toBe(js.error);
        const at = wasm.bytes.findIndex((b, i) => b !== js.bytes[i]);
        expect(at, `${what}: first differing byte at ${at}`).toBe(-1);
        if (js.error) faults++;
      }),
      { numRuns: 60 },
    );
    console.log(`lock-step blocks ${lockstepBlocks}, faulting launches ${faults}, planned kernels ${planned}`);
    expect(lockstepBlocks).toBeGreaterThan(20);
    expect(faults).toBeGreaterThan(2);
  });

  it('runs the histogram fixture in lock-step', () => {
    for (const f of ['fixtures/cuda/histogram.sm_75.ptx', 'fixtures/cuda/histogram.sm_90.ptx']) {
      const module = parsePtx(readFileSync(f, 'utf8'));
      const verdict = compileWasmKernel(module, module.functions.get('histogram')!);
      expect('kernel' in verdict && verdict.kernel.lockstep, f).toBe(true);
    }
  });
});
