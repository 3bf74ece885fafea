/** Stack shapes and names of the instructions the loop analyser models. */
import { isSimd, PREFIX_SIMD } from './instructions.js';
import { allSimdOpcodes, SIMD_MAX_SUB, simdName } from './simd-opcodes.js';

export type SimdShape = 'load' | 'store' | 'load-lane' | 'store-lane' | 'const' | 'unary' | 'binary' | 'ternary' | 'unsupported';

const SHAPES: SimdShape[] = ['load', 'store', 'load-lane', 'store-lane', 'const', 'unary', 'binary', 'ternary', 'unsupported'];
/** Index into SHAPES per sub-opcode, from the opcode table (called per instruction: no allocation). */
const SHAPE_OF = new Uint8Array(SIMD_MAX_SUB + 1).fill(SHAPES.indexOf('unsupported'));
for (const o of allSimdOpcodes()) {
  const shape: SimdShape =
    o.name === 'v128.store' ? 'store'
      : /store\d+_lane/.test(o.name) ? 'store-lane'
        : /load\d+_lane/.test(o.name) ? 'load-lane'
          : o.name.startsWith('v128.load') ? 'load'
            : o.name === 'v128.const' ? 'const'
              : o.operands.length === 1 ? 'unary'
                : o.operands.length === 2 ? 'binary'
                  : 'ternary';
  SHAPE_OF[o.sub] = SHAPES.indexOf(shape);
}

export function simdShape(sub: number): SimdShape {
  return sub >= 0 && sub <= SIMD_MAX_SUB ? (SHAPES[SHAPE_OF[sub] as number] as SimdShape) : 'unsupported';
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

const NAMES: Record<number, string> = {
  0x00: 'unreachable', 0x01: 'nop', 0x02: 'block', 0x03: 'loop', 0x04: 'if', 0x05: 'else', 0x0b: 'end', 0x0c: 'br',
  0x0d: 'br_if', 0x0e: 'br_table', 0x0f: 'return', 0x10: 'call', 0x11: 'call_indirect', 0x1a: 'drop', 0x1b: 'select',
  0x20: 'local.get', 0x21: 'local.set', 0x22: 'local.tee', 0x23: 'global.get', 0x24: 'global.set',
  0x3f: 'memory.size', 0x40: 'memory.grow', 0x41: 'i32.const', 0x42: 'i64.const', 0x43: 'f32.const', 0x44: 'f64.const',
};
export function opName(op: number): string {
  if (isSimd(op)) {
    return simdName(op - PREFIX_SIMD * 0x1000);
  }
  if (op >= 0x1000) return `0x${Math.floor(op / 0x1000).toString(16)} 0x${(op % 0x1000).toString(16)}`;
  return NAMES[op] ?? `opcode 0x${op.toString(16)}`;
}

/**
 * Which operand of an i8x16.shuffle its lane indices read: 0 the first only, 1 the second only,
 * -1 both. Compilers pass an undefined vector (a local read before it is set) as the unused
 * operand; the analysers replace it by the used one (the same result) so it is not mistaken for
 * a loop-carried value.
 */
export function shuffleSource(bytes: Uint8Array, at: number): number {
  let low = 0;
  for (let i = 0; i < 16; i++) if ((bytes[at + i] as number) < 16) low++;
  return low === 16 ? 0 : low === 0 ? 1 : -1;
}
