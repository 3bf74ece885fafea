/**
 * The WebAssembly backend's whole-block warp scheduler (warp-emit.ts): collective results computed
 * in WebAssembly while every running lane of a warp waits at one site, and the switch to the
 * JavaScript scheduler (warp-launch.ts finishBlock) for a block where some warp's lanes diverge.
 * The oracle is the JavaScript backend (its own scheduler and warpOp, no code shared with the
 * WebAssembly module's); `warpBlocksInJavaScript` tells which path ran.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { DeviceError } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { lastStats, pooledLaunches, poolTesting } from '../pool/pool-launch.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { warpBlocksInJavaScript } from './warp-launch.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';

const HEADER = '.version 8.0\n.target sm_80\n.address_size 64\n';

/** g's block-linear thread index (%r7), lane (%r13), global index (%r11), x = in[g] (%r12) and its 128-byte record (%rd4). */
const PROLOGUE = `
  mov.u32 %r4, %tid.x;
  mov.u32 %r5, %tid.y;
  mov.u32 %r6, %ntid.x;
  mad.lo.s32 %r7, %r5, %r6, %r4;
  mov.u32 %r8, %ctaid.x;
  mov.u32 %r9, %ntid.y;
  mul.lo.s32 %r10, %r6, %r9;
  mad.lo.s32 %r11, %r8, %r10, %r7;
  mul.wide.u32 %rd3, %r11, 128;
  add.s64 %rd4, %rd1, %rd3;
  mul.wide.u32 %rd5, %r11, 4;
  add.s64 %rd6, %rd2, %rd5;
  ld.global.u32 %r12, [%rd6];
  and.b32 %r13, %r7, 31;`;

/**
 * Every warp-level form with warp-uniform operands (b, c and the match mask m are kernel
 * parameters), so each warp's running lanes always wait at the same site: lanes whose bit in
 * `exit` is set leave first; the others shuffle in the four modes, vote in the four, read
 * activemask, reduce with every redux form, match (any, all) x & m, bar.warp.sync, store x in
 * shared memory, and after a barrier shuffle again and read another warp's x.
 */
const UNIFORM = `${HEADER}.visible .entry uniform(.param .u64 pout, .param .u64 pin, .param .u32 pexit, .param .u32 pb, .param .u32 pc, .param .u32 pm)
{
  .reg .pred %p<12>;
  .reg .b32 %r<80>;
  .reg .b64 %rd<10>;
  .shared .align 4 .b8 buf[512];
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
  ld.param.u32 %r1, [pexit];
  ld.param.u32 %r2, [pb];
  ld.param.u32 %r3, [pc];
  ld.param.u32 %r40, [pm];
${PROLOGUE}
  st.global.u32 [%rd4], %r12;
  shr.u32 %r14, %r1, %r13;
  and.b32 %r15, %r14, 1;
  setp.ne.u32 %p1, %r15, 0;
  @%p1 bra $L_exit;
  shfl.sync.up.b32 %r16|%p2, %r12, %r2, %r3, -1;
  shfl.sync.down.b32 %r17|%p3, %r12, %r2, %r3, -1;
  shfl.sync.bfly.b32 %r18|%p4, %r12, %r2, %r3, -1;
  shfl.sync.idx.b32 %r19|%p5, %r12, %r2, %r3, -1;
  st.global.u32 [%rd4+4], %r16;
  st.global.u32 [%rd4+8], %r17;
  st.global.u32 [%rd4+12], %r18;
  st.global.u32 [%rd4+16], %r19;
  setp.lt.u32 %p6, %r12, -2147483648;
  vote.sync.all.pred %p7, %p6, -1;
  vote.sync.any.pred %p8, %p6, -1;
  vote.sync.uni.pred %p9, %p6, -1;
  vote.sync.ballot.b32 %r20, %p6, -1;
  activemask.b32 %r21;
  selp.u32 %r30, 1, 0, %p2;
  selp.u32 %r31, 2, 0, %p3;
  or.b32 %r30, %r30, %r31;
  selp.u32 %r31, 4, 0, %p4;
  or.b32 %r30, %r30, %r31;
  selp.u32 %r31, 8, 0, %p5;
  or.b32 %r30, %r30, %r31;
  selp.u32 %r31, 16, 0, %p7;
  or.b32 %r30, %r30, %r31;
  selp.u32 %r31, 32, 0, %p8;
  or.b32 %r30, %r30, %r31;
  selp.u32 %r31, 64, 0, %p9;
  or.b32 %r30, %r30, %r31;
  st.global.u32 [%rd4+20], %r30;
  st.global.u32 [%rd4+24], %r20;
  st.global.u32 [%rd4+28], %r21;
  redux.sync.add.u32 %r41, %r12, -1;
  redux.sync.min.u32 %r42, %r12, -1;
  redux.sync.max.u32 %r43, %r12, -1;
  redux.sync.min.s32 %r44, %r12, -1;
  redux.sync.max.s32 %r45, %r12, -1;
  redux.sync.and.b32 %r46, %r12, -1;
  redux.sync.or.b32 %r47, %r12, -1;
  redux.sync.xor.b32 %r48, %r12, -1;
  st.global.u32 [%rd4+32], %r41;
  st.global.u32 [%rd4+36], %r42;
  st.global.u32 [%rd4+40], %r43;
  st.global.u32 [%rd4+44], %r44;
  st.global.u32 [%rd4+48], %r45;
  st.global.u32 [%rd4+52], %r46;
  st.global.u32 [%rd4+56], %r47;
  st.global.u32 [%rd4+60], %r48;
  and.b32 %r49, %r12, %r40;
  match.any.sync.b32 %r50, %r49, -1;
  match.all.sync.b32 %r51|%p10, %r49, -1;
  selp.u32 %r52, 1, 0, %p10;
  st.global.u32 [%rd4+64], %r50;
  st.global.u32 [%rd4+68], %r51;
  st.global.u32 [%rd4+72], %r52;
  bar.warp.sync -1;
  mov.u32 %r55, buf;
  shl.b32 %r56, %r7, 2;
  add.s32 %r57, %r55, %r56;
  st.shared.u32 [%r57], %r12;
  bar.sync 0;
  shfl.sync.bfly.b32 %r53|%p11, %r16, %r2, %r3, -1;
  selp.u32 %r54, 1, 0, %p11;
  st.global.u32 [%rd4+76], %r53;
  st.global.u32 [%rd4+80], %r54;
  add.u32 %r58, %r7, 37;
  rem.u32 %r58, %r58, %r10;
  shl.b32 %r58, %r58, 2;
  add.s32 %r58, %r55, %r58;
  ld.shared.u32 %r59, [%r58];
  st.global.u32 [%rd4+84], %r59;
$L_exit:
  ret;
}
`;

