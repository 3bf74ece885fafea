/**
 * cvt.sat between floats (nvcc's __saturatef: cvt.sat.f32.f32, ten per softmax element) natively
 * on the WebAssembly backend, bit for bit against the JavaScript backend's M.sat: NaN and
 * negatives to +0, −0 kept, above 1 to 1. The C oracle (oracle/instruction-forms.test.ts) checks
 * the same forms against gcc on both backends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { elementwisePtx, launchElementwise } from '../../../test-support/elementwise-kernel.js';

/** Per thread: (f32 x, pad, f64 y) in; cvt.sat.f32.f32 x, cvt.rni.sat.f32.f32 x, cvt.rn.sat.f32.f64 y, cvt.sat.f64.f32 x out. */
const PTX = elementwisePtx(
  'sat',
  `  .reg .f32 %f<6>;
  .reg .f64 %fd<4>;`,
  `  mul.wide.u32 %rd3, %r5, 16;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  ld.global.f64 %fd1, [%rd4+8];
  cvt.sat.f32.f32 %f2, %f1;
  cvt.rni.sat.f32.f32 %f3, %f1;
  cvt.rn.sat.f32.f64 %f4, %fd1;
  cvt.sat.f64.f32 %fd2, %f1;
  mul.wide.u32 %rd5, %r5, 24;
  add.s64 %rd6, %rd2, %rd5;
  st.global.f32 [%rd6], %f2;
  st.global.f32 [%rd6+4], %f3;
  st.global.f32 [%rd6+8], %f4;
  st.global.f64 [%rd6+16], %fd2;`,
);

function run(cases: [number, number][], wasm: boolean): string[] {
  const n = cases.length;
  const write = (dv: DataView, at: number, i: number): void => {
    dv.setFloat32(at, cases[i]![0], true);
    dv.setFloat64(at + 8, cases[i]![1], true);
  };
  const { dv, out } = launchElementwise({ ptx: PTX, entry: 'sat', hash: 'wasm-cvt-sat', n, inBytes: 16, outBytes: 24, write }, wasm);
  // saturated results are never NaN: the bits compare exactly
  return Array.from({ length: n }, (_, i) => [0, 4, 8].map((q) => dv.getUint32(out + i * 24 + q, true).toString(16)).join(',') + ',' + dv.getBigUint64(out + i * 24 + 16, true).toString(16));
}

describe('cvt.sat between floats on the WebAssembly backend', () => {
  it('compiles to native code (no JavaScript bridge)', () => {
    const m = parsePtx(PTX);
    const r = compileWasmKernel(m, m.functions.get('sat')!);
    expect('kernel' in r && r.kernel.bridged).toEqual([]);
  });

  it('clamps as the JavaScript backend does: NaN, ±0, ±Inf, the ends of [0, 1], subnormals', () => {
    const xs = [NaN, 0, -0, Infinity, -Infinity, 1, -1, 0.5, 1.5, 1 + 2 ** -23, 1 - 2 ** -24, 2 ** -149, -(2 ** -149), 0.49999997, 0.5000001];
    const cases = xs.map((x): [number, number] => [x, x]);
    expect(run(cases, true)).toEqual(run(cases, false));
    // independently: −0 stays −0, NaN and −1 give +0, 1.5 gives 1
    expect(run([[-0, -0], [NaN, NaN], [-1, -1], [1.5, 1.5]], true)).toEqual(['80000000,80000000,80000000,8000000000000000', '0,0,0,0', '0,0,0,0', '3f800000,3f800000,3f800000,3ff0000000000000']);
  });

  it('agrees with the JavaScript backend on random floats of every class (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.float(), fc.float({ min: -2, max: 2 })), fc.oneof(fc.double(), fc.double({ min: -2, max: 2 }))), { minLength: 500, maxLength: 500 }), (cases) => {
        expect(run(cases, true)).toEqual(run(cases, false));
      }),
      { numRuns: 5 },
    );
  });
});
