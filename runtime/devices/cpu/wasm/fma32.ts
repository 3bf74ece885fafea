/**
 * fma.rn.f32 without a call and with one rounding. a*b is exact in f64, so only the f64 sum
 * s = a*b + c rounds twice (to f64, then to f32), and that goes wrong only when s lies exactly
 * halfway between two f32s while the f64 sum was inexact: the exact error e then breaks the tie.
 */
import { type Bytes, OP } from './encoder.js';

/** A possible tie in the normal range: the f64 sum's low 29 mantissa bits are 1 then zeros. */
export const TIE_MASK = 0x1fffffff;
export const TIE_BITS = 0x10000000;

/** 2^-126, the smallest normal f32, as f64 bits shifted left once (the sign dropped): below it, any sum may be a tie. */
export const MIN_NORMAL_BITS_X2 = 0x3810000000000000n << 1n;

/**
 * The rare path, for a sum s that may be a tie (TIE_BITS, or below 2^-126): `res` holds demote(s)
 * (ties to even); when s is a real tie and the exact error e of the f64 sum (TwoSum) points away
 * from res, res becomes the other neighbour. Locals: sum (s) and prod (a*b) f64, c32 (c) f32, res
 * f32, err an f64 scratch.
 */
export function emitTieFix(c: Bytes, l: { sum: number; prod: number; c32: number; res: number; err: number }): void {
  const get = (i: number): Bytes => c.byte(OP.local_get).u32(i);
  const f64 = (x: number): Bytes => c.byte(OP.f64_const).f64(x);
  // err = (prod - (sum - bb)) + (c - bb), bb = sum - prod: the exact error of the f64 sum
  get(l.sum);
  get(l.prod);
  c.byte(OP.f64_sub).byte(OP.local_set).u32(l.err); // bb
  get(l.prod);
  get(l.sum);
  get(l.err);
  c.byte(OP.f64_sub).byte(OP.f64_sub);
  get(l.c32);
  c.byte(OP.f64_promote_f32);
  get(l.err);
  c.byte(OP.f64_sub).byte(OP.f64_add).byte(OP.local_set).u32(l.err);
  // a real tie: 2^-126 <= |s| < 2^128 (above, Inf is the answer either way) with the tie pattern,
  // or below 2^-126 s*2^149 (exact) with a fractional part of exactly 1/2
  get(l.sum);
  c.byte(OP.f64_abs);
  f64(2 ** -126);
  c.byte(OP.f64_lt);
  c.byte(OP.if).byte(0x7f); // (result i32)
  get(l.sum);
  f64(2 ** 149);
  c.byte(OP.f64_mul).byte(OP.local_tee).u32(l.prod); // prod is free now
  get(l.prod);
  c.byte(OP.f64_trunc).byte(OP.f64_sub).byte(OP.f64_abs);
  f64(0.5);
  c.byte(OP.f64_eq);
  c.byte(OP.else);
  // (at or above 2^-126 only the tie pattern brings s here)
  get(l.sum);
  c.byte(OP.f64_abs);
  f64(2 ** 128);
  c.byte(OP.f64_lt);
  c.byte(OP.end);
  // … with a non-zero error on the side away from res
  get(l.err);
  f64(0);
  c.byte(OP.f64_ne).byte(OP.i32_and);
  get(l.err);
  f64(0);
  c.byte(OP.f64_gt);
  get(l.res);
  c.byte(OP.f64_promote_f32);
  get(l.sum);
  c.byte(OP.f64_gt).byte(OP.i32_ne).byte(OP.i32_and);
  c.byte(OP.if).byte(0x40);
  // the other neighbour: one step in magnitude towards s (from ±0 too: the sign stays)
  get(l.res);
  c.byte(OP.i32_reinterpret_f32);
  c.byte(OP.i32_const).s32(-1);
  c.byte(OP.i32_const).s32(1);
  get(l.res);
  c.byte(OP.f64_promote_f32).byte(OP.f64_abs);
  get(l.sum);
  c.byte(OP.f64_abs).byte(OP.f64_gt).byte(OP.select).byte(OP.i32_add);
  c.byte(OP.f32_reinterpret_i32).byte(OP.local_set).u32(l.res);
  c.byte(OP.end);
}
