/**
 * Which kernels run a block's threads in lock-step through a grid-stride loop (lockstep-emit.ts).
 *
 * Threads run one after another on this device, so a grid-stride loop `for (i = gid; i < n;
 * i += ntid·nctaid) y[i] = …` walks memory with a stride of the whole grid per thread: every
 * access misses the cache. In lock-step, a block runs in rounds instead: each round runs one
 * iteration of every thread still in the loop, in thread order — the order of a GPU's coalesced
 * accesses. That order is the JavaScript backend's (threads one after another) only when nothing
 * a thread does can be seen by another, so it is taken only for this shape, proven in two steps:
 *
 * At compile time (here): a kernel without barriers or warp sites whose one loop is a self-loop
 * with a self-loop-checks.ts plan (an induction register i, every address inv + k·ext(i)), whose
 * memory accesses are all that plan's sites — the code before and after the loop only computes
 * registers (no memory access but kernel parameters, so no effect and no fault) — and whose loop
 * reads no per-thread special register (%tid, %laneid, …).
 *
 * At run time, before a block runs any access (lockstep-emit.ts): every thread runs the code
 * before the loop (no effects) and stops at its entry; the block goes lock-step only when every
 * such thread's loop passes the once-per-loop check (so no access of the loop can fault), the
 * registers the loop reads but never writes are the same in every thread, the threads' first i
 * span less than the step (so two threads' sequences of i are the same — then they touch each
 * address in the same round, in thread order, as one after the other would — or share no i: with k
 * at least the access size, no bytes through one address expression), and the address ranges of
 * any store and any other access through a different expression do not overlap. Otherwise the block runs as before (the checked thread loop), which
 * reports any fault exactly as ever: lock-step changes no memcheck report, and, as no thread
 * reads what another writes, no result.
 */
import type { Instruction } from '../ast.js';
import { carryIn, carryOut } from '../carry.js';
import { useDef } from '../compile/liveness.js';
import type { BasicBlock } from './ptx-types.js';
import { selfLoopPlan, type SelfLoopPlan } from './self-loop-checks.js';

export interface LockstepPlan {
  /** The self-loop block. */
  block: number;
  loop: SelfLoopPlan;
  /** Registers the loop reads before writing them and writes: each parked thread's copy is saved between rounds. */
  variant: string[];
  /** Registers the loop reads and never writes: checked equal in every thread, kept once per block. */
  invariant: string[];
  /** Pairs of site indices (into loop.sites) whose address ranges must not overlap (at least one a store, different expressions). */
  disjoint: [number, number][];
  /**
   * In a barrier phase (the kernel has barriers): the phase's entry, the blocks a thread runs after
   * leaving the loop (in the phase's straight order, the loop's fall-through first) and the
   * registers they need besides `variant` and `invariant` (saved per thread with it).
   */
  phase?: { entry: number; suffix: number[]; through: string[] };
}

/** Instructions that touch memory or stop the thread another way: only the loop's planned sites may. */
const EFFECTS = new Set(['ld', 'ldu', 'st', 'atom', 'red', 'cp', 'prefetch', 'prefetchu', 'trap', 'brkpt', 'call', 'tex', 'tld4', 'suld', 'sust', 'sured', 'mbarrier', 'bar', 'barrier', 'membar', 'fence', 'shfl', 'vote', 'activemask', 'redux', 'match']);

/** Special registers that differ between threads of a block (the loop must not read them: rounds do not track them). */
const PER_THREAD_SPECIAL = /^%(tid|laneid|warpid|lanemask|clock|globaltimer|smid|nsmid)/;

/**
 * The lock-step plan of a barrier-free kernel's blocks, or undefined when it does not qualify.
 * `isReg` tells registers from symbols; `isKernelParam(sym)` whether an `ld.param` reads a
 * kernel parameter (call-site .param variables live in the local frame, which can fault);
 * `fits(plan)` the compiler's own conditions for the once-per-loop check (register widths).
 */
