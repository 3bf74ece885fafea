/**
 * The warp-wide exit after the barrier (warp-emit.ts entryPass, release): in the warp shuffle
 * reduction, warps 1–7 of a block test `warp == 0` right after `__syncthreads()` and exit. When
 * the barrier's resume block is just `setp.cmp %p, %rA, imm; @%p bra EXIT` (EXIT: a block that
 * only returns) and %rA is recomputed after the barrier as `%tid.x >> k` with k >= 5, every lane
 * of a warp computes the same %p whenever %ntid.x is a multiple of 32 (the warp's lanes are then
 * %tid.x = 32m .. 32m + 31 of one row, equal above bit 4). The release pass then evaluates the
 * test once, for the warp's first lane, and — when it says exit — marks every lane exited in one
 * loop (the resume word -1 that each lane's exit writes) instead of running the test lane by lane.
 * %ntid.x is checked at run time; otherwise, or when the test says go on, the lanes run as before.
 */
import type { Instruction } from '../ast.js';
import type { BasicBlock } from './ptx-types.js';

export interface WarpExitTest {
  /** The resume block's comparison (its only instruction). */
  setp: Instruction;
  /** Its register operand, `%tid.x >> k` (recomputed after the barrier). */
  reg: string;
  /** The branch's guard: taken (to the exit) when the predicate, negated or not, holds. */
  guard: { name: string; negate: boolean };
}

/** The barrier resume block `resume`'s exit test when it has the form above; `remat`: the registers recomputed after a barrier, by their one definition. */
export function warpExitTest(blocks: readonly BasicBlock[], labelOf: ReadonlyMap<string, number>, resume: number, remat: ReadonlyMap<string, Instruction>): WarpExitTest | undefined {
  const b = blocks[resume];
  if (!b || b.warp || b.instrs.length !== 1) return undefined;
  const setp = b.instrs[0]!;
  const [d, a, c] = setp.operands;
  if (setp.guard || setp.parts[0] !== 'setp' || setp.parts.length !== 3 || setp.operands.length !== 3) return undefined;
  if (d?.kind !== 'reg' || a?.kind !== 'reg' || c?.kind !== 'int') return undefined;
  const t = b.term;
  if (t?.kind !== 'bra' || t.guard?.name !== d.name) return undefined;
  const exit = blocks[labelOf.get(t.target) ?? -1];
  if (!exit || exit.instrs.length !== 0 || exit.term?.kind !== 'ret' || exit.resume) return undefined;
  if (!highTidBits(a.name, remat)) return undefined;
  return { setp, reg: a.name, guard: t.guard };
}

/** Whether `reg`'s one definition is `shr %tid.x, k` (or of a register moved from %tid.x) with 5 <= k <= 31: equal across a row's aligned 32 lanes. */
function highTidBits(reg: string, remat: ReadonlyMap<string, Instruction>): boolean {
  const def = remat.get(reg);
  if (!def || def.guard || def.parts[0] !== 'shr' || !['u32', 'b32', 's32'].includes(def.parts[1]!) || def.parts.length !== 2) return false;
  const [, x, k] = def.operands;
  if (k?.kind !== 'int' || k.value < 5n || k.value > 31n || x?.kind !== 'reg') return false;
  if (x.name === '%tid.x') return true;
  const mov = remat.get(x.name);
  const src = mov?.parts[0] === 'mov' && !mov.guard && ['u32', 'b32', 's32'].includes(mov.parts[1]!) ? mov.operands[1] : undefined;
  return src?.kind === 'reg' && src.name === '%tid.x';
}
