/**
 * Warp-level sites on the WebAssembly backend (warp-sites.ts, warp-launch.ts): shfl in its four
 * modes with clamp/segment masks, vote (all/any/uni/ballot), activemask, redux, match and
 * bar.warp.sync, with lanes that exit early, lanes at different sites, partial last warps, warps
 * spanning rows of the block and a barrier between sites. Each launch runs as WebAssembly (the
 * device names the backend) and gives the JavaScript backend's bits; the values of full warps
 * are also checked against the PTX ISA's shfl/vote text, written out here.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { pooledLaunches } from '../pool/pool-launch.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';

const HEADER = '.version 8.0\n.target sm_80\n.address_size 64\n';

/**
 * Per thread g (64-byte record out[g]): x = in[g]; lanes whose bit in `exit` is set stop after
 * writing x. The others: shfl up/down/bfly/idx of x by b with mask c (values, then the
 * predicates as bits), vote all/any/uni/ballot of x < 2^31, activemask; then odd and even lanes
 * shuffle at two different sites (idx from lane 1 / bfly 2: the partner is in the group) and
 * read activemask there — the odd lanes' site comes first in program order, so they run on
 * first and store into shared memory what the even lanes then read; a barrier; a shfl.down of
 * that result, redux.add, match.any of lane & 3, match.all, bar.warp.sync.
 */
const WARPMIX = `${HEADER}.visible .entry warpmix(.param .u64 pout, .param .u64 pin, .param .u32 pexit, .param .u32 pb, .param .u32 pc)
{
  .reg .pred %p<12>;
  .reg .b32 %r<60>;
  .reg .b64 %rd<10>;
  .shared .align 4 .b8 flag[128];
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
  ld.param.u32 %r1, [pexit];
  ld.param.u32 %r2, [pb];
  ld.param.u32 %r3, [pc];
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
  ld.global.u32 %r12, [%rd6];
  st.global.u32 [%rd4], %r12;
  and.b32 %r13, %r7, 31;
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
  vote.sync.uni.pred %p9, !%p6, -1;
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
  and.b32 %r22, %r13, 1;
  shr.u32 %r33, %r7, 5;
  shl.b32 %r34, %r33, 2;
  mov.u32 %r35, flag;
  add.s32 %r36, %r35, %r34;
  mov.u32 %r37, 0;
  setp.eq.u32 %p10, %r22, 0;
  @%p10 bra $L_even;
  shfl.sync.idx.b32 %r23, %r12, 1, 31, -1;
  activemask.b32 %r24;
  st.shared.u32 [%r36], %r23;
  bra.uni $L_join;
$L_even:
  shfl.sync.bfly.b32 %r23, %r12, 2, 31, -1;
  activemask.b32 %r24;
  ld.shared.u32 %r37, [%r36];
$L_join:
  st.global.u32 [%rd4+60], %r37;
  st.global.u32 [%rd4+32], %r23;
  st.global.u32 [%rd4+36], %r24;
  bar.sync 0;
  shfl.sync.down.b32 %r25, %r23, 1, 31, -1;
  redux.sync.add.u32 %r26, %r12, -1;
  and.b32 %r27, %r13, 3;
  match.any.sync.b32 %r28, %r27, -1;
  match.all.sync.b32 %r29|%p11, %r22, -1;
  bar.warp.sync -1;
  selp.u32 %r32, 1, 0, %p11;
  st.global.u32 [%rd4+40], %r25;
  st.global.u32 [%rd4+44], %r26;
  st.global.u32 [%rd4+48], %r28;
  st.global.u32 [%rd4+52], %r29;
  st.global.u32 [%rd4+56], %r32;
$L_exit:
  ret;
}
`;

let hashes = 0;

interface Shape {
  grid: number;
  block: [number, number];
}

