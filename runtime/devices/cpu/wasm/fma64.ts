/**
 * fma.rn.f64 in native f64 arithmetic, rounded once (Boldo & Melquiond 2008, "Emulation of FMA
 * and correctly rounded sums: proved algorithms using rounding to odd"): a·b = p + e exactly
 * (Dekker's TwoProduct with Veltkamp's split: Wasm has no fma), p + c = s + t exactly (TwoSum),
 * v = t + e rounded to odd (round to nearest, then an inexact v with an even last bit moves one
 * ulp toward the exact sum), and the result s + v rounded to nearest. Exact as long as nothing
 * overflows or underflows on the way: the split needs |a|, |b| ≤ 2^963 or so, the products and the
 * sum must stay normal; outside those ranges (1e290, 1e300, 1e-290 below, with margin), and for
 * zeros, infinities and NaNs, the instruction calls the imported exact fma (math.ts fmaF64, whose
 * rare paths round with BigInts), as does the JavaScript backend for every fma.
 *
 * Where the engine's `f64x2.relaxed_madd` is measured to be fused (fused-madd.ts), the kernel uses
 * that one hardware instruction instead: a finite result of a fused multiply-add is the exactly
 * rounded one, and a non-finite one (overflow, infinities, NaN) takes the imported exact fma, so
 * NaN and infinity results are the JavaScript backend's on both paths.
 */
import { type Bytes, OP } from './encoder.js';

/** 2^27 + 1: Veltkamp's splitting constant for 53-bit significands. */
const SPLIT = 134217729;

export interface Fma64Locals {
  a: number; b: number; c: number; p: number; e: number; s: number; t: number; v: number; ve: number; hi: number;
  bits: number;
}

/**
 * Emits code leaving fma(a, b, c) on the stack; a, b, c are in their locals already. `slowCall`
 * is the imported exact fma's function index.
 */
