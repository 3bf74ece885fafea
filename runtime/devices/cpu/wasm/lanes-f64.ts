/**
 * SIMD forms of f64 arithmetic for threads in lanes (lanes-emit.ts): a varying f64 register is
 * two v128s (lanes 0-1 and 2-3), so each instruction is two f64x2 operations. add/sub/mul/div,
 * sqrt, rcp.rn (1/x), neg/abs and the ordered setp comparisons are IEEE operations whose f64x2
 * forms give the scalar ones' bits (emit-alu.ts); `fma.rn.f64` only where the scalar code uses
 * the fused `f64x2.relaxed_madd` too (fma64.ts), and as there a non-finite result in any lane
 * sends the group to the scalar code (per lane, the exact import for it).
 */
import type { Instruction, Operand } from '../ast.js';
import type { LaneOps } from './lanes-bits.js';

type Emit = () => void;

/** 0xFD-prefixed opcodes these forms use. */
const V = {
  shuffle: 0x0d, f64x2_splat: 0x14, and: 0x4e, bitselect: 0x52,
  f64x2_eq: 0x47, f64x2_lt: 0x49, f64x2_gt: 0x4a, f64x2_le: 0x4b, f64x2_ge: 0x4c,
  i64x2_all_true: 0xc3, i64x2_extend_low_s: 0xc7, i64x2_extend_high_s: 0xc8,
  f64x2_abs: 0xec, f64x2_neg: 0xed, f64x2_sqrt: 0xef, f64x2_add: 0xf0, f64x2_sub: 0xf1, f64x2_mul: 0xf2, f64x2_div: 0xf3,
  f64x2_relaxed_madd: 0x107,
} as const;

/** What the f64 forms need besides LaneOps. */
export interface F64LaneOps extends LaneOps {
  /** Whether the scalar code's fma.rn.f64 is the fused relaxed_madd (compile-wasm.ts fusedMadd). */
  fusedF64: boolean;
  /** Pushes a predicate as 4 lane masks (0 or -1). */
  pushMask(o: Operand): void;
  canPred(o: Operand | undefined): boolean;
  destPred(o: Operand | undefined): number[] | undefined;
  /** `then` when the i32 on the stack is non-zero, else `otherwise`. */
  ifElse(then: Emit, otherwise: Emit): void;
  /** The scalar emitter's code for `ins` once per lane (lanes-emit.ts perLane). */
  perLane(ins: Instruction): void;
}

/** An f64 operand: an f64 register or an f64 literal. */
function canF64(x: F64LaneOps, o: Operand | undefined): boolean {
  return o?.kind === 'f64' || (o?.kind === 'reg' && x.can64(o));
}

function pushF64(x: F64LaneOps, o: Operand, half: number): void {
  if (o.kind === 'f64') {
    x.f64(o.value);
    x.v(V.f64x2_splat);
  } else x.push64(o, half);
}

