/**
 * Every opcode of the fixed-width SIMD proposal (the whole 0xfd space, relaxed SIMD included):
 * its name, its operand and result kinds, and the auto-offload verdict — lifted (the code
 * generator emits PTX for it, lane by lane) or refused with the reason, which names the opcode.
 * The lifter, its flat mirror (`lift-check.ts`), `opName` and the generated opcode table in
 * docs/AUTO-OFFLOAD.md all read this one table, so a reason can never disagree with the verdict.
 */

/** 'v' is a v128; scalars are named by their Wasm type. */
export type OperandKind = 'v' | 'i32' | 'i64' | 'f32' | 'f64';

export interface SimdOpcode {
  sub: number;
  name: string;
  operands: OperandKind[];
  result: OperandKind | 'none';
  /** undefined: lifted. Otherwise the full refusal sentence, starting with the opcode's name. */
  refusal?: string;
}

const NAMES: [number, string][] = [
  [0x00, 'v128.load'], [0x01, 'v128.load8x8_s'], [0x02, 'v128.load8x8_u'], [0x03, 'v128.load16x4_s'], [0x04, 'v128.load16x4_u'],
  [0x05, 'v128.load32x2_s'], [0x06, 'v128.load32x2_u'], [0x07, 'v128.load8_splat'], [0x08, 'v128.load16_splat'],
  [0x09, 'v128.load32_splat'], [0x0a, 'v128.load64_splat'], [0x0b, 'v128.store'], [0x0c, 'v128.const'],
  [0x0d, 'i8x16.shuffle'], [0x0e, 'i8x16.swizzle'], [0x0f, 'i8x16.splat'], [0x10, 'i16x8.splat'], [0x11, 'i32x4.splat'],
  [0x12, 'i64x2.splat'], [0x13, 'f32x4.splat'], [0x14, 'f64x2.splat'], [0x15, 'i8x16.extract_lane_s'],
  [0x16, 'i8x16.extract_lane_u'], [0x17, 'i8x16.replace_lane'], [0x18, 'i16x8.extract_lane_s'], [0x19, 'i16x8.extract_lane_u'],
  [0x1a, 'i16x8.replace_lane'], [0x1b, 'i32x4.extract_lane'], [0x1c, 'i32x4.replace_lane'], [0x1d, 'i64x2.extract_lane'],
  [0x1e, 'i64x2.replace_lane'], [0x1f, 'f32x4.extract_lane'], [0x20, 'f32x4.replace_lane'], [0x21, 'f64x2.extract_lane'],
  [0x22, 'f64x2.replace_lane'],
  [0x23, 'i8x16.eq'], [0x24, 'i8x16.ne'], [0x25, 'i8x16.lt_s'], [0x26, 'i8x16.lt_u'], [0x27, 'i8x16.gt_s'], [0x28, 'i8x16.gt_u'],
  [0x29, 'i8x16.le_s'], [0x2a, 'i8x16.le_u'], [0x2b, 'i8x16.ge_s'], [0x2c, 'i8x16.ge_u'],
  [0x2d, 'i16x8.eq'], [0x2e, 'i16x8.ne'], [0x2f, 'i16x8.lt_s'], [0x30, 'i16x8.lt_u'], [0x31, 'i16x8.gt_s'], [0x32, 'i16x8.gt_u'],
  [0x33, 'i16x8.le_s'], [0x34, 'i16x8.le_u'], [0x35, 'i16x8.ge_s'], [0x36, 'i16x8.ge_u'],
  [0x37, 'i32x4.eq'], [0x38, 'i32x4.ne'], [0x39, 'i32x4.lt_s'], [0x3a, 'i32x4.lt_u'], [0x3b, 'i32x4.gt_s'], [0x3c, 'i32x4.gt_u'],
  [0x3d, 'i32x4.le_s'], [0x3e, 'i32x4.le_u'], [0x3f, 'i32x4.ge_s'], [0x40, 'i32x4.ge_u'],
  [0x41, 'f32x4.eq'], [0x42, 'f32x4.ne'], [0x43, 'f32x4.lt'], [0x44, 'f32x4.gt'], [0x45, 'f32x4.le'], [0x46, 'f32x4.ge'],
  [0x47, 'f64x2.eq'], [0x48, 'f64x2.ne'], [0x49, 'f64x2.lt'], [0x4a, 'f64x2.gt'], [0x4b, 'f64x2.le'], [0x4c, 'f64x2.ge'],
  [0x4d, 'v128.not'], [0x4e, 'v128.and'], [0x4f, 'v128.andnot'], [0x50, 'v128.or'], [0x51, 'v128.xor'], [0x52, 'v128.bitselect'],
  [0x53, 'v128.any_true'], [0x54, 'v128.load8_lane'], [0x55, 'v128.load16_lane'], [0x56, 'v128.load32_lane'],
  [0x57, 'v128.load64_lane'], [0x58, 'v128.store8_lane'], [0x59, 'v128.store16_lane'], [0x5a, 'v128.store32_lane'],
  [0x5b, 'v128.store64_lane'], [0x5c, 'v128.load32_zero'], [0x5d, 'v128.load64_zero'], [0x5e, 'f32x4.demote_f64x2_zero'],
  [0x5f, 'f64x2.promote_low_f32x4'],
  [0x60, 'i8x16.abs'], [0x61, 'i8x16.neg'], [0x62, 'i8x16.popcnt'], [0x63, 'i8x16.all_true'], [0x64, 'i8x16.bitmask'],
  [0x65, 'i8x16.narrow_i16x8_s'], [0x66, 'i8x16.narrow_i16x8_u'], [0x67, 'f32x4.ceil'], [0x68, 'f32x4.floor'],
  [0x69, 'f32x4.trunc'], [0x6a, 'f32x4.nearest'], [0x6b, 'i8x16.shl'], [0x6c, 'i8x16.shr_s'], [0x6d, 'i8x16.shr_u'],
  [0x6e, 'i8x16.add'], [0x6f, 'i8x16.add_sat_s'], [0x70, 'i8x16.add_sat_u'], [0x71, 'i8x16.sub'], [0x72, 'i8x16.sub_sat_s'],
  [0x73, 'i8x16.sub_sat_u'], [0x74, 'f64x2.ceil'], [0x75, 'f64x2.floor'], [0x76, 'i8x16.min_s'], [0x77, 'i8x16.min_u'],
  [0x78, 'i8x16.max_s'], [0x79, 'i8x16.max_u'], [0x7a, 'f64x2.trunc'], [0x7b, 'i8x16.avgr_u'],
  [0x7c, 'i16x8.extadd_pairwise_i8x16_s'], [0x7d, 'i16x8.extadd_pairwise_i8x16_u'], [0x7e, 'i32x4.extadd_pairwise_i16x8_s'],
  [0x7f, 'i32x4.extadd_pairwise_i16x8_u'],
  [0x80, 'i16x8.abs'], [0x81, 'i16x8.neg'], [0x82, 'i16x8.q15mulr_sat_s'], [0x83, 'i16x8.all_true'], [0x84, 'i16x8.bitmask'],
  [0x85, 'i16x8.narrow_i32x4_s'], [0x86, 'i16x8.narrow_i32x4_u'], [0x87, 'i16x8.extend_low_i8x16_s'],
  [0x88, 'i16x8.extend_high_i8x16_s'], [0x89, 'i16x8.extend_low_i8x16_u'], [0x8a, 'i16x8.extend_high_i8x16_u'],
  [0x8b, 'i16x8.shl'], [0x8c, 'i16x8.shr_s'], [0x8d, 'i16x8.shr_u'], [0x8e, 'i16x8.add'], [0x8f, 'i16x8.add_sat_s'],
  [0x90, 'i16x8.add_sat_u'], [0x91, 'i16x8.sub'], [0x92, 'i16x8.sub_sat_s'], [0x93, 'i16x8.sub_sat_u'], [0x94, 'f64x2.nearest'],
  [0x95, 'i16x8.mul'], [0x96, 'i16x8.min_s'], [0x97, 'i16x8.min_u'], [0x98, 'i16x8.max_s'], [0x99, 'i16x8.max_u'],
  [0x9b, 'i16x8.avgr_u'], [0x9c, 'i16x8.extmul_low_i8x16_s'], [0x9d, 'i16x8.extmul_high_i8x16_s'],
  [0x9e, 'i16x8.extmul_low_i8x16_u'], [0x9f, 'i16x8.extmul_high_i8x16_u'],
  [0xa0, 'i32x4.abs'], [0xa1, 'i32x4.neg'], [0xa3, 'i32x4.all_true'], [0xa4, 'i32x4.bitmask'],
  [0xa7, 'i32x4.extend_low_i16x8_s'], [0xa8, 'i32x4.extend_high_i16x8_s'], [0xa9, 'i32x4.extend_low_i16x8_u'],
  [0xaa, 'i32x4.extend_high_i16x8_u'], [0xab, 'i32x4.shl'], [0xac, 'i32x4.shr_s'], [0xad, 'i32x4.shr_u'], [0xae, 'i32x4.add'],
  [0xb1, 'i32x4.sub'], [0xb5, 'i32x4.mul'], [0xb6, 'i32x4.min_s'], [0xb7, 'i32x4.min_u'], [0xb8, 'i32x4.max_s'],
  [0xb9, 'i32x4.max_u'], [0xba, 'i32x4.dot_i16x8_s'], [0xbc, 'i32x4.extmul_low_i16x8_s'], [0xbd, 'i32x4.extmul_high_i16x8_s'],
  [0xbe, 'i32x4.extmul_low_i16x8_u'], [0xbf, 'i32x4.extmul_high_i16x8_u'],
  [0xc0, 'i64x2.abs'], [0xc1, 'i64x2.neg'], [0xc3, 'i64x2.all_true'], [0xc4, 'i64x2.bitmask'],
  [0xc7, 'i64x2.extend_low_i32x4_s'], [0xc8, 'i64x2.extend_high_i32x4_s'], [0xc9, 'i64x2.extend_low_i32x4_u'],
  [0xca, 'i64x2.extend_high_i32x4_u'], [0xcb, 'i64x2.shl'], [0xcc, 'i64x2.shr_s'], [0xcd, 'i64x2.shr_u'], [0xce, 'i64x2.add'],
  [0xd1, 'i64x2.sub'], [0xd5, 'i64x2.mul'], [0xd6, 'i64x2.eq'], [0xd7, 'i64x2.ne'], [0xd8, 'i64x2.lt_s'], [0xd9, 'i64x2.gt_s'],
  [0xda, 'i64x2.le_s'], [0xdb, 'i64x2.ge_s'], [0xdc, 'i64x2.extmul_low_i32x4_s'], [0xdd, 'i64x2.extmul_high_i32x4_s'],
  [0xde, 'i64x2.extmul_low_i32x4_u'], [0xdf, 'i64x2.extmul_high_i32x4_u'],
  [0xe0, 'f32x4.abs'], [0xe1, 'f32x4.neg'], [0xe3, 'f32x4.sqrt'], [0xe4, 'f32x4.add'], [0xe5, 'f32x4.sub'], [0xe6, 'f32x4.mul'],
  [0xe7, 'f32x4.div'], [0xe8, 'f32x4.min'], [0xe9, 'f32x4.max'], [0xea, 'f32x4.pmin'], [0xeb, 'f32x4.pmax'],
  [0xec, 'f64x2.abs'], [0xed, 'f64x2.neg'], [0xef, 'f64x2.sqrt'], [0xf0, 'f64x2.add'], [0xf1, 'f64x2.sub'], [0xf2, 'f64x2.mul'],
  [0xf3, 'f64x2.div'], [0xf4, 'f64x2.min'], [0xf5, 'f64x2.max'], [0xf6, 'f64x2.pmin'], [0xf7, 'f64x2.pmax'],
  [0xf8, 'i32x4.trunc_sat_f32x4_s'], [0xf9, 'i32x4.trunc_sat_f32x4_u'], [0xfa, 'f32x4.convert_i32x4_s'],
  [0xfb, 'f32x4.convert_i32x4_u'], [0xfc, 'i32x4.trunc_sat_f64x2_s_zero'], [0xfd, 'i32x4.trunc_sat_f64x2_u_zero'],
  [0xfe, 'f64x2.convert_low_i32x4_s'], [0xff, 'f64x2.convert_low_i32x4_u'],
  // Relaxed SIMD.
  [0x100, 'i8x16.relaxed_swizzle'], [0x101, 'i32x4.relaxed_trunc_f32x4_s'], [0x102, 'i32x4.relaxed_trunc_f32x4_u'],
  [0x103, 'i32x4.relaxed_trunc_f64x2_s_zero'], [0x104, 'i32x4.relaxed_trunc_f64x2_u_zero'], [0x105, 'f32x4.relaxed_madd'],
  [0x106, 'f32x4.relaxed_nmadd'], [0x107, 'f64x2.relaxed_madd'], [0x108, 'f64x2.relaxed_nmadd'],
  [0x109, 'i8x16.relaxed_laneselect'], [0x10a, 'i16x8.relaxed_laneselect'], [0x10b, 'i32x4.relaxed_laneselect'],
  [0x10c, 'i64x2.relaxed_laneselect'], [0x10d, 'f32x4.relaxed_min'], [0x10e, 'f32x4.relaxed_max'], [0x10f, 'f64x2.relaxed_min'],
  [0x110, 'f64x2.relaxed_max'], [0x111, 'i16x8.relaxed_q15mulr_s'], [0x112, 'i16x8.relaxed_dot_i8x16_i7x16_s'],
  [0x113, 'i32x4.relaxed_dot_i8x16_i7x16_add_s'],
];