function runWarpmix(wasm: boolean, shape: Shape, exit: number, b: number, c: number, input: Uint32Array): { out: Uint32Array; backend: string | undefined } {
  const threads = shape.grid * shape.block[0] * shape.block[1];
  const memory = new WebAssembly.Memory({ initial: 2 });
  const bytes = new Uint8Array(memory.buffer);
  const inAt = 4096, outAt = inAt + threads * 4;
  new Uint32Array(memory.buffer, inAt, threads).set(input.subarray(0, threads));
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(WARPMIX, 'wasm-warpmix', 'warpmix');
  dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0], shape.block[1], 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(outAt, threads * 64), ptr(inAt, threads * 4), u32(exit), u32(b), u32(c)] });
  hashes++;
  return { out: new Uint32Array(memory.buffer.slice(outAt, outAt + threads * 64)), backend: dev.lastBackend };
}

function randomInput(seed: number, n: number): Uint32Array {
  let x = seed >>> 0 || 1;
  return Uint32Array.from({ length: n }, () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0));
}

const SHAPES: Shape[] = [
  { grid: 2, block: [32, 2] }, // full warps
  { grid: 2, block: [12, 5] }, // 60 threads: warps span rows, the last one has 28 lanes
  { grid: 1, block: [7, 1] }, // one partial warp
  { grid: 3, block: [40, 1] }, // 32 + 8
];

