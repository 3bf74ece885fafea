/**
 * Exactly rounded f32/f64 arithmetic for the cases where the fast double-precision paths in
 * math.ts cannot be exact: directed rounding (.rz/.rm/.rp), and fma whose product or addend is
 * near the ends of the f64 range. Each operation is carried out exactly on BigInt significands
 * and rounded once, IEEE 754 style: the zero of an exact cancellation is −0 only under .rm, and an
 * overflow gives ∞ or the largest finite value as the rounding direction says.
 * Modes: 0 rn (nearest even), 1 rz, 2 rm, 3 rp.
 */

interface Format {
  /** significand bits, including the implicit one */
  precision: number;
  /** exponent of the least subnormal: 2^minExp */
  minExp: number;
  /** 2^maxExp is the first power of two that overflows */
  maxExp: number;
  max: number;
}
const F64: Format = { precision: 53, minExp: -1074, maxExp: 1024, max: Number.MAX_VALUE };
const F32: Format = { precision: 24, minExp: -149, maxExp: 128, max: 3.4028234663852886e38 };

const view = new DataView(new ArrayBuffer(8));

/** A finite double as m · 2^e with an integer m (sign included). */
function decompose(x: number): [bigint, number] {
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp !== 0) m |= 1n << 52n;
  const e = (exp === 0 ? 1 : exp) - 1075;
  return [hi >>> 31 ? -m : m, e];
}

/** x · 2^e for an x and e whose result is exact (or overflows): scaled in steps that stay exact. */
function ldexp(x: number, e: number): number {
  let r = x;
  let k = e;
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** Rounds S · 2^E (S a signed BigInt, exact) to the format. `zeroNegative`: the sign of an exact zero. */
function roundExact(S: bigint, E: number, mode: number, f: Format, zeroNegative: boolean): number {
  if (S === 0n) return zeroNegative ? -0 : 0;
  const neg = S < 0n;
  let mag = neg ? -S : S;
  let exp = E;
  const len = bitLength(mag);
  // bits to drop: down to `precision` bits, but never below the least subnormal
  const shift = Math.max(len - f.precision, f.minExp - exp);
  if (shift > 0) {
    const sh = BigInt(shift);
    const q = mag >> sh;
    const rem = mag - (q << sh);
    const half = 1n << (sh - 1n);
    let up = false;
    if (mode === 0) up = rem > half || (rem === half && (q & 1n) === 1n);
    else if (mode === 2) up = neg && rem !== 0n;
    else if (mode === 3) up = !neg && rem !== 0n;
    mag = up ? q + 1n : q;
    exp += shift;
  }
  if (mag === 0n) return neg ? -0 : 0;
  // overflow: beyond the largest finite value
  if (bitLength(mag) + exp > f.maxExp) {
    const toInf = mode === 0 || (mode === 2 && neg) || (mode === 3 && !neg);
    return (neg ? -1 : 1) * (toInf ? Infinity : f.max);
  }
  const r = ldexp(Number(mag), exp);
  return neg ? -r : r;
}

/** Special operands (NaN, ∞) go through plain IEEE arithmetic, which is exact about them. */
const finite = (...xs: number[]): boolean => xs.every((x) => Number.isFinite(x));

/** a·b + c rounded once (f64 or f32 result), in any mode. */
export function fmaExact(a: number, b: number, c: number, mode: number, f32 = false): number {
  // a finite product (even one beyond the range) plus an infinite c is c
  if (finite(a, b) && !finite(c)) return c;
  if (!finite(a, b, c)) return a * b + c;
  const [ma, ea] = decompose(a), [mb, eb] = decompose(b), [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const S = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  const prodNeg = (a < 0 || Object.is(a, -0)) !== (b < 0 || Object.is(b, -0));
  const cNeg = c < 0 || Object.is(c, -0);
  // exact zero: the sum of two zeros of one sign keeps it; otherwise +0, or −0 under .rm
  const zeroNegative = ma * mb === 0n && mc === 0n && prodNeg === cNeg ? prodNeg : mode === 2;
  return roundExact(S, e, mode, f32 ? F32 : F64, zeroNegative);
}

/** a + b rounded once. */
export function addExact(a: number, b: number, mode: number, f32 = false): number {
  return fmaExact(a, 1, b, mode, f32);
}

/** a · b rounded once; the zero of a product has the sign of the product in every mode. */
export function mulExact(a: number, b: number, mode: number, f32 = false): number {
  if (!finite(a, b)) return a * b;
  const [ma, ea] = decompose(a), [mb, eb] = decompose(b);
  const neg = (a < 0 || Object.is(a, -0)) !== (b < 0 || Object.is(b, -0));
  return roundExact(ma * mb, ea + eb, mode, f32 ? F32 : F64, neg);
}

/** a / b rounded once: a quotient with enough bits, the remainder as a sticky bit. */
export function divExact(a: number, b: number, mode: number, f32 = false): number {
  if (!finite(a, b) || b === 0 || a === 0) return a / b;
  const [ma, ea] = decompose(a), [mb, eb] = decompose(b);
  const neg = (ma < 0n) !== (mb < 0n);
  const na = ma < 0n ? -ma : ma, nb = mb < 0n ? -mb : mb;
  const k = 64 + bitLength(nb) - bitLength(na) + 2;
  const num = na << BigInt(k);
  let q = num / nb;
  const sticky = num - q * nb !== 0n ? 1n : 0n;
  q = (q << 1n) | sticky;
  return roundExact(neg ? -q : q, ea - eb - k - 1, mode, f32 ? F32 : F64, neg);
}

/** √a rounded once (a ≥ 0 finite; −0 and negatives and specials as IEEE). */
export function sqrtExact(a: number, mode: number, f32 = false): number {
  if (!Number.isFinite(a) || a <= 0) return Math.sqrt(a);
  let [m, e] = decompose(a);
  if (e % 2 !== 0) {
    m <<= 1n;
    e -= 1;
  }
  // scale so the root has at least 66 bits
  const k = 2 * Math.max(0, 66 - Math.floor(bitLength(m) / 2));
  const n = m << BigInt(k);
  // Newton's iteration from above converges to floor(√n)
  let r = BigInt(Math.ceil(Math.sqrt(Number(n)) * (1 + 2 ** -40))) + 1n;
  for (;;) {
    const next = (r + n / r) >> 1n;
    if (next >= r) break;
    r = next;
  }
  while (r * r > n) r -= 1n;
  while ((r + 1n) * (r + 1n) <= n) r += 1n;
  const sticky = r * r !== n ? 1n : 0n;
  return roundExact((r << 1n) | sticky, (e - k) / 2 - 1, mode, f32 ? F32 : F64, false);
}
