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
 *
 * The fast path, taken unless s is itself an f32 (softmax's expf has every fma.rm here), needs no
 * TwoSum. Let d = demote(s) = RN32(s) and suppose promote(d) ≠ s.
 * - v and s lie on the same side of d: d is an f64 and RN64 is monotone, so v ≤ d gives
 *   s = RN64(v) ≤ RN64(d) = d, and v ≥ d gives s ≥ d; v = d would give s = d. (So v is not an
 *   f32 either: an f32 v would make s = v.)
 * - No f32 g lies in (d, v] when d < s: g ≤ v gives g = RN64(g) ≤ s, so d < g ≤ s and g would be
 *   strictly nearer s than d is. Likewise none in [v, d) when d > s. So with d < s, RD(v) = d and
 *   RU(v) is the next f32 up; with d > s, RU(v) = d and RD(v) the next one down; RZ takes the one
 *   of the two nearer zero (d and s have one sign: RN is monotone and fixes 0): d unless |d| > |s|.
 * - That covers the subnormal range (the argument only uses that f32s are f64s and RN32 rounds to
 *   the nearest of them; demote rounds subnormals correctly) and overflow (d = ±Inf: |s| is past
 *   the f32 midpoint MAX + ulp/2, so |v| > MAX, and one step toward zero from Inf is MAX); an
 *   exact zero, ±Inf and every s that is an f32 fail the test and take the path above; NaN passes
 *   it (NaN ≠ NaN), but every compare with NaN is false, so d = demote(s) is kept, as above.
 * - The next f32 by bits: up is +1 on a non-negative pattern, −1 on a negative one (−Inf − 1 =
 *   −MAX); down mirrors it (−0 + 1 = 0x80000001, the least negative subnormal; +Inf − 1 = MAX);
 *   toward zero is −1. Up from −0 (or down from +0) would give a NaN pattern, but it is never
 *   taken: d = −0 only when s < 0 (so d > s), d = +0 only when s > 0.
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
  // the fast path: s is not an f32 (NaN included), so d = res is one step at most from the answer
  get(l.res);
  c.byte(OP.f64_promote_f32);
  get(l.sum);
  c.byte(OP.f64_ne);
  c.byte(OP.if).byte(0x40);
  emitFastStep(c, l, mode);
  c.byte(OP.else);
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
  c.byte(OP.end);
}

/**
 * res = d = demote(s) with s not an f32 (see the header): res becomes its neighbour toward x when
 * d lies beyond s against the mode's direction, with no branch (a select of the stepped bits).
 */
function emitFastStep(c: Bytes, l: { sum: number; res: number }, mode: DirectedMode): void {
  const get = (i: number): Bytes => c.byte(OP.local_get).u32(i);
  // the stepped bits: up = bits + ((bits >> 31) | 1), down = bits - ((bits >> 31) | 1), toward zero = bits - 1
  get(l.res);
  c.byte(OP.i32_reinterpret_f32);
  if (mode === 'rz') c.byte(OP.i32_const).s32(1);
  else {
    get(l.res);
    c.byte(OP.i32_reinterpret_f32);
    c.byte(OP.i32_const).s32(31);
    c.byte(OP.i32_shr_s);
    c.byte(OP.i32_const).s32(1);
    c.byte(OP.i32_or);
  }
  c.byte(mode === 'rp' ? OP.i32_add : OP.i32_sub);
  c.byte(OP.f32_reinterpret_i32);
  get(l.res);
  // … taken when d is past s: above it for .rm, below for .rp, farther from zero for .rz
  get(l.res);
  c.byte(OP.f64_promote_f32);
  if (mode === 'rz') c.byte(OP.f64_abs);
  get(l.sum);
  if (mode === 'rz') c.byte(OP.f64_abs);
  c.byte(mode === 'rp' ? OP.f64_lt : OP.f64_gt);
  c.byte(OP.select);
  c.byte(OP.local_set).u32(l.res);
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
