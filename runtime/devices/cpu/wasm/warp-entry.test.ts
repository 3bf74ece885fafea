/**
 * The entry pass (warp-chain.ts entryChain, warp-emit.ts entryPass): a warp's first pass of a
 * block runs the code from the kernel's entry to its first shfl as one loop over its lanes, its
 * stops written as a straight chain's; the release pass (releaseChain) does the same from the
 * kernel's one barrier to the next shfl, for a warp's first pass after the release. Random kernels of the warp shuffle reduction's shape —
 * the entry's load guarded by `i < n` (nvcc's branch around it), unguarded, or lanes exiting
 * first (by `i >= n` or by a mask), a chain of shuffles in any modes with b and c immediates or
 * moved into registers, the leaders' sums through shared memory and a barrier, a second chain in
 * warp 0 — over grids of full warps, warps spanning block rows, partial warps, n not a multiple
 * of 32 and input windows shorter than n (the load faults), against the JavaScript backend (its
 * own scheduler) and against the same module without the entry pass: the same bytes, or the
 * same memcheck report; and the pass was taken by every warp of every block when nothing faulted.
 * The warp-wide exit (warp-exit.ts): exit tests after the barrier on %tid.x's high bits (whole
 * warps exit, or warps spanning rows split) or its low bits (never warp-wide), lanes that go on
 * marking their word, against the same oracles and the lane by lane release pass, the warps
 * exited at once counted.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { warpEntryPass, warpExitShortcut } from './warp-emit.js';
import { warpBlocksInJavaScript } from './warp-launch.js';
import { lockstepStats } from './wasm-launch.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';

const HEADER = '.version 8.0\n.target sm_80\n.address_size 64\n';
const MODES = ['up', 'down', 'bfly', 'idx'] as const;

/** How the entry reaches the first shfl. */
type Entry = 'guarded' | 'unguarded' | 'exit' | 'mask';
const ENTRIES: Entry[] = ['guarded', 'unguarded', 'exit', 'mask'];

interface Link {
  mode: (typeof MODES)[number];
  b: number;
  c: number;
  inRegs: boolean;
}

/** The entry's code from i (%r3) to the first shfl's operand %f27 ($L_start), as nvcc writes it for `v = i < n ? in[i] : 0`, or a variant. */
function entryCode(entry: Entry): string {
  const load = '  cvta.to.global.u64 %rd3, %rd1;\n  mul.wide.s32 %rd4, %r3, 4;\n  add.s64 %rd5, %rd3, %rd4;\n  ld.global.f32 %f27, [%rd5];';
  switch (entry) {
    case 'guarded':
      return `  setp.ge.s32 %p1, %r3, %r6;\n  mov.f32 %f27, 0f00000000;\n  @%p1 bra $L_start;\n${load}`;
    case 'unguarded':
      return load;
    case 'exit':
      return `  setp.ge.s32 %p1, %r3, %r6;\n  @%p1 bra $L_exit;\n${load}`;
    case 'mask':
      // lanes whose bit of pexit is set leave before the first shfl; the others load as nvcc's guard says
      return `  and.b32 %r51, %r2, 31;\n  shr.u32 %r52, %r50, %r51;\n  and.b32 %r53, %r52, 1;\n  setp.ne.u32 %p15, %r53, 0;\n  @%p15 bra $L_exit;\n  setp.ge.s32 %p1, %r3, %r6;\n  mov.f32 %f27, 0f00000000;\n  @%p1 bra $L_start;\n${load}`;
  }
}

