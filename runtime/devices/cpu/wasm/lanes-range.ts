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
import { useDef } from '../compile/liveness.js';
import type { LockstepPlan } from './lockstep-loop.js';
import { markVarying, REFUSED, type LaneItem, type LanesPlan } from './lanes-plan.js';
import { SPECIAL } from './ptx-types.js';

/** A lane plan whose lane-0 address registers step by a constant per i: `kx`, in bytes. */
export interface RangeLanesPlan extends LanesPlan {
  kx: Map<string, bigint>;
}

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
export function rangeLanesPlan(instrs: Instruction[], plan: LockstepPlan, isReg: (name: string) => boolean): RangeLanesPlan | undefined {
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
  const lane0 = addressRegisters(items, plan);
  for (const r of lane0.keys()) varying.delete(r);
  for (const it of items) if (it.kind === 'ins' && it.varying && useDef(it.ins).defs.some((d) => lane0.has(d))) it.lane0 = true;
  return { items, varying, lane0: new Set(lane0.keys()), kx: lane0 };
}

/**
 * The loop's address registers kept as lane 0's value only (lanes-plan.ts lane0), with their step
 * per i in bytes: each site's base (inv + k·ext(i), step k) and its k·ext(i) term, when written
 * once, unguarded, and read only as a site's address or in another such register's definition
 * (self-loop-checks.ts proved their form). Lane l's value is lane 0's + l·k.
 */
function addressRegisters(items: LaneItem[], plan: LockstepPlan): Map<string, bigint> {
  const cand = new Map<string, bigint>();
  const defs = new Map<string, Instruction[]>();
  for (const it of items) if (it.kind === 'ins') for (const d of useDef(it.ins).defs) defs.set(d, [...(defs.get(d) ?? []), it.ins]);
  const single = (r: string): Instruction | undefined => {
    const w = defs.get(r);
    return w?.length === 1 && !w[0]!.guard && useDef(w[0]!).defs.length === 1 ? w[0] : undefined;
  };
  const baseOf = new Map<Instruction, string>();
  for (const site of plan.loop.sites) {
    const p = site.ins.parts;
    const addr = p[0] === 'ld' ? site.ins.operands[1] : site.ins.operands[0];
    if (addr?.kind !== 'addr' || addr.base === undefined) continue;
    const def = single(addr.base);
    if (!def || (cand.has(addr.base) && cand.get(addr.base) !== site.k)) continue;
    baseOf.set(site.ins, addr.base);
    cand.set(addr.base, site.k);
    // the k·ext(i) term: the add's operand that is not the invariant one
    for (const o of def.operands.slice(1)) if (o?.kind === 'reg' && o.name !== site.inv && single(o.name) && (!cand.has(o.name) || cand.get(o.name) === site.k)) cand.set(o.name, site.k);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const it of items) {
      if (it.kind !== 'ins') continue;
      const { ins } = it;
      const { uses, defs: written } = useDef(ins);
      // a candidate's own definition may read candidates
      if (written.length === 1 && cand.has(written[0]!) && single(written[0]!) === ins) continue;
      const ops: Operand[] = [];
      for (const o of ins.operands) names(o, ops);
      for (const u of uses) {
        if (!cand.has(u)) continue;
        const asValue = ops.some((o) => o.kind === 'reg' && o.name === u) || ins.guard?.name === u;
        if (baseOf.get(ins) === u && !asValue) continue;
        cand.delete(u);
        changed = true;
      }
    }
  }
  return cand;
}
