/**
 * Threads in SIMD lane groups (lanes-plan.ts, lanes-emit.ts) against the JavaScript backend, the
 * differential oracle: random straight-line kernels of nvcc's `if (i < n) { … }` shape over 32-,
 * 64-bit and f32 values — instructions with a SIMD form and ones without (which run per lane),
 * guarded instructions, loads that are contiguous, strided or the same for every lane, a guard
 * that splits lane groups (mixed masks), blocks whose rows end in a tail of fewer than 4 threads,
 * and outputs that alias the input (the run-time test must then keep the scalar order where a
 * lane reads what another lane of its group wrote). Both backends must leave the same bytes; the
 * runs must include blocks that ran in lanes.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';
import { filledMemory, launchCaught, type CaughtOutcome } from '../../../test-support/launch-caught.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { lanesStats } from './wasm-launch.js';
import { lanesTuning } from './lanes-emit.js';

/** Most threads a launch here has (the outputs' sections are laid out for it). */
const MAX_THREADS = 1024;
/** Where the 8-byte output slots start (after MAX_THREADS u32 ones), then another u32 per thread, then one word for all. */
const SECTION_B = 4 * MAX_THREADS;
const SECTION_C = 12 * MAX_THREADS;
const SHARED_WORD = 16 * MAX_THREADS + 16;