export function lockstepPlan(
  blocks: BasicBlock[],
  labelOf: Map<string, number>,
  isReg: (name: string) => boolean,
  isKernelParam: (sym: string) => boolean,
  fits: (plan: SelfLoopPlan) => boolean,
): LockstepPlan | undefined {
  let loopBlock = -1;
  for (let b = 0; b < blocks.length; b++) {
    const t = blocks[b]!.term;
    if (t?.kind === 'yield' || blocks[b]!.resume) return undefined;
    if (t?.kind !== 'bra') continue;
    const j = labelOf.get(t.target);
    if (j === undefined || j < b) return undefined; // any other loop: its iterations are not rounds
    if (j === b) {
      if (loopBlock >= 0) return undefined;
      loopBlock = b;
    }
  }
  if (loopBlock < 0) return undefined;
  const block = blocks[loopBlock]!;
  const loop = selfLoopPlan(block);
  if (!loop || !fits(loop)) return undefined;
  const planned = new Set<Instruction>(loop.sites.map((s) => s.ins));
  for (const [b, bb] of blocks.entries()) {
    if (!effectFree(bb.instrs, planned, isKernelParam, () => false)) return undefined;
    if (b === loopBlock && !roundSafe(bb.instrs)) return undefined;
  }
  return { block: loopBlock, loop, ...loopRegisters(block, loop, isReg) };
}

/**
 * The lock-step plan of one barrier phase of a kernel with barriers (not warp sites): `order`, the
 * entry's straight-line order (compile-wasm.ts planEntries), holds one self-loop with a plan; its
 * other blocks do nothing but compute registers, stop at a barrier or exit (a thread's own resume
 * word and slots); the loop does its planned accesses and integer `atom`/`red.shared.add` whose
 * result nothing reads (adds commute: any order leaves the same bins). `saved(resume)` is what a
 * barrier's stop saves for its resume block; `dead(reg)` whether no instruction reads `reg`.
 */
export function lockstepPhasePlan(
  blocks: BasicBlock[],
  labelOf: Map<string, number>,
  entry: number,
  order: number[],
  isReg: (name: string) => boolean,
  isKernelParam: (sym: string) => boolean,
  fits: (plan: SelfLoopPlan) => boolean,
  saved: (resume: number) => string[],
  dead: (reg: string) => boolean,
): LockstepPlan | undefined {
  const loops = order.filter((b) => {
    const t = blocks[b]!.term;
    return t?.kind === 'bra' && labelOf.get(t.target) === b;
  });
  if (loops.length !== 1) return undefined;
  const loopBlock = loops[0]!;
  const block = blocks[loopBlock]!;
  const loop = selfLoopPlan(block);
  if (!loop || !fits(loop)) return undefined;
  const planned = new Set<Instruction>(loop.sites.map((s) => s.ins));
  const commutes = (ins: Instruction): boolean => {
    const p = ins.parts;
    if ((p[0] !== 'atom' && p[0] !== 'red') || !p.includes('shared') || !p.includes('add') || !['u32', 's32', 'u64'].includes(p[p.length - 1]!)) return false;
    const d = ins.operands[0];
    return p[0] === 'red' || (d?.kind === 'reg' && dead(d.name)) || d?.kind === 'sink';
  };
  for (const b of order) {
    const bb = blocks[b]!;
    if (bb.warp || (bb.term?.kind === 'yield' && bb.term.form)) return undefined;
    if (!effectFree(bb.instrs, planned, isKernelParam, b === loopBlock ? commutes : () => false)) return undefined;
    if (b === loopBlock && !roundSafe(bb.instrs)) return undefined;
  }
  // the blocks after the loop: reachable from its fall-through within the phase (a topological order keeps it first)
  const reach = new Set<number>();
  const succ = (b: number): number[] => {
    const t = blocks[b]!.term;
    const out: number[] = [];
    if (t?.kind === 'bra') out.push(labelOf.get(t.target)!);
    if ((!t || (t.kind === 'bra' && t.guard)) && b + 1 < blocks.length) out.push(b + 1);
    return out.filter((x) => x !== b);
  };
  const visit = (b: number): void => {
    if (reach.has(b) || !order.includes(b)) return;
    reach.add(b);
    for (const x of succ(b)) visit(x);
  };
  if (loopBlock + 1 >= blocks.length) return undefined;
  visit(loopBlock + 1);
  if (reach.has(loopBlock)) return undefined;
  const suffix = order.filter((b) => reach.has(b));
  if (suffix[0] !== loopBlock + 1) return undefined;
  const regs = loopRegisters(block, loop, isReg);
  // what the suffix reads, and what its barriers save, must hold the thread's own values
  const need = new Set<string>();
  for (const b of suffix) {
    const bb = blocks[b]!;
    for (const ins of bb.instrs) for (const u of useDef(ins).uses) if (isReg(u)) need.add(u);
    const t = bb.term;
    if (t && t.kind !== 'ret' && t.guard) need.add(t.guard.name);
    if (t?.kind === 'yield') for (const r of saved(t.resume)) need.add(r);
  }
  // (a register the loop writes holds its last iteration's value as the thread leaves it)
  const kept = new Set([...regs.variant, ...regs.invariant, ...block.instrs.flatMap((ins) => useDef(ins).defs)]);
  const through = [...need].filter((r) => !kept.has(r)).sort();
  return { block: loopBlock, loop, ...regs, phase: { entry, suffix, through } };
}

