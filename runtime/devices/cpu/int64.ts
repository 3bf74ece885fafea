/**
 * Exact integer helpers. 64-bit values live as (lo, hi) int32 pairs in compiled kernels; helpers
 * that produce a 64-bit result write it to OUT[0] (lo) and OUT[1] (hi). BigInt is used only on
 * slow paths (division, high products), never for address arithmetic.
 */
import { DeviceError } from '../../../contract/device.js';


export const OUT = new Int32Array(2);

export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}
export function toBigU(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
function put(v: bigint): number {
  OUT[0] = Number(BigInt.asIntN(32, v));
  OUT[1] = Number(BigInt.asIntN(32, v >> 32n));
  return OUT[0];
}

/** 32×32 → 64 signed product. */
export function mulWideS(a: number, b: number): void {
  const p = a * b;
  if (p >= -9007199254740992 && p <= 9007199254740992) {
    OUT[0] = p | 0;
    OUT[1] = Math.floor(p / 4294967296) | 0;
  } else put(BigInt(a) * BigInt(b));
}
export function mulWideU(a: number, b: number): void {
  const p = (a >>> 0) * (b >>> 0);
  if (p <= 9007199254740992) {
    OUT[0] = p | 0;
    OUT[1] = Math.floor(p / 4294967296) | 0;
  } else put(BigInt(a >>> 0) * BigInt(b >>> 0));
}
export function mulHiS32(a: number, b: number): number {
  mulWideS(a, b);
  return OUT[1]!;
}
export function mulHiU32(a: number, b: number): number {
  mulWideU(a, b);
  return OUT[1]!;
}
/** Low 64 bits of a 64×64 product, with 16-bit limbs (no BigInt). */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const lolo = a0 * b0;
  const mid = a1 * b0 + a0 * b1; // < 2^33
  const low = lolo + (mid % 65536) * 65536; // < 2^49
  const carry = Math.floor(low / 4294967296) + Math.floor(mid / 65536);
  const hi = (a1 * b1 + carry + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  OUT[0] = low | 0;
  OUT[1] = (hi + 0) | 0;
  // a1*b1 + carry may exceed 2^53? a1*b1 < 2^32, carry < 2^18: fine.
}
export function mulHi64(al: number, ah: number, bl: number, bh: number, signed: boolean): void {
  const a = signed ? toBig(al, ah) : toBigU(al, ah);
  const b = signed ? toBig(bl, bh) : toBigU(bl, bh);
  put((a * b) >> 64n);
}
export function div64(al: number, ah: number, bl: number, bh: number, signed: boolean): void {
  const b = signed ? toBig(bl, bh) : toBigU(bl, bh);
  if (b === 0n) {
    OUT[0] = -1;
    OUT[1] = -1;
    return;
  }
  const a = signed ? toBig(al, ah) : toBigU(al, ah);
  put(a / b);
}
export function rem64(al: number, ah: number, bl: number, bh: number, signed: boolean): void {
  const b = signed ? toBig(bl, bh) : toBigU(bl, bh);
  if (b === 0n) {
    OUT[0] = al;
    OUT[1] = ah;
    return;
  }
  const a = signed ? toBig(al, ah) : toBigU(al, ah);
  put(a % b);
}
export function shl64(al: number, ah: number, n: number): void {
  n = n >>> 0;
  if (n >= 64) {
    OUT[0] = 0;
    OUT[1] = 0;
  } else if (n >= 32) {
    OUT[1] = al << (n - 32);
    OUT[0] = 0;
  } else if (n === 0) {
    OUT[0] = al;
    OUT[1] = ah;
  } else {
    OUT[1] = (ah << n) | (al >>> (32 - n));
    OUT[0] = al << n;
  }
}
export function shr64(al: number, ah: number, n: number, signed: boolean): void {
  n = n >>> 0;
  if (n >= 64) n = signed ? 63 : 64;
  if (n === 64) {
    OUT[0] = 0;
    OUT[1] = 0;
  } else if (n >= 32) {
    OUT[0] = signed ? ah >> (n - 32) : (ah >>> (n - 32)) | 0;
    OUT[1] = signed ? ah >> 31 : 0;
  } else if (n === 0) {
    OUT[0] = al;
    OUT[1] = ah;
  } else {
    OUT[0] = ((al >>> n) | (ah << (32 - n))) | 0;
    OUT[1] = signed ? ah >> n : (ah >>> n) | 0;
  }
}
/** Compare 64-bit values: -1, 0, 1. */
export function cmp64(al: number, ah: number, bl: number, bh: number, signed: boolean): number {
  if (ah !== bh) return signed ? (ah < bh ? -1 : 1) : (ah >>> 0) < (bh >>> 0) ? -1 : 1;
  if (al === bl) return 0;
  return (al >>> 0) < (bl >>> 0) ? -1 : 1;
}
export function popc32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
export function brev32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) | 0;
}
/** bfe.u32 / bfe.s32: extract len bits at pos (both taken from their low 8 bits). */
export function bfe32(a: number, pos: number, len: number, signed: boolean): number {
  pos &= 0xff;
  len &= 0xff;
  const msb = pos + len - 1;
  const sbit = signed ? (len === 0 ? 0 : (a >> Math.min(msb, 31)) & 1) : 0;
  let d = 0;
  for (let i = 0; i < 32; i++) {
    const bit = i < len && pos + i <= 31 ? (a >>> (pos + i)) & 1 : sbit;
    d |= bit << i;
  }
  return d | 0;
}
export function bfe64(al: number, ah: number, pos: number, len: number, signed: boolean): void {
  pos &= 0xff;
  len &= 0xff;
  const a = toBigU(al, ah);
  const msb = pos + len - 1;
  const sbit = signed && len !== 0 ? (a >> BigInt(Math.min(msb, 63))) & 1n : 0n;
  let d = 0n;
  for (let i = 0; i < 64; i++) {
    const bit = i < len && pos + i <= 63 ? (a >> BigInt(pos + i)) & 1n : sbit;
    d |= bit << BigInt(i);
  }
  put(d);
}
/** bfi.b32: insert len low bits of a into b at pos. */
export function bfi32(a: number, b: number, pos: number, len: number): number {
  pos &= 0xff;
  len &= 0xff;
  let f = b;
  for (let i = 0; i < len && pos + i < 32; i++) {
    const bit = (a >>> i) & 1;
    f = (f & ~(1 << (pos + i))) | (bit << (pos + i));
  }
  return f | 0;
}
export function bfi64(al: number, ah: number, bl: number, bh: number, pos: number, len: number): void {
  pos &= 0xff;
  len &= 0xff;
  const a = toBigU(al, ah);
  let f = toBigU(bl, bh);
  for (let i = 0; i < len && pos + i < 64; i++) {
    const bit = (a >> BigInt(i)) & 1n;
    const m = 1n << BigInt(pos + i);
    f = (f & ~m) | (bit << BigInt(pos + i));
  }
  put(f);
}
/** bfind: position of the most significant non-sign bit, 0xffffffff when none. */
export function bfind32(a: number, signed: boolean, shiftAmt: boolean): number {
  const x = signed && a < 0 ? ~a : a;
  if (x === 0) return -1;
  const pos = 31 - Math.clz32(x);
  return shiftAmt ? 31 - pos : pos;
}
export function bfind64(al: number, ah: number, signed: boolean, shiftAmt: boolean): number {
  let l = al, h = ah;
  if (signed && h < 0) {
    l = ~l;
    h = ~h;
  }
  let pos = -1;
  if (h !== 0) pos = 63 - Math.clz32(h);
  else if (l !== 0) pos = 31 - Math.clz32(l);
  if (pos < 0) return -1;
  return shiftAmt ? 63 - pos : pos;
}
/** prmt.b32 default mode: pick 4 bytes from {b, a} by selector nibbles, msb replicates sign. */
export function prmt(a: number, b: number, c: number, mode: string): number {
  const bytes = [a & 0xff, (a >>> 8) & 0xff, (a >>> 16) & 0xff, (a >>> 24) & 0xff, b & 0xff, (b >>> 8) & 0xff, (b >>> 16) & 0xff, (b >>> 24) & 0xff];
  let sel: number[];
  const n = c & 3;
  switch (mode) {
    case 'f4e': sel = [n, n + 1, n + 2, n + 3].map((x) => x & 7); break;
    case 'b4e': sel = [n, n - 1, n - 2, n - 3].map((x) => (x + 8) & 7); break;
    case 'rc8': sel = [n, n, n, n]; break;
    case 'ecl': sel = [0, 1, 2, 3].map((i) => Math.max(i, n)); break;
    case 'ecr': sel = [0, 1, 2, 3].map((i) => Math.min(i, n)); break;
    case 'rc16': sel = (n & 1) ? [2, 3, 2, 3] : [0, 1, 0, 1]; break;
    default: {
      let d = 0;
      for (let i = 0; i < 4; i++) {
        const s = (c >>> (i * 4)) & 0xf;
        let byte = bytes[s & 7]!;
        if (s & 8) byte = byte & 0x80 ? 0xff : 0;
        d |= byte << (i * 8);
      }
      return d | 0;
    }
  }
  let d = 0;
  for (let i = 0; i < 4; i++) d |= bytes[sel[i]!]! << (i * 8);
  return d | 0;
}
/** shf.{l,r}.{wrap,clamp}.b32 funnel shift. */
export function shf(a: number, b: number, c: number, left: boolean, clamp: boolean): number {
  const n = clamp ? Math.min(c >>> 0, 32) : c & 31;
  if (left) {
    if (n === 0) return b;
    if (n === 32) return a;
    return ((b << n) | (a >>> (32 - n))) | 0;
  }
  if (n === 0) return a;
  if (n === 32) return b;
  return ((a >>> n) | (b << (32 - n))) | 0;
}
export function i64ToF64(lo: number, hi: number, signed: boolean): number {
  return (signed ? hi : hi >>> 0) * 4294967296 + (lo >>> 0);
}
/** i64/u64 → f32 with one rounding (sticky bit keeps the double step exact). */
export function i64ToF32(lo: number, hi: number, signed: boolean): number {
  let v = signed ? toBig(lo, hi) : toBigU(lo, hi);
  const neg = v < 0n;
  if (neg) v = -v;
  const bits = v.toString(2).length;
  if (bits > 53) {
    const sh = BigInt(bits - 53);
    const sticky = (v & ((1n << sh) - 1n)) !== 0n ? 1n : 0n;
    v = ((v >> sh) | sticky) << sh;
  }
  const r = Math.fround(Number(v));
  return neg ? -r : r;
}
/**
 * s64/u64 → f32 (`f32` true) or f64 in a rounding mode (0 rn, 1 rz, 2 rm, 3 rp): the magnitude is
 * cut to the format's precision (24 or 53 bits) and moved up one unit when the mode asks for it,
 * so there is exactly one rounding. The rn forms keep their faster paths (i64ToF32, i64ToF64).
 */