describe('warp-level sites on the WebAssembly backend', () => {
  it('compiles them to WebAssembly', () => {
    const m = parsePtx(WARPMIX);
    const r = compileWasmKernel(m, m.functions.get('warpmix')!);
    expect('kernel' in r ? r.kernel.warp?.sites.map((s) => s.kind) : r.unsupported).toEqual([
      'shfl', 'shfl', 'shfl', 'shfl', 'vote', 'vote', 'vote', 'vote', 'activemask', 'shfl', 'activemask', 'shfl', 'activemask', 'bar', 'shfl', 'redux', 'match', 'match', 'syncwarp',
    ]);
  });

  it('give full warps what the PTX ISA says (shfl down/bfly/idx with c = 31, ballot, activemask) and the JavaScript backend’s bits', () => {
    const shape = SHAPES[0]!;
    const input = randomInput(7, 128);
    const b = 3;
    const wasm = runWarpmix(true, shape, 0, b, 31, input);
    const js = runWarpmix(false, shape, 0, b, 31, input);
    expect(wasm.backend).toBe('wasm');
    expect(js.backend).toBe('js');
    for (let w = 0; w < 4; w++) {
      const x = (lane: number): number => input[w * 32 + lane]!;
      let ballot = 0;
      for (let lane = 0; lane < 32; lane++) if (x(lane) < 2 ** 31) ballot |= 1 << lane;
      for (let lane = 0; lane < 32; lane++) {
        const rec = (w * 32 + lane) * 16;
        const o = (k: number): number => wasm.out[rec + k]!;
        // down: source lane + b when it is <= 31 (else the lane's own value, predicate false)
        expect(o(2)).toBe(lane + b <= 31 ? x(lane + b) : x(lane));
        expect((o(5) >> 1) & 1).toBe(lane + b <= 31 ? 1 : 0);
        expect(o(3)).toBe(x(lane ^ b));
        expect(o(4)).toBe(x(b));
        expect(o(6)).toBe(ballot >>> 0);
        expect(o(7)).toBe(0xffffffff);
        // odd lanes at one site, even lanes at another: each group is its own active mask
        expect(o(8)).toBe(lane & 1 ? x(1) : x(lane ^ 2));
        expect(o(9)).toBe(lane & 1 ? 0xaaaaaaaa : 0x55555555);
        let sum = 0;
        for (let l = 0; l < 32; l++) sum = (sum + x(l)) >>> 0;
        expect(o(11)).toBe(sum);
        expect(o(12)).toBe((0x11111111 << (lane & 3)) >>> 0);
      }
    }
    expect(Array.from(wasm.out)).toEqual(Array.from(js.out));
  });

  it('give the JavaScript backend’s bits with lanes exiting early, partial warps and any b and c (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SHAPES),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
        fc.integer({ min: 0, max: 40 }),
        fc.oneof(fc.constantFrom(0, 31, 0x1f, 0x81f, 0x1c07), fc.integer({ min: 0, max: 0xffff })),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (shape, exit, b, c, seed) => {
          const input = randomInput(seed, 256);
          const wasm = runWarpmix(true, shape, exit, b, c, input);
          const js = runWarpmix(false, shape, exit, b, c, input);
          expect(wasm.backend).toBe('wasm');
          const first = wasm.out.findIndex((v, i) => v !== js.out[i]);
          expect(first, `first differing word: thread ${Math.floor(first / 16)}, word ${first % 16}`).toBe(-1);
        },
      ),
      { numRuns: Number(process.env.WARP_RUNS ?? 25) },
    );
  });

  it('give the JavaScript backend’s bits for a shuffle inside a loop that lanes leave at different trips', () => {
    // v = x; for (off = 16; off > 0 && (x & 7) != off & 7; off >>= 1) v += shfl.down(v, off); out[g] = v
    const ptx = `${HEADER}.visible .entry loopy(.param .u64 pout, .param .u64 pin)
{
  .reg .pred %p<4>;
  .reg .b32 %r<16>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r4, %r2, %r3, %r1;
  mul.wide.u32 %rd3, %r4, 4;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.u32 %r5, [%rd4];
  mov.u32 %r6, %r5;
  and.b32 %r7, %r5, 7;
  mov.u32 %r8, 16;
$L_loop:
  and.b32 %r9, %r8, 7;
  setp.eq.u32 %p1, %r9, %r7;
  @%p1 bra $L_done;
  shfl.sync.down.b32 %r10|%p2, %r6, %r8, 31, -1;
  add.s32 %r6, %r6, %r10;
  shr.u32 %r8, %r8, 1;
  setp.ne.u32 %p3, %r8, 0;
  @%p3 bra $L_loop;
$L_done:
  add.s64 %rd5, %rd1, %rd3;
  st.global.u32 [%rd5], %r6;
  ret;
}
`;
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), fc.integer({ min: 1, max: 2 ** 31 }), (shape, seed) => {
        const threads = shape.grid * shape.block[0] * shape.block[1];
        const input = randomInput(seed, threads);
        const outs = [true, false].map((wasm) => {
          const memory = new WebAssembly.Memory({ initial: 1 });
          new Uint32Array(memory.buffer, 1024, threads).set(input);
          const dev = new CpuDevice({ wasmKernels: wasm });
          const k = dev.loadKernel(ptx, 'wasm-warp-loop', 'loopy');
          const outAt = 1024 + threads * 4;
          dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0] * shape.block[1], 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(outAt, threads * 4), ptr(1024, threads * 4)] });
          expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
          return Array.from(new Uint32Array(memory.buffer, outAt, threads));
        });
        expect(outs[0]).toEqual(outs[1]);
      }),
      { numRuns: Number(process.env.WARP_RUNS ?? 10) },
    );
  });

  it('give the JavaScript backend’s bits for guarded warp-level instructions (a lane whose guard is false goes on without them)', () => {
    const ptx = `${HEADER}.visible .entry guarded(.param .u64 pout, .param .u64 pin)
{
  .reg .pred %p<4>;
  .reg .b32 %r<16>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [pout];
  ld.param.u64 %rd2, [pin];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r4, %r2, %r3, %r1;
  mul.wide.u32 %rd3, %r4, 4;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.u32 %r5, [%rd4];
  mov.u32 %r6, 7;
  mov.u32 %r7, 9;
  and.b32 %r8, %r5, 3;
  setp.ne.u32 %p1, %r8, 0;
  @%p1 shfl.sync.bfly.b32 %r6, %r5, 2, 31, -1;
  setp.lt.u32 %p2, %r5, -2147483648;
  @!%p1 vote.sync.ballot.b32 %r7, %p2, -1;
  xor.b32 %r9, %r6, %r7;
  add.s32 %r9, %r9, %r8;
  mul.wide.u32 %rd5, %r4, 4;
  add.s64 %rd6, %rd1, %rd5;
  st.global.u32 [%rd6], %r9;
  ret;
}
`;
    const m = parsePtx(ptx);
    expect(Object.keys(compileWasmKernel(m, m.functions.get('guarded')!))).toEqual(['kernel']);
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), fc.integer({ min: 1, max: 2 ** 31 }), (shape, seed) => {
        const threads = shape.grid * shape.block[0] * shape.block[1];
        const input = randomInput(seed, threads);
        const outs = [true, false].map((wasm) => {
          const memory = new WebAssembly.Memory({ initial: 1 });
          new Uint32Array(memory.buffer, 1024, threads).set(input);
          const dev = new CpuDevice({ wasmKernels: wasm });
          const k = dev.loadKernel(ptx, 'wasm-warp-guarded', 'guarded');
          const outAt = 1024 + threads * 4;
          dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0] * shape.block[1], 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(outAt, threads * 4), ptr(1024, threads * 4)] });
          expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
          return Array.from(new Uint32Array(memory.buffer, outAt, threads));
        });
        expect(outs[0]).toEqual(outs[1]);
      }),
      { numRuns: Number(process.env.WARP_RUNS ?? 10) },
    );
  });

  it('run on the block pool (blocks on two threads), with the same bits', () => {
    const shape = SHAPES[1]!;
    const input = randomInput(11, 256);
    const before = pooledLaunches();
    const memory = new WebAssembly.Memory({ initial: 2 });
    const threads = shape.grid * shape.block[0] * shape.block[1];
    new Uint32Array(memory.buffer, 4096, threads).set(input.subarray(0, threads));
    const dev = new CpuDevice({ wasmKernels: true, workers: 2, poolMinThreads: 1, adaptivePool: false });
    const k = dev.loadKernel(WARPMIX, 'wasm-warpmix', 'warpmix');
    const outAt = 4096 + threads * 4;
    dev.launch({ kernel: k, grid: [shape.grid, 1, 1], block: [shape.block[0], shape.block[1], 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(outAt, threads * 64), ptr(4096, threads * 4), u32(0x80000001), u32(5), u32(0x81f)] });
    expect(dev.lastBackend).toBe('wasm');
    expect(pooledLaunches()).toBe(before + 1);
    const js = runWarpmix(false, shape, 0x80000001, 5, 0x81f, input);
    expect(Array.from(new Uint32Array(memory.buffer.slice(outAt, outAt + threads * 64)))).toEqual(Array.from(js.out));
  });

  it('reports an out-of-bounds access after a shfl, in the phase after it, exactly as the JavaScript backend does', () => {
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
    const m = parsePtx(ptx);
    expect(Object.keys(compileWasmKernel(m, m.functions.get('oob')!))).toEqual(['kernel']);
    const messages = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm });
      const k = dev.loadKernel(ptx, 'wasm-warp-oob', 'oob');
      try {
        // a 24-word window: thread t writes word t ^ 4
        dev.launch({ kernel: k, grid: [1, 1, 1], block: [32, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, 96)] });
      } catch (e) {
        expect(e).toBeInstanceOf(DeviceError);
        return (e as DeviceError).message;
      }
      throw new Error('the launch did not fail');
    });
    // the first thread, in order, whose word is past the window: 24 (24 ^ 4 = 28; threads 20..23 write 16..19)
    expect(messages[1]).toMatch(/invalid __global__ write of 4 bytes at address 0x010000000470 .* by thread \(24,0,0\) in block \(0,0,0\) \(PTX line 13\)/);
    expect(messages[1]).toBe(messages[0]);
  });

  it('runs the bench’s warp shuffle reduction as WebAssembly with the JavaScript backend’s bits', () => {
    const ptx = readFileSync(new URL('../../../../fixtures/bench-kernels/warp_reduce.sm_75.ptx', import.meta.url), 'utf8');
    const n = 1000;
    const run = (wasm: boolean): { out: Uint8Array; backend: string | undefined } => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const f = new Float32Array(memory.buffer, 1024, n);
      let x = 5;
      for (let i = 0; i < n; i++) f[i] = ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
      const outAt = 1024 + n * 4;
      const dev = new CpuDevice({ wasmKernels: wasm });
      const k = dev.loadKernel(ptx, 'wasm-warp-reduce', 'warp_reduce');
      dev.launch({ kernel: k, grid: [4, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, n * 4), ptr(outAt, 16), u32(n)] });
      return { out: new Uint8Array(memory.buffer.slice(outAt, outAt + 16)), backend: dev.lastBackend };
    };
    const wasm = run(true), js = run(false);
    expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
    expect(Array.from(wasm.out)).toEqual(Array.from(js.out));
  });
});
