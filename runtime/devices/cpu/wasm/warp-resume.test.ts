/**
 * shfl results computed as each lane resumes (warp-emit.ts warpSiteResults) and shuffle chains run
 * as a loop over the woken group's lanes (warp-chain.ts): a chain of four shuffles,
 * each shuffling the previous one's result, in any modes, with b and c that differ per lane or
 * not, lanes that exit first, a guarded link, partial warps and warps spanning block rows. The
 * oracle is the JavaScript backend (its own scheduler and warpOp, no code shared with the module);
 * a lane that reads an earlier lane's operand after that lane ran on to the next site, a
 * chain that skips or repeats a lane, or a constant b or c folded wrongly gives other bits.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { warpBlocksInJavaScript } from './warp-launch.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';

const HEADER = '.version 8.0\n.target sm_80\n.address_size 64\n';
const MODES = ['up', 'down', 'bfly', 'idx'] as const;
type Mode = (typeof MODES)[number];

/**
 * Thread g (block-linear index within its block %r7, lane %r13): x0 = in[g]; lanes whose bit in
 * `exit` is set leave; b = pb + ((x0 >> 3) & pvary) (per lane when pvary != 0; or the immediate
 * `constB`), c = pc (or `constC` moved into a register); then x_{k+1} = shfl.modes[k](x_k, b, c)
 * for k = 0..3 (the third one guarded by lane & pguard == 0 when `guard`), and x4 + 1 shuffled
 * once more (after a barrier when `barrier`: the link before it then stops at the barrier). Each
 * link's result and predicate are stored after the last link, or right after it when `spread`.
 * Every shfl site's region branches only forward, so each is a shuffle chain (warp-chain.ts); the
 * links whose block ends at an unguarded stop are straight.
 */
