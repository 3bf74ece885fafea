/**
 * The differential test's cases: for every lifted SIMD opcode, one or more loops that use it
 * (lane indices and shuffle patterns varied), the lane type its inputs are drawn from, and the
 * lane shapes the case exercises. Also the edge values of each lane type.
 */
import { A, B, C, S, simdOp } from './simd-diff-module.js';
import { allSimdOpcodes, type SimdOpcode } from './simd-opcodes.js';

export type LaneKind = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';

export interface DiffCase {
  op: SimdOpcode;
  label: string;
  expr: number[];
  input: LaneKind;
  /** Shift amounts to run with (shifts only). */
  shifts?: number[];
  /** e.g. "i16x8 → i8x16". */
  shapes: string;
  /** Swizzle: keep index bytes small so most select a lane. */
  smallIndices?: boolean;
}

const SHAPE_LANE: Record<string, LaneKind> = { i8x16: 'i8', i16x8: 'i16', i32x4: 'i32', i64x2: 'i64', f32x4: 'f32', f64x2: 'f64' };
const LANES: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };

/** The shape an op reads: the one named after its operation (`narrow_i16x8_s`), else its prefix. */
export function inputShape(name: string): string {
  const [prefix, rest] = name.split('.') as [string, string];
  const named = rest.match(/(i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)/);
  if (named) return named[1] as string;
  return prefix === 'v128' ? 'i8x16' : prefix;
}

/** A scalar of `type` read out of a vector operand (so it varies per iteration). */
function scalarFrom(vector: number[], type: string, lane: number): number[] {
  const sub = type === 'i64' ? 0x1d : type === 'f32' ? 0x1f : type === 'f64' ? 0x21 : 0x1b;
  return [...vector, ...simdOp(sub, lane)];
}

/** The splat that turns a scalar result back into a vector (i8/i16 extracts are i32: splat as i32x4 so the extension shows). */
function splatOf(type: string): number[] {
  return simdOp(type === 'i64' ? 0x12 : type === 'f32' ? 0x13 : type === 'f64' ? 0x14 : 0x11);
}

const SHUFFLES: [string, number[]][] = [
  ['identity', Array.from({ length: 16 }, (_, i) => i)],
  ['reverse of b', Array.from({ length: 16 }, (_, i) => 31 - i)],
  ['interleave', Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? i / 2 : 16 + (i - 1) / 2))],
  ['scattered', [3, 30, 7, 7, 16, 0, 25, 12, 9, 31, 2, 18, 15, 22, 5, 11]],
];

export function casesFor(op: SimdOpcode): DiffCase[] {
  const { name } = op;
  const shape = name.split('.')[0] as string;
  const input = SHAPE_LANE[inputShape(name)] ?? 'i8';
  const outShape = shape === 'v128' ? 'v128' : shape;
  const inShape = inputShape(name);
  const shapes = shape === 'v128' ? 'v128' : inShape === outShape ? outShape : `${inShape} → ${outShape}`;
  const base = { op, input, shapes };
  const opBytes = simdOp(op.sub);
  if (name === 'v128.load' || name === 'v128.store') return [{ ...base, label: name, expr: A }];
  if (name === 'v128.const') {
    const bytes = [0x00, 0xff, 0x80, 0x7f, 0x01, 0x02, 0x55, 0xaa, 0x00, 0x00, 0xc0, 0x7f, 0x00, 0x00, 0x80, 0xff];
    return [{ ...base, label: name, expr: [...A, ...simdOp(0x0c, ...bytes), ...simdOp(0x51)] }];
  }
  if (name === 'i8x16.shuffle') return SHUFFLES.map(([what, lanes]) => ({ ...base, label: `${name} (${what})`, expr: [...A, ...B, ...simdOp(0x0d, ...lanes)] }));
  if (name.endsWith('.splat')) return [{ ...base, label: name, expr: [...scalarFrom(A, op.operands[0] as string, 1), ...opBytes] }];
  const lanes = LANES[shape] ?? 4;
  const laneChoices = [...new Set([0, Math.floor(lanes / 2) + 1 < lanes ? Math.floor(lanes / 2) + 1 : 1, lanes - 1])];
  if (name.includes('extract_lane')) {
    return laneChoices.map((lane) => ({ ...base, label: `${name} ${lane}`, expr: [...A, ...simdOp(op.sub, lane), ...splatOf(op.result)] }));
  }
  if (name.endsWith('replace_lane')) {
    const type = op.operands[1] as string;
    return laneChoices.map((lane) => ({ ...base, label: `${name} ${lane}`, expr: [...A, ...scalarFrom(B, type, type === 'i64' || type === 'f64' ? 0 : 3), ...simdOp(op.sub, lane)] }));
  }
  if (/\.(shl|shr_s|shr_u)$/.test(name)) {
    const bits = Number(shape.slice(1, shape.indexOf('x')));
    return [{ ...base, label: name, expr: [...A, ...S, ...opBytes], shifts: [0, 1, bits - 1, bits, bits + 1, 33, 63, 64, 127, -1] }];
  }
  const operands = [A, B, C].slice(0, op.operands.length);
  return [{ ...base, label: name, expr: [...operands.flat(), ...opBytes], ...(name === 'i8x16.swizzle' ? { smallIndices: true } : {}) }];
}

