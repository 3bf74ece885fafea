/**
 * The bit instructions' SIMD forms in lanes (lanes-bits.ts) against the JavaScript backend, the
 * differential oracle: every form (popc, clz, brev 32/64-bit, bfe/bfi with constant fields at
 * the edges, shf with constant, uniform and varying counts, shl/shr by constants past the width,
 * by a uniform register and by each lane's own count) in a kernel of nvcc's `if (i < n)` shape,
 * on inputs biased to the edges (0, 0xffffffff, 1 << 31, counts around 32 and 64). Both backends
 * must leave the same bytes, the blocks must run in lanes, and the forms meant as SIMD must not
 * fall back to the per-lane scalar code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { lanesWhy } from './lanes-plan.js';
import { lanesStats } from './wasm-launch.js';

const THREADS = 128;
/** Inputs: a, b (u32), A, B (u64); outputs: a u32 and a u64 per thread. */
const A32 = 0, B32 = 4 * THREADS, A64 = 8 * THREADS, B64 = 16 * THREADS, SIZE = 24 * THREADS;

/** a body: reads a %r5, b %r6, u %r9 (uniform), A %rd9, B %rd10; writes %r10 and %rd11. */
function kernel(body: string): string {
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry bits(.param .u64 pin, .param .u64 pout, .param .u32 pu)
{
  .reg .pred %p<2>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r9, [pu];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %ctaid.x;
  mad.lo.s32 %r4, %r3, %r2, %r1;
  setp.ge.u32 %p1, %r4, ${THREADS};
  @%p1 bra $L_end;
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  mul.wide.u32 %rd5, %r4, 4;
  mul.wide.u32 %rd6, %r4, 8;
  add.s64 %rd7, %rd3, %rd5;
  add.s64 %rd8, %rd3, %rd6;
  ld.global.u32 %r5, [%rd7+${A32}];
  ld.global.u32 %r6, [%rd7+${B32}];
  ld.global.u64 %rd9, [%rd8+${A64}];
  ld.global.u64 %rd10, [%rd8+${B64}];
  ${body}
  add.s64 %rd12, %rd4, %rd5;
  add.s64 %rd13, %rd4, %rd6;
  st.global.u32 [%rd12], %r10;
  st.global.u64 [%rd13+${4 * THREADS}], %rd11;
$L_end:
  ret;
}
`;
}

/** Every form, with whether it must be a SIMD form (false: some run per lane, by design). */
function forms(): { body: string; simd: boolean }[] {
  const out: { body: string; simd: boolean }[] = [];
  const r32 = (ins: string, simd = true): void => void out.push({ body: `${ins}\n  mov.b64 %rd11, %rd10;`, simd });
  const r64 = (ins: string, simd = true): void => void out.push({ body: `${ins}\n  mov.b32 %r10, %r6;`, simd });
  for (const op of ['popc', 'clz', 'brev']) r32(`${op}.b32 %r10, %r5;`);
  r32('popc.b64 %r10, %rd9;');
  r32('clz.b64 %r10, %rd9;');
  r64('brev.b64 %rd11, %rd9;');
  const fields32 = [[0, 0], [0, 32], [3, 5], [31, 1], [31, 8], [32, 4], [200, 3], [5, 255], [16, 16], [0, 31], [28, 8], [1, 0]];
  const fields64 = [[0, 0], [0, 64], [32, 32], [63, 1], [63, 8], [64, 4], [250, 3], [5, 255], [29, 40], [0, 63], [60, 9], [31, 2]];
  for (const [p, l] of fields32) {
    for (const t of ['u32', 's32']) r32(`bfe.${t} %r10, %r5, ${p}, ${l};`);
    r32(`bfi.b32 %r10, %r5, %r6, ${p}, ${l};`);
  }
  for (const [p, l] of fields64) {
    for (const t of ['u64', 's64']) r64(`bfe.${t} %rd11, %rd9, ${p}, ${l};`);
    r64(`bfi.b64 %rd11, %rd9, %rd10, ${p}, ${l};`);
  }
  for (const dir of ['l', 'r']) {
    for (const mode of ['wrap', 'clamp']) {
      for (const c of [0, 1, 7, 25, 31, 32, 33, 255, 4294967295]) r32(`shf.${dir}.${mode}.b32 %r10, %r5, %r6, ${c};`);
      // a uniform count: SIMD when wrapping; clamping (and a varying count) runs per lane
      r32(`shf.${dir}.${mode}.b32 %r10, %r5, %r6, %r9;`, mode === 'wrap');
      r32(`shf.${dir}.${mode}.b32 %r10, %r5, %r6, %r6;`, false);
    }
  }
  for (const op of ['shl.b32', 'shr.u32', 'shr.s32']) for (const c of ['%r6', '%r9', '0', '5', '31', '32', '40', '4294967295']) r32(`${op} %r10, %r5, ${c};`);
  for (const op of ['shl.b64', 'shr.u64', 'shr.s64']) {
    for (const c of ['%r9', '0', '29', '63', '64', '100']) r64(`${op} %rd11, %rd9, ${c};`);
    // each lane's own count, 64-bit: per lane
    r64(`${op} %rd11, %rd9, %r6;`, false);
  }
  return out;
}

/** u32 values, biased to the edges. */
const word = fc.oneof(
  fc.constantFrom(0, 1, 2, 7, 31, 32, 33, 63, 64, 65, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0x0000ffff, 0xffff0000, 0x00800000, 0x00ffffff),
  fc.nat({ max: 0xffffffff }),
);
const INPUTS = fc.record({ words: fc.array(word, { minLength: 6 * THREADS, maxLength: 6 * THREADS }), u: word });

function run(dev: CpuDevice, kernel: ReturnType<CpuDevice['loadKernel']>, words: number[], u: number): Uint8Array {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  const IN = 1024, OUT = IN + SIZE;
  const dv = new DataView(memory.buffer);
  words.forEach((w, i) => dv.setUint32(IN + 4 * i, w, true));
  const pu = new Uint8Array(4);
  new DataView(pu.buffer).setUint32(0, u, true);
  const args: KernelArg[] = [
    { kind: 'pointer', offset: IN, length: SIZE },
    { kind: 'pointer', offset: OUT, length: SIZE },
    { kind: 'scalar', tag: 'u32', bytes: pu },
  ];
  dev.launch({ kernel, grid: [2, 1, 1], block: [THREADS / 2, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args });
  return bytes.slice(OUT, OUT + SIZE);
}

describe('bit instructions in SIMD lanes (lanes-bits.ts)', () => {
  const runs = Math.max(1, Math.round(Number(process.env.FUZZ_RUNS ?? 1000) / 400));
  it.each(forms())('$body: the JavaScript backend\'s bytes, in lanes', ({ body, simd }) => {
    const ptx = kernel(body);
    const module = parsePtx(ptx);
    const verdict = compileWasmKernel(module, module.functions.get('bits')!);
    if (!('kernel' in verdict)) throw new Error(`not in the Wasm subset: ${verdict.unsupported}`);
    expect(verdict.kernel.lanes, lanesWhy.last).toBe(true);
    if (simd) expect(lanesWhy.perLane, 'a form meant as SIMD runs per lane').toBe('');
    // (one worker: a launch the pool took would count its lane blocks on another thread)
    const js = new CpuDevice({ wasmKernels: false, workers: 1 });
    const wasm = new CpuDevice({ wasmKernels: true, workers: 1 });
    // (the second argument keys the device's compile cache: one per form)
    const kj = js.loadKernel(ptx, `bits-js ${body}`, 'bits');
    const kw = wasm.loadKernel(ptx, `bits-wasm ${body}`, 'bits');
    fc.assert(
      fc.property(INPUTS, ({ words, u }) => {
        // a uniform count: the drawn one and every edge (one draw rarely meets 0 or 32)
        for (const count of body.includes('%r9') ? [u, 0, 1, 31, 32, 33, 63, 64, 0xffffffff] : [u]) {
          const expected = run(js, kj, words, count);
          const before = lanesStats.blocks;
          const got = run(wasm, kw, words, count);
          expect(wasm.lastBackend).toBe('wasm');
          expect(lanesStats.blocks - before).toBe(2);
          const at = got.findIndex((b, i) => b !== expected[i]);
          expect(at, `u = ${count}: first differing byte at ${at} (thread ${at >= 4 * THREADS ? (at - 4 * THREADS) >> 3 : at >> 2})`).toBe(-1);
        }
      }),
      { numRuns: runs },
    );
  });
});
