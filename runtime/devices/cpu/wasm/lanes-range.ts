/**
 * Range rounds' walk in SIMD lanes: 4 consecutive i of a grid-stride loop at once.
 *
 * Range rounds (lockstep-range.ts) run round r as a plain walk over i = base + j, when every
 * thread of the round goes on. Those thread-iterations are independent by the checks that let the
 * rounds run at all: no access can fault (each thread's once-per-loop check), the registers the
 * loop reads and never writes are the same in every thread, distinct j are distinct i, and the
 * stores' address ranges meet no other expression's — so the order between iterations changes
 * nothing, and 4 of them may run instruction by instruction together, as 4 threads of a lane group
 * do (lanes-emit.ts). In lanes, i is the varying source (lane l holds base + j + l) as %tid.x is
 * for a lane group; an access of the loop is one v128 when its address steps by its own size per
 * i (k == size: the 4 lanes' elements are consecutive), else it runs per lane.
 *
 * The walk takes groups of 4 while 4 threads are left in the round; the rest run the scalar walk.
 */
import type { Instruction, Operand } from '../ast.js';
import type { LockstepPlan } from './lockstep-loop.js';
import { markVarying, REFUSED, type LaneItem, type LanesPlan } from './lanes-plan.js';
import { SPECIAL } from './ptx-types.js';

/** Off with TENSOR_WASM_RANGE_LANES=0 (A/B measurements; tests compare both). */
export const rangeLanes = { enabled: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TENSOR_WASM_RANGE_LANES !== '0' };

function names(o: Operand | undefined, out: Operand[]): void {
  if (!o) return;
  if (o.kind === 'vec') for (const x of o.items) names(x, out);
  else out.push(o);
}

/**
 * The lane plan of a range-rounds loop's body (`instrs`, the self-loop block's instructions; its
 * back branch is not among them), or undefined when an instruction cannot run in a lane group.
 */
export function rangeLanesPlan(instrs: Instruction[], plan: LockstepPlan, isReg: (name: string) => boolean): LanesPlan | undefined {
  const sites = new Set(plan.loop.sites.map((s) => s.ins));
  const items: LaneItem[] = [];
  for (const ins of instrs) {
    const p = ins.parts;
    // (a carry lives outside the registers)
    if (REFUSED.has(p[0]!) || p.includes('cc')) return undefined;
    const ops: Operand[] = [];
    for (const o of ins.operands) names(o, ops);
    for (const o of ops) {
      if (o.kind === 'sym') return undefined;
      if (o.kind === 'reg' && !isReg(o.name) && !SPECIAL.test(o.name)) return undefined;
      if (o.kind === 'addr' && (o.base === undefined || !isReg(o.base))) return undefined;
    }
    // memory: only the loop's planned global sites (proven once per loop, unchecked in the walk)
    if ((p[0] === 'ld' || p[0] === 'st') && !sites.has(ins)) return undefined;
    items.push({ kind: 'ins', ins, varying: false });
  }
  const i = plan.loop.i;
  const varying = markVarying(items, (ins) => {
    const ops: Operand[] = [];
    for (const o of ins.operands) names(o, ops);
    return ops.some((o) => o.kind === 'reg' && o.name === i) || ins.guard?.name === i;
  }, isReg);
  varying.add(i);
  if (!items.some((it) => it.kind === 'ins' && it.varying)) return undefined;
  return { items, varying, lane0: new Set() };
}
