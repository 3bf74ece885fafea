/**
 * Idle threads of a barrier phase, for the WebAssembly backend (compile-wasm.ts). In a phase whose
 * waiting threads all resume at one entry, a thread may only compute block-uniform values, test
 * `%tid.x` against a block-uniform bound and, on one side of that test, go straight back to the
 * barrier (reduce_block's `if (t < stride)`: most threads of most phases) or straight to its
 * exit. Waiting, such a thread changes nothing another thread or a later phase can see but its
 * uniform registers, its resume word (unchanged when it waits where it resumed) and the phase's
 * `seen` bit: its per-thread registers go back to their slots unchanged; exiting, only its resume
 * word. So the phase can compute that prefix once, run only the threads in the bound's range and
 * do the idle ones' part once for all of them.
 *
 * This file finds the prefix: a small tree of the uniform instructions and uniform branches from
 * the entry, whose leaves are such a test (`split`) or anything else (`none`: every thread runs).
 */
import type { Instruction, Operand } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { NO_OPS, type BasicBlock } from './ptx-types.js';
import { PURE, uniformOperand, type UniformContext } from './uniform.js';

export interface IdleNode {
  /** Pure instructions of uniform inputs, in order (they set only registers no thread reads here). */
  instrs: Instruction[];
  end: IdleEnd;
}

export type IdleEnd =
  | { kind: 'none' }
  | { kind: 'branch'; guard: { name: string; negate: boolean }; taken: IdleNode; fall: IdleNode }
  /**
   * The threads that run are those with lo <= %tid.x < hi, each `bound + offset` (the bound read
   * as a signed or unsigned 32-bit number), lo 0 and hi %ntid.x where undefined; the others are
   * idle. An idle thread either waits at a barrier (`resume`: the block it resumes at;
   * `uniformSaves`: the uniform registers the barrier carries) or exits (`resume` -1).
   */
  | {
      kind: 'split';
      bound: Operand;
      signed: boolean;
      lo?: 0 | 1;
      hi?: 0 | 1;
      resume: number;
      uniformSaves: string[];
      /**
       * Per-thread registers the barrier saves that the prefix changed, with the value every idle
       * thread has: the split's own predicate (a constant: nvcc reuses `%p6 = t > 127` in a later
       * reduction), or a register the prefix computed from uniform inputs (`value` undefined: its
       * local after the prefix). The idle part writes them into each idle thread's slots.
       */
      idleSlots: { name: string; value?: 0 | 1 }[];
    };

export interface IdleContext extends UniformContext {
  blocks: BasicBlock[];
  labelOf: Map<string, number>;
  /** The registers saved at a barrier resuming at `block`, by how they are carried. */
  saved(block: number): { uniform: string[]; perThread: string[] };
}

/** How many blocks the prefix may cross (its tree doubles at each uniform branch). */
const MAX_NODES = 16;

const NEGATE: Record<string, string> = { lt: 'ge', le: 'gt', gt: 'le', ge: 'lt', eq: 'ne', ne: 'eq' };
const SWAP: Record<string, string> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };
/** The threads that run when idle ones are those with %tid.x CMP bound (none for eq: two ranges). */
const RUN: Record<string, { lo?: 0 | 1; hi?: 0 | 1 }> = { ge: { hi: 0 }, gt: { hi: 1 }, lt: { lo: 0 }, le: { lo: 1 }, ne: { lo: 0, hi: 1 } };
const UNSIGNED: Record<string, string> = { lo: 'lt', ls: 'le', hi: 'gt', hs: 'ge' };

interface State {
  /** Registers whose value every thread has here, computed by the emitted instructions. */
  known: Set<string>;
  /** Registers holding %tid.x (a `mov r, %tid.x` on this path). */
  tid: Set<string>;
  /** Registers defined on this path (a per-thread one changed here must be saved per thread). */
  defined: Set<string>;
}

/**
 * The prefix of the phase starting at `entry` (a block), given the uniform registers restored
 * there and the instructions recomputing its rematerialised registers; undefined when no leaf
 * splits.
 */