export function emitFma64(code: Bytes, l: Fma64Locals, slowCall: number, fused = false): void {
  if (fused) return emitFusedFma64(code, l, slowCall);
  const get = (i: number): void => void code.byte(OP.local_get).u32(i);
  const set = (i: number): void => void code.byte(OP.local_set).u32(i);
  const tee = (i: number): void => void code.byte(OP.local_tee).u32(i);
  const f64 = (x: number): void => void code.byte(OP.f64_const).f64(x);
  const op = (x: number): void => void code.byte(x);
  // |x| <= bound (false for NaN)
  const absLe = (i: number, bound: number): void => {
    get(i);
    op(OP.f64_abs);
    f64(bound);
    op(OP.f64_le);
  };
  code.byte(OP.block).byte(0x7c); // $out (result f64)
  code.byte(OP.block).byte(0x40); // $slow
  get(l.a);
  get(l.b);
  op(OP.f64_mul);
  set(l.p);
  // in range: 1e-290 <= |p| <= 1e300, |a|, |b| <= 1e290, |c| <= 1e300
  absLe(l.p, 1e300);
  get(l.p);
  op(OP.f64_abs);
  f64(1e-290);
  op(OP.f64_ge);
  op(OP.i32_and);
  absLe(l.a, 1e290);
  op(OP.i32_and);
  absLe(l.b, 1e290);
  op(OP.i32_and);
  absLe(l.c, 1e300);
  op(OP.i32_and);
  op(OP.i32_eqz);
  code.byte(OP.br_if).u32(0);
  // Veltkamp split of x into hi + lo (26 + 27 bits): hi = t - (t - x), t = SPLIT·x
  const split = (x: number, hi: number, lo: number): void => {
    f64(SPLIT);
    get(x);
    op(OP.f64_mul);
    tee(hi);
    get(hi);
    get(x);
    op(OP.f64_sub);
    op(OP.f64_sub);
    tee(hi);
    get(x);
    get(hi);
    op(OP.f64_sub);
    set(lo);
  };
  // e = al·bl - (((p - ah·bh) - al·bh) - ah·bl); s, t, v, ve hold the halves meanwhile
  split(l.a, l.s, l.t); // ah = s, al = t
  split(l.b, l.v, l.ve); // bh = v, bl = ve
  get(l.t);
  get(l.ve);
  op(OP.f64_mul);
  get(l.p);
  get(l.s);
  get(l.v);
  op(OP.f64_mul);
  op(OP.f64_sub);
  get(l.t);
  get(l.v);
  op(OP.f64_mul);
  op(OP.f64_sub);
  get(l.s);
  get(l.ve);
  op(OP.f64_mul);
  op(OP.f64_sub);
  op(OP.f64_sub);
  set(l.e);
  // s = p + c; a sum near or below the normal range goes the exact way
  get(l.p);
  get(l.c);
  op(OP.f64_add);
  tee(l.s);
  op(OP.f64_abs);
  f64(1e-290);
  op(OP.f64_lt);
  code.byte(OP.br_if).u32(0);
  // t = (p - (s - bb)) + (c - bb), bb = s - p
  get(l.s);
  get(l.p);
  op(OP.f64_sub);
  set(l.hi); // bb
  get(l.p);
  get(l.s);
  get(l.hi);
  op(OP.f64_sub);
  op(OP.f64_sub);
  get(l.c);
  get(l.hi);
  op(OP.f64_sub);
  op(OP.f64_add);
  set(l.t);
  // v = t + e, ve its error (TwoSum again)
  get(l.t);
  get(l.e);
  op(OP.f64_add);
  set(l.v);
  get(l.v);
  get(l.t);
  op(OP.f64_sub);
  set(l.hi);
  get(l.t);
  get(l.v);
  get(l.hi);
  op(OP.f64_sub);
  op(OP.f64_sub);
  get(l.e);
  get(l.hi);
  op(OP.f64_sub);
  op(OP.f64_add);
  set(l.ve);
  // round to odd: when ve != 0 and v's last bit is even, bits(v) moves by one toward the exact
  // sum: +1 (away from zero) when ve has v's sign, else -1
  get(l.v);
  op(OP.i64_reinterpret_f64);
  tee(l.bits);
  code.byte(OP.i64_const).s64(1n);
  code.byte(OP.i64_const).s64(-1n);
  get(l.ve);
  f64(0);
  op(OP.f64_gt);
  get(l.v);
  f64(0);
  op(OP.f64_gt);
  op(OP.i32_eq);
  op(OP.select);
  code.byte(OP.i64_const).s64(0n);
  get(l.bits);
  code.byte(OP.i64_const).s64(1n);
  op(OP.i64_and);
  op(OP.i64_eqz);
  get(l.ve);
  f64(0);
  op(OP.f64_ne);
  op(OP.i32_and);
  op(OP.select);
  op(OP.i64_add);
  op(OP.f64_reinterpret_i64);
  set(l.v);
  get(l.s);
  get(l.v);
  op(OP.f64_add);
  code.byte(OP.br).u32(1); // $out
  op(OP.end); // $slow: the exact import
  get(l.a);
  get(l.b);
  get(l.c);
  code.byte(OP.call).u32(slowCall);
  op(OP.end); // $out
}

/** 0xFD-prefixed SIMD opcodes (relaxed SIMD: f64x2.relaxed_madd is 0x107). */
const SIMD = { f64x2_splat: 0x14, f64x2_extract_lane: 0x21, f64x2_relaxed_madd: 0x107 } as const;

/** fma(a, b, c) by one `f64x2.relaxed_madd` on splatted operands (lane 0); non-finite results go the exact way. */
function emitFusedFma64(code: Bytes, l: Fma64Locals, slowCall: number): void {
  const get = (i: number): void => void code.byte(OP.local_get).u32(i);
  const simd = (x: number): void => void code.byte(0xfd).u32(x);
  code.byte(OP.block).byte(0x7c); // $out (result f64)
  code.byte(OP.block).byte(0x40); // $slow
  for (const x of [l.a, l.b, l.c]) {
    get(x);
    simd(SIMD.f64x2_splat);
  }
  simd(SIMD.f64x2_relaxed_madd);
  simd(SIMD.f64x2_extract_lane);
  code.byte(0);
  code.byte(OP.local_tee).u32(l.p);
  code.byte(OP.f64_abs);
  code.byte(OP.f64_const).f64(Infinity);
  code.byte(OP.f64_lt); // finite (false for NaN)
  code.byte(OP.i32_eqz);
  code.byte(OP.br_if).u32(0);
  get(l.p);
  code.byte(OP.br).u32(1); // $out
  code.byte(OP.end); // $slow: the exact import
  get(l.a);
  get(l.b);
  get(l.c);
  code.byte(OP.call).u32(slowCall);
  code.byte(OP.end); // $out
}
