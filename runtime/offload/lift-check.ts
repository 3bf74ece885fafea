/**
 * The lifter's verdict (`lift.ts`) on the flat node table, without building `Sym` or `Lifted`
 * objects: whether each store's value can be lifted, its lane name, or the lifter's exact reason
 * for refusing. Report-only analysis needs only this; the plan (built on demand) runs the real
 * lifter. The checks run in the lifter's order, so the first refusal is the same.
 */
import { isSimd, localType, PREFIX_SIMD, type DecodedBody } from './instructions.js';
import { K_CONST, K_ENTRY, K_GLOBAL, K_LOAD, K_OP, K_V128CONST, type FlatLoop } from './flat-eval.js';
import { laneNameOf, NOT_INVARIANT, storeRefusal } from './lift.js';
import { opName } from './op-tables.js';
import { simdOpcode } from './simd-opcodes.js';

const V128_LOAD = PREFIX_SIMD * 0x1000 + 0x00;
const V128_STORE = PREFIX_SIMD * 0x1000 + 0x0b;
const CONST_TYPES = ['i32', 'i64', 'f32', 'f64'] as const;

/** Not an Error: rejections are frequent and need no stack trace. */
class LiftRefusal {
  constructor(readonly message: string) {}
}

export type LiftCheck = { ok: true; lane: string } | { ok: false; reason: string };

function argOf(f: FlatLoop, id: number, n: number): number {
  if (n >= (f.nargs[id] as number)) return -1;
  return (n === 0 ? f.arg0[id] : n === 1 ? f.arg1[id] : f.arg2[id]) as number;
}

/** `lift.ts`'s `scalar`. */
function checkScalar(f: FlatLoop, bytes: Uint8Array, body: DecodedBody, id: number, type: string): void {
  if (id < 0) throw new LiftRefusal(NOT_INVARIANT);
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
  if (kind === K_OP && isSimd(f.op[id] as number)) {
    const info = simdOpcode((f.op[id] as number) - PREFIX_SIMD * 0x1000);
    if (info && info.result === type) {
      checkOp(f, bytes, body, id);
      return;
    }
  }
  throw new LiftRefusal(NOT_INVARIANT);
}

/** `lift.ts`'s `op`. */
function checkOp(f: FlatLoop, bytes: Uint8Array, body: DecodedBody, id: number): void {
  const op = f.op[id] as number;
  const info = simdOpcode(op - PREFIX_SIMD * 0x1000);
  if (!info) throw new LiftRefusal(`${opName(op)} is not a SIMD instruction`);
  if (info.refusal !== undefined) throw new LiftRefusal(info.refusal);
  const operands = info.operands;
  for (let n = 0; n < operands.length; n++) {
    const kind = operands[n] as string;
    if (kind === 'v') checkVector(f, bytes, body, argOf(f, id, n));
    else checkScalar(f, bytes, body, argOf(f, id, n), kind);
  }
}

/** `lift.ts`'s `vector`. */
function checkVector(f: FlatLoop, bytes: Uint8Array, body: DecodedBody, id: number): void {
  switch (id < 0 ? -1 : f.kind[id]) {
    case K_LOAD: {
      const op = f.op[id] as number;
      if (op !== V128_LOAD) throw new LiftRefusal(simdOpcode(op - PREFIX_SIMD * 0x1000)?.refusal ?? `${opName(op)} is not a v128 load`);
      const access = f.val[id] as number;
      if (access >= f.accCount || f.accKind[access] !== 0) throw new LiftRefusal('unexpected access');
      return;
    }
    case K_V128CONST:
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
      const info = simdOpcode(op - PREFIX_SIMD * 0x1000);
      if (info && info.refusal === undefined && info.result !== 'v') throw new LiftRefusal(`${info.name} produces a scalar where a vector is needed`);
      checkOp(f, bytes, body, id);
      return;
    }
    default:
      throw new LiftRefusal('a vector operand that is not a load, constant or loop invariant');
  }
}

function storeLaneName(f: FlatLoop, id: number): string {
  let at = id;
  while (at >= 0 && f.kind[at] === K_OP && isSimd(f.op[at] as number)) {
    const found = laneNameOf(simdOpcode((f.op[at] as number) - PREFIX_SIMD * 0x1000)?.name ?? '');
    if (found) return found;
    at = (f.nargs[at] as number) > 0 ? (f.arg0[at] as number) : -1;
  }
  return 'i32';
}

/** The verdict `liftStore` would give for access `store` (a store) of the evaluated loop. */
export function checkLiftStore(f: FlatLoop, store: number, bytes: Uint8Array, body: DecodedBody): LiftCheck {
  const op = f.accOp[store] as number;
  const value = f.accValue[store] as number;
  if (op !== V128_STORE || value < 0) return { ok: false, reason: storeRefusal(op) };
  try {
    checkVector(f, bytes, body, value);
  } catch (error) {
    if (error instanceof LiftRefusal) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, lane: storeLaneName(f, value) };
}