/** Every lifted opcode's cases, in opcode order. */
export function allCases(): DiffCase[] {
  return allSimdOpcodes().filter((o) => o.refusal === undefined).flatMap(casesFor);
}

const F32 = (bits: number): number[] => [bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, bits >>> 24];
function f32Bits(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return view.getUint32(0, true);
}
function f64Bytes(value: number | bigint): number[] {
  const view = new DataView(new ArrayBuffer(8));
  if (typeof value === 'bigint') view.setBigUint64(0, value, true);
  else view.setFloat64(0, value, true);
  return [...new Uint8Array(view.buffer)];
}
function intBytes(value: bigint, bytes: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** Edge values of each lane type, as little-endian bytes. */
export const EDGES: Record<LaneKind, number[][]> = {
  i8: [0, 1, -1, 2, 127, -128, 126, -127, 64, -64, 0x55, 15, 16, 31, 100, -100].map((v) => intBytes(BigInt(v), 1)),
  i16: [0, 1, -1, 32767, -32768, 32766, -32767, 16384, -16384, 255, 256, -256, 127, -128, 0x5555, 1000].map((v) => intBytes(BigInt(v), 2)),
  i32: [0, 1, -1, 2147483647, -2147483648, 2147483646, -2147483647, 65535, 65536, -65536, 32767, -32768, 16777217, -16777217, 0x55555555, 255]
    .map((v) => intBytes(BigInt(v), 4)),
  i64: [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, 2n ** 32n - 1n, -(2n ** 32n), 2n ** 31n, -(2n ** 31n), 0x5555555555555555n, 255n]
    .map((v) => intBytes(v, 8)),
  f32: [
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0xffc12345, 0x7fffffff,
    0x00000001, 0x807fffff, 0x00800000, f32Bits(1), f32Bits(-1), f32Bits(0.5), f32Bits(-0.5), f32Bits(1.5), f32Bits(2.5),
    f32Bits(-2.5), f32Bits(0.49999997), f32Bits(3.4028234663852886e38), f32Bits(-3.4028234663852886e38), f32Bits(2147483648),
    f32Bits(-2147483904), f32Bits(4294967296), f32Bits(8388609),
  ].map((b) => F32(b >>> 0)),
  f64: [
    0, -0, Infinity, -Infinity, 0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff0000000000001n, 0x7ff4000000000000n, 0xfff8123456789abcn,
    0x0000000000000001n, 0x800fffffffffffffn, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994, Number.MAX_VALUE, 2147483648.5,
    -2147483649, 4294967296, 3.4028235677973366e38, 1e-40, 4503599627370497,
  ].map((v) => f64Bytes(v)),
};

/**
 * Inputs for one run: three arrays (a, b, c) of `bytes` bytes. Operand 0 walks the edge values
 * slowly and operand 1 quickly, so binary ops meet every pair; operand 2 uses another order.
 */
export function edgeInputs(kind: LaneKind, bytes: number, smallIndices = false): [Uint8Array, Uint8Array, Uint8Array] {
  const edges = EDGES[kind];
  const width = (edges[0] as number[]).length;
  const count = bytes / width;
  const e = edges.length;
  const make = (pick: (p: number) => number): Uint8Array => {
    const out = new Uint8Array(bytes);
    for (let p = 0; p < count; p++) out.set(edges[pick(p) % e] as number[], p * width);
    return out;
  };
  const a = make((p) => Math.floor(p / e));
  const b = make((p) => p);
  const c = make((p) => p * 7 + 3);
  if (smallIndices) for (let i = 0; i < b.length; i++) b[i] = (b[i] as number) % 20;
  return [a, b, c];
}
