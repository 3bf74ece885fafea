/**
 * Input cases for the instruction-form oracle: per operand type, the edge classes the ISA cares
 * about (NaN of both signs, quiet and signalling, with payloads; ±0; ±Inf; subnormals; rounding
 * ties; the ends of every integer range; INT_MIN and −1; shift counts at and past the width),
 * crossed pairwise, plus random values drawn by fast-check from a printed seed.
 * Every operand travels as a 64-bit slot of raw bits; the kernel narrows it to the register type.
 */
import fc from 'fast-check';
import type { OpType } from './forms.js';

export interface EdgeValue {
  bits: bigint;
  cls: string;
}

const f32bits = (x: number): bigint => {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, x, true);
  return BigInt(dv.getUint32(0, true));
};
const f64bits = (x: number): bigint => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, true);
  return dv.getBigUint64(0, true);
};

function floatEdges(bitsOf: (x: number) => bigint, nan: [bigint, string][], sub: bigint[], ties: number[], big: number[]): EdgeValue[] {
  const out: EdgeValue[] = [];
  for (const [b, cls] of nan) out.push({ bits: b, cls });
  out.push({ bits: bitsOf(0), cls: '±0' }, { bits: bitsOf(-0), cls: '±0' });
  out.push({ bits: bitsOf(Infinity), cls: '±Inf' }, { bits: bitsOf(-Infinity), cls: '±Inf' });
  for (const s of sub) out.push({ bits: s, cls: 'subnormal' });
  for (const t of ties) out.push({ bits: bitsOf(t), cls: 'rounding tie' }, { bits: bitsOf(-t), cls: 'rounding tie' });
  for (const v of big) out.push({ bits: bitsOf(v), cls: 'range end' }, { bits: bitsOf(-v), cls: 'range end' });
  for (const v of [1, 2, 0.1, Math.PI, 1e-3, 7]) out.push({ bits: bitsOf(v), cls: 'ordinary' }, { bits: bitsOf(-v), cls: 'ordinary' });
  return out;
}

const F32_EDGES = floatEdges(
  f32bits,
  [[0x7fc00000n, 'NaN'], [0xffc00000n, '−NaN'], [0x7fc12345n, 'NaN payload'], [0x7f800001n, 'sNaN'], [0xff812345n, '−sNaN payload']],
  [0x1n, 0x7fffffn, 0x400000n, 0x80000001n, 0x807fffffn],
  // .5 ties for integer rounding; 1 + 2^-24 (an f32 → f16/bf16 and f64 → f32 tie region), 2^24 + 1 not representable
  [0.5, 1.5, 2.5, 3.5, 8388609.5, 1 + 2 ** -23, 65520, 2049],
  // f32 max, f16 max, 2^31 ± , 2^32, 2^63, 2^64, smallest normal
  [3.4028234663852886e38, 65504, 2147483520, 2147483648, 4294967040, 4294967296, 9223371487098961920, 9223372036854775808, 18446744073709551616, 1.1754943508222875e-38, 16777216, 32768, 128, 256],
);
const F64_EDGES = floatEdges(
  f64bits,
  [[0x7ff8000000000000n, 'NaN'], [0xfff8000000000000n, '−NaN'], [0x7ff8000000012345n, 'NaN payload'], [0x7ff0000000000001n, 'sNaN'], [0xfff0000000054321n, '−sNaN payload']],
  [0x1n, 0xfffffffffffffn, 0x8000000000001n, 0x800fffffffffffffn],
  [0.5, 1.5, 2.5, 2 ** 52 + 0.5, 1 + 2 ** -24, 1 + 2 ** -24 + 2 ** -52, 16777217, 2147483647.5, 65520, 2049, 2 ** -149 * 1.5, 2 ** -126 * (1 - 2 ** -24)],
  [1.7976931348623157e308, 3.4028235677973366e38, 3.4028234663852886e38, 2147483647, 2147483648, 4294967295, 4294967296, 9223372036854775807, 9223372036854775808, 18446744073709551615, 18446744073709551616, 2.2250738585072014e-308, 1.1754943508222875e-38, 1e-40, 65504],
);
const F16_EDGES: EdgeValue[] = [
  [0x7e00n, 'NaN'], [0xfe00n, '−NaN'], [0x7e55n, 'NaN payload'], [0x7c01n, 'sNaN'], [0x0000n, '±0'], [0x8000n, '±0'],
  [0x7c00n, '±Inf'], [0xfc00n, '±Inf'], [0x0001n, 'subnormal'], [0x83ffn, 'subnormal'], [0x3c00n, 'ordinary'], [0xbc00n, 'ordinary'],
  [0x3e00n, 'rounding tie'], [0x4100n, 'rounding tie'], [0xc100n, 'rounding tie'], [0x7bffn, 'range end'], [0xfbffn, 'range end'], [0x0400n, 'range end'],
  [0x3c01n, 'ordinary'], [0x5640n, 'ordinary'],
].map(([bits, cls]) => ({ bits: bits as bigint, cls: cls as string }));