/** The instruction's f64 SIMD form, or undefined when this file has none. */
export function f64Form(x: F64LaneOps, ins: Instruction, op: string, t: string, mods: string, o: Operand[]): Emit | undefined {
  if (t !== 'f64') return undefined;
  const unary = (code: number, pre?: Emit): Emit | undefined => {
    const d = x.dest(o[0], 64);
    if (!d || !canF64(x, o[1])) return undefined;
    return () => {
      for (const h of [0, 1]) {
        pre?.();
        pushF64(x, o[1]!, h);
        x.v(code);
        x.set(d[h]!);
      }
    };
  };
  const binary = (code: number): Emit | undefined => {
    const d = x.dest(o[0], 64);
    if (!d || !canF64(x, o[1]) || !canF64(x, o[2])) return undefined;
    return () => {
      for (const h of [0, 1]) {
        pushF64(x, o[1]!, h);
        pushF64(x, o[2]!, h);
        x.v(code);
        x.set(d[h]!);
      }
    };
  };
  switch (op) {
    case 'add':
      return mods === '' || mods === 'rn' ? binary(V.f64x2_add) : undefined;
    case 'sub':
      return mods === '' || mods === 'rn' ? binary(V.f64x2_sub) : undefined;
    case 'mul':
      return mods === '' || mods === 'rn' ? binary(V.f64x2_mul) : undefined;
    case 'div':
      return mods === 'rn' ? binary(V.f64x2_div) : undefined;
    case 'sqrt':
      return mods === 'rn' ? unary(V.f64x2_sqrt) : undefined;
    case 'rcp':
      // 1 / x, as the scalar code
      return mods === 'rn'
        ? unary(V.f64x2_div, () => {
            x.f64(1);
            x.v(V.f64x2_splat);
          })
        : undefined;
    case 'neg':
      return mods === '' ? unary(V.f64x2_neg) : undefined;
    case 'abs':
      return mods === '' ? unary(V.f64x2_abs) : undefined;
    case 'fma':
    case 'mad':
      return mods === 'rn' && x.fusedF64 ? fusedFma(x, ins, o) : undefined;
    case 'setp':
      return setp(x, mods, o);
    case 'selp':
      return selp(x, o);
    default:
      return undefined;
  }
}

/** fma.rn.f64 as two fused relaxed_madds; when a lane's result is not finite, every lane takes the scalar path (whose bits it keeps). */
function fusedFma(x: F64LaneOps, ins: Instruction, o: Operand[]): Emit | undefined {
  const d = x.dest(o[0], 64);
  if (!d || ![o[1], o[2], o[3]].every((a) => canF64(x, a))) return undefined;
  return () => {
    const r = [x.tmpV(), x.tmpV()];
    for (const h of [0, 1]) {
      for (const k of [1, 2, 3]) pushF64(x, o[k]!, h);
      x.v(V.f64x2_relaxed_madd);
      x.set(r[h]!);
    }
    // every lane finite: |r| < inf (false for NaN)
    for (const h of [0, 1]) {
      x.get(r[h]!);
      x.v(V.f64x2_abs);
      x.f64(Infinity);
      x.v(V.f64x2_splat);
      x.v(V.f64x2_lt);
    }
    x.v(V.and);
    x.v(V.i64x2_all_true);
    x.ifElse(
      () => {
        for (const h of [0, 1]) {
          x.get(r[h]!);
          x.set(d[h]!);
        }
      },
      () => x.perLane(ins),
    );
  };
}

/** setp.{eq,lt,le,gt,ge}.f64 (ordered: false with a NaN, as f64x2's): two 64-bit masks, their low words the predicate's 4 masks. */
function setp(x: F64LaneOps, mods: string, o: Operand[]): Emit | undefined {
  const F: Record<string, number> = { eq: V.f64x2_eq, lt: V.f64x2_lt, le: V.f64x2_le, gt: V.f64x2_gt, ge: V.f64x2_ge };
  const code = F[mods];
  const d = x.destPred(o[0]);
  if (code === undefined || o.length !== 3 || !d || !canF64(x, o[1]) || !canF64(x, o[2])) return undefined;
  return () => {
    for (const h of [0, 1]) {
      pushF64(x, o[1]!, h);
      pushF64(x, o[2]!, h);
      x.v(code);
    }
    x.v(V.shuffle, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    x.set(d[0]!);
  };
}

/** selp.f64: each half's lanes chosen by the predicate's masks widened to 64 bits. */
function selp(x: F64LaneOps, o: Operand[]): Emit | undefined {
  const d = x.dest(o[0], 64);
  if (!d || !canF64(x, o[1]) || !canF64(x, o[2]) || !x.canPred(o[3])) return undefined;
  return () => {
    for (const h of [0, 1]) {
      pushF64(x, o[1]!, h);
      pushF64(x, o[2]!, h);
      x.pushMask(o[3]!);
      x.v(h === 0 ? V.i64x2_extend_low_s : V.i64x2_extend_high_s);
      x.v(V.bitselect);
      x.set(d[h]!);
    }
  };
}
