/**
 * Test support (no test here): one instruction form in a kernel of nvcc's `if (i < n)` shape, run
 * on the JavaScript backend (the differential oracle) and on the Wasm backend in SIMD lanes, for
 * lanes-bits.test.ts and lanes-f64.test.ts. The kernel loads per thread a, b (u32: %r5, %r6), A,
 * B, C (64-bit: %rd9, %rd10, %rd14, and the same bits as f64: %fd1, %fd2, %fd3) and the uniform
 * u (%r9, a parameter); the form writes %r10 and %rd11, which are stored.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { lanesTuning } from './lanes-emit.js';
import { lanesWhy } from './lanes-plan.js';
import { lanesStats } from './wasm-launch.js';

const THREADS = 128;
/** Input sections (bytes from the input's start): a, b (u32 each), A, B, C (8 bytes each); the output: %r10 then %rd11 per thread. */
const A32 = 0, B32 = 4 * THREADS, A64 = 8 * THREADS, B64 = 16 * THREADS, C64 = 24 * THREADS, SIZE = 32 * THREADS;

function kernel(body: string): string {
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry lanes_form(.param .u64 pin, .param .u64 pout, .param .u32 pu)
{
  .reg .pred %p<4>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .f64 %fd<10>;
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
  ld.global.u64 %rd14, [%rd8+${C64}];
  ld.global.f64 %fd1, [%rd8+${A64}];
  ld.global.f64 %fd2, [%rd8+${B64}];
  ld.global.f64 %fd3, [%rd8+${C64}];
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

/** u32 values, biased to the edges. */
export const edgeWord = fc.oneof(
  fc.constantFrom(0, 1, 2, 7, 31, 32, 33, 63, 64, 65, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0x0000ffff, 0xffff0000, 0x00800000, 0x00ffffff),
  fc.nat({ max: 0xffffffff }),
);

/** 64-bit values from two edge words. */
export const edgeWords64 = fc.tuple(edgeWord, edgeWord).map(([lo, hi]) => (BigInt(hi) << 32n) | BigInt(lo));

/** Uniform counts run besides the drawn one when the form reads u (one draw rarely meets 0 or 32). */
const EDGE_COUNTS = [0, 1, 31, 32, 33, 63, 64, 0xffffffff];

function run(dev: CpuDevice, k: ReturnType<CpuDevice['loadKernel']>, a: number[], b: number[], wide: bigint[], u: number): Uint8Array {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  const IN = 1024, OUT = IN + SIZE;
  const dv = new DataView(memory.buffer);
  for (let i = 0; i < THREADS; i++) {
    dv.setUint32(IN + A32 + 4 * i, a[i]!, true);
    dv.setUint32(IN + B32 + 4 * i, b[i]!, true);
  }
  wide.forEach((w, i) => dv.setBigUint64(IN + A64 + 8 * i, w, true));
  const pu = new Uint8Array(4);
  new DataView(pu.buffer).setUint32(0, u, true);
  const args: KernelArg[] = [
    { kind: 'pointer', offset: IN, length: SIZE },
    { kind: 'pointer', offset: OUT, length: SIZE },
    { kind: 'scalar', tag: 'u32', bytes: pu },
  ];
  dev.launch({ kernel: k, grid: [2, 1, 1], block: [THREADS / 2, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args });
  return bytes.slice(OUT, OUT + 12 * THREADS);
}

/**
 * Checks one form: the kernel runs in lanes (with `simd`, no instruction per lane), and on
 * `runs` draws of inputs both backends leave the same bytes. `wide`: the 64-bit inputs' values.
 * `nanPayloads`: %rd11 holds an f64 whose NaN payload the JavaScript backend may choose otherwise
 * than the scalar Wasm code (of two NaN operands of add or mul, V8's JavaScript can take either):
 * there both are NaN, and the lanes' bytes are the scalar Wasm code's exactly.
 */
export function checkLaneForm(body: string, simd: boolean, runs: number, wide: fc.Arbitrary<bigint> = edgeWords64, nanPayloads = false): void {
  const ptx = kernel(body);
  const module = parsePtx(ptx);
  const verdict = compileWasmKernel(module, module.functions.get('lanes_form')!);
  if (!('kernel' in verdict)) throw new Error(`not in the Wasm subset: ${verdict.unsupported}`);
  expect(verdict.kernel.lanes, lanesWhy.last).toBe(true);
  if (simd) expect(lanesWhy.perLane, 'a form meant as SIMD runs per lane').toBe('');
  // (one worker: a launch the pool took would count its lane blocks on another thread)
  const js = new CpuDevice({ wasmKernels: false, workers: 1 });
  const wasm = new CpuDevice({ wasmKernels: true, workers: 1 });
  // (the second argument keys the device's compile cache: one per form)
  const kj = js.loadKernel(ptx, `lanes-form-js ${body}`, 'lanes_form');
  const kw = wasm.loadKernel(ptx, `lanes-form-wasm ${body}`, 'lanes_form');
  // the scalar Wasm code (no lanes: no kernel is worth them), for NaN payloads
  const scalar = new CpuDevice({ wasmKernels: true, workers: 1 });
  const limit = lanesTuning.maxPerLaneRuns;
  lanesTuning.maxPerLaneRuns = -1;
  const ks = nanPayloads ? scalar.loadKernel(ptx, `lanes-form-scalar ${body}`, 'lanes_form') : undefined;
  lanesTuning.maxPerLaneRuns = limit;
  const words = fc.array(edgeWord, { minLength: THREADS, maxLength: THREADS });
  const inputs = fc.record({ a: words, b: words, wide: fc.array(wide, { minLength: 3 * THREADS, maxLength: 3 * THREADS }), u: edgeWord });
  fc.assert(
    fc.property(inputs, ({ a, b, wide: w, u }) => {
      for (const count of body.includes('%r9') ? [u, ...EDGE_COUNTS] : [u]) {
        const expected = run(js, kj, a, b, w, count);
        const before = lanesStats.blocks;
        const got = run(wasm, kw, a, b, w, count);
        expect(wasm.lastBackend).toBe('wasm');
        expect(lanesStats.blocks - before).toBe(2);
        if (ks) {
          const before = lanesStats.blocks;
          const plain = run(scalar, ks, a, b, w, count);
          expect(lanesStats.blocks - before).toBe(0);
          const at = got.findIndex((x, i) => x !== plain[i]);
          expect(at, `u = ${count}: first byte differing from the scalar Wasm code's at ${at}`).toBe(-1);
          const f = (bytes: Uint8Array, i: number): number => new DataView(bytes.buffer).getFloat64(4 * THREADS + 8 * i, true);
          // both NaN: the JavaScript backend's payload may differ (its bytes taken for the comparison below)
          for (let i = 0; i < THREADS; i++) if (Number.isNaN(f(got, i)) && Number.isNaN(f(expected, i))) got.set(expected.subarray(4 * THREADS + 8 * i, 4 * THREADS + 8 * i + 8), 4 * THREADS + 8 * i);
        }
        const at = got.findIndex((x, i) => x !== expected[i]);
        expect(at, `u = ${count}: first differing byte at ${at} (thread ${at >= 4 * THREADS ? (at - 4 * THREADS) >> 3 : at >> 2})`).toBe(-1);
      }
    }),
    { numRuns: runs },
  );
}