/** Highest sub-opcode of the 0xfd space (relaxed SIMD ends at 0x113). */
export const SIMD_MAX_SUB = 0x113;

function scalarOf(shape: string): OperandKind {
  if (shape === 'i64x2') return 'i64';
  if (shape === 'f32x4') return 'f32';
  if (shape === 'f64x2') return 'f64';
  return 'i32';
}

const UNARY = /\.(not|abs|neg|sqrt|popcnt|ceil|floor|trunc|nearest|extend_|extadd_pairwise|convert|trunc_sat|demote|promote|any_true|all_true|bitmask|relaxed_trunc)/;
const TERNARY = /\.(bitselect|relaxed_madd|relaxed_nmadd|relaxed_laneselect|relaxed_dot_i8x16_i7x16_add)/;

function signature(name: string): { operands: OperandKind[]; result: OperandKind | 'none' } {
  const shape = name.split('.')[0] as string;
  const scalar = scalarOf(shape);
  if (name === 'v128.store' || /store\d+_lane/.test(name)) return { operands: ['i32', 'v'], result: 'none' };
  if (/_lane$/.test(name) && name.includes('load')) return { operands: ['i32', 'v'], result: 'v' };
  if (name.startsWith('v128.load')) return { operands: ['i32'], result: 'v' };
  if (name === 'v128.const') return { operands: [], result: 'v' };
  if (name.endsWith('.splat')) return { operands: [scalar], result: 'v' };
  if (name.includes('extract_lane')) return { operands: ['v'], result: scalar };
  if (name.endsWith('replace_lane')) return { operands: ['v', scalar], result: 'v' };
  if (/\.(shl|shr_s|shr_u)$/.test(name)) return { operands: ['v', 'i32'], result: 'v' };
  if (/any_true|all_true|bitmask/.test(name)) return { operands: ['v'], result: 'i32' };
  if (TERNARY.test(name)) return { operands: ['v', 'v', 'v'], result: 'v' };
  if (UNARY.test(name)) return { operands: ['v'], result: 'v' };
  return { operands: ['v', 'v'], result: 'v' };
}