export function idlePrefix(entry: number, restoredUniform: string[], recompute: Instruction[], ctx: IdleContext): IdleNode | undefined {
  let nodes = 0;
  let splits = 0;
  const { blocks, labelOf } = ctx;
  const inputOk = (known: Set<string>, o: Operand): boolean => uniformOperand(o, known, ctx);
  const isTid = (st: State, o: Operand | undefined): boolean => o?.kind === 'reg' && (o.name === '%tid.x' || st.tid.has(o.name));
  const none = (instrs: Instruction[]): IdleNode => ({ instrs, end: { kind: 'none' } });

  const walk = (b: number, st: State, lead: Instruction[]): IdleNode => {
    const instrs: Instruction[] = [];
    if (++nodes > MAX_NODES || b >= blocks.length) return none(instrs);
    const block = blocks[b]!;
    if (block.resume && b !== entry) return none(instrs);
    for (const ins of [...lead, ...block.instrs]) {
      const op = ins.parts[0]!;
      if (NO_OPS.has(op)) continue;
      // anything with an effect (memory, a guarded write) makes every thread run from here
      if (ins.guard || !PURE.has(op) || (op === 'ld' && !ins.parts.includes('param'))) return none(instrs);
      const ok = ins.operands.slice(1).every((o) => inputOk(st.known, o));
      const defs = useDef(ins).defs;
      const o = ins.operands;
      const tidMove = op === 'mov' && defs.length === 1 && o[0]?.kind === 'reg' && o[1]?.kind === 'reg' && o[1].name === '%tid.x';
      for (const d of defs) {
        st.defined.add(d);
        st.tid.delete(d);
        if (ok) st.known.add(d);
        else st.known.delete(d);
      }
      if (tidMove) st.tid.add(defs[0]!);
      if (ok) instrs.push(ins);
    }
    const t = block.term;
    const then = (next: IdleNode): IdleNode => ({ instrs: [...instrs, ...next.instrs], end: next.end });
    if (!t) return then(walk(b + 1, st, []));
    if (t.kind !== 'bra') return none(instrs);
    const j = labelOf.get(t.target);
    if (j === undefined || j === b) return none(instrs);
    if (!t.guard) return then(walk(j, st, []));
    if (st.known.has(t.guard.name)) {
      const copy = (): State => ({ known: new Set(st.known), tid: new Set(st.tid), defined: new Set(st.defined) });
      return { instrs, end: { kind: 'branch', guard: t.guard, taken: walk(j, copy(), []), fall: walk(b + 1, copy(), []) } };
    }
    return { instrs, end: tidTest(b, j, t.guard, st) };
  };
  /** `@p bra` on p = (%tid.x CMP uniform), one side going straight back to this entry's barrier. */
  const tidTest = (b: number, j: number, guard: { name: string; negate: boolean }, st: State): IdleEnd => {
    const block = blocks[b]!;
    let s = block.instrs[block.instrs.length - 1];
    const own = s && !s.guard && s.parts[0] === 'setp' && s.operands[0]?.kind === 'reg' && s.operands[0].name === guard.name;
    // a predicate restored at this entry that holds (%tid.x CMP constant) in every thread
    if (!own && !st.defined.has(guard.name)) s = tidPredicate(blocks, labelOf, guard.name, entry);
    if (!s || s.guard || s.parts[0] !== 'setp' || s.parts.length !== 3 || s.operands.length !== 3) return { kind: 'none' };
    const [dst, x, y] = s.operands;
    if (dst?.kind !== 'reg' || dst.name !== guard.name) return { kind: 'none' };
    const type = s.parts[2]!;
    let cmp = UNSIGNED[s.parts[1]!] ?? s.parts[1]!;
    if (!(type === 'u32' || type === 's32' || (type === 'b32' && (cmp === 'eq' || cmp === 'ne')))) return { kind: 'none' };
    const signed = type === 's32' && !(s.parts[1]! in UNSIGNED);
    if (!(cmp in NEGATE)) return { kind: 'none' };
    let bound: Operand;
    if (isTid(st, x) && inputOk(st.known, y!)) bound = y!;
    else if (isTid(st, y) && inputOk(st.known, x!)) {
      bound = x!;
      cmp = SWAP[cmp]!;
    } else return { kind: 'none' };
    // the bound register must not be the setp's own destination (read after it, it is the predicate)
    if (bound.kind === 'reg' && bound.name === dst.name) return { kind: 'none' };
    // an idle side: straight to a barrier (the block it resumes at) or to the thread's exit (-1)
    const idleSide = (k: number): number | undefined => {
      const x = blocks[k];
      if (x === undefined || x.instrs.length > 0) return undefined;
      if (x.term?.kind === 'yield') return x.term.resume;
      return x.term?.kind === 'ret' ? -1 : undefined;
    };
    // taken when p != negate
    let idleWhen: string;
    let side = idleSide(j);
    if (side !== undefined) idleWhen = guard.negate ? NEGATE[cmp]! : cmp;
    else if ((side = idleSide(b + 1)) !== undefined) idleWhen = guard.negate ? cmp : NEGATE[cmp]!;
    else return { kind: 'none' };
    const run = RUN[idleWhen];
    if (!run) return { kind: 'none' };
    if (side === -1) {
      splits++;
      return { kind: 'split', bound, signed, ...run, resume: -1, uniformSaves: [], idleSlots: [] };
    }
    // the barrier saves the idle thread's registers: uniform ones as computed here; per-thread ones
    // must be in their slots already, restored at this entry and not changed since
    const { uniform, perThread } = ctx.saved(side);
    const restored = new Set(ctx.saved(entry).perThread);
    // idle threads took the branch when p != negate, so their p is !negate; else negate
    const idleP: 0 | 1 = idleSide(j) !== undefined ? (guard.negate ? 0 : 1) : guard.negate ? 1 : 0;
    const idleSlots: { name: string; value?: 0 | 1 }[] = [];
    for (const r of perThread) {
      if (!st.defined.has(r)) {
        if (!restored.has(r)) return { kind: 'none' };
      } else if (r === guard.name) idleSlots.push({ name: r, value: idleP });
      else if (st.known.has(r)) idleSlots.push({ name: r });
      else return { kind: 'none' };
    }
    if (!blocks[entry]!.resume || !uniform.every((r) => st.known.has(r))) return { kind: 'none' };
    splits++;
    return { kind: 'split', bound, signed, ...run, resume: side, uniformSaves: uniform, idleSlots };
  };

  const known = new Set(restoredUniform);
  const root = walk(entry, { known, tid: tidCopies(blocks, labelOf, entry), defined: new Set() }, recompute);
  return splits > 0 ? root : undefined;
}

