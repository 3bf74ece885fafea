/** Stack shapes and names of the instructions the loop analyser models. */
import { isSimd, PREFIX_SIMD } from './instructions.js';
import type { LaneType, LiftedOp } from './types.js';

const SIMD_UNARY = new Set<number>([
  0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x18, 0x19, 0x1b, 0x1d, 0x1f, 0x21, 0x4d, 0x53, 0x5e, 0x5f,
  0x60, 0x61, 0x62, 0x63, 0x64, 0x67, 0x68, 0x69, 0x6a, 0x74, 0x75, 0x7a, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81,
  0x83, 0x84, 0x87, 0x88, 0x89, 0x8a, 0x94, 0xa0, 0xa1, 0xa3, 0xa4, 0xa7, 0xa8, 0xa9, 0xaa, 0xc0, 0xc1, 0xc3,
  0xc4, 0xc7, 0xc8, 0xc9, 0xca, 0xe0, 0xe1, 0xe3, 0xec, 0xed, 0xef, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
]);

export type SimdShape = 'load' | 'store' | 'load-lane' | 'store-lane' | 'const' | 'unary' | 'binary' | 'ternary' | 'unsupported';

export function simdShape(sub: number): SimdShape {
  if (sub <= 0x0a || sub === 0x5c || sub === 0x5d) return 'load';
  if (sub === 0x0b) return 'store';
  if (sub >= 0x54 && sub <= 0x57) return 'load-lane';
  if (sub >= 0x58 && sub <= 0x5b) return 'store-lane';
  if (sub === 0x0c) return 'const';
  if (sub === 0x52) return 'ternary';
  if (sub > 0xff) return 'unsupported';
  return SIMD_UNARY.has(sub) ? 'unary' : 'binary';
}

/** Scalar numeric ops 0x45..0xc4: true when unary. */
export function scalarUnary(op: number): boolean {
  return op === 0x45 || op === 0x50 || (op >= 0x67 && op <= 0x69) || (op >= 0x79 && op <= 0x7b) ||
    (op >= 0x8b && op <= 0x91) || (op >= 0x99 && op <= 0x9f) || op >= 0xa7;
}

// Lookup tables (index = opcode, 0 = not a load/store): called per instruction, so no allocation.
const LOAD_WIDTH = new Uint8Array(256);
const STORE_WIDTH = new Uint8Array(256);
([[0x28, 4], [0x29, 8], [0x2a, 4], [0x2b, 8], [0x2c, 1], [0x2d, 1], [0x2e, 2], [0x2f, 2], [0x30, 1], [0x31, 1], [0x32, 2], [0x33, 2], [0x34, 4], [0x35, 4]] as const).forEach(([op, w]) => (LOAD_WIDTH[op] = w));
([[0x36, 4], [0x37, 8], [0x38, 4], [0x39, 8], [0x3a, 1], [0x3b, 2], [0x3c, 1], [0x3d, 2], [0x3e, 4]] as const).forEach(([op, w]) => (STORE_WIDTH[op] = w));

export function scalarLoadWidth(op: number): number | undefined {
  return op < 256 && LOAD_WIDTH[op] ? LOAD_WIDTH[op] : undefined;
}

export function scalarStoreWidth(op: number): number | undefined {
  return op < 256 && STORE_WIDTH[op] ? STORE_WIDTH[op] : undefined;
}

/** SIMD loads: bytes read. */
export function simdLoadWidth(sub: number): number {
  if (sub === 0x07) return 1;
  if (sub === 0x08) return 2;
  if (sub === 0x09 || sub === 0x5c) return 4;
  if (sub >= 0x01 && sub <= 0x06) return 8;
  if (sub === 0x0a || sub === 0x5d) return 8;
  return 16;
}

