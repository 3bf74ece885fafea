/**
 * fma.{rz,rm,rp}.f32 natively on the WebAssembly backend (fma32-directed.ts), bit for bit against
 * the JavaScript backend, whose fmaExact rounds the exact BigInt sum (no code shared with the
 * TwoSum-and-step emission). The C oracle (oracle/instruction-forms.test.ts) checks the same forms
 * against gcc's fmaf under fesetround on both backends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { elementwisePtx, launchElementwise } from '../../../test-support/elementwise-kernel.js';

/** Per thread: (a, b, c, _) in, (fma.rz, fma.rm, fma.rp, mad.rm) of them out. */
const PTX = elementwisePtx(
  'fmad',
  `  .reg .f32 %f<9>;`,
  `  mul.wide.u32 %rd3, %r5, 16;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.v4.f32 {%f1, %f2, %f3, %f4}, [%rd4];
  fma.rz.f32 %f5, %f1, %f2, %f3;
  fma.rm.f32 %f6, %f1, %f2, %f3;
  fma.rp.f32 %f7, %f1, %f2, %f3;
  mad.rm.f32 %f8, %f1, %f2, %f3;
  add.s64 %rd6, %rd2, %rd3;
  st.global.v4.f32 [%rd6], {%f5, %f6, %f7, %f8};`,
);

const bitsF = (b: number): number => new Float32Array(new Uint32Array([b >>> 0]).buffer)[0]!;

/** The result bits of each case's four fmas, on one backend. */
function run(cases: [number, number, number][], wasm: boolean): number[] {
  const n = cases.length;
  const write = (dv: DataView, at: number, i: number): void => cases[i]!.forEach((x, j) => dv.setFloat32(at + 4 * j, x, true));
  const { dv, out } = launchElementwise({ ptx: PTX, entry: 'fmad', hash: 'wasm-fma-directed', n, inBytes: 16, outBytes: 16, write }, wasm);
  return Array.from({ length: n * 4 }, (_, i) => dv.getUint32(out + i * 4, true));
}

/** NaN results compare as NaN (their payloads are the hardware's: neither backend promises one). */
const canon = (bits: number[]): number[] => bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b));

/** Edge cases: exact zeros of every sign pairing, overflow, the subnormal range, ties and near-ties. */
function edges(): [number, number, number][] {
  const cases: [number, number, number][] = [];
  const specials = [0, -0, 1, -1, bitsF(0x7f7fffff), -bitsF(0x7f7fffff), bitsF(1), -bitsF(1), bitsF(0x00800000), Infinity, -Infinity, NaN];
  for (const a of specials) for (const b of [0, -0, 1, -1, 2, bitsF(1)]) for (const c of specials) cases.push([a, b, c]);
  // x*1 - x: exact zeros from cancelling; a tie 1 + 2^-24 ± nudges; products just below and above the overflow
  const t = 1 + 2 ** -12;
  for (const s of [1, -1]) {
    cases.push([s * 3, 1, -s * 3], [s * t, t, 0], [s * t, t, 2 ** -60], [s * t, t, -(2 ** -60)], [s * 2 ** 64, 2 ** 64, -(2 ** 100)], [s * 2 ** 127, 1.5, 0], [s * 2 ** 127, 2, -(2 ** 103)]);
    cases.push([s * 2 ** -75, 2 ** -75, 0], [s * 3 * 2 ** -75, 2 ** -75, -(2 ** -149)], [s * 2 ** -100, 2 ** -100, 2 ** -149]);
  }
  return cases;
}

/** An f32 of either sign with a random 24-bit significand scaled by 2^e (fround rounds it in the subnormal range). */
const f32At = (e: fc.Arbitrary<number>): fc.Arbitrary<number> =>
  fc.tuple(fc.boolean(), fc.integer({ min: 2 ** 23, max: 2 ** 24 - 1 }), e).map(([neg, m, k]) => Math.fround((neg ? -1 : 1) * m * 2 ** (k - 23)));

