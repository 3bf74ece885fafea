/**
 * Floating-point helpers with CUDA's semantics: f32 fma with a single rounding, directed rounding
 * modes, flush-to-zero, f16/bf16 conversions, float→int conversions with saturation.
 * Everything computes in f64 and rounds once where that is provably exact (add/sub/mul/div/sqrt
 * of f32 operands), and corrects the one double-rounding case (fma) explicitly.
 */
import { addExact, divExact, fmaExact, mulExact, sqrtExact } from './exact-round.js';

const f32buf = new Float32Array(1);
const i32buf = new Int32Array(f32buf.buffer);
const f64buf = new Float64Array(1);
const u32pair = new Uint32Array(f64buf.buffer);

export const fround = Math.fround;

/** f32 bits → value and back. */
export function i2f(bits: number): number {
  i32buf[0] = bits;
  return f32buf[0]!;
}
export function f2i(value: number): number {
  f32buf[0] = value;
  return i32buf[0]!;
}
/** f64 ⇄ (lo, hi) 32-bit words. */
export function f64lo(value: number): number {
  f64buf[0] = value;
  return u32pair[0]! | 0;
}
export function f64hi(value: number): number {
  f64buf[0] = value;
  return u32pair[1]! | 0;
}
export function pairToF64(lo: number, hi: number): number {
  u32pair[0] = lo >>> 0;
  u32pair[1] = hi >>> 0;
  return f64buf[0]!;
}

const MIN_NORMAL_F32 = 1.1754943508222875e-38;
/** .ftz: subnormal f32 inputs and results become sign-preserving zero. */
export function ftz(x: number): number {
  return x !== 0 && x > -MIN_NORMAL_F32 && x < MIN_NORMAL_F32 ? (x < 0 ? -0 : 0) : x;
}
/** .ftz for an f64 operand: subnormals become zeros of their sign. */
export function ftz64(x: number): number {
  return x !== 0 && x > -2.2250738585072014e-308 && x < 2.2250738585072014e-308 ? (x < 0 ? -0 : 0) : x;
}
export function sat(x: number): number {
  return x !== x ? 0 : x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The next f32 toward +∞ / -∞. */
export function nextUpF32(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return 1.401298464324817e-45;
  const b = f2i(x);
  return i2f(x > 0 ? b + 1 : b - 1);
}
export function nextDownF32(x: number): number {
  return -nextUpF32(-x);
}

/**
 * Rounds the exact value `hi + lo` (an unevaluated f64 sum, |lo| tiny) to f32 with a PTX
 * rounding mode: 0 rn, 1 rz, 2 rm, 3 rp.
 */
export function roundF32(hi: number, lo: number, mode: number): number {
  let r = fround(hi);
  if (r !== r || !Number.isFinite(hi)) return r;
  // sign of (r - exact)
  const d = r - hi;
  const cmp = d > 0 ? 1 : d < 0 ? -1 : lo > 0 ? -1 : lo < 0 ? 1 : 0;
  if (mode === 0) {
    // fround rounded hi to nearest; only a tie at hi with lo ≠ 0 can go the wrong way.
    if (lo !== 0 && d !== 0) {
      const other = d > 0 ? nextDownF32(r) : nextUpF32(r);
      // fround gives ±Infinity from the tie between the largest f32 and 2^128 up: below 2^128,
      // measure from ±2^128 (the step past the largest f32; exact there), so an exact value just
      // below that tie still rounds down; from 2^128 up, infinity it is.
      const distR = Number.isFinite(r) ? Math.abs(d) : Math.abs(hi) < 2 ** 128 ? 2 ** 128 - Math.abs(hi) : Infinity;
      const distO = Math.abs(hi - other);
      if (distR === distO) {
        // hi is exactly halfway: lo decides.
        if ((lo > 0 && other > r) || (lo < 0 && other < r)) r = other;
      }
    }
    return r;
  }
  const exact = hi + lo;
  if (mode === 2 && cmp > 0) return nextDownF32(r);
  if (mode === 3 && cmp < 0) return nextUpF32(r);
  if (mode === 1) {
    if (exact > 0 && cmp > 0) return nextDownF32(r);
    if (exact < 0 && cmp < 0) return nextUpF32(r);
    if (Math.abs(r) === Infinity && Number.isFinite(exact)) return Math.sign(r) * 3.4028234663852886e38;
  }
  if (mode === 2 && r === Infinity && Number.isFinite(exact)) return 3.4028234663852886e38;
  if (mode === 3 && r === -Infinity && Number.isFinite(exact)) return -3.4028234663852886e38;
  return r;
}

/** Error-free transformation: a + b = s + err exactly. */
function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** f32 add/sub/mul/div/sqrt/fma with a rounding mode (0 rn, 1 rz, 2 rm, 3 rp). */
// Directed rounding (mode ≠ 0) goes through exact-round.ts: exact zeros keep IEEE's sign rule
// (−0 only under .rm) and overflows stop at the largest finite value when the direction says so.
export function addF32(a: number, b: number, mode: number): number {
  return mode === 0 ? fround(a + b) : addExact(a, b, mode, true);
}
export function mulF32(a: number, b: number, mode: number): number {
  return mode === 0 ? fround(a * b) : mulExact(a, b, mode, true); // f32×f32 is exact in f64
}
export function divF32(a: number, b: number, mode: number): number {
  return mode === 0 ? fround(a / b) : divExact(a, b, mode, true);
}
export function sqrtF32(a: number, mode: number): number {
  return mode === 0 ? fround(Math.sqrt(a)) : sqrtExact(a, mode, true);
}
export function fmaF32(a: number, b: number, c: number, mode: number): number {
  if (mode !== 0) return fmaExact(a, b, c, mode, true);
  const p = a * b; // exact: 24+24 bits
  const s = p + c;
  if (!Number.isFinite(s)) return fround(s);
  return roundF32(s, twoSumErr(p, c, s), mode);
}

/** Dekker's product: a*b = p + e exactly (no fma in JS). */
const SPLIT = 134217729; // 2^27 + 1
export function twoProdErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (p - ah * bh - al * bh - ah * bl);
}
/** fma.rn.f64: a*b+c with one rounding (double-double; exact except in rare tie cases). */
/**
 * f64 fma, rounded once: a·b = p + e and p + c = s + t exactly (error-free transforms), then
 * RN(s + RO(t + e)) with RO rounding to odd (Boldo & Melquiond 2008), which is exact when
 * nothing underflows or overflows; specials and the ends of the range round exactly with BigInts.
 */