const M64 = (1n << 64n) - 1n;
const INT_EDGES: EdgeValue[] = [
  ...[0n, 1n, 2n, 3n, 7n].map((b) => ({ bits: b, cls: 'small' })),
  ...[M64, M64 - 1n, M64 - 6n].map((b) => ({ bits: b, cls: '−1 and small negatives' })),
  ...[8n, 15n, 16n, 17n, 31n, 32n, 33n, 63n, 64n, 65n, 255n, 256n, 0x100000020n].map((b) => ({ bits: b, cls: 'shift ≥ width' })),
  ...[0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0x80000001n, 0xffffffffn, 0xfffffffen, 0x100000000n,
    0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n, 0xffffffff80000000n, 0xffffffffffff8000n, 0xffffffffffffff80n].map((b) => ({ bits: b, cls: 'range end (INT_MIN, MAX)' })),
  ...[16777217n, 0x1000001n, (1n << 53n) + 1n, 0x12345678n, 0xdeadbeefcafef00dn, 0x00ff00ff00ff00ffn].map((b) => ({ bits: b, cls: 'ordinary' })),
];
const PRED_EDGES: EdgeValue[] = [{ bits: 0n, cls: 'false' }, { bits: 1n, cls: 'true' }];

export function edgesFor(t: OpType): EdgeValue[] {
  switch (t) {
    case 'f32': return F32_EDGES;
    case 'f64': return F64_EDGES;
    case 'f16': return F16_EDGES;
    case 'f16x2': return F16_EDGES.flatMap((lo, i) => [{ bits: lo.bits | (F16_EDGES[(i * 7) % F16_EDGES.length]!.bits << 16n), cls: lo.cls }]);
    case 'pred': return PRED_EDGES;
    default: return INT_EDGES;
  }
}

/** Random raw bits for a type: half uniform bits, half ordinary magnitudes (for floats). */
function randomArb(t: OpType): fc.Arbitrary<bigint> {
  switch (t) {
    case 'f32':
      return fc.oneof(fc.integer({ min: 0, max: 0xffffffff }).map(BigInt), fc.float({ min: -1e6, max: 1e6, noNaN: true }).map(f32bits));
    case 'f64':
      return fc.oneof(fc.bigInt({ min: 0n, max: M64 }), fc.double({ min: -1e12, max: 1e12, noNaN: true }).map(f64bits));
    case 'f16':
      return fc.integer({ min: 0, max: 0xffff }).map(BigInt);
    case 'f16x2':
      return fc.integer({ min: 0, max: 0xffffffff }).map(BigInt);
    case 'pred':
      return fc.boolean().map((b) => (b ? 1n : 0n));
    default:
      return fc.oneof(fc.bigInt({ min: 0n, max: M64 }), fc.integer({ min: -300, max: 300 }).map((v) => BigInt.asUintN(64, BigInt(v))));
  }
}

export interface CaseSet {
  /** The operand types, e.g. `f32,f32`: the key shared by every form with this signature. */
  key: string;
  ins: OpType[];
  /** cases × 4 slots of raw bits. */
  slots: BigUint64Array;
  count: number;
  /** Edge classes that occur among the operands. */
  classes: Set<string>;
}

/** Edge values crossed pairwise over the first two operands (later operands cycle), then random rows. */
export function makeCaseSet(ins: OpType[], seed: number, randomCount: number): CaseSet {
  const rows: bigint[][] = [];
  const classes = new Set<string>();
  const e = ins.map(edgesFor);
  if (ins.length === 1) for (const x of e[0]!) rows.push([x.bits]);
  else {
    let k = 0;
    for (const x of e[0]!) {
      for (const y of e[1]!) {
        const row = [x.bits, y.bits];
        for (let j = 2; j < ins.length; j++) row.push(e[j]![(k * (j + 3)) % e[j]!.length]!.bits);
        rows.push(row);
        k++;
      }
    }
  }
  // three or more operands: the first two equal edges against every edge of the rest (saturation, carries)
  if (ins.length >= 3) {
    for (let i = 0; i < e[0]!.length; i++) {
      for (let j = 0; j < e[2]!.length; j++) rows.push(ins.map((_, q) => (q < 2 ? e[q]![i % e[q]!.length]!.bits : e[q]![j % e[q]!.length]!.bits)));
    }
  }
  for (const list of e) for (const v of list) classes.add(v.cls);
  const random = fc.sample(fc.tuple(...ins.map(randomArb)), { seed: seed + hashKey(ins.join(',')), numRuns: randomCount });
  for (const r of random) rows.push(r);
  if (randomCount > 0) classes.add('random');
  const slots = new BigUint64Array(rows.length * 4);
  rows.forEach((r, i) => r.forEach((v, j) => (slots[i * 4 + j] = BigInt.asUintN(64, v))));
  return { key: ins.join(','), ins, slots, count: rows.length, classes };
}

function hashKey(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h & 0xffff;
}
