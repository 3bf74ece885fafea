/**
 * When a lock-step kernel's rounds can span a call's whole block range without slots
 * (lockstep-emit.ts lockstepRange).
 *
 * Per block, each parked thread's carried registers live in a slot, loaded and stored every
 * iteration, and each round touches one block's stretch of memory (1 KB for 256 threads of
 * floats), a whole grid's stride from the last. When the loop carries nothing but its induction
 * register i (no barrier phase), a thread's whole state between iterations is i; if the first i
 * of the parked threads of all the range's blocks are i0, i0 + 1, …, round r is the plain counted
 * walk i = i0 + r·step + j over j: no slot, and the stretch a round touches is the range's.
 *
 * The order of thread-iterations is free there for the reasons the per-block rounds' is
 * (lockstep-loop.ts): every thread passed its once-per-loop check (no access can fault), the
 * registers the loop reads and never writes are the same in every thread of the range, the first
 * i span less than one step (no two threads run the same i) and the stores' address ranges over
 * the whole range meet no other expression's: no thread-iteration reads what another writes.
 * The code outside the loop has no effect, so threads that bypass the loop, wherever they are,
 * change nothing. What the range adds: the loop must not read a special register that differs
 * between blocks (%ctaid, …): the rounds run every block's threads with one set of registers.
 */
import { useDef } from '../compile/liveness.js';
import type { LockstepPlan } from './lockstep-loop.js';
import type { BasicBlock } from './ptx-types.js';

/** Special registers the same in every block of a launch (the loop may read them over a range). */
const GRID_UNIFORM = /^%(ntid|nctaid)\.[xyz]$/;

/** Whether `plan`'s rounds can run over a block range without slots (`isReg` tells registers from special registers and symbols). */
export function lockstepRangeFits(plan: LockstepPlan, blocks: BasicBlock[], isReg: (name: string) => boolean): boolean {
  if (plan.phase || plan.variant.length !== 1 || plan.variant[0] !== plan.loop.i) return false;
  for (const ins of blocks[plan.block]!.instrs) {
    for (const u of useDef(ins).uses) if (u.startsWith('%') && !isReg(u) && !GRID_UNIFORM.test(u)) return false;
  }
  return true;
}
