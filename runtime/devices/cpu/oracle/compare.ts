/**
 * Compares device results with the C oracle's: bit for bit, except that a NaN matches any NaN
 * (the ISA does not define the payload or sign of a NaN result) and `.approx` forms must lie
 * within the ISA's documented error bound of the double-precision reference.
 */
import type { Form, OpType } from './forms.js';

export const OUT_BITS: Record<OpType, number> = { pred: 32, b8: 8, b16: 16, f16: 16, b32: 32, f16x2: 32, f32: 32, b64: 64, f64: 64 };

const isNaN16 = (b: bigint): boolean => (b & 0x7c00n) === 0x7c00n && (b & 0x3ffn) !== 0n;
const isNaN32 = (b: bigint): boolean => (b & 0x7f800000n) === 0x7f800000n && (b & 0x7fffffn) !== 0n;
const isNaN64 = (b: bigint): boolean => (b & 0x7ff0000000000000n) === 0x7ff0000000000000n && (b & 0xfffffffffffffn) !== 0n;

function f32(b: bigint): number {
  return new Float32Array(new Uint32Array([Number(b & 0xffffffffn)]).buffer)[0]!;
}
function f64(b: bigint): number {
  return new Float64Array(new BigUint64Array([b]).buffer)[0]!;
}

function sameFloat(t: OpType, dev: bigint, ref: bigint): boolean {
  if (t === 'f16') return dev === ref || (isNaN16(dev) && isNaN16(ref));
  if (t === 'f16x2') return sameFloat('f16', dev & 0xffffn, ref & 0xffffn) && sameFloat('f16', dev >> 16n, ref >> 16n);
  if (t === 'f32') return dev === ref || (isNaN32(dev) && isNaN32(ref));
  return dev === ref || (isNaN64(dev) && isNaN64(ref));
}

function ulpOf(x: number, f64form: boolean): number {
  const a = Math.abs(x);
  if (f64form) return a < 2.2250738585072014e-308 ? 2 ** -1074 : 2 ** (Math.floor(Math.log2(a)) - 52);
  return a < 1.1754943508222875e-38 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Whether the device's bits agree with the oracle's for one case. */
export function agrees(f: Form, dev: bigint, ref: bigint): boolean {
  const bits = BigInt(OUT_BITS[f.out]);
  const mask = (1n << bits) - 1n;
  const d = dev & mask;
  if (f.compare.kind === 'exact') {
    const r = ref & mask;
    if (f.out === 'f16' || f.out === 'f16x2' || f.out === 'f32' || f.out === 'f64') return sameFloat(f.out, d, r);
    return d === r;
  }
  const want = f64(ref);
  const got = f.out === 'f64' ? f64(d) : f32(d);
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want || (f.out === 'f32' && Math.abs(got) >= 3.4028234663852886e38 && Math.sign(got) === Math.sign(want));
  if (Number.isNaN(got)) return false;
  // a reference beyond the f32 range overflows to ∞ (or stays at the largest finite value)
  if (f.out === 'f32' && Math.abs(want) > 3.4028234663852886e38) return Math.abs(got) >= 3.4028234663852886e38 && Math.sign(got) === Math.sign(want);
  // .ftz: a result below the smallest normal may flush to zero
  if (f.ftz && Math.abs(want) < (f.out === 'f64' ? 2.2250738585072014e-308 : 1.1754943508222875e-38) && got === 0) return true;
  if (want === 0 && got === 0) return Object.is(want, got);
  const err = Math.abs(got - want);
  const c = f.compare;
  const bound = Math.max(c.abs ?? 0, (c.rel ?? 0) * Math.abs(want), (c.ulps ?? 0) * ulpOf(want, f.out === 'f64'));
  // an f32 result can be no closer than half an f32 ulp of the reference
  const floor = f.out === 'f64' ? 0 : 0.5 * ulpOf(want, false);
  return err <= bound + floor;
}

export function describeBits(t: OpType, b: bigint): string {
  const bits = OUT_BITS[t];
  const hex = `0x${(b & ((1n << BigInt(bits)) - 1n)).toString(16).padStart(bits / 4, '0')}`;
  if (t === 'f32') return `${hex} (${f32(b)})`;
  if (t === 'f64') return `${hex} (${f64(b)})`;
  return hex;
}

export function describeInput(t: OpType, b: bigint): string {
  return describeBits(t === 'pred' ? 'b8' : t, b);
}