/** Why an opcode is not lifted, or undefined when the code generator lifts it. */
function refusalOf(name: string): string | undefined {
  if (name.includes('relaxed_')) {
    return `${name} has implementation-defined results (relaxed SIMD): V8 and a GPU may both be right and still differ, so no kernel can be proven equal to the loop`;
  }
  if (/any_true|all_true|bitmask/.test(name)) {
    return `${name} reduces the lanes to a scalar: not element-wise (its result feeds a branch or a scalar, which kernels do not compute)`;
  }
  if (/store\d+_lane/.test(name)) return `${name} stores one lane: kernels write whole v128.store windows only`;
  if (/load\d+_lane/.test(name)) return `${name} loads one lane: kernels read whole v128.load windows only`;
  if (name.startsWith('v128.load') && name !== 'v128.load') {
    const bytes = /64|8x8|16x4|32x2/.test(name) ? '8 bytes' : /32/.test(name) ? '4 bytes' : /16/.test(name) ? '2 bytes' : '1 byte';
    return `${name} reads ${bytes}, not 16: kernels read whole v128.load windows only`;
  }
  return undefined;
}

const TABLE: (SimdOpcode | undefined)[] = new Array(SIMD_MAX_SUB + 1);
for (const [sub, name] of NAMES) TABLE[sub] = { sub, name, ...signature(name), ...withRefusal(refusalOf(name)) };

function withRefusal(refusal: string | undefined): { refusal?: string } {
  return refusal === undefined ? {} : { refusal };
}

/** The opcode with this sub-opcode, or undefined for an unassigned one. */
export function simdOpcode(sub: number): SimdOpcode | undefined {
  return sub >= 0 && sub <= SIMD_MAX_SUB ? TABLE[sub] : undefined;
}

export function simdName(sub: number): string {
  return simdOpcode(sub)?.name ?? `simd 0x${sub.toString(16)} (unassigned)`;
}

/** Every assigned opcode, in opcode order. */
export function allSimdOpcodes(): SimdOpcode[] {
  return TABLE.filter((o): o is SimdOpcode => o !== undefined);
}

/** Lane shape of an opcode's name ('v128' for bitwise and memory ops). */
export function shapeOf(name: string): string {
  return name.split('.')[0] as string;
}