/** `v += shfl(v, b, c)` per link, v in %f{from} on entry; returns the code and the register holding the sum. */
function chain(links: Link[], tag: string, from: string): { code: string; sum: string } {
  const code: string[] = [];
  let v = from;
  links.forEach((l, k) => {
    const r = `%r${tag}${k}`, s = `%s${tag}${k}`, f = `%g${tag}${k}`, w = `%v${tag}${k}`;
    let b = String(l.b), c = String(l.c);
    if (l.inRegs) {
      code.push(`  mov.u32 %b${tag}${k}, ${l.b};`, `  mov.u32 %c${tag}${k}, ${l.c};`);
      b = `%b${tag}${k}`;
      c = `%c${tag}${k}`;
    }
    code.push(`  mov.b32 ${r}, ${v};`, `  shfl.sync.${l.mode}.b32 ${s}|%q${tag}${k}, ${r}, ${b}, ${c}, -1;`, `  mov.b32 ${f}, ${s};`, `  add.f32 ${w}, ${v}, ${f};`);
    v = w;
  });
  return { code: code.join('\n'), sum: v };
}

/**
 * The test after the barrier: lanes whose `(%tid.x >> shift) cmp imm` (or `%tid.x & 31` when
 * lowBits) holds — or fails, when negate — exit; nvcc's `warp == 0` is shift 5, ne, 0.
 */
interface ExitTest {
  shift: number;
  lowBits: boolean;
  cmp: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
  type: 's32' | 'u32';
  imm: number;
  negate: boolean;
}

const WARP_ZERO: ExitTest = { shift: 5, lowBits: false, cmp: 'ne', type: 's32', imm: 0, negate: false };

/** Whether a lane with this %tid.x exits at the test (as PTX's setp and the guard say). */
function exitsAt(t: ExitTest, tx: number): boolean {
  const v = t.lowBits ? tx & 31 : tx >>> t.shift;
  const c = { eq: v === t.imm, ne: v !== t.imm, lt: v < t.imm, le: v <= t.imm, gt: v > t.imm, ge: v >= t.imm }[t.cmp];
  return c !== t.negate;
}

/** The warp shuffle reduction (fixtures/bench-kernels/warp_reduce.cu) with `entry` and chains `first` / `second`; each thread also stores its warp's sum at its linear index in `all`; `test`: the exit after the barrier (null: every lane goes on). */
function reduceKernel(entry: Entry, first: Link[], second: Link[], test: ExitTest | null = WARP_ZERO): string {
  const testDef = test ? `  ${test.lowBits ? 'and.b32 %r54, %r2, 31' : `shr.u32 %r54, %r2, ${test.shift}`};\n` : '';
  // each lane that goes on overwrites its word of `all` with the tested value: which lanes exited shows in the bytes
  const testCode = test ? `  setp.${test.cmp}.${test.type} %p8, %r54, ${test.imm};\n  @${test.negate ? '!' : ''}%p8 bra $L_exit;\n  st.global.u32 [%rd11], %r54;\n` : '';
  const a = chain(first, 'a', '%f27');
  const b = chain(second, 'b', '%f28');
  const decl = (p: string, n: number, type: string): string => `  .reg .${type} ${p}<${Math.max(1, n)}>;`;
  const regs = ['a', 'b'].flatMap((t) => [decl(`%r${t}`, 8, 'b32'), decl(`%s${t}`, 8, 'b32'), decl(`%b${t}`, 8, 'b32'), decl(`%c${t}`, 8, 'b32'), decl(`%g${t}`, 8, 'f32'), decl(`%v${t}`, 8, 'f32'), decl(`%q${t}`, 8, 'pred')]);
  return `${HEADER}.visible .entry run(.param .u64 pin, .param .u64 pout, .param .u32 pn, .param .u64 pall, .param .u32 pexit)
{
  .reg .pred %p<16>;
  .reg .f32 %f<29>;
  .reg .b32 %r<60>;
  .reg .b64 %rd<16>;
${regs.join('\n')}
  .shared .align 4 .b8 partial[128];
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r6, [pn];
  ld.param.u64 %rd9, [pall];
  ld.param.u32 %r50, [pexit];
  mov.u32 %r7, %ntid.x;
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %tid.x;
  mad.lo.s32 %r3, %r1, %r7, %r2;
${entryCode(entry)}
$L_start:
${a.code}
  mov.u32 %r40, %tid.y;
  mov.u32 %r41, %ntid.y;
  mul.lo.s32 %r42, %r7, %r41;
  mad.lo.s32 %r43, %r40, %r7, %r2;
  mad.lo.s32 %r44, %r1, %r42, %r43;
  mul.wide.u32 %rd10, %r44, 4;
  add.s64 %rd11, %rd9, %rd10;
  st.global.f32 [%rd11], ${a.sum};
  shr.u32 %r4, %r2, 5;
${testDef}  and.b32 %r5, %r2, 31;
  setp.ne.s32 %p7, %r5, 0;
  @%p7 bra $L_bar;
  shl.b32 %r25, %r4, 2;
  mov.u32 %r26, partial;
  add.s32 %r27, %r26, %r25;
  st.shared.f32 [%r27], ${a.sum};
$L_bar:
  bar.sync 0;
${testCode}  setp.gt.u32 %p9, %r5, 7;
  mov.f32 %f28, 0f00000000;
  @%p9 bra $L_second;
  shl.b32 %r28, %r5, 2;
  mov.u32 %r29, partial;
  add.s32 %r30, %r29, %r28;
  ld.shared.f32 %f28, [%r30];
$L_second:
${b.code}
  @%p7 bra $L_exit;
  cvta.to.global.u64 %rd6, %rd2;
  mul.wide.u32 %rd7, %r1, 4;
  add.s64 %rd8, %rd6, %rd7;
  st.global.f32 [%rd8], ${b.sum};
$L_exit:
  ret;
}
`;
}

