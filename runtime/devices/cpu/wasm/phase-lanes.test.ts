/**
 * Reduction-tree phases in SIMD lanes (phase-lanes.ts, compile-wasm.ts phaseLanesLoop) against
 * the JavaScript backend: random kernels of block reduction's shape (a uniform stride loop across
 * the barrier, `if (t < k) s[t] += s[t + k]`) and of layer norm's (unrolled constant strides, the
 * tree run twice reusing its predicates across barriers), f32 or 32-bit integer adds, max or min
 * (inputs half NaNs with payloads, ±0, ±Inf, subnormals, integer extremes), the second
 * address as an immediate offset or a register, on random block sizes (non-powers of two, 2-D),
 * partial rows (`i < n`), threads exiting before the first barrier, and second loads that read
 * another lane's word, past the shared memory or misaligned (memcheck faults). Bytes and fault
 * reports must be the JavaScript backend's; groups must run in lanes where nothing forbids them.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';
import { filledMemory, launchCaught, type CaughtOutcome } from '../../../test-support/launch-caught.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { lanesStats } from './wasm-launch.js';

interface Shape {
  /** reduce_block's stride loop (`k = ntid / 2; k > 0; k >>= 1`), else unrolled constants from `top` down. */
  loop: boolean;
  top: number;
  float: boolean;
  /** The tree's combine: add, max or min (the integer ones signed or unsigned). */
  op: 'add' | 'max' | 'min';
  signed: boolean;
  /** The second address as `add r13, r5, 4k` instead of `[r5 + 4k]`. */
  viaReg: boolean;
  /** Elements added to the second load's index: another lane's word (1-3), far (past the shared size). */
  extra: number;
  /** 2 bytes more on the second load's address. */
  misalign: boolean;
  /** The tree's operands swapped in the add. */
  swap: boolean;
  /** The unrolled tree again after a full phase, reusing its predicates (layer norm's %p6). */
  twice: boolean;
  /** Threads with t >= cut exit before the first barrier. */
  exitCut: boolean;
  /** The second load's index t + near (1-3: a word another lane of the group stores) instead of t + k; 0: t + k. */
  near: number;
  /** Each thread's word at 8t instead of 4t (lanes' words not adjacent). */
  wide: boolean;
  /** The stride loop starting at a parameter (possibly past the block: no idle thread) instead of ntid / 2. */
  kParam: boolean;
  /** After the stride loop only threads t < 8 store (the loop's exit branch then splits too: reduce_block's `if (t == 0)`). */
  tailCut: boolean;
}