export function fmaF64(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c) || p === 0) {
    // an overflowed product still loses to an infinite c; a zero product of non-zeros underflowed
    if (Number.isFinite(a) && Number.isFinite(b) && (!Number.isFinite(p) || (p === 0 && a !== 0 && b !== 0))) return fmaExact(a, b, c, 0);
    return p + c;
  }
  if (Math.abs(p) > 1e300 || Math.abs(p) < 1e-290 || Math.abs(a) > 1e290 || Math.abs(b) > 1e290 || Math.abs(c) > 1e300) return fmaExact(a, b, c, 0);
  const e = twoProdErr(a, b, p);
  const s = p + c;
  if (s === 0 || Math.abs(s) < 1e-290) return fmaExact(a, b, c, 0);
  const t = twoSumErr(p, c, s);
  let v = t + e;
  const ve = twoSumErr(t, e, v);
  if (ve !== 0) {
    // round to odd: an inexact v with an even last bit moves one ulp toward the exact value
    f64buf[0] = v;
    if ((u32pair[0]! & 1) === 0) {
      const up = (ve > 0) === (v > 0);
      let lo = u32pair[0]! >>> 0, hi = u32pair[1]! >>> 0;
      if (up) {
        lo = (lo + 1) >>> 0;
        if (lo === 0) hi = (hi + 1) >>> 0;
      } else {
        if (lo === 0) hi = (hi - 1) >>> 0;
        lo = (lo - 1) >>> 0;
      }
      u32pair[0] = lo;
      u32pair[1] = hi;
      v = f64buf[0]!;
    }
  }
  return s + v;
}
export function fminF(a: number, b: number): number {
  return a !== a ? b : b !== b ? a : a < b || (a === b && Object.is(a, -0)) ? a : b;
}
export function fmaxF(a: number, b: number): number {
  return a !== a ? b : b !== b ? a : a > b || (a === b && Object.is(b, -0)) ? a : b;
}
export function copysign(signOf: number, magnitudeOf: number): number {
  const neg = signOf < 0 || Object.is(signOf, -0) || (signOf !== signOf && f2i(signOf) < 0);
  const m = Math.abs(magnitudeOf);
  return neg ? -m : m;
}

/** Round a float to an integral value: 0 rni (half-even), 1 rzi, 2 rmi, 3 rpi. */
export function roundInt(x: number, mode: number): number {
  switch (mode) {
    case 1:
      return Math.trunc(x);
    case 2:
      return Math.floor(x);
    case 3:
      return Math.ceil(x);
    default: {
      if (!Number.isFinite(x)) return x;
      const r = Math.round(x);
      return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 && x < 0 ? -0 : r;
    }
  }
}

/**
 * float → integer of at most 32 bits with PTX saturation: clamps to [min, max]; NaN gives `nan`
 * (the emitter passes the ISA's value for the source and destination types: compile/emit-alu.ts).
 */
export function f2int(x: number, mode: number, min: number, max: number, nan: number): number {
  if (x !== x) return nan;
  const r = roundInt(x, mode);
  return r < min ? min : r > max ? max : r;
}