interface Shape {
  grid: number;
  block: [number, number];
}

const SHAPES: Shape[] = [
  { grid: 3, block: [256, 1] }, // the bench's blocks
  { grid: 2, block: [64, 1] }, // two full warps
  { grid: 2, block: [16, 4] }, // full warps spanning rows
  { grid: 2, block: [48, 1] }, // a full warp and a partial one
  { grid: 3, block: [7, 2] }, // one partial warp spanning rows
  { grid: 2, block: [32, 3] }, // rows of one warp each (%tid.x >> 5 is 0 in every warp)
  { grid: 2, block: [64, 2] }, // two warps a row
  { grid: 2, block: [48, 2] }, // warp 1 spans rows: %tid.x 32..47 and 0..15 (the test splits it)
];

const threadsOf = (s: Shape): number => s.grid * s.block[0] * s.block[1];
const warpsOf = (s: Shape): number => s.grid * Math.ceil((s.block[0] * s.block[1]) / 32);

/** Finite f32 values below 1 in magnitude, from a seed. */
function input(seed: number, n: number): Float32Array {
  let x = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

interface Outcome {
  bytes: number[];
  error?: string;
  backend: string | undefined;
  entryWarps: number;
  releaseWarps: number;
  exitWarps: number;
  jsBlocks: number;
}

/** One launch: `inWords` words of input in a window of their own, the outputs before it (a read past the input's end is outside every window). */
function launch(ptx: string, wasm: boolean, shape: Shape, data: Float32Array, inWords: number, n: number, exit: number, tag: string): Outcome {
  const threads = threadsOf(shape);
  const memory = new WebAssembly.Memory({ initial: 4 });
  const outAt = 1024, allAt = outAt + 4 * shape.grid + 64, inAt = allAt + 4 * threads + 4096;
  new Float32Array(memory.buffer, inAt, inWords).set(data.subarray(0, inWords));
  const dev = new CpuDevice({ wasmKernels: wasm, workers: 1 });
  const k = dev.loadKernel(ptx, createHash('sha256').update(ptx + tag).digest('hex'), 'run');
  const before = { entry: lockstepStats.entryWarps, release: lockstepStats.releaseWarps, exit: lockstepStats.exitWarps, js: warpBlocksInJavaScript() };
  let error: string | undefined;
  try {
    dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0], shape.block[1], 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(inAt, 4 * inWords), ptr(outAt, 4 * shape.grid), u32(n), ptr(allAt, 4 * threads), u32(exit)] });
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e;
    error = e.message;
  }
  return { bytes: Array.from(new Uint8Array(memory.buffer, outAt, inAt - outAt)), ...(error !== undefined ? { error } : {}), backend: dev.lastBackend, entryWarps: lockstepStats.entryWarps - before.entry, releaseWarps: lockstepStats.releaseWarps - before.release, exitWarps: lockstepStats.exitWarps - before.exit, jsBlocks: warpBlocksInJavaScript() - before.js };
}

