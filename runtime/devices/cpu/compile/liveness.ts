/**
 * Register liveness over the compiled blocks, so a thread stopping at a sync site saves and
 * restores only the registers still needed after it (not the whole register file).
 * Conservative where unsure: anything read counts as a use; guarded writes kill nothing.
 */
import type { Instruction, Operand } from '../ast.js';
import { CC_REG, carryIn, carryOut } from '../carry.js';

const NO_DEST = new Set(['st', 'red', 'bar', 'barrier', 'bra', 'ret', 'exit', 'trap', 'membar', 'fence', 'prefetch', 'prefetchu', 'brkpt', 'nanosleep', 'pmevent', 'griddepcontrol', 'applypriority', 'discard', 'createpolicy', 'call']);

function names(op: Operand | undefined, out: string[]): void {
  if (!op) return;
  switch (op.kind) {
    case 'reg':
    case 'sym':
    case 'not':
      out.push(op.name);
      return;
    case 'addr':
      if (op.base !== undefined) out.push(op.base);
      return;
    case 'vec':
    case 'list':
      for (const i of op.items) names(i, out);
      return;
    case 'pair':
      names(op.first, out);
      names(op.second, out);
      return;
    default:
  }
}

export interface UseDef {
  uses: string[];
  defs: string[];
}

export function useDef(ins: Instruction): UseDef {
  const uses: string[] = [];
  const defs: string[] = [];
  const writes = !NO_DEST.has(ins.parts[0]!) || (ins.parts[0] === 'bar' && ins.parts[1] === 'red');
  ins.operands.forEach((op, i) => {
    if (i === 0 && writes) names(op, defs);
    else names(op, uses);
  });
  if (ins.guard) uses.push(ins.guard.name);
  // the carry flag: read by addc/subc/madc, written by the .cc forms (carry.ts)
  if (carryIn(ins)) uses.push(CC_REG);
  if (carryOut(ins)) defs.push(CC_REG);
  return { uses, defs };
}

export interface LiveBlock {
  /** Per statement, in order: what it reads and writes, and whether the write is certain. */
  steps: { uses: string[]; defs: string[]; kills: boolean }[];
  succ: number[];
}

/** Live-in register sets per block (names filtered by `isReg`). */
export function liveIn(blocks: LiveBlock[], isReg: (n: string) => boolean): Set<string>[] {
  const n = blocks.length;
  const gen: Set<string>[] = [];
  const kill: Set<string>[] = [];
  for (const b of blocks) {
    const g = new Set<string>();
    const k = new Set<string>();
    for (const s of b.steps) {
      for (const u of s.uses) if (isReg(u) && !k.has(u)) g.add(u);
      if (s.kills) for (const d of s.defs) if (isReg(d)) k.add(d);
    }
    gen.push(g);
    kill.push(k);
  }
  const live: Set<string>[] = blocks.map((_, i) => new Set(gen[i]));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      const out = new Set<string>();
      for (const s of blocks[i]!.succ) for (const r of live[s] ?? []) out.add(r);
      for (const r of out) {
        if (!kill[i]!.has(r) && !live[i]!.has(r)) {
          live[i]!.add(r);
          changed = true;
        }
      }
    }
  }
  return live;
}
