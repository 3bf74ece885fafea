/**
 * Lifts the value a v128.store writes to an expression over one iteration's vectors: loads at
 * base + i·stride, v128 constants, loop-invariant vectors and scalars, and the SIMD ops the opcode
 * table (`simd-opcodes.ts`) marks as lifted. One kernel thread computes one iteration's vector,
 * lane by lane, so lane permutations (shuffle, swizzle), lane changes (narrow, extend, dot) and
 * lane accesses with constant indices are maps over vectors like any element-wise op. Ops the
 * table refuses, and values computed from scalars inside the loop, are refused with a reason.
 */
import { isSimd, localType, PREFIX_SIMD, type DecodedBody } from './instructions.js';
import { opName } from './op-tables.js';
import { simdOpcode, type OperandKind } from './simd-opcodes.js';
import type { Sym } from './symbolic.js';
import type { KernelPlan, LaneType, Lifted, ParamSource } from './types.js';

interface AccessLike {
  kind: 'load' | 'store';
  op: number;
  value?: Sym;
}

export type LiftResult = { ok: true; kernel: KernelPlan } | { ok: false; reason: string };

const V128_LOAD = PREFIX_SIMD * 0x1000 + 0x00;
const V128_STORE = PREFIX_SIMD * 0x1000 + 0x0b;
export const NOT_INVARIANT = 'a lane operand is computed inside the loop from scalars (not a loop invariant)';

/** Not an Error: rejections are frequent and need no stack trace. */
class LiftError {
  constructor(readonly message: string) {}
}

/**
 * The lane name a stored value has, from the first op on its leftmost operand chain that has a
 * numeric shape (bitwise ops, shuffles and constants pass their operand's through). Comparisons
 * give integer masks of their width; conversions name their result.
 */
export function laneNameOf(name: string): string | undefined {
  const known = LANE_NAMES.get(name);
  if (known !== undefined) return known === '' ? undefined : known;
  const computed = computeLaneName(name);
  LANE_NAMES.set(name, computed ?? '');
  return computed;
}

/** laneNameOf's answers, computed once per opcode name (the report path calls it per store). */
const LANE_NAMES = new Map<string, string>();

function computeLaneName(name: string): string | undefined {
  const shape = name.split('.')[0] as string;
  if (shape === 'v128' || name === 'i8x16.shuffle' || name === 'i8x16.swizzle') return undefined;
  if (/\.(eq|ne|lt|gt|le|ge)$/.test(name)) return shape.startsWith('f64') ? 'i64' : 'i32';
  return shape.slice(0, shape.indexOf('x'));
}

export function laneTypeOf(laneName: string): LaneType {
  return laneName === 'f32' || laneName === 'f64' || laneName === 'i64' ? laneName : 'i32';
}

export function lanesIn(laneName: string): number {
  return 128 / Number(laneName.slice(1));
}

function storeLaneName(sym: Sym): string {
  let at: Sym | undefined = sym;
  while (at && at.k === 'op' && isSimd(at.op)) {
    const found = laneNameOf(simdOpcode(at.op - PREFIX_SIMD * 0x1000)?.name ?? '');
    if (found) return found;
    at = at.args[0];
  }
  return 'i32';
}

/** Why a store cannot be a kernel's output: the table's reason for a SIMD store, else a scalar store. */
export function storeRefusal(op: number): string {
  return (isSimd(op) ? simdOpcode(op - PREFIX_SIMD * 0x1000)?.refusal : undefined) ?? `${opName(op)} is not a full v128 store`;
}