/**
 * Warps that diverge or not, per block: in warp w of block b, when bit (w + b) & 31 of `div` is
 * set, odd lanes shuffle at one site and even lanes at another (two active groups: the block goes
 * to the JavaScript scheduler); otherwise every lane shuffles at the first. Then a ballot, a
 * barrier and a shuffle of the result.
 */
const MIXED = `${HEADER}.visible .entry mixed(.param .u64 pout, .param .u64 pin, .param .u32 pdiv)
{
  .reg .pred %p<4>;
  .reg .b32 %r<40>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
  ld.param.u32 %r1, [pdiv];
${PROLOGUE}
  shr.u32 %r14, %r7, 5;
  add.s32 %r15, %r14, %r8;
  and.b32 %r15, %r15, 31;
  shr.u32 %r16, %r1, %r15;
  and.b32 %r16, %r16, %r13;
  and.b32 %r16, %r16, 1;
  setp.ne.u32 %p1, %r16, 0;
  @%p1 bra $L_odd;
  shfl.sync.bfly.b32 %r20, %r12, 1, 31, -1;
  activemask.b32 %r21;
  bra.uni $L_join;
$L_odd:
  shfl.sync.bfly.b32 %r20, %r12, 2, 31, -1;
  activemask.b32 %r21;
$L_join:
  vote.sync.ballot.b32 %r22, %p1, -1;
  st.global.u32 [%rd4], %r20;
  st.global.u32 [%rd4+4], %r21;
  st.global.u32 [%rd4+8], %r22;
  bar.sync 0;
  shfl.sync.down.b32 %r23, %r20, 1, 31, -1;
  st.global.u32 [%rd4+12], %r23;
  ret;
}
`;

interface Shape {
  grid: number;
  block: [number, number];
}

const SHAPES: Shape[] = [
  { grid: 2, block: [32, 2] }, // full warps
  { grid: 2, block: [12, 5] }, // 60 threads: warps span rows, the last one has 28 lanes
  { grid: 1, block: [7, 1] }, // one partial warp
  { grid: 3, block: [33, 1] }, // 32 + a warp of one lane
  { grid: 2, block: [16, 6] }, // 96: three warps
];

const threadsOf = (s: Shape): number => s.grid * s.block[0] * s.block[1];

