/**
 * Lifts the value a v128.store writes to a per-element expression: every lane of the vector is
 * the same scalar computation over the same lane of its inputs, so one kernel thread can compute
 * one element. Anything that mixes lanes (shuffles, extracts, replaces, splat loads, narrowing)
 * or mixes lane shapes is refused with a reason.
 */
import { isSimd, localType, PREFIX_SIMD, type DecodedBody } from './instructions.js';
import { BITWISE_OPS, LANE_OPS, opName, SPLAT_LANES } from './op-tables.js';
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

/** Not an Error: rejections are frequent and need no stack trace. */
class LiftError {
  constructor(readonly message: string) {}
}

function laneOfTree(sym: Sym, seen: Set<LaneType>): void {
  if (sym.k !== 'op') return;
  if (isSimd(sym.op)) {
    const sub = sym.op - PREFIX_SIMD * 0x1000;
    const lane = LANE_OPS.get(sub)?.lane ?? SPLAT_LANES.get(sub);
    if (lane) seen.add(lane);
  }
  for (const arg of sym.args) laneOfTree(arg, seen);
}

export function readLanes(bytes: Uint8Array, at: number, lane: LaneType): (number | bigint)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 16);
  switch (lane) {
    case 'f32': return [0, 1, 2, 3].map((i) => view.getFloat32(i * 4, true));
    case 'i32': return [0, 1, 2, 3].map((i) => view.getInt32(i * 4, true));
    case 'f64': return [0, 1].map((i) => view.getFloat64(i * 8, true));
    case 'i64': return [0, 1].map((i) => view.getBigInt64(i * 8, true));
  }
}

export function sameBits(values: (number | bigint)[]): boolean {
  return values.every((v) => Object.is(v, values[0]));
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
  if (store.op !== V128_STORE || !store.value) return { ok: false, reason: `${opName(store.op)} is not a full v128 store` };
  const seen = new Set<LaneType>();
  laneOfTree(store.value, seen);
  if (seen.size > 1) return { ok: false, reason: `mixes lane shapes (${[...seen].join(', ')})` };
  const lane: LaneType = [...seen][0] ?? 'i32';
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

  /** A loop-invariant scalar: a constant, an unwritten local or a global. */
  const scalar = (sym: Sym, type: LaneType): Lifted => {
    if (sym.k === 'const') {
      if ((type === 'i32' || type === 'f32' || type === 'f64') && sym.t === type) return { k: 'imm', value: sym.v };
      if (type === 'i64' && sym.t === 'i64') return { k: 'imm', value: BigInt(sym.v) };
      if (type === 'i64' && sym.t === 'i32') return { k: 'imm', value: BigInt(sym.v) };
      throw new LiftError(`constant of type ${sym.t} used as ${type}`);
    }
    if (sym.k === 'entry' && !written.has(sym.local)) {
      const t = localType(body, sym.local);
      if (t !== type) throw new LiftError(`local ${sym.local} of type ${t} used as ${type}`);
      return param({ k: 'local', local: sym.local, type });
    }
    if (sym.k === 'global') return param({ k: 'global', index: sym.index, type });
    throw new LiftError('a lane operand is computed inside the loop from scalars (not a loop invariant)');
  };

  const lift = (sym: Sym): Lifted => {
    switch (sym.k) {
      case 'load': {
        if (sym.op !== V128_LOAD) throw new LiftError(`${opName(sym.op)} mixes lanes`);
        const target = accesses[sym.access];
        if (!target || target.kind !== 'load') throw new LiftError('unexpected access');
        loads.add(sym.access);
        return { k: 'load', access: sym.access };
      }
      case 'v128const': {
        const lanes = readLanes(bytes, sym.at, lane);
        if (!sameBits(lanes)) throw new LiftError('a v128.const with different lanes');
        return { k: 'imm', value: lanes[0] as number | bigint };
      }
      case 'entry': {
        if (written.has(sym.local)) throw new LiftError(`local ${sym.local} changes inside the loop`);
        if (localType(body, sym.local) !== 'v128') throw new LiftError(`local ${sym.local} is not a vector`);
        return param({ k: 'lanes', local: sym.local, type: lane });
      }
      case 'op': {
        if (!isSimd(sym.op)) throw new LiftError(`scalar ${opName(sym.op)} produces a vector operand`);
        const sub = sym.op - PREFIX_SIMD * 0x1000;
        const laneOp = LANE_OPS.get(sub);
        if (laneOp) {
          if (laneOp.op === 'shl' || laneOp.op === 'shr_s' || laneOp.op === 'shr_u') {
            const amount = scalar(sym.args[1] as Sym, 'i32');
            return { k: 'op', op: laneOp.op, args: [lift(sym.args[0] as Sym), amount] };
          }
          return { k: 'op', op: laneOp.op, args: sym.args.map(lift) };
        }
        const bit = BITWISE_OPS.get(sub);
        if (bit) return { k: 'op', op: bit, args: sym.args.map(lift) };
        const splat = SPLAT_LANES.get(sub);
        if (splat) return scalar(sym.args[0] as Sym, splat);
        throw new LiftError(`${opName(sym.op)} is not an element-wise lane operation`);
      }
      default:
        throw new LiftError('a vector operand that is not a load, constant or loop invariant');
    }
  };

  try {
    const expr = lift(store.value);
    return { ok: true, kernel: { store: storeIndex, lane, expr, loads: [...loads], params: [...used] } };
  } catch (error) {
    if (error instanceof LiftError) return { ok: false, reason: error.message };
    throw error;
  }
}