function chainKernel(modes: readonly Mode[], guard: boolean, constB: number | undefined, constC?: number, barrier = false, spread = false): string {
  const bOperand = constB === undefined ? '%r20' : String(constB);
  const links = modes
    .map((m, k) => {
      const g = guard && k === 2 ? '@%p2 ' : '';
      // a lane whose guard is false keeps its value and a predicate of 0
      const keep = guard && k === 2 ? `  mov.b32 %r${31 + k}, %r${30 + k};\n  setp.ne.u32 %p${5 + k}, %r13, %r13;\n` : '';
      const store = `  st.global.u32 [%rd4+${4 + 8 * k}], %r${31 + k};\n  st.global.u32 [%rd4+${8 + 8 * k}], %r${41 + k};`;
      return `${keep}  ${g}shfl.sync.${m}.b32 %r${31 + k}|%p${5 + k}, %r${30 + k}, ${bOperand}, %r21, -1;
  selp.u32 %r${41 + k}, 1, 0, %p${5 + k};${spread ? `\n${store}` : ''}`;
    })
    .join('\n');
  const stores = spread ? '' : modes.map((_, k) => `  st.global.u32 [%rd4+${4 + 8 * k}], %r${31 + k};\n  st.global.u32 [%rd4+${8 + 8 * k}], %r${41 + k};`).join('\n');
  const c = constC === undefined ? '  ld.param.u32 %r21, [pc];' : `  mov.u32 %r21, ${constC};`;
  return `${HEADER}.visible .entry chain(.param .u64 pout, .param .u64 pin, .param .u32 pexit, .param .u32 pb, .param .u32 pvary, .param .u32 pc, .param .u32 pguard)
{
  .reg .pred %p<12>;
  .reg .b32 %r<60>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
  ld.param.u32 %r1, [pexit];
  ld.param.u32 %r2, [pb];
  ld.param.u32 %r3, [pvary];
${c}
  ld.param.u32 %r22, [pguard];
  mov.u32 %r4, %tid.x;
  mov.u32 %r5, %tid.y;
  mov.u32 %r6, %ntid.x;
  mad.lo.s32 %r7, %r5, %r6, %r4;
  mov.u32 %r8, %ctaid.x;
  mov.u32 %r9, %ntid.y;
  mul.lo.s32 %r10, %r6, %r9;
  mad.lo.s32 %r11, %r8, %r10, %r7;
  mul.wide.u32 %rd3, %r11, 64;
  add.s64 %rd4, %rd1, %rd3;
  mul.wide.u32 %rd5, %r11, 4;
  add.s64 %rd6, %rd2, %rd5;
  ld.global.u32 %r30, [%rd6];
  st.global.u32 [%rd4], %r30;
  and.b32 %r13, %r7, 31;
  shr.u32 %r14, %r1, %r13;
  and.b32 %r15, %r14, 1;
  setp.ne.u32 %p1, %r15, 0;
  @%p1 bra $L_exit;
  shr.u32 %r20, %r30, 3;
  and.b32 %r20, %r20, %r3;
  add.s32 %r20, %r20, %r2;
  and.b32 %r23, %r13, %r22;
  setp.eq.u32 %p2, %r23, 0;
${links}
  add.s32 %r50, %r34, 1;
${barrier ? '  bar.sync 0;\n' : ''}  shfl.sync.bfly.b32 %r51, %r50, 1, 31, -1;
${stores}
  st.global.u32 [%rd4+36], %r51;
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
  { grid: 2, block: [32, 2] }, // full warps
  { grid: 2, block: [12, 5] }, // 60 threads: warps span rows, the last one has 28 lanes
  { grid: 1, block: [7, 1] }, // one partial warp
  { grid: 3, block: [33, 1] }, // 32 + a warp of one lane
];

const threadsOf = (s: Shape): number => s.grid * s.block[0] * s.block[1];

function randomInput(seed: number, n: number): Uint32Array {
  let x = seed >>> 0 || 1;
  return Uint32Array.from({ length: n }, () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0));
}

function launch(ptx: string, wasm: boolean, shape: Shape, input: Uint32Array, args: number[]): { out: number[]; backend: string | undefined; jsBlocks: number } {
  const threads = threadsOf(shape);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inAt = 1024, outAt = inAt + threads * 4;
  new Uint32Array(memory.buffer, inAt, threads).set(input.subarray(0, threads));
  const dev = new CpuDevice({ wasmKernels: wasm, workers: 1 });
  const k = dev.loadKernel(ptx, createHash('sha256').update(ptx).digest('hex'), 'chain');
  const before = warpBlocksInJavaScript();
  dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0], shape.block[1], 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(outAt, threads * 64), ptr(inAt, threads * 4), ...args.map(u32)] });
  return { out: Array.from(new Uint32Array(memory.buffer, outAt, threads * 16)), backend: dev.lastBackend, jsBlocks: warpBlocksInJavaScript() - before };
}

function firstDifference(a: number[], b: number[]): string {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? 'none' : `thread ${Math.floor(i / 16)}, word ${i % 16}: ${a[i]} vs ${b[i]}`;
}

describe('shfl results computed as lanes resume, and shuffle chains (warp-emit.ts, warp-chain.ts)', () => {
  it('compile the chain kernel to WebAssembly, every shfl site a shuffle chain and each link whose block ends at an unguarded stop a straight one', () => {
    // five shfl sites; straight: shfl 0 -> 1 -> 2 -> 3 -> the last bfly (or the barrier before it),
    // not the last bfly (its region exits); with the third shfl guarded, not the link into it nor
    // its own (empty) resume block's
    const cases = [
      [chainKernel(['up', 'down', 'bfly', 'idx'], true, undefined), 2],
      [chainKernel(['idx', 'idx', 'up', 'up'], false, 3, 0x1c07), 4],
      [chainKernel(['down', 'down', 'down', 'down'], false, 1, 31, true), 4],
      [chainKernel(['down', 'up', 'down', 'bfly'], false, undefined, undefined, false, true), 4],
    ] as const;
    for (const [ptx, straight] of cases) {
      const m = parsePtx(ptx);
      const r = compileWasmKernel(m, m.functions.get('chain')!);
      expect(Object.keys(r)).toEqual(['kernel']);
      expect('kernel' in r && [r.kernel.warp?.chains, r.kernel.warp?.straightChains]).toEqual([5, straight]);
    }
  });

  it('copy at most 512 blocks into shuffle chains, and give the JavaScript backend’s bits past them', () => {
    // 520 shuffles in a row: each site's region is its one resume block, so the first 512 are chains
    const shuffles = Array.from({ length: 520 }, () => '  shfl.sync.bfly.b32 %r2, %r2, 1, 31, -1;\n  add.s32 %r2, %r2, 3;').join('\n');
    const ptx = `${HEADER}.visible .entry many(.param .u64 pout)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [pout];
  mov.u32 %r1, %tid.x;
  mul.lo.s32 %r2, %r1, 7;
${shuffles}
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r2;
  ret;
}
`;
    const m = parsePtx(ptx);
    const r = compileWasmKernel(m, m.functions.get('many')!);
    expect('kernel' in r && [r.kernel.warp?.chains, r.kernel.warp?.straightChains]).toEqual([512, 512]);
    const out = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm, workers: 1 });
      const k = dev.loadKernel(ptx, createHash('sha256').update(ptx).digest('hex'), 'many');
      dev.launch({ kernel: k, grid: [1, 1, 1], block: [40, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, 160)] });
      return { words: Array.from(new Uint32Array(memory.buffer, 1024, 40)), backend: dev.lastBackend };
    });
    expect(out.map((o) => o.backend)).toEqual(['js', 'wasm']);
    expect(out[1]!.words).toEqual(out[0]!.words);
  });

  it('write a guarded shfl’s result and predicate on both backends when the guard is not read after it (the ISA’s text)', () => {
    // @p shfl.up by 0 with c = 0: j = lane >= maxLane = 0, so every lane whose guard holds gets its
    // own value and predicate 1 (PTX ISA, shfl.sync). The JavaScript backend read the guard again as
    // the lane resumed without keeping it live across the site, and dropped both.
    const shape = SHAPES[0]!;
    const input = randomInput(9, threadsOf(shape));
    const ptx = chainKernel(['up', 'up', 'up', 'up'], true, 0);
    for (const wasm of [false, true]) {
      const { out } = launch(ptx, wasm, shape, input, [0, 0, 0, 0, 0]);
      for (let t = 0; t < threadsOf(shape); t++) {
        expect(out[t * 16 + 5]).toBe(input[t]);
        expect(out[t * 16 + 6]).toBe(1);
      }
    }
  });

  it('give the JavaScript backend’s bits for chained shuffles in any modes with per-lane b and c, exits, a guarded link and partial warps (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SHAPES),
        fc.array(fc.constantFrom(...MODES), { minLength: 4, maxLength: 4 }),
        fc.record({
          guard: fc.boolean(),
          constB: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
          constC: fc.option(fc.oneof(fc.constantFrom(0, 31, 0x81f, 0x1c07, 0x1f00), fc.integer({ min: 0, max: 0xffff })), { nil: undefined }),
          exit: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
          b: fc.integer({ min: 0, max: 40 }),
          vary: fc.constantFrom(0, 1, 3, 7, 31),
          c: fc.oneof(fc.constantFrom(0, 31, 0x81f, 0x1c07, 0x1f00, 0x1807), fc.integer({ min: 0, max: 0xffff })),
          gmask: fc.constantFrom(0, 1, 2, 5),
          barrier: fc.boolean(),
          spread: fc.boolean(),
        }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (shape, modes, o, seed) => {
          const ptx = chainKernel(modes, o.guard, o.constB, o.constC, o.barrier, o.spread);
          const input = randomInput(seed, threadsOf(shape));
          const args = [o.exit, o.b, o.vary, o.c, o.gmask];
          const wasm = launch(ptx, true, shape, input, args);
          const js = launch(ptx, false, shape, input, args);
          expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
          expect(firstDifference(wasm.out, js.out)).toBe('none');
          // without a guard (or with one that every lane passes) the warps stay together: nothing in JavaScript
          if (!o.guard || o.gmask === 0) expect(wasm.jsBlocks).toBe(0);
        },
      ),
      { numRuns: Number(process.env.WARP_RUNS ?? 40) },
    );
  });
});
