/**
 * fma.{rz,rm,rp}.f32 without a call into JavaScript (softmax's expf has ten fma.rm.f32 per
 * element; bridged, they took 60% of its time in BigInt rounding). a*b is exact in f64, the f64
 * sum s = a*b + c and its exact error e (TwoSum) give the exact value v = s + e, and r = demote(s)
 * (to nearest) is at most one f32 step from the directed result:
 * - RN64 and RN32 are monotone, so no f32 lies strictly between r and v on the side of s; r is
 *   the answer unless v lies beyond r against the direction: then the next f32 that way is
 *   (v < r ⇔ r > s, or r = s and e < 0; v > r likewise).
 * - Overflow comes out right by the same step: demote gives ±Inf, and one step down from +Inf is
 *   the largest finite f32 (what .rm and .rz want); -Inf stays under .rm.
 * - An exact zero takes IEEE's sign rule: −0 under .rm unless both addends are +0 (the f64 add to
 *   nearest gives −0 only when both are −0, so −((−p) + (−c)) is .rm's zero); .rz/.rp keep s's.
 * - A non-finite sum (only from a non-finite input: f32 products and sums cannot overflow f64) is
 *   demote(s), as the JavaScript backend's fmaExact returns a*b + c there.
 */
import { type Bytes, OP } from './encoder.js';

export type DirectedMode = 'rz' | 'rm' | 'rp';

/**
 * `res` holds demote(sum) on entry and the directed result on exit. Locals: sum (s) and prod
 * (a*b) f64, c32 (c) f32, res f32, err an f64 scratch.
 */
export function emitFmaDirected32(c: Bytes, l: { sum: number; prod: number; c32: number; res: number; err: number }, mode: DirectedMode): void {
  const get = (i: number): Bytes => c.byte(OP.local_get).u32(i);
  const f64 = (x: number): Bytes => c.byte(OP.f64_const).f64(x);
  // only a finite sum needs more
  get(l.sum);
  c.byte(OP.f64_abs);
  f64(Infinity);
  c.byte(OP.f64_lt);
  c.byte(OP.if).byte(0x40);
  if (mode === 'rm') {
    get(l.sum);
    f64(0);
    c.byte(OP.f64_eq);
    c.byte(OP.if).byte(0x40);
    get(l.prod);
    c.byte(OP.f64_neg);
    get(l.c32);
    c.byte(OP.f64_promote_f32).byte(OP.f64_neg).byte(OP.f64_add).byte(OP.f64_neg).byte(OP.f32_demote_f64);
    c.byte(OP.local_set).u32(l.res);
    c.byte(OP.else);
  }
  // err = (prod - (sum - bb)) + (c - bb), bb = sum - prod: the exact error of the f64 sum
  get(l.sum);
  get(l.prod);
  c.byte(OP.f64_sub).byte(OP.local_set).u32(l.err);
  get(l.prod);
  get(l.sum);
  get(l.err);
  c.byte(OP.f64_sub).byte(OP.f64_sub);
  get(l.c32);
  c.byte(OP.f64_promote_f32);
  get(l.err);
  c.byte(OP.f64_sub).byte(OP.f64_add).byte(OP.local_set).u32(l.err);
  if (mode === 'rz') {
    // toward zero: down for a positive sum, up for a negative one (a zero sum is exact: no step)
    get(l.sum);
    f64(0);
    c.byte(OP.f64_gt);
    c.byte(OP.if).byte(0x40);
    emitStep(c, l, -1);
    c.byte(OP.else);
    emitStep(c, l, 1);
    c.byte(OP.end);
  } else emitStep(c, l, mode === 'rm' ? -1 : 1);
  if (mode === 'rm') c.byte(OP.end);
  c.byte(OP.end);
}

/** When v lies beyond res in direction `dir` (−1 down, +1 up), res becomes its f32 neighbour that way. */
function emitStep(c: Bytes, l: { sum: number; res: number; err: number }, dir: -1 | 1): void {
  const get = (i: number): Bytes => c.byte(OP.local_get).u32(i);
  // beyond: res is past s against the direction, or res = s and the error points that way
  get(l.res);
  c.byte(OP.f64_promote_f32);
  get(l.sum);
  c.byte(dir < 0 ? OP.f64_gt : OP.f64_lt);
  get(l.res);
  c.byte(OP.f64_promote_f32);
  get(l.sum);
  c.byte(OP.f64_eq);
  get(l.err);
  c.byte(OP.f64_const).f64(0);
  c.byte(dir < 0 ? OP.f64_lt : OP.f64_gt);
  c.byte(OP.i32_and).byte(OP.i32_or);
  c.byte(OP.if).byte(0x40);
  // from ±0: the smallest subnormal of the direction's sign; else one unit in magnitude, up or down
  c.byte(OP.i32_const).s32(dir < 0 ? 0x80000001 | 0 : 1);
  get(l.res);
  c.byte(OP.i32_reinterpret_f32);
  c.byte(OP.i32_const).s32(dir);
  c.byte(OP.i32_const).s32(-dir);
  get(l.res);
  c.byte(OP.f32_const).f32bits(0);
  c.byte(OP.f32_gt);
  c.byte(OP.select).byte(OP.i32_add);
  get(l.res);
  c.byte(OP.f32_const).f32bits(0);
  c.byte(OP.f32_eq);
  c.byte(OP.select);
  c.byte(OP.f32_reinterpret_i32).byte(OP.local_set).u32(l.res);
  c.byte(OP.end);
}
