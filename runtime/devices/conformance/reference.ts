/**
 * Reference arithmetic for the conformance suite, written independently of the CPU device:
 * exact dyadic-rational arithmetic (BigInt) rounded to f32/f64/f16 with an explicit rounding mode.
 */

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export const fr = Math.fround;

export function bitsF32(x: number): number {
  f32[0] = x;
  return u32[0]!;
}
export function fromBitsF32(b: number): number {
  u32[0] = b >>> 0;
  return f32[0]!;
}

/** x = m * 2^e exactly (x finite). */
export function dyadic(x: number): [bigint, number] {
  f64[0] = x;
  const b = u64[0]!;
  const sign = b >> 63n ? -1n : 1n;
  const exp = Number((b >> 52n) & 0x7ffn);
  const man = b & 0xfffffffffffffn;
  if (exp === 0) return [sign * man, -1074];
  return [sign * (man | (1n << 52n)), exp - 1075];
}
function align(a: [bigint, number], b: [bigint, number]): [bigint, bigint, number] {
  const e = Math.min(a[1], b[1]);
  return [a[0] << BigInt(a[1] - e), b[0] << BigInt(b[1] - e), e];
}
export function dAdd(a: [bigint, number], b: [bigint, number]): [bigint, number] {
  const [x, y, e] = align(a, b);
  return [x + y, e];
}
export function dMul(a: [bigint, number], b: [bigint, number]): [bigint, number] {
  return [a[0] * b[0], a[1] + b[1]];
}
function dCmp(a: [bigint, number], b: [bigint, number]): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function nextUp32(x: number): number {
  if (x === 0) return fromBitsF32(1);
  const b = bitsF32(x);
  return x > 0 ? fromBitsF32(b + 1) : fromBitsF32(b - 1);
}
function nextDown32(x: number): number {
  return -nextUp32(-x);
}

/** A double close to the exact value (scaled so neither factor under- or overflows). */
function toApprox(v: [bigint, number]): number {
  let [m, e] = v;
  const bits = (m < 0n ? -m : m).toString(2).length;
  if (bits > 60) {
    m >>= BigInt(bits - 60);
    e += bits - 60;
  }
  const h = Math.trunc(e / 2);
  return Number(m) * 2 ** h * 2 ** (e - h);
}

/** Rounds an exact value to f32: mode 'rn' | 'rz' | 'rm' | 'rp'. */
export function roundToF32(v: [bigint, number], mode: 'rn' | 'rz' | 'rm' | 'rp' = 'rn'): number {
  if (v[0] === 0n) return 0;
  const approx = toApprox(v);
  let lo = fr(approx);
  if (!Number.isFinite(lo)) lo = Math.sign(approx) * 3.4028234663852886e38;
  while (dCmp(dyadic(lo), v) > 0) lo = nextDown32(lo);
  while (dCmp(dyadic(nextUp32(lo)), v) <= 0) lo = nextUp32(lo);
  if (dCmp(dyadic(lo), v) === 0) return lo;
  const hi = nextUp32(lo);
  switch (mode) {
    case 'rz':
      return v[0] > 0n ? lo : hi;
    case 'rm':
      return lo;
    case 'rp':
      return hi;
    default: {
      const c = dCmp(dAdd(v, dMul(dyadic(lo), [-1n, 0])), dAdd(dyadic(hi), dMul(v, [-1n, 0])));
      if (c < 0) return lo;
      if (c > 0) return hi;
      return (bitsF32(lo) & 1) === 0 ? lo : hi;
    }
  }
}

/** Rounds an exact value to the nearest f64 (ties to even). */
export function roundToF64(v: [bigint, number]): number {
  let [m, e] = v;
  if (m === 0n) return 0;
  const neg = m < 0n;
  if (neg) m = -m;
  const bits = m.toString(2).length;
  if (bits > 53) {
    const sh = bits - 53;
    const rem = m & ((1n << BigInt(sh)) - 1n);
    const half = 1n << BigInt(sh - 1);
    m >>= BigInt(sh);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
    e += sh;
  }
  const r = Number(m) * 2 ** e;
  return neg ? -r : r;
}

export function fmaf(a: number, b: number, c: number, mode: 'rn' | 'rz' | 'rm' | 'rp' = 'rn'): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return fr(a * b + c);
  if (mode === 'rn') {
    // a*b is exact in f64; rounding the f64 sum to f32 is exact unless it sits on an f32 midpoint.
    const s = a * b + c, r = fr(s), o = 2 * s - r;
    if (o === r || fr(o) !== o) return r;
  }
  return roundToF32(dAdd(dMul(dyadic(a), dyadic(b)), dyadic(c)), mode);
}
export function fma64(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  return roundToF64(dAdd(dMul(dyadic(a), dyadic(b)), dyadic(c)));
}

/** All finite non-negative f16 values in order, for nearest-value rounding. */
const F16_VALUES: number[] = (() => {
  const out: number[] = [];
  for (let b = 0; b < 0x7c00; b++) {
    const e = b >> 10, m = b & 0x3ff;
    out.push(e === 0 ? m * 2 ** -24 : (1024 + m) * 2 ** (e - 25));
  }
  return out;
})();

/** f32/f64 value → f16 bits, by searching the f16 value table. */
export function toF16(x: number, mode: 'rn' | 'rz' = 'rn'): number {
  if (Number.isNaN(x)) return 0x7fff; // the GPU's canonical f16 NaN
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  const max = F16_VALUES[F16_VALUES.length - 1]!;
  if (a === Infinity) return sign | 0x7c00; // infinity is exact in every rounding mode
  if (a >= max) {
    if (mode === 'rz') return sign | 0x7bff;
    return a >= 65520 ? sign | 0x7c00 : sign | 0x7bff;
  }
  let lo = 0, hi = F16_VALUES.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (F16_VALUES[mid]! <= a) lo = mid;
    else hi = mid;
  }
  if (F16_VALUES[lo] === a || mode === 'rz') return sign | lo;
  const dl = a - F16_VALUES[lo]!, dh = F16_VALUES[hi]! - a;
  return sign | (dl < dh ? lo : dh < dl ? hi : lo % 2 === 0 ? lo : hi);
}
export function fromF16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (e === 0 ? m * 2 ** -24 : (1024 + m) * 2 ** (e - 25));
}

/** Distance in f32 ulps between two finite floats. */
export function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const ia = bitsF32(a) | 0, ib = bitsF32(b) | 0;
  const oa = ia < 0 ? -(ia & 0x7fffffff) : ia;
  const ob = ib < 0 ? -(ib & 0x7fffffff) : ib;
  return Math.abs(oa - ob);
}

/** Round half to even, as cvt.rni does. */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** float → integer with PTX clamping; NaN → 0. */
export function toInt(x: number, min: number, max: number): number {
  if (Number.isNaN(x)) return 0;
  return x < min ? min : x > max ? max : x;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
