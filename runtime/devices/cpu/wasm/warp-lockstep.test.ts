/**
 * Shuffle chains in lock-step (warp-lockstep.ts): a full warp that wakes at the head of a run of
 * straight links runs the run instruction by instruction over its 32 lanes in v128 groups, each
 * shfl a fixed permutation. Random runs of up to six links — any mode, b and c immediates or moved
 * into registers, the predicate read or not, between the links SIMD forms (mov, add/sub of f32 and
 * of integers, immediates) and per-lane ones (mul, xor, selp of the shfl's predicate, guarded
 * writes, min, a bridged add.sat), the run ending at a shfl whose region exits, at a barrier or
 * at a vote — on full warps, warps spanning block rows, partial warps and with lanes that exit
 * first (those groups are not the whole warp: the scalar chains), against the JavaScript backend
 * (its own scheduler and warpOp, no code shared with the module), against the same module without
 * lock-step, and on the block pool.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { shflSources, warpLockstep } from './warp-lockstep.js';
import { warpBlocksInJavaScript } from './warp-launch.js';
import { pooledLaunches, poolTesting } from '../pool/pool-launch.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';

const HEADER = '.version 8.0\n.target sm_80\n.address_size 64\n';
const MODES = ['up', 'down', 'bfly', 'idx'] as const;
type Mode = (typeof MODES)[number];

interface Link {
  mode: Mode;
  b: number;
  c: number;
  /** b and c moved into registers first (the compiler folds them as constants all the same). */
  inRegs: boolean;
  /** Instructions between this link's shfl and the next stop, by kind. */
  body: number[];
}

/** Output words per thread. */
const WORDS = 24;

/**
 * Thread g: x0 = in[g] (f32 bits of a finite value below 2 in magnitude when `float`); lanes whose
 * bit in `pexit` is set leave; then per link k: %r{40+k}|%p{k+1} = shfl(x_k), x_{k+1} from it by
 * the link's body; the run ends at `end`; each link's result and predicate are stored at the end.
 */