export function i64ToFloat(lo: number, hi: number, signed: boolean, mode: number, f32: boolean): number {
  let v = signed ? toBig(lo, hi) : toBigU(lo, hi);
  const neg = v < 0n;
  if (neg) v = -v;
  const precision = f32 ? 24 : 53;
  const length = v.toString(2).length;
  if (length > precision) {
    const drop = BigInt(length - precision);
    let q = v >> drop;
    const rest = v - (q << drop);
    const half = 1n << (drop - 1n);
    // away from zero: .rn past half (ties to even), .rm for a negative value, .rp for a positive one
    const up = mode === 0 ? rest > half || (rest === half && (q & 1n) === 1n) : mode === 2 ? neg && rest > 0n : mode === 3 ? !neg && rest > 0n : false;
    if (up) q += 1n;
    v = q << drop; // at most `precision` significant bits (or a power of two): exact as a float
  }
  const r = f32 ? Math.fround(Number(v)) : Number(v);
  return neg ? -r : r;
}
/**
 * float → s64/u64 with saturation. NaN gives 1 << 63 (MININT for .s64, (MAXINT >> 1) + 1 for .u64):
 * the PTX ISA's cvt Integer Notes give 1 << (BitWidth(dst) - 1) for every 64-bit destination.
 */
export function f2i64(x: number, mode: number, signed: boolean): void {
  if (x !== x) {
    OUT[0] = 0;
    OUT[1] = -0x80000000;
    return;
  }
  const r = mode === 0 ? roundHalfEven(x) : mode === 1 ? Math.trunc(x) : mode === 2 ? Math.floor(x) : Math.ceil(x);
  const max = signed ? 9223372036854775807n : 18446744073709551615n;
  const min = signed ? -9223372036854775808n : 0n;
  if (!Number.isFinite(r)) {
    put(r > 0 ? max : min);
    return;
  }
  let v = BigInt(r);
  if (v > max) v = max;
  if (v < min) v = min;
  put(v);
}
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** Saturating narrowing of an integer value to [min, max]. */
export function clampInt(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}

/** A 64-bit (lo, hi) value into a number register: exact only below 2^52 (see compile/num64.ts). */
export function n64(lo: number, hi: number): number {
  if (hi >= 1048576 || hi < -1048576) numRange(0);
  return hi * 4294967296 + (lo >>> 0);
}
export function numRange(line: number): never {
  throw new DeviceError(-5, `a 64-bit address or index computation reached 2^52${line ? ` (PTX line ${line})` : ''}, beyond what the CPU device computes exactly in its fast form; this kernel cannot run on the CPU device`);
}
/**
 * A biased number register's initial value (value - 2^40), as a small integer when it is one: V8
 * then keeps the register, and the address arithmetic on it, in int32 (see biasedRegisters).
 */
export function n64Biased(lo: number, hi: number): number {
  const v = n64(lo, hi) - 1099511627776;
  return (v | 0) === v ? v | 0 : v;
}