/** Whether `instrs` touch no memory but kernel parameters and the `planned` sites (and what `allowed` lets through). */
function effectFree(instrs: Instruction[], planned: Set<Instruction>, isKernelParam: (sym: string) => boolean, allowed: (ins: Instruction) => boolean): boolean {
  for (const ins of instrs) {
    const op = ins.parts[0]!;
    if (!EFFECTS.has(op) || planned.has(ins) || allowed(ins)) continue;
    if (op === 'ld' && ins.parts[1] === 'param' && ins.operands[1]?.kind === 'addr' && ins.operands[1].base !== undefined && isKernelParam(ins.operands[1].base)) continue;
    return false;
  }
  return true;
}

/** Whether the loop's iterations can be interleaved across threads as far as registers go: no carry flag, no per-thread special register. */
function roundSafe(instrs: Instruction[]): boolean {
  for (const ins of instrs) {
    // a carry flag would flow from one thread's iteration into the next thread's
    if (carryIn(ins) || carryOut(ins)) return false;
    for (const u of useDef(ins).uses) if (PER_THREAD_SPECIAL.test(u)) return false;
  }
  return true;
}

/** The loop's carried and invariant registers, and the site pairs whose ranges must not meet. */
function loopRegisters(block: BasicBlock, loop: SelfLoopPlan, isReg: (name: string) => boolean): Pick<LockstepPlan, 'variant' | 'invariant' | 'disjoint'> {
  // the loop's upward-exposed registers (a guarded write kills nothing) and what it writes
  const written = new Set<string>();
  const killed = new Set<string>();
  const exposed = new Set<string>();
  const steps = block.instrs.map((ins) => ({ ...useDef(ins), kills: !ins.guard }));
  const t = block.term as { kind: 'bra'; guard?: { name: string } };
  steps.push({ uses: t.guard ? [t.guard.name] : [], defs: [], kills: false });
  for (const s of steps) {
    for (const u of s.uses) if (isReg(u) && !killed.has(u)) exposed.add(u);
    for (const d of s.defs) {
      if (!isReg(d)) continue;
      written.add(d);
      // a guarded write may leave the old value: it flows in from the previous iteration
      if (!s.kills && !killed.has(d)) exposed.add(d);
      if (s.kills) killed.add(d);
    }
  }
  // (in a phase, a register the loop writes that the suffix reads is carried too: its value is the last iteration's)
  const variant = [...exposed].filter((r) => written.has(r)).sort();
  const invariant = [...exposed].filter((r) => !written.has(r)).sort();
  const isStore = (ins: Instruction): boolean => ins.parts[0] === 'st';
  const same = (a: number, b: number): boolean => {
    const x = loop.sites[a]!, y = loop.sites[b]!;
    return x.inv === y.inv && x.k === y.k && x.offset === y.offset && x.size === y.size;
  };
  const disjoint: [number, number][] = [];
  for (let a = 0; a < loop.sites.length; a++) {
    for (let b = a + 1; b < loop.sites.length; b++) {
      if ((isStore(loop.sites[a]!.ins) || isStore(loop.sites[b]!.ins)) && !same(a, b)) disjoint.push([a, b]);
    }
  }
  return { variant, invariant, disjoint };
}