function kernel(s: Shape, id: number): string {
  const ty = s.float ? 'f32' : 'u32';
  const v = (k: number): string => (s.float ? `%f${k}` : `%r${100 + k}`);
  const add = (d: string, a: string, b: string): string => `${s.op}.${s.float ? 'f32' : s.signed || s.op === 'add' ? 's32' : 'u32'} ${d}, ${a}, ${b};`;
  const second = (k: string, regK: boolean): string[] => {
    const bytes = `${s.extra * 4 + (s.misalign ? 2 : 0)}`;
    if (s.near > 0) return [`ld.shared.${ty} ${v(5)}, [%r5+${s.near * 4 + Number(bytes)}];`];
    if (s.viaReg || regK) {
      return [regK ? `shl.b32 %r12, ${k}, 2;` : `mov.u32 %r12, ${Number(k) * 4};`, 'add.s32 %r13, %r5, %r12;', `ld.shared.${ty} ${v(5)}, [%r13+${bytes}];`];
    }
    return [`ld.shared.${ty} ${v(5)}, [%r5+${Number(k) * 4 + Number(bytes)}];`];
  };
  const step = (k: string, regK: boolean): string[] => [`ld.shared.${ty} ${v(4)}, [%r5];`, ...second(k, regK), s.swap ? add(v(6), v(4), v(5)) : add(v(6), v(5), v(4)), `st.shared.${ty} [%r5], ${v(6)};`];
  const tree: string[] = [];
  if (s.loop) {
    tree.push(s.kParam ? 'mov.u32 %r14, %r21;' : 'shr.u32 %r14, %r1, 1;', 'setp.eq.s32 %p2, %r14, 0;', '@%p2 bra $L6;', '$L3:', 'setp.ge.u32 %p3, %r3, %r14;', '@%p3 bra $L5;', ...step('%r14', true), '$L5:', 'bar.sync 0;', 'shr.u32 %r14, %r14, 1;', 'setp.ne.s32 %p4, %r14, 0;', '@%p4 bra $L3;', '$L6:', ...(s.tailCut ? ['setp.gt.u32 %p5, %r3, 7;', '@%p5 bra $LEXIT;'] : []));
  } else {
    const ks: number[] = [];
    for (let k = s.top; k > 0; k >>= 1) ks.push(k);
    ks.forEach((k, j) => tree.push(`setp.gt.s32 %p${10 + j}, %r3, ${k - 1};`, `@%p${10 + j} bra $LA${j};`, ...step(String(k), false), `$LA${j}:`, 'bar.sync 0;'));
    if (s.twice) {
      // every thread doubles its word, then the same tree on the same predicates
      tree.push(`ld.shared.${ty} ${v(7)}, [%r5];`, add(v(7), v(7), v(7)), `st.shared.${ty} [%r5], ${v(7)};`, 'bar.sync 0;');
      ks.forEach((k, j) => tree.push(`@%p${10 + j} bra $LB${j};`, ...step(String(k), false), `$LB${j}:`, 'bar.sync 0;'));
    }
  }
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry tree${id}(.param .u64 pin, .param .u64 pout, .param .u32 pn, .param .u32 pcut, .param .u32 pk)
{
  .reg .pred %p<40>;
  .reg .f32 %f<10>;
  .reg .b32 %r<120>;
  .reg .b64 %rd<10>;
  .shared .align 4 .b8 sh[4096];
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r9, [pn];
  ld.param.u32 %r20, [pcut];
  ld.param.u32 %r21, [pk];
  mov.u32 %r1, %ntid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %tid.x;
${s.exitCut ? '  setp.ge.u32 %p6, %r3, %r20;\n  @%p6 bra $LEXIT;' : ''}
  mad.lo.s32 %r4, %r2, %r1, %r3;
  setp.ge.u32 %p1, %r4, %r9;
  ${s.float ? 'mov.f32 %f8, 0f00000000;' : 'mov.u32 %r108, 0;'}
  @%p1 bra $L2;
  cvta.to.global.u64 %rd3, %rd1;
  mul.wide.u32 %rd4, %r4, 4;
  add.s64 %rd5, %rd3, %rd4;
  ld.global.${ty} ${v(8)}, [%rd5];
$L2:
  shl.b32 %r10, %r3, ${s.wide ? 3 : 2};
  mov.u32 %r11, sh;
  add.s32 %r5, %r11, %r10;
  st.shared.${ty} [%r5], ${v(8)};
  bar.sync 0;
${tree.map((x) => (x.endsWith(':') ? x : `  ${x}`)).join('\n')}
  ld.shared.${ty} ${v(9)}, [%r5];
  cvta.to.global.u64 %rd6, %rd2;
  mul.wide.u32 %rd7, %r4, 4;
  add.s64 %rd8, %rd6, %rd7;
  st.global.${ty} [%rd8], ${v(9)};
$LEXIT:
  ret;
}
`;
}

interface Launch {
  grid: number;
  block: [number, number];
  n: number;
  cut: number;
  k: number;
  seed: number;
}

const IN = 8192;

/**
 * Bit patterns a max/min must order or pass through exactly: quiet NaNs with payloads (either
 * sign), ±0, ±Inf, subnormals, extremes. No signalling NaNs: the JavaScript backend quiets them
 * on any f32 move (a double in between), the Wasm code keeps their bits, lanes or not.
 */
const F32_EDGES = [0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd00001, 0x7fffffff, 0xffc0abcd, 0, 0x80000000, 0x7f800000, 0xff800000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000];
const I32_EDGES = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001];

function run(ptx: string, entry: string, wasm: boolean, l: Launch, float: boolean, edges = false): CaughtOutcome {
  const { memory, bytes } = filledMemory(2, () => 0);
  const dv = new DataView(memory.buffer);
  let x = l.seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  // f32 inputs finite with fractional bits (sums that round differently in another order); u32 any bits
  // max/min (edges): half the words from the edge patterns above
  const word = (): number => (float ? new Uint32Array(new Float32Array([((next() / 2 ** 32) - 0.5) * 2 ** (next() % 40)]).buffer)[0]! : next());
  const table = float ? F32_EDGES : I32_EDGES;
  for (let i = 0; i < l.n; i++) dv.setUint32(IN + 4 * i, edges && next() % 2 === 0 ? table[next() % table.length]! : word(), true);
  const out = IN + 4 * l.n + 64;
  const outLen = 4 * l.grid * l.block[0];
  bytes.fill(0xa5, out, out + outLen);
  const args: KernelArg[] = [ptr(IN, 4 * l.n), ptr(out, outLen), u32(l.n), u32(l.cut), u32(l.k)];
  const outcome = launchCaught({ ptx, entry, hash: `${entry}-${wasm}`, wasm, memory, grid: [l.grid, 1, 1], block: [l.block[0], l.block[1], 1], args });
  return { ...outcome, bytes: outcome.bytes.slice(0, out + outLen) };
}

const shape: fc.Arbitrary<Shape> = fc.record({
  loop: fc.boolean(),
  top: fc.constantFrom(1, 2, 4, 8, 16, 64, 128),
  float: fc.boolean(),
  op: fc.constantFrom('add', 'max', 'min'),
  signed: fc.boolean(),
  viaReg: fc.boolean(),
  extra: fc.constantFrom(0, 0, 0, 0, 1, 2, 3, 5, 900),
  misalign: fc.constantFrom(false, false, false, false, false, true),
  swap: fc.boolean(),
  twice: fc.boolean(),
  exitCut: fc.constantFrom(false, false, false, true),
  near: fc.constantFrom(0, 0, 0, 0, 1, 2, 3),
  wide: fc.constantFrom(false, false, false, false, true),
  kParam: fc.boolean(),
  tailCut: fc.boolean(),
});

const launch: fc.Arbitrary<Launch> = fc
  .record({
    grid: fc.integer({ min: 1, max: 3 }),
    bx: fc.constantFrom(1, 3, 4, 5, 8, 17, 64, 100, 128, 255, 256, 300),
    by: fc.constantFrom(1, 1, 1, 2),
    extraN: fc.integer({ min: -40, max: 10 }),
    cut: fc.integer({ min: 0, max: 310 }),
    k: fc.constantFrom(0, 1, 5, 64, 200, 512),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .map((r) => ({ grid: r.grid, block: [r.bx, r.by] as [number, number], n: Math.max(0, r.grid * r.bx + r.extraN), cut: r.cut, k: r.k, seed: r.seed }));

describe('reduction-tree phases in SIMD lanes', () => {
  it('leave the bytes and memcheck reports of the JavaScript backend, in lanes where nothing forbids them (fast-check)', () => {
    let id = 0;
    let groups = 0;
    let faults = 0;
    let maxGroups = 0;
    fc.assert(
      fc.property(shape, launch, (s, l) => {
        const k = id++;
        const ptx = kernel(s, k);
        const module = parsePtx(ptx);
        const verdict = compileWasmKernel(module, module.functions.get(`tree${k}`)!);
        expect('kernel' in verdict, `kernel ${k} is not in the Wasm subset:\n${ptx}`).toBe(true);
        if ('kernel' in verdict) expect(verdict.kernel.phaseLanes, `kernel ${k}:\n${ptx}`).toBeGreaterThan(0);
        const js = run(ptx, `tree${k}`, false, l, s.float, s.op !== 'add');
        const before = lanesStats.blocks;
        const wasm = run(ptx, `tree${k}`, true, l, s.float, s.op !== 'add');
        const ran = lanesStats.blocks - before;
        groups += ran;
        if (s.op !== 'add') maxGroups += ran;
        const what = `kernel ${k} ${JSON.stringify(s)} launch ${JSON.stringify(l)}`;
        if (!js.error) expect([js.backend, wasm.backend], what).toEqual(['js', 'wasm']);
        expect(wasm.error, what).toBe(js.error);
        const at = wasm.bytes.findIndex((b, i) => b !== js.bytes[i]);
        const w = (b: Uint8Array): string => [...b.slice(at & ~3, (at & ~3) + 4)].map((x) => x.toString(16)).join(' ');
        expect(at, `${what}: first differing byte at ${at} js ${w(js.bytes)} wasm ${w(wasm.bytes)}`).toBe(-1);
        if (js.error) faults++;
        // a one-row block of 8 or more threads, none gone, every lane's words its own: some group in lanes
        const top = s.loop ? (s.kParam ? l.k : l.block[0] >> 1) : s.top;
        if (!js.error && l.block[1] === 1 && !(s.exitCut && l.cut < l.block[0]) && s.extra === 0 && !s.misalign && s.near === 0 && !s.wide && Math.min(top, l.block[0]) >= 4) expect(ran, what).toBeGreaterThan(0);
        // a 2-D block: never (the lanes take one row)
        if (l.block[1] > 1 || (s.near > 0 && s.extra === 0) || s.wide) expect(ran, what).toBe(0);
      }),
      { numRuns: 200, seed: 0x7ae5 },
    );
    console.log(`phase lane groups ${groups} (max/min ${maxGroups}), faulting launches ${faults}`);
    expect(groups).toBeGreaterThan(100);
    expect(maxGroups).toBeGreaterThan(50);
    expect(faults).toBeGreaterThan(3);
  });

  it('plans every reduction phase of block reduction, layer norm and softmax (nvcc -O3)', () => {
    for (const [file, entry, phases] of [
      ['fixtures/cuda/reduce_block.sm_75.ptx', 'reduce_block', 2],
      ['fixtures/cuda/reduce_block.sm_90.ptx', 'reduce_block', 2],
      ['fixtures/bench-kernels/layernorm.sm_75.ptx', 'layernorm', 16],
      ['fixtures/bench-kernels/softmax.sm_75.ptx', 'softmax', 16],
    ] as const) {
      const m = parsePtx(readFileSync(file, 'utf8'));
      const r = compileWasmKernel(m, m.functions.get(entry)!);
      expect('kernel' in r && r.kernel.phaseLanes, file).toBe(phases);
    }
  });
});