function randomInput(seed: number, n: number): Uint32Array {
  let x = seed >>> 0 || 1;
  return Uint32Array.from({ length: n }, () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0));
}

/** Launches `entry` with out (128 bytes per thread) and in, then `rest`; the out words, the backend and the blocks the JavaScript scheduler finished. */
function launch(ptx: string, entry: string, wasm: boolean, shape: Shape, input: Uint32Array, rest: KernelArg[], dev = new CpuDevice({ wasmKernels: wasm, workers: 1 })): { out: number[]; backend: string | undefined; jsBlocks: number } {
  const threads = threadsOf(shape);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inAt = 1024, outAt = inAt + threads * 4;
  new Uint32Array(memory.buffer, inAt, threads).set(input.subarray(0, threads));
  const k = dev.loadKernel(ptx, `warp-fast-${entry}`, entry);
  const before = warpBlocksInJavaScript();
  dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0], shape.block[1], 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(outAt, threads * 128), ptr(inAt, threads * 4), ...rest] });
  return { out: Array.from(new Uint32Array(memory.buffer, outAt, threads * 32)), backend: dev.lastBackend, jsBlocks: warpBlocksInJavaScript() - before };
}

function firstDifference(a: number[], b: number[]): string {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? 'none' : `thread ${Math.floor(i / 32)}, word ${i % 32}: ${a[i]} vs ${b[i]}`;
}