/**
 * Triples aimed at the fast path's boundaries (fma32-directed.ts): the f64 sum itself an f32 with a
 * non-zero error (a tiny product beside c), a non-zero sum that rounds to ±0, sums in the subnormal
 * range, products and sums around the overflow threshold, and non-finite inputs.
 */
const fastPathEdges: fc.Arbitrary<[number, number, number]> = fc.oneof(
  // s = c exactly, x = c + a tiny product (below half an f64 ulp of c): only the error decides
  fc.tuple(f32At(fc.integer({ min: -100, max: 100 })), f32At(fc.constant(-40)), fc.integer({ min: -20, max: 20 })).map(([c, b, k]): [number, number, number] => [Math.fround(c * 2 ** (k - 20)), b, c]),
  // |a*b| ~ 2^-160 with c = ±0 or ± the least subnormal: the sum rounds to ±0 or a neighbour of it
  fc.tuple(f32At(fc.constant(-80)), f32At(fc.constant(-80)), fc.constantFrom(0, -0, 2 ** -149, -(2 ** -149))),
  // products and sums in the subnormal range, and across its top 2^-126
  fc.tuple(f32At(fc.integer({ min: -80, max: -60 })), f32At(fc.integer({ min: -80, max: -60 })), fc.oneof(fc.constantFrom(0, -0), f32At(fc.integer({ min: -150, max: -124 })))),
  // around the overflow threshold 2^128 - 2^103, from either side
  fc.tuple(f32At(fc.integer({ min: 63, max: 64 })), f32At(fc.integer({ min: 63, max: 64 })), fc.oneof(fc.constantFrom(0, bitsF(0x7f7fffff), -bitsF(0x7f7fffff)), f32At(fc.integer({ min: 100, max: 127 })))),
  // a non-finite input anywhere
  fc.tuple(fc.constantFrom(Infinity, -Infinity, NaN, 0), fc.float(), fc.float()),
);

describe('fma.{rz,rm,rp}.f32 on the WebAssembly backend', () => {
  it('compiles to native code (no JavaScript bridge)', () => {
    const m = parsePtx(PTX);
    const r = compileWasmKernel(m, m.functions.get('fmad')!);
    expect('kernel' in r && r.kernel.bridged).toEqual([]);
  });

  it('rounds as the JavaScript backend does: zeros, overflow, subnormals, ties, non-finite inputs', () => {
    const cases = edges();
    expect(canon(run(cases, true))).toEqual(canon(run(cases, false)));
    // independently: 1·1 + 2^-30 rounds down under .rz/.rm to 1, up under .rp to 1 + 2^-23;
    // 3 − 3 is +0 under .rz/.rp and −0 under .rm
    const [rz, rm, rp, madRm, z1, z2, z3] = run([[1, 1, 2 ** -30], [3, 1, -3]], true);
    expect([rz, rm, rp, madRm]).toEqual([0x3f800000, 0x3f800000, 0x3f800001, 0x3f800000]);
    expect([z1, z2, z3]).toEqual([0, 0x80000000, 0]);
  });

  it('agrees with the JavaScript backend on random f32 triples of every class (fast-check)', () => {
    const f = fc.float({ noDefaultInfinity: false });
    // products near c's magnitude, so that cancellation and the rounding of small sums are common
    const near = fc.tuple(fc.float({ min: -4, max: 4, noNaN: true }), fc.float({ min: -4, max: 4, noNaN: true }), fc.integer({ min: -3, max: 3 })).map(([a, b, k]): [number, number, number] => [a, b, Math.fround(-a * b * (1 + k * 2 ** -20))]);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.tuple(f, f, f), near), { minLength: 300, maxLength: 300 }), (cases) => {
        expect(canon(run(cases, true))).toEqual(canon(run(cases, false)));
      }),
      { numRuns: 10 },
    );
  });

  it("agrees with the JavaScript backend at the fast path's boundaries: sums that are f32s, round to ±0, subnormal, overflow, non-finite (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fastPathEdges, { minLength: 500, maxLength: 500 }), (cases) => {
        expect(canon(run(cases, true))).toEqual(canon(run(cases, false)));
      }),
      { numRuns: 10 },
    );
  });
});