const passesOf = (ptx: string): { entry?: boolean; release?: boolean; warpExit?: boolean } => {
  const m = parsePtx(ptx);
  const r = compileWasmKernel(m, m.functions.get('run')!);
  return 'kernel' in r ? { entry: r.kernel.warp?.entryPass, release: r.kernel.warp?.releasePass, warpExit: r.kernel.warp?.warpExit } : {};
};

/** The warps that exit at once after the release (warp-exit.ts), in a launch where every block releases: with %ntid.x a multiple of 32, those whose first lane exits. */
function wholeWarpExits(shape: Shape, test: ExitTest): number {
  const [ntx, nty] = shape.block;
  if (ntx % 32 !== 0) return 0;
  let n = 0;
  for (let w = 0; w < (ntx * nty) / 32; w++) if (exitsAt(test, (32 * w) % ntx)) n++;
  return shape.grid * n;
}
const entryPassOf = (ptx: string): boolean | undefined => passesOf(ptx).entry;

const SUM: Link[] = [16, 8, 4, 2, 1].map((b) => ({ mode: 'down', b, c: 31, inRegs: true }));

afterEach(() => {
  warpEntryPass.enabled = true;
  warpExitShortcut.enabled = true;
});

describe('the entry pass (warp-chain.ts entryChain)', () => {
  it('takes nvcc’s warp_reduce entry and the variants with exits, and not an entry that stops at a barrier first or at two sites', () => {
    for (const e of ENTRIES) expect(entryPassOf(reduceKernel(e, SUM, SUM))).toBe(true);
    const bar = reduceKernel('guarded', SUM, SUM).replace('$L_start:\n', '$L_start:\n  bar.sync 0;\n');
    expect(entryPassOf(bar)).toBe(false);
    // lanes with i >= n stop at a vote, the others at the shfl: two sites
    const vote = reduceKernel('guarded', SUM, SUM).replace('  @%p1 bra $L_start;', '  @%p1 bra $L_vote;').replace('$L_start:\n', '$L_start:\n  bra.uni $L_shfl;\n$L_vote:\n  vote.sync.any.pred %p14, %p1, -1;\n$L_shfl:\n');
    expect(entryPassOf(vote)).toBe(false);
    // lanes with i >= n stop at another shfl first: two shfl sites
    const split = reduceKernel('guarded', SUM, SUM).replace('  @%p1 bra $L_start;', '  @%p1 bra $L_other;').replace('$L_start:\n', '  bra.uni $L_start;\n$L_other:\n  shfl.sync.bfly.b32 %r59, %r3, 1, 31, -1;\n$L_start:\n');
    expect(entryPassOf(split)).toBe(false);
    // a guarded first shfl lets lanes go on past it
    const guardedShfl = reduceKernel('guarded', SUM, SUM).replace('  shfl.sync.down.b32 %sa0', '  @%p1 shfl.sync.down.b32 %sa0');
    expect(entryPassOf(guardedShfl)).toBe(false);
  });

  it('takes the region after the one barrier for the release pass, and not with a second barrier', () => {
    for (const e of ENTRIES) expect(passesOf(reduceKernel(e, SUM, SUM)).release).toBe(true);
    // a second barrier: after a release the lanes may wait at either
    const two = reduceKernel('guarded', SUM, SUM).replace('  @%p7 bra $L_exit;\n  cvta', '  bar.sync 0;\n  @%p7 bra $L_exit;\n  cvta');
    expect(passesOf(two)).toEqual({ entry: true, release: false, warpExit: false });
    // the barrier's region stops at a vote before the shfl
    const vote = reduceKernel('guarded', SUM, SUM).replace('$L_second:\n', '$L_second:\n  vote.sync.any.pred %p14, %p9, -1;\n');
    expect(passesOf(vote)).toEqual({ entry: true, release: false, warpExit: false });
  });

  it('exits whole warps at once only for a test of %tid.x above bit 4 against an immediate, branching to a bare exit', () => {
    const warpExitOf = (t: ExitTest | null): boolean | undefined => passesOf(reduceKernel('guarded', SUM, SUM, t)).warpExit;
    expect(warpExitOf(WARP_ZERO)).toBe(true);
    expect(warpExitOf({ ...WARP_ZERO, shift: 9, cmp: 'lt', type: 'u32', imm: 3, negate: true })).toBe(true);
    // lanes of a warp differ in %tid.x's low bits
    expect(warpExitOf({ ...WARP_ZERO, shift: 4 })).toBe(false);
    expect(warpExitOf({ ...WARP_ZERO, lowBits: true })).toBe(false);
    expect(warpExitOf(null)).toBe(false);
    // the branch goes to code before the exit, or the block does more than the test
    const store = reduceKernel('guarded', SUM, SUM).replace('$L_exit:\n  ret;', '$L_exit:\n  st.global.f32 [%rd11], %f28;\n  ret;');
    expect(passesOf(store).warpExit).toBe(false);
    const more = reduceKernel('guarded', SUM, SUM).replace('  bar.sync 0;\n', '  bar.sync 0;\n  add.s32 %r55, %r54, 1;\n');
    expect(passesOf(more).warpExit).toBe(false);
    // the compared register is loaded, not %tid.x's bits
    const loaded = reduceKernel('guarded', SUM, SUM).replace('shr.u32 %r54, %r2, 5;', 'shr.u32 %r54, %r3, 5;');
    expect(passesOf(loaded).warpExit).toBe(false);
    // the switch
    warpExitShortcut.enabled = false;
    expect(warpExitOf(WARP_ZERO)).toBe(false);
  });

  it('exits warps 1–7 of the bench’s blocks at once, and no warp when one spans rows that the test splits', () => {
    const ptx = reduceKernel('guarded', SUM, SUM);
    for (const [shape, whole] of [[SHAPES[0]!, 3 * 7], [{ grid: 2, block: [48, 2] } as Shape, 0]] as const) {
      const data = input(5, threadsOf(shape));
      const wasm = launch(ptx, true, shape, data, data.length, data.length, 0, 'whole');
      const js = launch(ptx, false, shape, data, data.length, data.length, 0, 'whole');
      expect(wasm.error).toBeUndefined();
      expect(wasm.bytes).toEqual(js.bytes);
      expect(wasm.exitWarps).toBe(whole);
      expect(wasm.releaseWarps).toBe(warpsOf(shape));
    }
  });

  it('gives the JavaScript backend’s bytes and memcheck reports, and the general pass’s, for random entries, chains, shapes and windows (fast-check)', () => {
    const linkArb = fc.record({
      mode: fc.constantFrom(...MODES),
      b: fc.oneof(fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 0, max: 40 })),
      c: fc.oneof(fc.constantFrom(31, 0x1c07, 0x101f), fc.integer({ min: 0, max: 0xffff })),
      inRegs: fc.boolean(),
    });
    const chainArb = fc.oneof(fc.constant(SUM), fc.array(linkArb, { minLength: 1, maxLength: 5 }));
    const testArb = fc.record({
      shift: fc.constantFrom(3, 4, 5, 5, 6, 7, 9),
      lowBits: fc.boolean(),
      cmp: fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'),
      type: fc.constantFrom('s32', 'u32'),
      imm: fc.integer({ min: 0, max: 9 }),
      negate: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...ENTRIES),
        chainArb,
        chainArb,
        fc.constantFrom(...SHAPES),
        // n against the threads (n not a multiple of 32 mostly), and whether the input window is shorter than n
        fc.integer({ min: 0, max: 1200 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
        fc.integer({ min: 1, max: 2 ** 31 }),
        // none: every warp runs the second chain (the barrier's region has no exit; lanes that exited before it are still out)
        fc.oneof(fc.constant(WARP_ZERO), fc.constant(null), testArb, testArb),
        (entry, first, second, shape, perMille, short, exit, seed, test) => {
          const ptx = reduceKernel(entry, first, second, test);
          const allWarps = test === null ? 'all' : JSON.stringify(test);
          const threads = threadsOf(shape);
          // i = %ctaid.x · %ntid.x + %tid.x runs below grid · ntid.x (rows of a block share it)
          const n = Math.round((perMille / 1000) * shape.grid * shape.block[0]);
          // the window: n words (or the threads' when longer, for the unguarded load), less `short`
          const inWords = Math.max(1, Math.max(n, entry === 'unguarded' ? threads : 0) - short);
          const data = input(seed, inWords);
          const tag = `${entry}.${shape.grid}.${allWarps}`;
          const wasm = launch(ptx, true, shape, data, inWords, n, exit, tag);
          const js = launch(ptx, false, shape, data, inWords, n, exit, tag);
          warpEntryPass.enabled = false;
          const general = launch(ptx, true, shape, data, inWords, n, exit, `${tag}.general`);
          warpEntryPass.enabled = true;
          warpExitShortcut.enabled = false;
          const laneByLane = launch(ptx, true, shape, data, inWords, n, exit, `${tag}.lanes`);
          warpExitShortcut.enabled = true;
          expect(wasm.error).toBe(js.error);
          expect(general.error).toBe(js.error);
          expect(laneByLane.error).toBe(js.error);
          expect(wasm.bytes).toEqual(js.bytes);
          expect(general.bytes).toEqual(js.bytes);
          expect(laneByLane.bytes).toEqual(js.bytes);
          expect(general.entryWarps + general.releaseWarps + general.exitWarps + laneByLane.exitWarps).toBe(0);
          const whole = test && !test.lowBits && test.shift >= 5;
          expect(passesOf(ptx).warpExit).toBe(Boolean(whole));
          // the warps that exited at once: with every block releasing, exactly those whose lanes all exit
          const expected = whole ? wholeWarpExits(shape, test) : 0;
          if (wasm.error === undefined && (entry === 'guarded' || entry === 'unguarded')) expect(wasm.exitWarps).toBe(expected);
          else expect(wasm.exitWarps).toBeLessThanOrEqual(expected);
          if (wasm.error === undefined) {
            expect([wasm.backend, js.backend, general.backend]).toEqual(['wasm', 'js', 'wasm']);
            // every warp of every block started with the entry pass, none went to the JavaScript scheduler
            expect(wasm.entryWarps).toBe(warpsOf(shape));
            // after the release too (each block releases once), where no block's threads all exit before the barrier
            if (entry === 'guarded' || entry === 'unguarded') expect(wasm.releaseWarps).toBe(warpsOf(shape));
            else expect(wasm.releaseWarps).toBeLessThanOrEqual(warpsOf(shape));
            expect(wasm.jsBlocks).toBe(0);
          }
        },
      ),
      { numRuns: Number(process.env.WARP_RUNS ?? 60) },
    );
  });

  it('reports a faulting load in the entry exactly as the JavaScript backend does', () => {
    const ptx = reduceKernel('guarded', SUM, SUM);
    const shape = SHAPES[0]!;
    // n = 600 but a window of 500 words: thread 500 (block 1, thread 244) reads past it
    const data = input(3, 500);
    const wasm = launch(ptx, true, shape, data, 500, 600, 0, 'fault');
    const js = launch(ptx, false, shape, data, 500, 600, 0, 'fault');
    expect(wasm.error).toMatch(/invalid __global__ read of 4 bytes .* by thread \(244,0,0\) in block \(1,0,0\)/);
    expect(wasm.error).toBe(js.error);
    expect(wasm.bytes).toEqual(js.bytes);
    // block 0's eight warps took the entry pass, block 1's faulting warp did not finish it
    expect(wasm.entryWarps).toBe(8 + 7);
  });
});