function randomKernel(random: () => number, id: number): string {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const lines: string[] = [];
  let nr = 20, nf = 4, nd = 12, np = 2;
  const r = (): string => `%r${nr++}`, f = (): string => `%f${nf++}`, d = (): string => `%rd${nd++}`, p = (): string => `%p${np++}`;
  const I32 = ['%r7', '%r3', '%r2', '%r6'], F32 = ['%f1'], I64 = ['%rd5'], PRED: string[] = [];
  // a guard on i < n, and sometimes one that differs inside lane groups
  if (random() < 0.8) lines.push('setp.ge.s32 %p1, %r7, %r1;', '@%p1 bra $L_end;');
  if (random() < 0.3) {
    const t = r();
    lines.push(`and.b32 ${t}, %r3, ${pick([1, 3, 5, 6])};`, `setp.eq.u32 %p0, ${t}, ${int(0, 3)};`, '@%p0 bra $L_end;');
  }
  // loads: contiguous u32 and f32, strided (8 bytes apart), a u64, and one address for every lane
  lines.push('mul.wide.u32 %rd6, %r7, 4;', 'add.s64 %rd7, %rd3, %rd6;', 'mul.wide.u32 %rd8, %r7, 8;', 'add.s64 %rd9, %rd3, %rd8;');
  const loads = [
    (): void => { const x = r(); lines.push(`ld.global.u32 ${x}, [%rd7];`); I32.push(x); },
    (): void => { const x = f(); lines.push(`ld.global.f32 ${x}, [%rd7+${4 * int(0, 3)}];`); F32.push(x); },
    (): void => { const x = r(); lines.push(`ld.global.u32 ${x}, [%rd9+4];`); I32.push(x); },
    (): void => { const x = d(); lines.push(`ld.global.u64 ${x}, [%rd9];`); I64.push(x); },
    (): void => { const x = r(); lines.push(`ld.global.u32 ${x}, [%rd3+${4 * int(0, 7)}];`); I32.push(x); },
  ];
  for (let i = 0, n = int(1, 4); i < n; i++) pick(loads)();
  const ops = [
    // with a SIMD form
    (): void => { const x = r(); lines.push(`${pick(['add.s32', 'sub.s32', 'mul.lo.s32', 'and.b32', 'or.b32', 'xor.b32', 'add.u32'])} ${x}, ${pick(I32)}, ${pick([...I32, String(int(-99, 99))])};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`mad.lo.s32 ${x}, ${pick(I32)}, ${pick([...I32, '7'])}, ${pick(I32)};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`${pick(['shl.b32', 'shr.u32', 'shr.s32'])} ${x}, ${pick(I32)}, ${int(0, 31)};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`not.b32 ${x}, ${pick(I32)};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`${pick(['min.s32', 'max.s32', 'min.u32', 'max.u32'])} ${x}, ${pick(I32)}, ${pick([...I32, String(int(-9, 9))])};`); I32.push(x); },
    (): void => { const x = f(); lines.push(`${pick(['neg.f32', 'abs.f32'])} ${x}, ${pick(F32)};`); F32.push(x); },
    (): void => { const x = p(); lines.push(`setp.${pick(['lt', 'ge', 'eq', 'ne', 'le', 'gt'])}.${pick(['s32', 'u32'])} ${x}, ${pick(I32)}, ${pick([...I32, String(int(0, 50))])};`); PRED.push(x); },
    (): void => { const x = p(); lines.push(`setp.${pick(['lt', 'ge', 'eq', 'gt', 'le'])}.f32 ${x}, ${pick(F32)}, ${pick(F32)};`); PRED.push(x); },
    (): void => { if (PRED.length < 2) return; const x = p(); lines.push(`${pick(['and', 'or', 'xor'])}.pred ${x}, ${pick(PRED)}, ${pick(PRED)};`); PRED.push(x); },
    (): void => { if (PRED.length === 0) return; const x = r(); lines.push(`selp.b32 ${x}, ${pick(I32)}, ${pick(I32)}, ${pick(PRED)};`); I32.push(x); },
    (): void => { if (PRED.length === 0) return; const x = f(); lines.push(`selp.f32 ${x}, ${pick(F32)}, ${pick(F32)}, ${pick(PRED)};`); F32.push(x); },
    (): void => { const x = f(); lines.push(`${pick(['add.f32', 'sub.rn.f32', 'mul.f32', 'mul.rn.f32'])} ${x}, ${pick(F32)}, ${pick([...F32, '0f3FC00000'])};`); F32.push(x); },
    (): void => { const x = f(); lines.push(`fma.rn.f32 ${x}, ${pick(F32)}, ${pick([...F32, '0f40490FDB'])}, ${pick(F32)};`); F32.push(x); },
    (): void => { const x = d(); lines.push(`${pick(['add.s64', 'sub.s64', 'xor.b64', 'mul.lo.s64', 'and.b64'])} ${x}, ${pick(I64)}, ${pick([...I64, String(int(-5, 1000))])};`); I64.push(x); },
    (): void => { const x = d(); lines.push(`${pick(['shl.b64', 'shr.u64', 'shr.s64'])} ${x}, ${pick(I64)}, ${int(0, 63)};`); I64.push(x); },
    (): void => { const x = d(); lines.push(`${pick(['cvt.u64.u32', 'cvt.s64.s32'])} ${x}, ${pick(I32)};`); I64.push(x); },
    (): void => { const x = d(); lines.push(`${pick(['mul.wide.s32', 'mul.wide.u32'])} ${x}, ${pick(I32)}, ${pick([...I32, '-3'])};`); I64.push(x); },
    (): void => { const x = r(); lines.push(`cvt.u32.u64 ${x}, ${pick(I64)};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`mov.b32 ${x}, ${pick(F32)};`); I32.push(x); },
    // bit instructions (lanes-bits.ts): SIMD forms, or each lane's value alone (a shift by a varying count)
    (): void => { const x = r(); lines.push(`${pick(['popc.b32', 'brev.b32', 'clz.b32'])} ${x}, ${pick(I32)};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`${pick(['popc.b64', 'clz.b64'])} ${x}, ${pick(I64)};`); I32.push(x); },
    (): void => { const x = d(); lines.push(`brev.b64 ${x}, ${pick(I64)};`); I64.push(x); },
    (): void => { const x = r(); lines.push(`shf.${pick(['l', 'r'])}.${pick(['wrap', 'clamp'])}.b32 ${x}, ${pick(I32)}, ${pick(I32)}, ${pick([String(int(0, 40)), '%r2', ...I32])};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`bfe.${pick(['u32', 's32'])} ${x}, ${pick(I32)}, ${int(0, 34)}, ${int(0, 34)};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`bfi.b32 ${x}, ${pick(I32)}, ${pick(I32)}, ${int(0, 34)}, ${int(0, 34)};`); I32.push(x); },
    (): void => { const x = d(); lines.push(`bfe.${pick(['u64', 's64'])} ${x}, ${pick(I64)}, ${int(0, 66)}, ${int(0, 66)};`); I64.push(x); },
    (): void => { const x = d(); lines.push(`bfi.b64 ${x}, ${pick(I64)}, ${pick(I64)}, ${int(0, 66)}, ${int(0, 66)};`); I64.push(x); },
    (): void => { const x = d(); lines.push(`${pick(['shl.b64', 'shr.u64', 'shr.s64'])} ${x}, ${pick(I64)}, ${pick(['%r2', String(int(0, 70))])};`); I64.push(x); },
    // without one: per lane
    (): void => { const x = r(); lines.push(`${pick(['div.u32', 'rem.s32', 'min.s32', 'max.u32', 'shl.b32', 'shr.u32'])} ${x}, ${pick(I32)}, ${pick(I32)};`); I32.push(x); },
    (): void => { const x = f(), op = pick(['sqrt.rn.f32', 'neg.f32', 'abs.f32', 'div.rn.f32']); lines.push(op === 'div.rn.f32' ? `${op} ${x}, ${pick(F32)}, ${pick(F32)};` : `${op} ${x}, ${pick(F32)};`); F32.push(x); },
    (): void => { const x = f(); lines.push(`cvt.rn.f32.s32 ${x}, ${pick(I32)};`); F32.push(x); },
    (): void => { const x = r(); lines.push(`cvt.rzi.s32.f32 ${x}, ${pick(F32)};`); I32.push(x); },
    (): void => { const x = r(); lines.push(`mul.hi.${pick(['u32', 's32'])} ${x}, ${pick(I32)}, ${pick(I32)};`); I32.push(x); },
    (): void => { const x = p(); lines.push(`setp.lt.u64 ${x}, ${pick(I64)}, ${pick(I64)};`); PRED.push(x); },
    // guarded writes (per lane): the register keeps its value where the guard is false
    (): void => {
      if (PRED.length === 0) return;
      const x = r();
      lines.push(`mov.b32 ${x}, ${pick(I32)};`, `@${random() < 0.5 ? '!' : ''}${pick(PRED)} add.s32 ${x}, ${x}, ${int(1, 9)};`);
      I32.push(x);
    },
    (): void => {
      if (PRED.length === 0) return;
      const x = r();
      lines.push(`mov.b32 ${x}, ${pick(I32)};`, `@${pick(PRED)} mov.b32 ${x}, ${pick(I32)};`);
      I32.push(x);
    },
  ];
  for (let i = 0, n = int(2, 14); i < n; i++) pick(ops)();
  // every value computed folded into two (so a wrong lane anywhere shows in the output): out[i], and an 8-byte slot per i
  const acc = r(), acc64 = d();
  lines.push(`mov.b32 ${acc}, ${int(0, 99)};`, `mov.b64 ${acc64}, ${int(0, 99)};`);
  // (times an odd number: a bijection, so no value's bits are shifted out)
  for (const x of I32) lines.push(`xor.b32 ${acc}, ${acc}, ${x};`, `mul.lo.s32 ${acc}, ${acc}, 1000003;`);
  F32.forEach((x, k) => {
    // the value, and its sign bit once more at a bit of its own (two sign flips must not cancel)
    const b = r(), c = r();
    lines.push(`mov.b32 ${b}, ${x};`, `add.s32 ${acc}, ${acc}, ${b};`, `shr.u32 ${c}, ${b}, 31;`, `shl.b32 ${c}, ${c}, ${k % 30};`, `xor.b32 ${acc}, ${acc}, ${c};`);
  });
  for (const x of PRED) {
    const b = r();
    lines.push(`selp.b32 ${b}, ${int(1, 1 << 20)}, 0, ${x};`, `xor.b32 ${acc}, ${acc}, ${b};`);
  }
  for (const x of I64) lines.push(`xor.b64 ${acc64}, ${acc64}, ${x};`, `add.s64 ${acc64}, ${acc64}, ${x};`);
  lines.push('add.s64 %rd10, %rd4, %rd6;', 'add.s64 %rd11, %rd4, %rd8;');
  lines.push(`st.global.u32 [%rd10], ${acc};`);
  if (random() < 0.8) lines.push(`st.global.u64 [%rd11+${SECTION_B}], ${acc64};`);
  else lines.push(`st.global.f32 [%rd11+${SECTION_B + 4}], ${pick(F32)};`);
  // one word every thread reads, changes and writes back (the same site form in every lane: kx = 0)
  if (random() < 0.25) {
    const x = r(), y = r();
    lines.push(`ld.global.u32 ${x}, [%rd4+${SHARED_WORD}];`, `add.s32 ${y}, ${x}, %r7;`, `st.global.u32 [%rd4+${SHARED_WORD}], ${y};`);
  }
  // a load after the stores (of the next element: another lane's, when the output is the input)
  if (random() < 0.4) {
    const x = r();
    lines.push(`ld.global.u32 ${x}, [%rd7+4];`, `st.global.u32 [%rd10+${SECTION_C}], ${x};`);
  }
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry ln${id}(.param .u64 pin, .param .u64 pout, .param .u32 pn, .param .u32 pa, .param .f32 pf)
{
  .reg .pred %p<${np + 1}>;
  .reg .f32 %f<${nf + 1}>;
  .reg .b32 %r<${nr + 1}>;
  .reg .b64 %rd<${nd + 1}>;
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r1, [pn];
  ld.param.u32 %r2, [pa];
  ld.param.f32 %f1, [pf];
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %ctaid.x;
  mov.u32 %r6, %tid.y;
  mov.u32 %r9, %ntid.y;
  mad.lo.s32 %r8, %r5, %r9, %r6;
  mad.lo.s32 %r7, %r8, %r4, %r3;
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  mul.wide.u32 %rd5, %r3, 1000;
  ${lines.join('\n  ')}
$L_end:
  ret;
}
`;
}

interface Launch {
  grid: number;
  block: [number, number];
  n: number;
  aliased: boolean;
  fill: number;
}

/** The input at 4096 (room for the u32 and the 8-byte sections), the output after it or at the same address. */
function run(ptx: string, entry: string, wasm: boolean, l: Launch): CaughtOutcome {
  const { memory } = filledMemory(2, (i) => i * 131 + l.fill + (i >> 8));
  const IN = 4096, SIZE = SHARED_WORD + 64, OUT = l.aliased ? IN : IN + SIZE;
  const f32 = (v: number): KernelArg => ({ kind: 'scalar', tag: 'f32', bytes: new Uint8Array(new Float32Array([v]).buffer) });
  const args: KernelArg[] = [ptr(IN, SIZE), ptr(OUT, SIZE), u32(l.n), u32(12345), f32(1.25)];
  return launchCaught({ ptx, entry, hash: `${entry}-${wasm}`, wasm, memory, grid: [l.grid, 1, 1], block: [l.block[0], l.block[1], 1], args });
}

/** fast-check's draws as the generator's random source (a failure shrinks toward each choice's first option). */
const DRAWS = fc.array(fc.nat({ max: 0xffffffff }), { minLength: 120, maxLength: 120 });
function source(words: readonly number[]): () => number {
  let i = 0;
  return () => words[i++ % words.length]! / 2 ** 32;
}

describe('threads in SIMD lane groups', () => {
  // every generated kernel in lanes, however many per-lane runs it has (the per-lane code is under test too)
  const limit = lanesTuning.maxPerLaneRuns;
  beforeAll(() => {
    lanesTuning.maxPerLaneRuns = Infinity;
  });
  afterAll(() => {
    lanesTuning.maxPerLaneRuns = limit;
  });

  it('leave exactly the bytes the JavaScript backend leaves, on random straight-line kernels and launch shapes', () => {
    let id = 0;
    let laneBlocks = 0;
    let perLane = 0;
    let skipped = 0;
    fc.assert(
      fc.property(DRAWS, fc.boolean(), (words, aliased) => {
        const random = source(words);
        const k = id++;
        const ptx = randomKernel(random, k);
        const module = parsePtx(ptx);
        const verdict = compileWasmKernel(module, module.functions.get(`ln${k}`)!);
        if (!('kernel' in verdict)) throw new Error(`kernel ${k} is not in the Wasm subset (${verdict.unsupported}):\n${ptx}`);
        expect(verdict.kernel.lanes, `kernel ${k} has no lane plan:\n${ptx}`).toBe(true);
        if (/div|rem|sqrt|cvt\.r|mul\.hi|setp\.lt\.u64|@/.test(ptx)) perLane++;
        const bx = 1 + Math.floor(random() * 70), by = 1 + Math.floor(random() * 3);
        const grid = 1 + Math.floor(random() * Math.min(4, Math.floor(MAX_THREADS / (bx * by))));
        const threads = grid * bx * by;
        const l: Launch = { grid, block: [bx, by], n: Math.floor(random() * threads * 1.3), aliased, fill: Math.floor(random() * 256) };
        const js = run(ptx, `ln${k}`, false, l);
        // (the JavaScript backend refuses 64-bit integer values past 2^52 that the Wasm backend computes: no oracle for those)
        if (js.error?.includes('2^52')) {
          skipped++;
          return;
        }
        const before = lanesStats.blocks;
        const wasm = run(ptx, `ln${k}`, true, l);
        laneBlocks += lanesStats.blocks - before;
        expect(js.error).toBeUndefined();
        expect(wasm.error).toBeUndefined();
        expect([js.backend, wasm.backend]).toEqual(['js', 'wasm']);
        const at = wasm.bytes.findIndex((b, i) => b !== js.bytes[i]);
        expect(at, `kernel ${k} (${JSON.stringify(l)}): first differing byte at ${at}\n${ptx}`).toBe(-1);
      }),
      { numRuns: 120 },
    );
    expect(skipped).toBeLessThan(40);
    expect(laneBlocks).toBeGreaterThan(50);
    expect(perLane).toBeGreaterThan(20);
  });

  it('keep the scalar order where a lane reads what another lane of its group stored (the run-time test sends the block down the scalar path)', () => {
    // out == in: lane l stores in[i] and then reads in[i + 1], lane l+1's element
    const ptx = `.version 8.0
.target sm_75
.address_size 64
.visible .entry chain(.param .u64 pin, .param .u32 pn)
{
  .reg .pred %p<2>;
  .reg .b32 %r<12>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [pin];
  ld.param.u32 %r1, [pn];
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %ctaid.x;
  mad.lo.s32 %r7, %r5, %r4, %r3;
  setp.ge.s32 %p1, %r7, %r1;
  @%p1 bra $L_end;
  cvta.to.global.u64 %rd3, %rd1;
  mul.wide.u32 %rd6, %r7, 4;
  add.s64 %rd7, %rd3, %rd6;
  ld.global.u32 %r8, [%rd7];
  add.s32 %r9, %r8, %r7;
  st.global.u32 [%rd7], %r9;
  ld.global.u32 %r10, [%rd7+4];
  add.s32 %r11, %r10, 1;
  st.global.u32 [%rd7+2048], %r11;
$L_end:
  ret;
}
`;
    const out = (wasm: boolean): { bytes: Uint8Array; blocks: number } => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const bytes = new Uint8Array(memory.buffer);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
      const n = new Uint8Array(4);
      new DataView(n.buffer).setUint32(0, 500, true);
      const dev = new CpuDevice({ wasmKernels: wasm });
      const kernel = dev.loadKernel(ptx, `chain-${wasm}`, 'chain');
      const before = lanesStats.blocks;
      dev.launch({ kernel, grid: [2, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [{ kind: 'pointer', offset: 1024, length: 4096 }, { kind: 'scalar', tag: 'u32', bytes: n }] });
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return { bytes: bytes.slice(), blocks: lanesStats.blocks - before };
    };
    const module = parsePtx(ptx);
    const verdict = compileWasmKernel(module, module.functions.get('chain')!);
    expect('kernel' in verdict && verdict.kernel.lanes).toBe(true);
    const js = out(false), wasm = out(true);
    expect(wasm.blocks).toBe(0);
    expect(wasm.bytes.findIndex((b, i) => b !== js.bytes[i])).toBe(-1);
  });
});

describe('which bench kernels run in lanes', () => {
  const compile = (path: string, entry: string): boolean => {
    const module = parsePtx(readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8'));
    const verdict = compileWasmKernel(module, module.functions.get(entry)!);
    if (!('kernel' in verdict)) throw new Error(verdict.unsupported);
    return verdict.kernel.lanes;
  };
  it('straight-line kernels of SIMD forms do (bit operations too: lanes-bits.ts); kernels with loops keep the scalar loop', () => {
    expect(compile('fixtures/cuda/saxpy.sm_75.ptx', 'saxpy')).toBe(true);
    expect(compile('fixtures/cuda/vector_add.sm_75.ptx', 'vector_add')).toBe(true);
    expect(compile('fixtures/bench-kernels/index3d.sm_75.ptx', 'index3d')).toBe(true);
    expect(compile('fixtures/bench-kernels/hash.sm_75.ptx', 'hash')).toBe(true);
    expect(compile('fixtures/bench-kernels/bit_ops.sm_75.ptx', 'bit_ops')).toBe(true);
    expect(compile('fixtures/bench-kernels/grid_stride.sm_75.ptx', 'grid_stride')).toBe(false);
  });
});

describe('every SIMD form once', () => {
  it('gives the JavaScript backend’s bits on 512 threads of mixed-sign integers and floats, in lanes', () => {
    const forms32 = ['add.s32', 'sub.s32', 'mul.lo.s32', 'and.b32', 'or.b32', 'xor.b32', 'min.s32', 'max.s32', 'min.u32', 'max.u32'];
    const lines: string[] = [];
    let n = 20;
    const fold = (x: string): void => void lines.push(`xor.b32 %r10, %r10, ${x};`, `mul.lo.s32 %r10, %r10, 1000003;`);
    for (const op of forms32) {
      lines.push(`${op} %r${n}, %r8, %r9;`);
      fold(`%r${n++}`);
    }
    for (const op of ['shl.b32', 'shr.u32', 'shr.s32']) {
      lines.push(`${op} %r${n}, %r8, 13;`);
      fold(`%r${n++}`);
    }
    lines.push(`mad.lo.s32 %r${n}, %r8, %r9, %r7;`, `not.b32 %r${n + 1}, %r8;`);
    fold(`%r${n++}`);
    fold(`%r${n++}`);
    for (const cmp of ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'lo', 'ls', 'hi', 'hs']) {
      const ty = ['lo', 'ls', 'hi', 'hs'].includes(cmp) ? 'u32' : 's32';
      lines.push(`setp.${cmp}.${ty} %p2, %r8, %r9;`, `selp.b32 %r${n}, %r8, %r9, %p2;`);
      fold(`%r${n++}`);
    }
    for (const cmp of ['eq', 'lt', 'le', 'gt', 'ge']) {
      lines.push(`setp.${cmp}.f32 %p3, %f2, %f3;`, `and.pred %p4, %p3, %p2;`, `or.pred %p5, %p3, %p2;`, `xor.pred %p6, %p4, %p5;`, `not.pred %p7, %p6;`, `selp.b32 %r${n}, 3, 5, %p7;`);
      fold(`%r${n++}`);
    }
    let f = 10;
    for (const op of ['add.f32', 'sub.f32', 'mul.f32', 'neg.f32', 'abs.f32', 'fma.rn.f32', 'selp.f32']) {
      const args = op === 'neg.f32' || op === 'abs.f32' ? '%f2' : op === 'fma.rn.f32' ? '%f2, %f3, %f1' : op === 'selp.f32' ? '%f2, %f3, %p2' : '%f2, %f3';
      lines.push(`${op} %f${f}, ${args};`, `mov.b32 %r${n}, %f${f++};`);
      fold(`%r${n}`);
      lines.push(`shr.u32 %r${n + 1}, %r${n}, 31;`);
      fold(`%r${n + 1}`);
      n += 2;
    }
    let d = 20;
    lines.push(`mul.wide.s32 %rd${d}, %r8, %r9;`, `mul.wide.u32 %rd${d + 1}, %r8, %r9;`, `cvt.s64.s32 %rd${d + 2}, %r8;`, `cvt.u64.u32 %rd${d + 3}, %r9;`);
    d += 4;
    for (const op of ['add.s64', 'sub.s64', 'mul.lo.s64', 'and.b64', 'or.b64', 'xor.b64']) lines.push(`${op} %rd${d++}, %rd${d - 4}, %rd${d - 3};`);
    for (const op of ['shl.b64', 'shr.u64', 'shr.s64']) lines.push(`${op} %rd${d++}, %rd20, 17;`);
    lines.push(`not.b64 %rd${d++}, %rd21;`);
    for (let k = 20; k < d; k++) {
      lines.push(`cvt.u32.u64 %r${n}, %rd${k};`, `shr.u64 %rd${d}, %rd${k}, 32;`, `cvt.u32.u64 %r${n + 1}, %rd${d};`);
      fold(`%r${n}`);
      fold(`%r${n + 1}`);
      n += 2;
    }
    const ptx = `.version 8.0
.target sm_75
.address_size 64
.visible .entry forms(.param .u64 pin, .param .u32 pn, .param .f32 pf)
{
  .reg .pred %p<8>;
  .reg .f32 %f<${f + 1}>;
  .reg .b32 %r<${n + 1}>;
  .reg .b64 %rd<${d + 2}>;
  ld.param.u64 %rd1, [pin];
  ld.param.u32 %r1, [pn];
  ld.param.f32 %f1, [pf];
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %ctaid.x;
  mad.lo.s32 %r7, %r5, %r4, %r3;
  setp.ge.s32 %p1, %r7, %r1;
  @%p1 bra $L_end;
  cvta.to.global.u64 %rd3, %rd1;
  mul.wide.u32 %rd6, %r7, 4;
  add.s64 %rd7, %rd3, %rd6;
  ld.global.u32 %r8, [%rd7];
  ld.global.u32 %r9, [%rd7+2048];
  ld.global.f32 %f2, [%rd7+4096];
  ld.global.f32 %f3, [%rd7+6144];
  mov.u32 %r10, 7;
  ${lines.join('\n  ')}
  st.global.u32 [%rd7+8192], %r10;
$L_end:
  ret;
}
`;
    const out = (wasm: boolean): { bytes: Uint8Array; blocks: number } => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const bytes = new Uint8Array(memory.buffer);
      // words of every sign and size, then finite floats of both signs and many magnitudes
      const dv = new DataView(memory.buffer);
      for (let i = 0; i < 1024; i++) dv.setUint32(1024 + 4 * i, Math.imul(i + 1, 0x9e3779b1) ^ (i << 7), true);
      for (let i = 0; i < 1024; i++) dv.setFloat32(1024 + 4096 + 4 * i, (i % 3 === 0 ? -1 : 1) * ((Math.imul(i + 7, 0x85ebca6b) >>> 0) / 2 ** 32) * 2 ** ((i % 40) - 20), true);
      const nb = new Uint8Array(4);
      new DataView(nb.buffer).setUint32(0, 500, true);
      const fb = new Uint8Array(4);
      new DataView(fb.buffer).setFloat32(0, -1.75, true);
      const dev = new CpuDevice({ wasmKernels: wasm });
      const kernel = dev.loadKernel(ptx, `forms-${wasm}`, 'forms');
      const before = lanesStats.blocks;
      dev.launch({ kernel, grid: [2, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [{ kind: 'pointer', offset: 1024, length: 12288 }, { kind: 'scalar', tag: 'u32', bytes: nb }, { kind: 'scalar', tag: 'f32', bytes: fb }] });
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return { bytes: bytes.slice(), blocks: lanesStats.blocks - before };
    };
    const js = out(false), wasm = out(true);
    expect(wasm.blocks).toBe(2);
    const at = wasm.bytes.findIndex((b, i) => b !== js.bytes[i]);
    expect(at, ptx).toBe(-1);
  });
});