function lockstepKernel(links: Link[], float: boolean, end: 'shfl' | 'bar' | 'vote'): string {
  const code: string[] = [];
  links.forEach((l, k) => {
    const x = `%r${20 + k}`, y = `%r${21 + k}`, s = `%r${40 + k}`, f = `%f${2 * k}`, g = `%f${2 * k + 1}`;
    let b = String(l.b), c = String(l.c);
    if (l.inRegs) {
      code.push(`  mov.u32 %r${60 + k}, ${l.b};`, `  mov.u32 %r${70 + k}, ${l.c};`);
      b = `%r${60 + k}`;
      c = `%r${70 + k}`;
    }
    code.push(`  shfl.sync.${l.mode}.b32 ${s}|%p${k + 1}, ${x}, ${b}, ${c}, -1;`);
    // the running value: x_{k+1} (in y), built from the shfl's result s and x_k
    if (float) {
      code.push(`  mov.b32 ${f}, ${s};`, `  mov.b32 ${g}, ${x};`);
      for (const op of l.body) {
        if (op % 3 === 0) code.push(`  add.f32 ${g}, ${g}, ${f};`);
        else if (op % 3 === 1) code.push(`  sub.f32 ${g}, ${g}, 0f3E000000;`);
        else code.push(`  mul.f32 ${g}, ${g}, 0f3F000000;`);
      }
      code.push(`  add.f32 ${g}, ${g}, ${f};`, `  mov.b32 ${y}, ${g};`);
    } else {
      code.push(`  mov.b32 ${y}, ${x};`);
      for (const op of l.body) {
        switch (op % 9) {
          case 0: code.push(`  add.s32 ${y}, ${y}, ${s};`); break;
          case 1: code.push(`  sub.u32 ${y}, ${y}, ${op * 977};`); break;
          case 2: code.push(`  mul.lo.s32 ${y}, ${y}, ${s};`); break;
          case 3: code.push(`  xor.b32 ${y}, ${y}, ${s};`); break;
          case 4: code.push(`  selp.u32 %r80, 7, 3, %p${k + 1};`, `  add.s32 ${y}, ${y}, %r80;`); break;
          case 5: code.push(`  setp.lt.u32 %p20, ${s}, ${y};`, `  @%p20 add.s32 ${y}, ${y}, 5;`); break;
          // a guarded write of a register live into the run: lanes whose guard fails keep the old value
          case 6: code.push(`  @%p${k + 1} mov.u32 %r85, ${k};`); break;
          // an instruction through the JavaScript bridge (wasm/js-bridge.ts), once per lane
          case 7: code.push(`  add.sat.s32 ${y}, ${y}, ${s};`); break;
          default: code.push(`  min.u32 ${y}, ${y}, ${s};`, `  add.s32 ${y}, ${y}, 0x9e3779b9;`);
        }
      }
      code.push(`  add.s32 ${y}, ${y}, ${s};`);
    }
  });
  const last = `%r${20 + links.length}`;
  const stores = links.map((_, k) => `  st.global.u32 [%rd4+${4 + 8 * k}], %r${40 + k};\n  selp.u32 %r90, 1, 0, %p${k + 1};\n  st.global.u32 [%rd4+${8 + 8 * k}], %r90;`).join('\n');
  const ending = end === 'shfl' ? `  shfl.sync.bfly.b32 %r91, ${last}, 1, 31, -1;` : end === 'bar' ? `  bar.sync 0;\n  mov.b32 %r91, ${last};` : `  setp.lt.u32 %p21, ${last}, 0x80000000;\n  vote.sync.ballot.b32 %r91, %p21, -1;`;
  return `${HEADER}.visible .entry run(.param .u64 pout, .param .u64 pin, .param .u32 pexit)
{
  .reg .pred %p<24>;
  .reg .b32 %r<100>;
  .reg .f32 %f<20>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
  ld.param.u32 %r1, [pexit];
  mov.u32 %r4, %tid.x;
  mov.u32 %r5, %tid.y;
  mov.u32 %r6, %ntid.x;
  mad.lo.s32 %r7, %r5, %r6, %r4;
  mov.u32 %r8, %ctaid.x;
  mov.u32 %r9, %ntid.y;
  mul.lo.s32 %r10, %r6, %r9;
  mad.lo.s32 %r11, %r8, %r10, %r7;
  mul.wide.u32 %rd3, %r11, ${4 * WORDS};
  add.s64 %rd4, %rd1, %rd3;
  mul.wide.u32 %rd5, %r11, 4;
  add.s64 %rd6, %rd2, %rd5;
  ld.global.u32 %r20, [%rd6];
  and.b32 %r13, %r7, 31;
  shr.u32 %r14, %r1, %r13;
  and.b32 %r15, %r14, 1;
  setp.ne.u32 %p0, %r15, 0;
  add.s32 %r85, %r13, 100;
  @%p0 bra $L_exit;
${code.join('\n')}
${ending}
${stores}
  st.global.u32 [%rd4], %r91;
  st.global.u32 [%rd4+${4 * (WORDS - 1)}], ${last};
  st.global.u32 [%rd4+${4 * (WORDS - 2)}], %r85;
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
  { grid: 2, block: [32, 1] }, // full warps
  { grid: 1, block: [64, 2] }, // four full warps
  { grid: 2, block: [16, 4] }, // full warps spanning rows
  { grid: 1, block: [48, 1] }, // a full warp and a partial one
  { grid: 2, block: [7, 1] }, // one partial warp
];

const threadsOf = (s: Shape): number => s.grid * s.block[0] * s.block[1];

function input(seed: number, n: number, float: boolean): Uint32Array {
  let x = seed >>> 0 || 1;
  const next = (): number => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  // finite f32 below 2 in magnitude (exponent at most 127): sums of 32 of them stay finite
  return Uint32Array.from({ length: n }, () => (float ? next() & 0xbfffffff : next()));
}

function launch(ptx: string, wasm: boolean, shape: Shape, data: Uint32Array, exit: number, tag = '', dev = new CpuDevice({ wasmKernels: wasm, workers: 1 })): { out: number[]; backend: string | undefined; jsBlocks: number } {
  const threads = threadsOf(shape);
  const memory = new WebAssembly.Memory({ initial: 2 });
  const inAt = 1024, outAt = inAt + threads * 4;
  new Uint32Array(memory.buffer, inAt, threads).set(data.subarray(0, threads));
  // (the device caches a module's kernels by this hash: `tag` keeps a module compiled without lock-step apart)
  const k = dev.loadKernel(ptx, createHash('sha256').update(ptx + tag).digest('hex'), 'run');
  const before = warpBlocksInJavaScript();
  dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0], shape.block[1], 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(outAt, threads * 4 * WORDS), ptr(inAt, threads * 4), u32(exit)] });
  return { out: Array.from(new Uint32Array(memory.buffer, outAt, threads * WORDS)), backend: dev.lastBackend, jsBlocks: warpBlocksInJavaScript() - before };
}

function firstDifference(a: number[], b: number[]): string {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? 'none' : `thread ${Math.floor(i / WORDS)}, word ${i % WORDS}: ${a[i]} vs ${b[i]}`;
}

const lockstepRuns = (ptx: string): number | undefined => {
  const m = parsePtx(ptx);
  const r = compileWasmKernel(m, m.functions.get('run')!);
  return 'kernel' in r ? r.kernel.warp?.lockstepRuns : undefined;
};

afterEach(() => {
  warpLockstep.enabled = true;
});

describe('shuffle chains in lock-step (warp-lockstep.ts)', () => {
  it('take every lane’s source as the PTX ISA’s shfl.sync text gives it for a full warp', () => {
    // down by 16 with c = 31: lanes 0-15 read lane + 16, lanes 16-31 keep their own (predicate 0)
    const down = shflSources('down', 16, 31);
    expect(down.map((s) => s.j)).toEqual([...Array.from({ length: 16 }, (_, l) => l + 16), ...Array.from({ length: 16 }, (_, l) => l + 16)]);
    expect(down.map((s) => s.p)).toEqual(Array.from({ length: 32 }, (_, l) => l < 16));
    // up by 3 in segments of 8 (c = 0x1800): lanes below 3 of each segment keep their own
    const up = shflSources('up', 3, 0x1800);
    expect(up.map((s) => s.p)).toEqual(Array.from({ length: 32 }, (_, l) => l % 8 >= 3));
    expect(up.filter((s) => s.p).every((s, i, a) => a.length === 20 && s.j >= 0)).toBe(true);
    // idx 5 in segments of 16 (c = 0x101f): lane 5 of each segment
    expect(shflSources('idx', 5, 0x101f).map((s) => s.j)).toEqual(Array.from({ length: 32 }, (_, l) => (l & 16) | 5));
    // bfly 6: every lane in range
    expect(shflSources('bfly', 6, 31).every((s, l) => s.p && s.j === (l ^ 6))).toBe(true);
  });

  it('compile nvcc’s unrolled warp_sum into one lock-step run per warp_sum, and none where a link stores or reads %tid', () => {
    const link = (mode: Mode, b: number): Link => ({ mode, b, c: 31, inRegs: b % 2 === 0, body: [0, 1] });
    expect(lockstepRuns(lockstepKernel([16, 8, 4, 2, 1].map((b) => link('down', b)), true, 'bar'))).toBe(1);
    // a store between links: a straight link (one block) but not one for lock-step
    const stored = lockstepKernel([link('down', 1), link('down', 2)], false, 'shfl').replace('  mov.b32 %r21, %r20;', '  st.global.u32 [%rd4+80], %r40;\n  mov.b32 %r21, %r20;');
    expect(lockstepRuns(stored)).toBe(1);
    const tid = lockstepKernel([link('down', 1)], false, 'shfl').replace('  mov.b32 %r21, %r20;', '  add.s32 %r21, %r20, %r4;');
    expect(lockstepRuns(tid)).toBe(0);
  });

  it('give the JavaScript backend’s bits, and the scalar chains’, for random runs on full, spanning and partial warps, with exits (fast-check)', () => {
    const linkArb = fc.record({
      mode: fc.constantFrom(...MODES),
      b: fc.oneof(fc.constantFrom(0, 1, 2, 4, 8, 16, 31), fc.integer({ min: 0, max: 40 })),
      c: fc.oneof(fc.constantFrom(0, 31, 0x81f, 0x1c07, 0x1f00, 0x101f, 0x1800), fc.integer({ min: 0, max: 0xffff })),
      inRegs: fc.boolean(),
      body: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(linkArb, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.constantFrom('shfl' as const, 'bar' as const, 'vote' as const),
        fc.constantFrom(...SHAPES),
        fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (links, float, end, shape, exit, seed) => {
          const ptx = lockstepKernel(links, float, end);
          expect(lockstepRuns(ptx)).toBe(1);
          const data = input(seed, threadsOf(shape), float);
          const wasm = launch(ptx, true, shape, data, exit);
          const js = launch(ptx, false, shape, data, exit);
          expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
          expect(firstDifference(wasm.out, js.out)).toBe('none');
          // the warps stay together: nothing went to the JavaScript scheduler
          expect(wasm.jsBlocks).toBe(0);
          warpLockstep.enabled = false;
          const scalar = launch(ptx, true, shape, data, exit, 'scalar');
          warpLockstep.enabled = true;
          expect(firstDifference(wasm.out, scalar.out)).toBe('none');
        },
      ),
      { numRuns: Number(process.env.WARP_RUNS ?? 40) },
    );
  });

  it('give the JavaScript backend’s bits on the block pool (nvcc’s unrolled warp_sum, then a barrier)', () => {
    // one pooled device: the caller runs no block, so the worker runs them all in its own instance
    const dev = new CpuDevice({ wasmKernels: true, workers: 2, poolMinThreads: 1, adaptivePool: false });
    poolTesting.callerSkips = true;
    try {
      const sum = (b: number): Link => ({ mode: 'down', b, c: 31, inRegs: true, body: [] });
      const ptx = lockstepKernel([16, 8, 4, 2, 1].map(sum), true, 'bar');
      for (const shape of SHAPES.filter((s) => s.grid > 1)) {
        const data = input(7, threadsOf(shape), true);
        const before = pooledLaunches();
        const pooled = launch(ptx, true, shape, data, 0, 'pool', dev);
        const js = launch(ptx, false, shape, data, 0);
        expect(pooledLaunches()).toBe(before + 1);
        expect(firstDifference(pooled.out, js.out)).toBe('none');
      }
    } finally {
      poolTesting.callerSkips = false;
    }
  });
});