const TID_COPIES = new WeakMap<BasicBlock[], Map<string, Set<number>>>();

/**
 * Registers that hold %tid.x at the start of block `entry`: the first block's last definition of
 * the register is an unguarded 32-bit `mov r, %tid.x` (every thread runs that block first), and no
 * block whose last definition of it is anything else reaches `entry` (branches and barriers
 * followed). nvcc keeps the thread index in one register across barriers (softmax's and layer
 * norm's unrolled reductions test `%r73 > 127` after each barrier, not a fresh `mov`, and reuse
 * the register as a loop counter only after the last one); without this, those phases ran every
 * thread.
 */
function tidCopies(blocks: BasicBlock[], labelOf: Map<string, number>, entry: number): Set<string> {
  let plan = TID_COPIES.get(blocks);
  if (!plan) {
    plan = new Map();
    // per block, each register's last definition there: a tid move or not
    const last = blocks.map((block) => {
      const m = new Map<string, boolean>();
      for (const ins of block.instrs) {
        const defs = useDef(ins).defs;
        const o = ins.operands;
        const t = ins.parts[ins.parts.length - 1];
        const isMove = ins.parts[0] === 'mov' && !ins.guard && defs.length === 1 && (t === 'u32' || t === 's32' || t === 'b32') && o[0]?.kind === 'reg' && o[1]?.kind === 'reg' && o[1].name === '%tid.x';
        for (const d of defs) m.set(d, isMove);
      }
      return m;
    });
    const successors = (b: number): number[] => {
      const t = blocks[b]!.term;
      if (!t) return [b + 1];
      if (t.kind === 'ret') return [];
      if (t.kind === 'yield') return [t.resume];
      const j = labelOf.get(t.target);
      const out = j === undefined ? [] : [j];
      if (t.guard) out.push(b + 1);
      return out;
    };
    for (const [r, isMove] of last[0] ?? []) {
      if (!isMove) continue;
      // the blocks a value of r other than %tid.x can reach
      const tainted = new Set<number>();
      const stack: number[] = [];
      last.forEach((m, b) => {
        if (m.get(r) === false) stack.push(...successors(b));
      });
      while (stack.length > 0) {
        const b = stack.pop()!;
        if (b >= blocks.length || tainted.has(b)) continue;
        tainted.add(b);
        // a block that ends with r = %tid.x does not pass it on
        if (last[b]!.get(r) !== true) stack.push(...successors(b));
      }
      plan.set(r, tainted);
    }
    TID_COPIES.set(blocks, plan);
  }
  return new Set([...plan].filter(([, tainted]) => !tainted.has(entry)).map(([r]) => r));
}