export function liftStore(
  store: AccessLike,
  storeIndex: number,
  accesses: readonly AccessLike[],
  params: ParamSource[],
  bytes: Uint8Array,
  body: DecodedBody,
  written: ReadonlySet<number>,
): LiftResult {
  if (store.op !== V128_STORE || !store.value) return { ok: false, reason: storeRefusal(store.op) };
  const loads = new Set<number>();
  const used = new Set<number>();

  const param = (source: ParamSource): Lifted => {
    let index = params.findIndex((p) => p.k === source.k && p.type === source.type && ('local' in p ? 'local' in source && p.local === source.local : 'index' in source && p.index === source.index));
    if (index < 0) {
      index = params.length;
      params.push(source);
    }
    used.add(index);
    return { k: 'param', index };
  };

  /** A scalar operand: a constant, an unwritten local, a global, or a lane extracted from a vector. */
  const scalar = (sym: Sym, type: LaneType): Lifted => {
    if (sym.k === 'const') {
      if ((type === 'i32' || type === 'f32' || type === 'f64') && sym.t === type) return { k: 'imm', type, value: sym.v };
      if (type === 'i64' && sym.t === 'i64') return { k: 'imm', type, value: BigInt(sym.v) };
      if (type === 'i64' && sym.t === 'i32') return { k: 'imm', type, value: BigInt(sym.v) };
      throw new LiftError(`constant of type ${sym.t} used as ${type}`);
    }
    if (sym.k === 'entry' && !written.has(sym.local)) {
      const t = localType(body, sym.local);
      if (t !== type) throw new LiftError(`local ${sym.local} of type ${t} used as ${type}`);
      return param({ k: 'local', local: sym.local, type });
    }
    if (sym.k === 'global') return param({ k: 'global', index: sym.index, type });
    if (sym.k === 'op' && isSimd(sym.op)) {
      const info = simdOpcode(sym.op - PREFIX_SIMD * 0x1000);
      if (info && info.result === type) return op(sym);
    }
    throw new LiftError(NOT_INVARIANT);
  };

  const op = (sym: Extract<Sym, { k: 'op' }>): Lifted => {
    const sub = sym.op - PREFIX_SIMD * 0x1000;
    const info = simdOpcode(sub);
    if (!info) throw new LiftError(`${opName(sym.op)} is not a SIMD instruction`);
    if (info.refusal !== undefined) throw new LiftError(info.refusal);
    const args = info.operands.map((kind: OperandKind, n: number) => (kind === 'v' ? vector(sym.args[n] as Sym) : scalar(sym.args[n] as Sym, kind)));
    if (sub === 0x0d) {
      const lanes = [...bytes.subarray(sym.imm, sym.imm + 16)];
      return { k: 'op', sub, imm: 0, args, lanes };
    }
    return { k: 'op', sub, imm: sym.imm, args };
  };

  const vector = (sym: Sym): Lifted => {
    switch (sym.k) {
      case 'load': {
        if (sym.op !== V128_LOAD) throw new LiftError(simdOpcode(sym.op - PREFIX_SIMD * 0x1000)?.refusal ?? `${opName(sym.op)} is not a v128 load`);
        const target = accesses[sym.access];
        if (!target || target.kind !== 'load') throw new LiftError('unexpected access');
        loads.add(sym.access);
        return { k: 'load', access: sym.access };
      }
      case 'v128const':
        return { k: 'v128', bytes: [...bytes.subarray(sym.at, sym.at + 16)] };
      case 'entry': {
        if (written.has(sym.local)) throw new LiftError(`local ${sym.local} changes inside the loop`);
        if (localType(body, sym.local) !== 'v128') throw new LiftError(`local ${sym.local} is not a vector`);
        return param({ k: 'lanes', local: sym.local, type: 'i32' });
      }
      case 'op': {
        if (!isSimd(sym.op)) throw new LiftError(`scalar ${opName(sym.op)} produces a vector operand`);
        const info = simdOpcode(sym.op - PREFIX_SIMD * 0x1000);
        if (info && info.refusal === undefined && info.result !== 'v') throw new LiftError(`${info.name} produces a scalar where a vector is needed`);
        return op(sym);
      }
      default:
        throw new LiftError('a vector operand that is not a load, constant or loop invariant');
    }
  };

  try {
    const expr = vector(store.value);
    const shape = storeLaneName(store.value);
    return { ok: true, kernel: { store: storeIndex, lane: laneTypeOf(shape), shape, expr, loads: [...loads], params: [...used] } };
  } catch (error) {
    if (error instanceof LiftError) return { ok: false, reason: error.message };
    throw error;
  }
}