/** Lane-wise ops the code generator can lift: SIMD sub-opcode → lane type and per-element op. */
export const LANE_OPS: ReadonlyMap<number, { lane: LaneType; op: LiftedOp }> = new Map<number, { lane: LaneType; op: LiftedOp }>([
  [0xe0, { lane: 'f32', op: 'abs' }], [0xe1, { lane: 'f32', op: 'neg' }], [0xe3, { lane: 'f32', op: 'sqrt' }],
  [0xe4, { lane: 'f32', op: 'add' }], [0xe5, { lane: 'f32', op: 'sub' }], [0xe6, { lane: 'f32', op: 'mul' }], [0xe7, { lane: 'f32', op: 'div' }],
  [0xec, { lane: 'f64', op: 'abs' }], [0xed, { lane: 'f64', op: 'neg' }], [0xef, { lane: 'f64', op: 'sqrt' }],
  [0xf0, { lane: 'f64', op: 'add' }], [0xf1, { lane: 'f64', op: 'sub' }], [0xf2, { lane: 'f64', op: 'mul' }], [0xf3, { lane: 'f64', op: 'div' }],
  [0xa1, { lane: 'i32', op: 'neg' }], [0xab, { lane: 'i32', op: 'shl' }], [0xac, { lane: 'i32', op: 'shr_s' }], [0xad, { lane: 'i32', op: 'shr_u' }],
  [0xae, { lane: 'i32', op: 'add' }], [0xb1, { lane: 'i32', op: 'sub' }], [0xb5, { lane: 'i32', op: 'mul' }],
  [0xc1, { lane: 'i64', op: 'neg' }], [0xcb, { lane: 'i64', op: 'shl' }], [0xcc, { lane: 'i64', op: 'shr_s' }], [0xcd, { lane: 'i64', op: 'shr_u' }],
  [0xce, { lane: 'i64', op: 'add' }], [0xd1, { lane: 'i64', op: 'sub' }], [0xd5, { lane: 'i64', op: 'mul' }],
]);

export const BITWISE_OPS: ReadonlyMap<number, LiftedOp> = new Map<number, LiftedOp>([
  [0x4d, 'not'], [0x4e, 'and'], [0x4f, 'andnot'], [0x50, 'or'], [0x51, 'xor'],
]);

export const SPLAT_LANES: ReadonlyMap<number, LaneType> = new Map<number, LaneType>([
  [0x11, 'i32'], [0x12, 'i64'], [0x13, 'f32'], [0x14, 'f64'],
]);

const NAMES: Record<number, string> = {
  0x00: 'unreachable', 0x01: 'nop', 0x02: 'block', 0x03: 'loop', 0x04: 'if', 0x05: 'else', 0x0b: 'end', 0x0c: 'br',
  0x0d: 'br_if', 0x0e: 'br_table', 0x0f: 'return', 0x10: 'call', 0x11: 'call_indirect', 0x1a: 'drop', 0x1b: 'select',
  0x20: 'local.get', 0x21: 'local.set', 0x22: 'local.tee', 0x23: 'global.get', 0x24: 'global.set',
  0x3f: 'memory.size', 0x40: 'memory.grow', 0x41: 'i32.const', 0x42: 'i64.const', 0x43: 'f32.const', 0x44: 'f64.const',
};
const SIMD_NAMES: Record<number, string> = {
  0x00: 'v128.load', 0x07: 'v128.load8_splat', 0x08: 'v128.load16_splat', 0x09: 'v128.load32_splat', 0x0a: 'v128.load64_splat',
  0x0b: 'v128.store', 0x0c: 'v128.const', 0x0d: 'i8x16.shuffle', 0x0e: 'i8x16.swizzle',
  0x11: 'i32x4.splat', 0x12: 'i64x2.splat', 0x13: 'f32x4.splat', 0x14: 'f64x2.splat',
  0x1b: 'i32x4.extract_lane', 0x1c: 'i32x4.replace_lane', 0x1f: 'f32x4.extract_lane', 0x20: 'f32x4.replace_lane',
  0x21: 'f64x2.extract_lane', 0x22: 'f64x2.replace_lane', 0x52: 'v128.bitselect', 0x53: 'v128.any_true',
  0xe8: 'f32x4.min', 0xe9: 'f32x4.max', 0xf4: 'f64x2.min', 0xf5: 'f64x2.max',
};

export function opName(op: number): string {
  if (isSimd(op)) {
    const sub = op - PREFIX_SIMD * 0x1000;
    const lane = LANE_OPS.get(sub);
    if (lane) return `${lane.lane}x${lane.lane.endsWith('64') ? 2 : 4}.${lane.op}`;
    const bit = BITWISE_OPS.get(sub);
    if (bit) return `v128.${bit}`;
    return SIMD_NAMES[sub] ?? `simd 0x${sub.toString(16)}`;
  }
  if (op >= 0x1000) return `0x${Math.floor(op / 0x1000).toString(16)} 0x${(op % 0x1000).toString(16)}`;
  return NAMES[op] ?? `opcode 0x${op.toString(16)}`;
}
