/**
 * ex2.approx.f32 (and .ftz) natively where that provably gives what the JavaScript backend gives,
 * fround(Math.pow(2, x)): softmax's expf ends in one per element, and as a bridged call it was
 * half of that kernel's time. For -125 < x < 127 (a normal f32 result, and a subnormal x, flushed
 * or not, gives 1 either way) y = 2^n · P(x - n), n = nearest(x), P a degree-12 Taylor polynomial
 * of 2^f on [-1/2, 1/2] evaluated by Estrin's scheme (a third of Horner's dependent chain: softmax
 * 65 → 58 ms), is within a few f64 ulps of 2^x: the truncation error is below 2^-52, and the
 * terms' absolute values sum to 2^|f| ≤ 2·2^f, so no cancellation magnifies the ~25 roundings
 * beyond a few dozen ulps. Measured: ≤ 4 ulps from Math.pow (itself within 1 ulp) on every
 * f = k·2^-23 in [-1/2, 1/2] (Horner: ≤ 3); ex2-fast.test.ts keeps a sweep at ≤ 8 and MARGIN at
 * ≥ 64 times it. When y lies more than MARGIN f64 ulps from the midpoint between two f32s, y, 2^x
 * and Math.pow(2, x) all round to the same f32; otherwise — and outside the range, for NaN, ±Inf — the instruction takes the bridge.
 */
import { type Bytes, OP } from './encoder.js';

/** f64 ulps of distance from an f32 rounding midpoint below which the bridge decides (≫ the few of error). */
export const MARGIN = 1024;

/** 1.5·2^52: added to |x| < 2^51, it rounds x to an integer in the low bits of the sum. */
const ROUNDER = 1.5 * 2 ** 52;

/** 2^f = Σ (ln 2)^k / k! · f^k, k ≤ 12: the next term is below 2^-60 for |f| ≤ 1/2. */
const COEFFS = ((): number[] => {
  const c: number[] = [];
  let fact = 1;
  for (let k = 0; k <= 12; k++) {
    if (k > 0) fact *= k;
    c.push(Math.LN2 ** k / fact);
  }
  return c;
})();

/**
 * From x (an f32 promoted to f64, in local `x`), sets `res` (f32) to the rounded 2^x and `ok`
 * (i32) to 1 when res is certainly fround(Math.pow(2, x)); ok = 0 means: call the bridge. Locals
 * f and s are f64 scratch.
 */
export function emitEx2Fast(c: Bytes, l: { x: number; f: number; s: number; res: number; ok: number }): void {
  const get = (i: number): Bytes => c.byte(OP.local_get).u32(i);
  const set = (i: number): Bytes => c.byte(OP.local_set).u32(i);
  const f64 = (v: number): Bytes => c.byte(OP.f64_const).f64(v);
  c.byte(OP.i32_const).s32(0);
  set(l.ok);
  // -125 < x < 127 (false for NaN)
  get(l.x);
  f64(-125);
  c.byte(OP.f64_gt);
  get(l.x);
  f64(127);
  c.byte(OP.f64_lt);
  c.byte(OP.i32_and);
  c.byte(OP.if).byte(0x40);
  // t = x + 1.5·2^52 rounds x to the nearest integer n, ties to even (as f64.nearest: t's ulp is
  // 1), and holds n in its low bits; n = t - 1.5·2^52 and f = x - n are exact (x has 24 bits)
  get(l.x);
  f64(ROUNDER);
  c.byte(OP.f64_add);
  set(l.s);
  get(l.x);
  get(l.s);
  f64(ROUNDER);
  c.byte(OP.f64_sub);
  c.byte(OP.f64_sub);
  set(l.f);
  // s = 2^n from t's bits: (bits + 1023) << 52 leaves n + 1023 (in 1..2047 here) in the exponent field
  get(l.s);
  c.byte(OP.i64_reinterpret_f64);
  c.byte(OP.i64_const).s64(1023n);
  c.byte(OP.i64_add);
  c.byte(OP.i64_const).s64(52n);
  c.byte(OP.i64_shl).byte(OP.f64_reinterpret_i64);
  set(l.s);
  // x is free now: it holds f² for Estrin's scheme
  get(l.f);
  get(l.f);
  c.byte(OP.f64_mul);
  set(l.x);
  emitEstrin(c, COEFFS, l);
  get(l.s);
  c.byte(OP.f64_mul).byte(OP.local_tee).u32(l.f); // y (exact scaling)
  c.byte(OP.f32_demote_f64);
  set(l.res);
  // safe unless y's 29 bits below f32 precision are within MARGIN of the midpoint pattern 0x10000000
  get(l.f);
  c.byte(OP.i64_reinterpret_f64).byte(OP.i32_wrap_i64);
  c.byte(OP.i32_const).s32(0x1fffffff);
  c.byte(OP.i32_and);
  c.byte(OP.i32_const).s32(0x10000000 - MARGIN);
  c.byte(OP.i32_sub);
  c.byte(OP.i32_const).s32(2 * MARGIN);
  c.byte(OP.i32_gt_u);
  set(l.ok);
  c.byte(OP.end);
}

/**
 * Σ cs[i]·f^i by Estrin's scheme, P = P_low + f^m·P_high (m the largest power of two below
 * cs.length): the two halves are independent, so the dependent chain of a degree-12 polynomial is
 * 7 flops instead of Horner's 24. The powers f^2^k are products of `x` (f²) emitted where they are
 * used (TurboFan numbers equal pure values, so each is computed once).
 */
function emitEstrin(c: Bytes, cs: number[], l: { x: number; f: number }): void {
  if (cs.length === 1) {
    c.byte(OP.f64_const).f64(cs[0]!);
    return;
  }
  let m = 1;
  while (m * 2 < cs.length) m *= 2;
  emitEstrin(c, cs.slice(0, m), l);
  emitEstrin(c, cs.slice(m), l);
  emitPower(c, m, l);
  c.byte(OP.f64_mul).byte(OP.f64_add);
}

/** f^p for p a power of two: f, f², then squares of f². */
function emitPower(c: Bytes, p: number, l: { x: number; f: number }): void {
  if (p === 1) c.byte(OP.local_get).u32(l.f);
  else if (p === 2) c.byte(OP.local_get).u32(l.x);
  else {
    emitPower(c, p / 2, l);
    emitPower(c, p / 2, l);
    c.byte(OP.f64_mul);
  }
}