describe('warp-level sites computed in WebAssembly (warp-emit.ts)', () => {
  it('compile every form of the uniform kernel to WebAssembly', () => {
    for (const [ptx, entry] of [[UNIFORM, 'uniform'], [MIXED, 'mixed']] as const) {
      const m = parsePtx(ptx);
      expect(Object.keys(compileWasmKernel(m, m.functions.get(entry)!))).toEqual(['kernel']);
    }
  });

  it('give the JavaScript backend’s bits for every form while each warp’s lanes stay together, without the JavaScript scheduler (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SHAPES),
        fc.oneof(fc.constant(0), fc.constant(0xfffffffe), fc.integer({ min: 0, max: 0xffffffff })),
        fc.integer({ min: 0, max: 40 }),
        fc.oneof(fc.constantFrom(0, 31, 0x81f, 0x1c07, 0x1f00), fc.integer({ min: 0, max: 0xffff })),
        fc.constantFrom(0, 1, 3, 0x80000000, 0xffffffff),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (shape, exit, b, c, m, seed) => {
          const input = randomInput(seed, threadsOf(shape));
          const rest = [u32(exit), u32(b), u32(c), u32(m)];
          const wasm = launch(UNIFORM, 'uniform', true, shape, input, rest);
          const js = launch(UNIFORM, 'uniform', false, shape, input, rest);
          expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
          expect(firstDifference(wasm.out, js.out)).toBe('none');
          expect(wasm.jsBlocks).toBe(0);
        },
      ),
      { numRuns: Number(process.env.WARP_RUNS ?? 30) },
    );
  });

  it('switch to the JavaScript scheduler for exactly the blocks where a warp diverges, with the JavaScript backend’s bits (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })), fc.integer({ min: 1, max: 2 ** 31 }), (shape, div, seed) => {
        const input = randomInput(seed, threadsOf(shape));
        const wasm = launch(MIXED, 'mixed', true, shape, input, [u32(div)]);
        const js = launch(MIXED, 'mixed', false, shape, input, [u32(div)]);
        expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
        expect(firstDifference(wasm.out, js.out)).toBe('none');
        // block b diverges when some warp w with an odd lane (two lanes or more) has bit (w + b) & 31 set
        const n = shape.block[0] * shape.block[1];
        let diverging = 0;
        for (let blk = 0; blk < shape.grid; blk++) {
          let d = false;
          for (let w = 0; w * 32 < n; w++) if (Math.min(32, n - w * 32) >= 2 && (div >>> ((w + blk) & 31)) & 1) d = true;
          if (d) diverging++;
        }
        expect(wasm.jsBlocks).toBe(diverging);
      }),
      { numRuns: Number(process.env.WARP_RUNS ?? 30) },
    );
  });

  it('report an out-of-bounds access after a shfl computed in WebAssembly with the JavaScript backend’s thread and line (fast-check over the window)', () => {
    const ptx = `${HEADER}.visible .entry oob(.param .u64 p0)
{
  .reg .b32 %r<6>;
  .reg .b64 %rd<6>;
  ld.param.u64 %rd1, [p0];
  mov.u32 %r1, %tid.x;
  shfl.sync.bfly.b32 %r2, %r1, 4, 31, -1;
  mul.wide.u32 %rd2, %r2, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r1;
  ret;
}
`;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 63 }), fc.integer({ min: 33, max: 64 }), (words, threads) => {
        const results = [false, true].map((wasm) => {
          const memory = new WebAssembly.Memory({ initial: 1 });
          const dev = new CpuDevice({ wasmKernels: wasm, workers: 1 });
          const k = dev.loadKernel(ptx, 'warp-fast-oob', 'oob');
          const before = warpBlocksInJavaScript();
          let message = 'no fault';
          try {
            dev.launch({ kernel: k, grid: [1, 1, 1], block: [threads, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, words * 4)] });
          } catch (e) {
            expect(e).toBeInstanceOf(DeviceError);
            message = (e as DeviceError).message;
          }
          return { message, jsBlocks: warpBlocksInJavaScript() - before };
        });
        expect(results[1]!.message).toBe(results[0]!.message);
        expect(results[1]!.jsBlocks).toBe(0);
        // thread t writes word t ^ 4 (t ^ 4 >= threads in a partial warp: the lane's own, t)
        expect(results[1]!.message === 'no fault').toBe(words >= threads);
      }),
      { numRuns: Number(process.env.WARP_RUNS ?? 20) },
    );
  });

  it('run on the block pool, uniform and diverging warps alike, with the JavaScript backend’s bits (fast-check)', () => {
    // one pooled device for every case: its workers start once; the caller runs no block, so the
    // worker runs them all, diverging ones too (its own JavaScript scheduler)
    const dev = new CpuDevice({ wasmKernels: true, workers: 2, poolMinThreads: 1, adaptivePool: false });
    poolTesting.callerSkips = true;
    try {
      fc.assert(
        fc.property(fc.constantFrom(...SHAPES.filter((s) => s.grid > 1)), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 2 ** 31 }), (shape, bits, seed) => {
          const input = randomInput(seed, threadsOf(shape));
          for (const [ptx, entry, rest] of [[UNIFORM, 'uniform', [u32(bits), u32(3), u32(0x81f), u32(1)]], [MIXED, 'mixed', [u32(bits)]]] as const) {
            const before = pooledLaunches();
            const pooled = launch(ptx, entry, true, shape, input, [...rest], dev);
            const js = launch(ptx, entry, false, shape, input, [...rest]);
            expect(pooled.backend).toBe('wasm');
            expect(pooledLaunches()).toBe(before + 1);
            expect(lastStats?.blocksPerThread).toEqual([0, shape.grid]);
            expect(firstDifference(pooled.out, js.out)).toBe('none');
          }
        }),
        { numRuns: Number(process.env.WARP_RUNS ?? 8) },
      );
    } finally {
      poolTesting.callerSkips = false;
    }
  });

  it('keep a kernel whose match.any has a predicate destination on one thread, with the JavaScript backend’s bits', () => {
    // the predicate of match.any is a RESP word the scheduler never writes for it: its value comes
    // from the launch's one warpOp history, so every group goes through it, in block order
    const ptx = `${HEADER}.visible .entry anyp(.param .u64 pout, .param .u64 pin)
{
  .reg .pred %p<4>;
  .reg .b32 %r<40>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
${PROLOGUE}
  and.b32 %r14, %r12, 3;
  shfl.sync.down.b32 %r15|%p1, %r12, %r14, 31, -1;
  match.any.sync.b32 %r16|%p2, %r14, -1;
  selp.u32 %r17, 1, 0, %p2;
  st.global.u32 [%rd4], %r15;
  st.global.u32 [%rd4+4], %r16;
  st.global.u32 [%rd4+8], %r17;
  ret;
}
`;
    const m = parsePtx(ptx);
    const r = compileWasmKernel(m, m.functions.get('anyp')!);
    expect('kernel' in r && r.kernel.warp?.fast).toBe(false);
    const shape = SHAPES[4]!;
    const input = randomInput(5, threadsOf(shape));
    const before = pooledLaunches();
    const dev = new CpuDevice({ wasmKernels: true, workers: 2, poolMinThreads: 1, adaptivePool: false });
    const wasm = launch(ptx, 'anyp', true, shape, input, [], dev);
    const js = launch(ptx, 'anyp', false, shape, input, []);
    expect(wasm.backend).toBe('wasm');
    expect(pooledLaunches()).toBe(before);
    expect(wasm.jsBlocks).toBe(shape.grid);
    expect(firstDifference(wasm.out, js.out)).toBe('none');
  });
});
