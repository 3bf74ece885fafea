/**
 * The lifter's verdict (`lift.ts`) on the flat node table, without building `Sym` or `Lifted`
 * objects: whether each store's value is an element-wise lane expression, its lane type, or the
 * lifter's exact reason for refusing. Report-only analysis needs only this; the plan (built on
 * demand) runs the real lifter.
 */
import { isSimd, localType, PREFIX_SIMD, type DecodedBody } from './instructions.js';
import { K_CONST, K_ENTRY, K_GLOBAL, K_LOAD, K_OP, K_V128CONST, type FlatLoop } from './flat-eval.js';
import { BITWISE_OPS, LANE_OPS, opName, SPLAT_LANES } from './op-tables.js';
import type { LaneType } from './types.js';

const V128_LOAD = PREFIX_SIMD * 0x1000 + 0x00;
const V128_STORE = PREFIX_SIMD * 0x1000 + 0x0b;
const CONST_TYPES = ['i32', 'i64', 'f32', 'f64'] as const;

/** Not an Error: rejections are frequent and need no stack trace. */
class LiftRefusal {
  constructor(readonly message: string) {}
}

export type LiftCheck = { ok: true; lane: LaneType } | { ok: false; reason: string };

/** The lane shapes a value's SIMD ops use, in first-seen order (as `laneOfTree` collects them). */
function lanesOf(f: FlatLoop, id: number, seen: LaneType[]): void {
  if (f.kind[id] !== K_OP) return;
  const op = f.op[id] as number;
  if (isSimd(op)) {
    const sub = op - PREFIX_SIMD * 0x1000;
    const lane = LANE_OPS.get(sub)?.lane ?? SPLAT_LANES.get(sub);
    if (lane && !seen.includes(lane)) seen.push(lane);
  }
  const count = f.nargs[id] as number;
  if (count > 0) lanesOf(f, f.arg0[id] as number, seen);
  if (count > 1) lanesOf(f, f.arg1[id] as number, seen);
  if (count > 2) lanesOf(f, f.arg2[id] as number, seen);
}

function argOf(f: FlatLoop, id: number, n: number): number {
  if (n >= (f.nargs[id] as number)) return -1;
  return (n === 0 ? f.arg0[id] : n === 1 ? f.arg1[id] : f.arg2[id]) as number;
}

/** `sameBits(readLanes(...))` of `lift.ts` (Object.is on each lane) without the arrays. */
function uniformLanes(bytes: Uint8Array, at: number, lane: LaneType): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 16);
  switch (lane) {
    case 'f32': {
      const first = view.getFloat32(0, true);
      for (let i = 1; i < 4; i++) if (!Object.is(view.getFloat32(i * 4, true), first)) return false;
      return true;
    }
    case 'i32': {
      const first = view.getInt32(0, true);
      for (let i = 1; i < 4; i++) if (view.getInt32(i * 4, true) !== first) return false;
      return true;
    }
    case 'f64':
      return Object.is(view.getFloat64(8, true), view.getFloat64(0, true));
    case 'i64':
      return view.getBigInt64(8, true) === view.getBigInt64(0, true);
  }
}

/** `lift.ts`'s `scalar`: a loop-invariant scalar of the given type. */
function checkScalar(f: FlatLoop, body: DecodedBody, id: number, type: LaneType): void {
  if (id < 0) throw new LiftRefusal('a lane operand is computed inside the loop from scalars (not a loop invariant)');
  const kind = f.kind[id];
  if (kind === K_CONST) {
    const t = CONST_TYPES[f.ctype[id] as number] as string;
    if ((type === 'i32' || type === 'f32' || type === 'f64') && t === type) return;
    if (type === 'i64' && (t === 'i64' || t === 'i32')) return;
    throw new LiftRefusal(`constant of type ${t} used as ${type}`);
  }
  if (kind === K_ENTRY && !f.isWritten(f.val[id] as number)) {
    const local = f.val[id] as number;
    const t = localType(body, local);
    if (t !== type) throw new LiftRefusal(`local ${local} of type ${t} used as ${type}`);
    return;
  }
  if (kind === K_GLOBAL) return;
  throw new LiftRefusal('a lane operand is computed inside the loop from scalars (not a loop invariant)');
}

/** `lift.ts`'s `lift`, same order of checks, so the first refusal is the same. */
function check(f: FlatLoop, bytes: Uint8Array, body: DecodedBody, id: number, lane: LaneType): void {
  switch (f.kind[id]) {
    case K_LOAD: {
      if (f.op[id] !== V128_LOAD) throw new LiftRefusal(`${opName(f.op[id] as number)} mixes lanes`);
      const access = f.val[id] as number;
      if (access >= f.accCount || f.accKind[access] !== 0) throw new LiftRefusal('unexpected access');
      return;
    }
    case K_V128CONST:
      if (!uniformLanes(bytes, f.val[id] as number, lane)) throw new LiftRefusal('a v128.const with different lanes');
      return;
    case K_ENTRY: {
      const local = f.val[id] as number;
      if (f.isWritten(local)) throw new LiftRefusal(`local ${local} changes inside the loop`);
      if (localType(body, local) !== 'v128') throw new LiftRefusal(`local ${local} is not a vector`);
      return;
    }
    case K_OP: {
      const op = f.op[id] as number;
      if (!isSimd(op)) throw new LiftRefusal(`scalar ${opName(op)} produces a vector operand`);
      const sub = op - PREFIX_SIMD * 0x1000;
      const count = f.nargs[id] as number;
      const laneOp = LANE_OPS.get(sub);
      if (laneOp) {
        if (laneOp.op === 'shl' || laneOp.op === 'shr_s' || laneOp.op === 'shr_u') {
          checkScalar(f, body, argOf(f, id, 1), 'i32');
          check(f, bytes, body, argOf(f, id, 0), lane);
          return;
        }
        for (let n = 0; n < count; n++) check(f, bytes, body, argOf(f, id, n), lane);
        return;
      }
      if (BITWISE_OPS.has(sub)) {
        for (let n = 0; n < count; n++) check(f, bytes, body, argOf(f, id, n), lane);
        return;
      }
      const splat = SPLAT_LANES.get(sub);
      if (splat) {
        checkScalar(f, body, argOf(f, id, 0), splat);
        return;
      }
      throw new LiftRefusal(`${opName(op)} is not an element-wise lane operation`);
    }
    default:
      throw new LiftRefusal('a vector operand that is not a load, constant or loop invariant');
  }
}

/** The verdict `liftStore` would give for access `store` (a store) of the evaluated loop. */
export function checkLiftStore(f: FlatLoop, store: number, bytes: Uint8Array, body: DecodedBody): LiftCheck {
  const op = f.accOp[store] as number;
  const value = f.accValue[store] as number;
  if (op !== V128_STORE || value < 0) return { ok: false, reason: `${opName(op)} is not a full v128 store` };
  const seen: LaneType[] = [];
  lanesOf(f, value, seen);
  if (seen.length > 1) return { ok: false, reason: `mixes lane shapes (${seen.join(', ')})` };
  const lane: LaneType = seen[0] ?? 'i32';
  try {
    check(f, bytes, body, value, lane);
  } catch (error) {
    if (error instanceof LiftRefusal) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, lane };
}
