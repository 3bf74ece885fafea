/**
 * rcp.approx.f32 and rcp.approx.ftz.f32 natively on the WebAssembly backend (emit-alu.ts
 * rcpApprox32; nvcc emits the .ftz form for `1.0f / x` under --use_fast_math), bit for bit against
 * the JavaScript backend on every class of input, and against IEEE 754 itself where the result is
 * known from the text: 1/x correctly rounded, .ftz flushing a subnormal source or result to a zero
 * of its sign.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { elementwisePtx, launchElementwise } from '../../../test-support/elementwise-kernel.js';

/** Per thread: x in, (rcp.approx.f32 x, rcp.approx.ftz.f32 x) out. */
const PTX = elementwisePtx(
  'rcpk',
  `  .reg .f32 %f<4>;`,
  `  mul.wide.u32 %rd3, %r5, 4;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  rcp.approx.f32 %f2, %f1;
  rcp.approx.ftz.f32 %f3, %f1;
  mul.wide.u32 %rd5, %r5, 8;
  add.s64 %rd6, %rd2, %rd5;
  st.global.v2.f32 [%rd6], {%f2, %f3};`,
);

function run(xs: number[], wasm: boolean): number[] {
  const write = (dv: DataView, at: number, i: number): void => dv.setFloat32(at, xs[i]!, true);
  const { dv, out } = launchElementwise({ ptx: PTX, entry: 'rcpk', hash: 'wasm-rcp-approx', n: xs.length, inBytes: 4, outBytes: 8, write }, wasm);
  return Array.from({ length: xs.length * 2 }, (_, i) => dv.getUint32(out + i * 4, true));
}

/** NaN results compare as NaN (neither backend promises a payload). */
const canon = (bits: number[]): number[] => bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b));
const bitsOf = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0]!;

describe('rcp.approx(.ftz).f32 on the WebAssembly backend', () => {
  it('compiles to native code (no JavaScript bridge)', () => {
    const m = parsePtx(PTX);
    const r = compileWasmKernel(m, m.functions.get('rcpk')!);
    expect('kernel' in r && r.kernel.bridged).toEqual([]);
  });

  it('gives IEEE 754 reciprocals, and .ftz zeros of the sign for subnormal sources and results', () => {
    const sub = 2 ** -140, huge = 2 ** 127;
    const got = run([3, -0.5, sub, -sub, huge, -huge, 0, -0, Infinity], true);
    const pair = (i: number): [number, number] => [got[2 * i]!, got[2 * i + 1]!];
    expect(pair(0)).toEqual([bitsOf(1 / 3), bitsOf(1 / 3)]); // 0x3eaaaaab both
    expect(pair(1)).toEqual([bitsOf(-2), bitsOf(-2)]);
    expect(pair(2)).toEqual([0x7f800000, 0x7f800000]); // 2^140 overflows f32; ftz: 1/+0 = +inf
    expect(pair(3)).toEqual([0xff800000, 0xff800000]);
    expect(pair(4)).toEqual([bitsOf(2 ** -127), 0]); // a subnormal 2^-127, flushed to +0
    expect(pair(5)).toEqual([bitsOf(-(2 ** -127)), 0x80000000]);
    expect(pair(6)).toEqual([0x7f800000, 0x7f800000]);
    expect(pair(7)).toEqual([0xff800000, 0xff800000]);
    expect(pair(8)).toEqual([0, 0]);
  });

  it('agrees with the JavaScript backend on random f32s of every class (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.float(), fc.float({ min: Math.fround(-1e-37), max: Math.fround(1e-37) }), fc.float({ min: Math.fround(1e37), max: Math.fround(3e38) })), { minLength: 1, maxLength: 300 }), (xs) => {
        expect(canon(run(xs, true))).toEqual(canon(run(xs, false)));
      }),
      { numRuns: 20 },
    );
  });
});