/**
 * For a predicate `p` read at block `entry` without being set on the way: its one definition in
 * the kernel, `setp.CMP.T p, r, k` with r holding %tid.x there (tidCopies) and k an integer
 * constant, as a setp on %tid.x itself, when that definition's block dominates `entry` (every
 * thread reaching `entry` set p so, and nothing else sets it). nvcc's softmax and layer norm set
 * `%p6 = %r73 > 127` in their first reduction and branch on it again in the second.
 */
function tidPredicate(blocks: BasicBlock[], labelOf: Map<string, number>, p: string, entry: number): Instruction | undefined {
  let at: { block: number; index: number; ins: Instruction } | undefined;
  for (let b = 0; b < blocks.length; b++) {
    const instrs = blocks[b]!.instrs;
    for (let i = 0; i < instrs.length; i++) {
      if (!useDef(instrs[i]!).defs.includes(p)) continue;
      if (at) return undefined;
      at = { block: b, index: i, ins: instrs[i]! };
    }
  }
  if (!at) return undefined;
  const { ins } = at;
  const [, x, y] = ins.operands;
  if (ins.guard || ins.parts[0] !== 'setp' || ins.parts.length !== 3 || x?.kind !== 'reg' || y?.kind !== 'int') return undefined;
  // x holds %tid.x at the setp: at its block's start, and not redefined before it there
  if (!tidCopies(blocks, labelOf, at.block).has(x.name)) return undefined;
  for (let i = 0; i < at.index; i++) if (useDef(blocks[at.block]!.instrs[i]!).defs.includes(x.name)) return undefined;
  if (!dominates(blocks, labelOf, at.block, entry)) return undefined;
  return { ...ins, operands: [ins.operands[0]!, { kind: 'reg', name: '%tid.x' }, y] };
}

/** Whether every path from the kernel's start to block `b` passes through block `d` (d ≠ b). */
function dominates(blocks: BasicBlock[], labelOf: Map<string, number>, d: number, b: number): boolean {
  if (d === b) return false;
  // b is dominated by d iff b cannot be reached from block 0 without passing through d
  const seen = new Set<number>([d]);
  const stack = [0];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (k >= blocks.length || seen.has(k)) continue;
    if (k === b) return false;
    seen.add(k);
    const t = blocks[k]!.term;
    if (!t) stack.push(k + 1);
    else if (t.kind === 'yield') stack.push(t.resume);
    else if (t.kind === 'bra') {
      const j = labelOf.get(t.target);
      if (j === undefined) return false;
      stack.push(j);
      if (t.guard) stack.push(k + 1);
    }
  }
  return true;
}
