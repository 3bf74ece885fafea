/**
 * f64 arithmetic's SIMD forms in lanes (lanes-f64.ts) against the JavaScript backend, the
 * differential oracle: add/sub/mul/div, sqrt, rcp, neg/abs, fma.rn (fused where the scalar code
 * is), setp and selp, on f64 inputs biased to the edges (NaNs, ±0, ±infinity, subnormals, the
 * largest and smallest normals, values whose products overflow or underflow). Both backends must
 * leave the same bytes — but for the payload of a NaN result, which the JavaScript backend may
 * choose otherwise for two NaN operands (V8's JavaScript may swap add's and mul's operands): there
 * both must be NaN and the lanes' bytes the scalar Wasm code's exactly —, the blocks must run in
 * lanes, and no form may fall back to per-lane code (fma's non-finite fallback aside).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkLaneForm, edgeWords64 } from './lanes-differential.js';
import { fusedMaddAvailable } from './fused-madd.js';

const bits = (x: number): bigint => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, true);
  return dv.getBigUint64(0, true);
};

/** f64 bit patterns, biased to the edges. */
const edgeF64 = fc.oneof(
  fc.constantFrom(
    ...[0, -0, 1, -1, 0.5, 3, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, 1e-300, 1e160, 1e-160, 2 ** 53, 1 + 2 ** -52].map(bits),
    // NaNs with payloads and the other sign
    0xfff8000000000000n, 0x7ff8000000000001n, 0xfffc000000000123n,
  ),
  fc.double().map(bits),
  edgeWords64,
);

function forms(): { body: string; simd: boolean }[] {
  const out: { body: string; simd: boolean }[] = [];
  const f = (ins: string, simd = true): void => void out.push({ body: `${ins}\n  mov.b64 %rd11, %fd4;\n  mov.b32 %r10, %r6;`, simd });
  for (const op of ['add.f64', 'add.rn.f64', 'sub.f64', 'mul.f64', 'mul.rn.f64', 'div.rn.f64']) {
    f(`${op} %fd4, %fd1, %fd2;`);
    f(`${op} %fd4, %fd1, 0d3FF8000000000000;`);
  }
  for (const op of ['sqrt.rn.f64', 'rcp.rn.f64', 'neg.f64', 'abs.f64']) f(`${op} %fd4, %fd1;`);
  // fused where the scalar code is (else per lane, fma64.ts's transformations)
  const fused = fusedMaddAvailable();
  f('fma.rn.f64 %fd4, %fd1, %fd2, %fd3;', fused);
  f('fma.rn.f64 %fd4, %fd1, 0d3E21EED8EFF8D898, 0d3FB5555555555555;', fused);
  for (const c of ['eq', 'lt', 'le', 'gt', 'ge']) {
    out.push({ body: `setp.${c}.f64 %p2, %fd1, %fd2;\n  selp.b32 %r10, %r5, %r6, %p2;\n  selp.f64 %fd4, %fd1, %fd2, %p2;\n  mov.b64 %rd11, %fd4;`, simd: true });
  }
  return out;
}

describe('f64 arithmetic in SIMD lanes (lanes-f64.ts)', () => {
  const runs = Math.max(1, Math.round(Number(process.env.FUZZ_RUNS ?? 1000) / 200));
  it.each(forms())('$body: the JavaScript backend\'s bytes, in lanes', ({ body, simd }) => checkLaneForm(body, simd, runs, edgeF64, true));
});
