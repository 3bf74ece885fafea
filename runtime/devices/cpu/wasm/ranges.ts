/**
 * Value ranges of 32-bit registers inside one basic block, for the WebAssembly backend: what an
 * instruction's result is known to lie in from its operands' ranges (a byte load gives 0..255, a
 * shared variable's address is one number, adds, products and shifts of such). A shared access
 * whose address range lies inside the kernel's static shared variables, aligned, cannot fault, so
 * it needs no check (emit-memory.ts): histogram's `atomicAdd(&local[data[i]], 1)`.
 *
 * Only non-negative values below 2^31 are tracked, and a result only when it stays below 2^31,
 * so the 32-bit arithmetic the kernel does is the arithmetic on the numbers here.
 */
import type { Instruction, Operand } from '../ast.js';

/** lo <= v <= hi, and v a multiple of `align` (a power of two). */
export interface Range {
  lo: number;
  hi: number;
  align: number;
}

const LIMIT = 2 ** 31;
const MAX_ALIGN = 2 ** 30;

export function exact(v: number): Range | undefined {
  if (!Number.isInteger(v) || v < 0 || v >= LIMIT) return undefined;
  return { lo: v, hi: v, align: v === 0 ? MAX_ALIGN : Math.min(MAX_ALIGN, v & -v) };
}

/** The range of the register an unguarded `ins` defines, or undefined when nothing is known. */
export function rangeOf(ins: Instruction, operand: (o: Operand) => Range | undefined): Range | undefined {
  const p = ins.parts;
  const o = ins.operands;
  if (ins.guard || o[0]?.kind !== 'reg') return undefined;
  const t = p[p.length - 1]!;
  const two = (): [Range, Range] | undefined => {
    const a = o[1] && operand(o[1]);
    const b = o[2] && operand(o[2]);
    return a && b ? [a, b] : undefined;
  };
  const fits = (r: Range): Range | undefined => (r.hi < LIMIT ? r : undefined);
  switch (p[0]) {
    case 'ld': {
      // a zero-extending byte or half load of one value, from memory (not a parameter)
      if (o.length !== 2 || p.includes('param') || p.some((m) => m === 'v2' || m === 'v4')) return undefined;
      if (t === 'u8' || t === 'b8') return { lo: 0, hi: 0xff, align: 1 };
      if (t === 'u16' || t === 'b16') return { lo: 0, hi: 0xffff, align: 1 };
      return undefined;
    }
    case 'mov':
      return p.length === 2 && /^[bus]32$/.test(t) && o[1] ? operand(o[1]) : undefined;
    case 'add': {
      if (p.length !== 2 || !/^[us]32$/.test(t)) return undefined;
      const ab = two();
      return ab && fits({ lo: ab[0].lo + ab[1].lo, hi: ab[0].hi + ab[1].hi, align: Math.min(ab[0].align, ab[1].align) });
    }
    case 'mul': {
      const mode = p.slice(1, -1).join('.');
      // 16 × 16 → 32 (its inputs' low halves: the values themselves below 2^16) or the low 32 bits
      const ok = (mode === 'wide' && t === 'u16') || (mode === 'lo' && /^[us]32$/.test(t));
      const ab = ok ? two() : undefined;
      if (!ab || (mode === 'wide' && (ab[0].hi > 0xffff || ab[1].hi > 0xffff))) return undefined;
      return fits({ lo: ab[0].lo * ab[1].lo, hi: ab[0].hi * ab[1].hi, align: Math.min(MAX_ALIGN, ab[0].align * ab[1].align) });
    }
    case 'shl': {
      if (p.length !== 2 || t !== 'b32' || o[2]?.kind !== 'int') return undefined;
      const k = Number(o[2].value);
      const a = o[1] && operand(o[1]);
      if (!a || k < 0 || k > 30) return undefined;
      return fits({ lo: a.lo * 2 ** k, hi: a.hi * 2 ** k, align: Math.min(MAX_ALIGN, a.align * 2 ** k) });
    }
    default:
      return undefined;
  }
}
