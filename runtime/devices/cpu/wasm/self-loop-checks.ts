/**
 * Global accesses in a self-loop (a block branching to itself) that can be checked once as the
 * loop is entered instead of once per iteration. Only one exact shape: an induction register i
 * written once in the loop by `add.{s,u}32 i, i, step` (step not written in the loop), the exit
 * test `setp.lt.{s,u}32 p, i, bound` after it (bound not written in the loop) guarding the branch
 * back, and the address `add.s64 a, inv, e` (inv not written in the loop) of
 * `e = cvt.s64.s32 i` / `mul.wide.s32 i, k` (the .u forms with an unsigned test), each written
 * once, before the access, which comes before the increment.
 *
 * As the loop is entered the compiler proves, at run time, step > 0 and max(i0, bound - 1) + step
 * within the test's range (so i never wraps and runs through i0 < i0 + step < ... <= max), then
 * that A(i0) and A(max) lie in one window, A(i0) aligned (k a multiple of the size): every
 * iteration's address lies between them. Then the loop runs a copy without those checks;
 * otherwise the checked copy (same faults as ever).
 */
import type { Instruction, Operand } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { LOADS, type BasicBlock } from './ptx-types.js';

export interface SelfLoopSite {
  ins: Instruction;
  /** The loop-invariant 64-bit register the address adds to k·ext(i). */
  inv: string;
  k: bigint;
  offset: number;
  size: number;
}

export interface SelfLoopPlan {
  i: string;
  step: Operand;
  bound: Operand;
  signed: boolean;
  sites: SelfLoopSite[];
}

/** k limit: k·(max - i0) stays below 2^63. */
const K_LIMIT = 1n << 31n;

export function selfLoopPlan(block: BasicBlock): SelfLoopPlan | undefined {
  const t = block.term;
  if (t?.kind !== 'bra' || !t.guard || t.guard.negate) return undefined;
  const instrs = block.instrs;
  // where each register is written in the loop (by index)
  const writes = new Map<string, number[]>();
  instrs.forEach((ins, at) => {
    for (const d of useDef(ins).defs) writes.set(d, [...(writes.get(d) ?? []), at]);
  });
  const invariant = (o: Operand | undefined): boolean => o !== undefined && (o.kind === 'int' || (o.kind === 'reg' && !writes.has(o.name)));
  /** The one unguarded instruction writing `reg` in the loop, and where. */
  const single = (reg: string): { ins: Instruction; at: number } | undefined => {
    const w = writes.get(reg);
    if (w?.length !== 1) return undefined;
    const ins = instrs[w[0]!]!;
    return ins.guard || useDef(ins).defs.length !== 1 ? undefined : { ins, at: w[0]! };
  };
  const test = single(t.guard.name);
  const tp = test?.ins.parts;
  if (!test || tp?.[0] !== 'setp' || tp.length !== 3 || tp[1] !== 'lt' || (tp[2] !== 's32' && tp[2] !== 'u32')) return undefined;
  const signed = tp[2] === 's32';
  const [, iOp, bound] = test.ins.operands;
  if (iOp?.kind !== 'reg' || !invariant(bound)) return undefined;
  const i = iOp.name;
  const inc = single(i);
  const ip = inc?.ins.parts;
  if (!inc || inc.at > test.at || ip?.[0] !== 'add' || ip.length !== 2 || (ip[1] !== 's32' && ip[1] !== 'u32')) return undefined;
  const [, x, y] = inc.ins.operands;
  const step = x?.kind === 'reg' && x.name === i ? y : y?.kind === 'reg' && y.name === i ? x : undefined;
  if (!invariant(step)) return undefined;
  const sites: SelfLoopSite[] = [];
  instrs.forEach((ins, at) => {
    const p = ins.parts;
    if (at > inc.at || (p[0] !== 'ld' && p[0] !== 'st') || !p.includes('global')) return;
    const addr = p[0] === 'ld' ? ins.operands[1] : ins.operands[0];
    const elem = LOADS[p[p.length - 1]!];
    const vec = p.includes('v2') ? 2 : p.includes('v4') ? 4 : 1;
    if (addr?.kind !== 'addr' || addr.base === undefined || !elem) return;
    const sum = single(addr.base);
    if (!sum || sum.at > at || sum.ins.parts.join('.') !== 'add.s64') return;
    const [, a, b] = sum.ins.operands;
    for (const [e, inv] of [[a, b], [b, a]] as const) {
      if (e?.kind !== 'reg' || inv?.kind !== 'reg' || !invariant(inv)) continue;
      const def = single(e.name);
      const k = def && def.at < sum.at ? extension(def.ins, i, signed) : undefined;
      const size = elem.size * vec;
      if (k === undefined || k <= 0n || k >= K_LIMIT || k % BigInt(size) !== 0n) continue;
      sites.push({ ins, inv: inv.name, k, offset: addr.offset, size });
      return;
    }
  });
  return sites.length > 0 ? { i, step: step!, bound: bound!, signed, sites } : undefined;
}

/** k when `ins` computes ext(i)·k in 64 bits (sign extension for a signed test, zero for unsigned). */
function extension(ins: Instruction, i: string, signed: boolean): bigint | undefined {
  const p = ins.parts.join('.');
  const [, src, imm] = ins.operands;
  if (src?.kind !== 'reg' || src.name !== i) return undefined;
  if (p === (signed ? 'cvt.s64.s32' : 'cvt.u64.u32') && ins.operands.length === 2) return 1n;
  if (p === (signed ? 'mul.wide.s32' : 'mul.wide.u32') && imm?.kind === 'int' && ins.operands.length === 3) return imm.value;
  return undefined;
}
