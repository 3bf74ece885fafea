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
    for (const ins of bb.instrs) {
      const op = ins.parts[0]!;
      if (!EFFECTS.has(op) || planned.has(ins)) continue;
      if (op === 'ld' && ins.parts[1] === 'param' && ins.operands[1]?.kind === 'addr' && ins.operands[1].base !== undefined && isKernelParam(ins.operands[1].base)) continue;
      return undefined;
    }
    if (b === loopBlock) {
      for (const ins of bb.instrs) {
        // a carry flag would flow from one thread's iteration into the next thread's
        if (carryIn(ins) || carryOut(ins)) return undefined;
        for (const u of useDef(ins).uses) if (PER_THREAD_SPECIAL.test(u)) return undefined;
      }
    }
  }
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
  return { block: loopBlock, loop, variant, invariant, disjoint };
}