/** f32 → f16 bits with a rounding mode (0 rn, 1 rz, 2 rm, 3 rp). */
export function f32ToF16(x: number, mode: number): number {
  if (x !== x) return 0x7fff;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  let a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  // scale to integer units of the destination ulp
  let e = a === 0 ? -25 : Math.floor(Math.log2(a));
  if (a !== 0 && 2 ** e > a) e--;
  if (a !== 0 && 2 ** (e + 1) <= a) e++;
  const ulpExp = Math.max(e, -14) - 10;
  const scaled = a / 2 ** ulpExp; // exact: power-of-two scaling
  let m = Math.floor(scaled);
  const frac = scaled - m;
  const up = mode === 0 ? frac > 0.5 || (frac === 0.5 && (m & 1) === 1) : mode === 1 ? false : mode === 2 ? sign !== 0 && frac > 0 : sign === 0 && frac > 0;
  if (up) m++;
  // m * 2^ulpExp as f16 bits
  let exp = ulpExp + 10; // exponent of the leading bit if m has 11 bits
  if (m >= 2048) {
    m >>= 1;
    exp++;
  }
  if (m < 1024) return sign | m; // subnormal (exp = -14 region) or zero
  const biased = exp + 15;
  if (biased >= 31) {
    const toInf = mode === 0 || (mode === 2 && sign) || (mode === 3 && !sign);
    return sign | (toInf ? 0x7c00 : 0x7bff);
  }
  return sign | (biased << 10) | (m & 0x3ff);
}
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1024 + man) * 2 ** (exp - 25);
}
/** f32 → bf16 bits, round to nearest even. */
export function f32ToBf16(x: number): number {
  const b = f2i(x);
  if (x !== x) return 0x7fc0;
  const r = b + 0x7fff + ((b >>> 16) & 1);
  return (r >>> 16) & 0xffff;
}
export function bf16ToF32(h: number): number {
  return i2f(h << 16);
}

export function testp(x: number, what: string, f64: boolean): boolean {
  const minNormal = f64 ? 2.2250738585072014e-308 : MIN_NORMAL_F32;
  switch (what) {
    case 'finite':
      return Number.isFinite(x);
    case 'infinite':
      return x === Infinity || x === -Infinity;
    case 'number':
      return x === x;
    case 'notanumber':
      return x !== x;
    case 'normal':
      return Number.isFinite(x) && Math.abs(x) >= minNormal;
    case 'subnormal':
      return x !== 0 && Math.abs(x) < minNormal;
    default:
      return false;
  }
}

/** The next f64 toward +∞ / -∞. */
export function nextUpF64(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const lo = f64lo(x), hi = f64hi(x);
  if (x > 0) return lo === -1 ? pairToF64(0, hi + 1) : pairToF64(lo + 1, hi);
  return lo === 0 ? pairToF64(-1, hi - 1) : pairToF64(lo - 1, hi);
}
export function nextDownF64(x: number): number {
  return -nextUpF64(-x);
}
/** Directed rounding of the exact value s + err (s already rounded to nearest f64). */
function roundF64(s: number, err: number, mode: number): number {
  if (mode === 0 || err === 0 || !Number.isFinite(s)) return s;
  if (mode === 2 && err < 0) return nextDownF64(s);
  if (mode === 3 && err > 0) return nextUpF64(s);
  if (mode === 1) {
    if (s > 0 && err < 0) return nextDownF64(s);
    if (s < 0 && err > 0) return nextUpF64(s);
  }
  return s;
}
export function addF64(a: number, b: number, mode: number): number {
  return mode === 0 ? a + b : addExact(a, b, mode);
}
export function mulF64(a: number, b: number, mode: number): number {
  return mode === 0 ? a * b : mulExact(a, b, mode);
}
export function divF64(a: number, b: number, mode: number): number {
  return mode === 0 ? a / b : divExact(a, b, mode);
}
export function sqrtF64(a: number, mode: number): number {
  return mode === 0 ? Math.sqrt(a) : sqrtExact(a, mode);
}
export function fmaF64Mode(a: number, b: number, c: number, mode: number): number {
  return mode === 0 ? fmaF64(a, b, c) : fmaExact(a, b, c, mode);
}
/** f64 → f32 with a rounding mode. */
export function f64ToF32(x: number, mode: number): number {
  return mode === 0 ? fround(x) : roundF32(x, 0, mode);
}
/** Ordered not-equal: false when either is NaN. */
export function fne(a: number, b: number): boolean {
  return a !== b && a === a && b === b;
}
/** Unordered equal: true when either is NaN. */
export function fequ(a: number, b: number): boolean {
  return a === b || a !== a || b !== b;
}
export function fnum(a: number, b: number): boolean {
  return a === a && b === b;
}
