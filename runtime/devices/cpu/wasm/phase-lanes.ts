/**
 * A barrier phase's running threads 4 at a time in SIMD lanes (compile-wasm.ts `phaseLanesLoop`):
 * the shared-memory reduction tree's step `if (t < k) red[t] += red[t + k]; __syncthreads();`.
 * In such a phase the idle prefix (idle-threads.ts) already leaves only the threads below the
 * bound to run, and each of them runs the same code: the uniform prefix, the split's test (false
 * for it), one block B of shared loads, f32/i32 adds (or max/min) of the loaded values and shared stores, then
 * the barrier. B's other instructions (address arithmetic) are pure. The adds may also be
 * max/min (softmax's max tree), f32 or 32-bit integer (`combineOf`).
 *
 * This file finds that shape; the emitter runs, per group of 4 threads, each thread's own
 * register code (the entry's restore, the path's instructions and B's address arithmetic — the
 * scalar code's, so each lane's addresses are exactly the thread's) and B's loads, adds and stores
 * as v128 operations at lane 0's addresses. Before a group does so a run-time test proves it exact:
 * every site's lane addresses are lane 0's + 4l, in the shared size, aligned (so no scalar check
 * could fault), and each store's 16 bytes either are another site's very bytes (a lane reads or
 * writes only its own word there) or do not meet them. Otherwise the group and the rest of the row
 * run the scalar threads: the fault, if any, is reported by the scalar code as ever.
 */
import type { Instruction, Operand } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { NO_OPS, type BasicBlock } from './ptx-types.js';
import type { IdleNode } from './idle-threads.js';
import { PURE } from './uniform.js';

/** `TENSOR_WASM_PHASE_LANES=0` turns the lanes of barrier phases off for a process (A/B runs, tests). */
export const phaseLanes = { enabled: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TENSOR_WASM_PHASE_LANES !== '0' };

/** B's instructions in order: per-lane register code, or one of the v128 forms. */
export type PhaseLaneItem =
  | { kind: 'lane'; ins: Instruction }
  | { kind: 'ld' | 'st'; ins: Instruction; base: string; offset: number; value: string }
  | { kind: 'combine'; ins: Instruction; dst: string; a: string; b: string; op: CombineOp; float: boolean; signed: boolean };

/** The tree's combine of two loaded values. */
export type CombineOp = 'add' | 'max' | 'min';

/**
 * The v128 forms of a combine, each lane for lane the scalar Wasm code's: f32 `add(.rn).f32`
 * (f32x4.add: IEEE, as f32.add); 32-bit integer add (wraps alike); `max/min.f32` without .ftz or
 * .NaN (f32x4.max/min, whose NaN lanes the emitter replaces by the other operand, as emit-int.ts
 * floatMinMax does; -0 < +0 in both); `max/min.s32/u32` (i32x4.max_s/…, exact).
 */
function combineOf(p: string[]): { op: CombineOp; float: boolean; signed: boolean } | undefined {
  const op = p[0] as CombineOp;
  const t = p[p.length - 1]!;
  if (op === 'add') {
    if ((p.length === 2 || (p.length === 3 && p[1] === 'rn')) && t === 'f32') return { op, float: true, signed: false };
    if (p.length === 2 && (t === 's32' || t === 'u32')) return { op, float: false, signed: t === 's32' };
    return undefined;
  }
  if (p.length !== 2) return undefined;
  if (t === 'f32') return { op, float: true, signed: false };
  if (t === 's32' || t === 'u32') return { op, float: false, signed: t === 's32' };
  return undefined;
}

export interface PhaseLanesPlan {
  /** The path's instructions from the entry to the split's test, as every running thread runs them. */
  path: Instruction[];
  /** B: the running threads' block. */
  items: PhaseLaneItem[];
  /** Registers holding loaded values (one v128 each in a group). */
  values: string[];
  /** The block the barrier after B resumes at. */
  resume: number;
  /** Per-thread registers the barrier saves that the path or B's address code writes: each lane's value to its slot. */
  slotSaves: string[];
  /** The idle prefix's split leaf the running threads reach (the emitted prefix flags it). */
  leaf: IdleNode;
}

export interface PhaseLanesContext {
  blocks: BasicBlock[];
  labelOf: Map<string, number>;
  /** A register's class ('i32', 'f32', 'i64', 'pred', …), undefined for special registers. */
  cls(name: string): string | undefined;
  /** A shared variable. */
  isShared(name: string): boolean;
  /** The registers a barrier resuming at `block` saves, by how they are carried. */
  saved(block: number): { uniform: string[]; perThread: string[] };
}

/** Whether the subtree holds a split leaf (a bound on %tid.x). */
function hasSplit(n: IdleNode): boolean {
  if (n.end.kind === 'split') return true;
  return n.end.kind === 'branch' && (hasSplit(n.end.taken) || hasSplit(n.end.fall));
}

const SHARED_32 = new Set(['f32', 'b32', 'u32', 's32']);

/** The plan for the phase starting at block `entry` with idle prefix `root`, or undefined. */
export function phaseLanesPlan(entry: number, root: IdleNode, ctx: PhaseLanesContext): PhaseLanesPlan | undefined {
  return walk(entry, root, entry, [], ctx, 0);
}

/** Follows the idle prefix's walk (idle-threads.ts walk) from block `b` at `node` to a split leaf whose running side is B. */
function walk(entry: number, node: IdleNode, b: number, prefix: Instruction[], ctx: PhaseLanesContext, depth: number): PhaseLanesPlan | undefined {
  const { blocks, labelOf } = ctx;
  const path = [...prefix];
  for (let steps = 0; ; steps++) {
    const block = blocks[b];
    if (!block || steps > 32 || (block.resume && b !== entry)) return undefined;
    for (const ins of block.instrs) {
      const op = ins.parts[0]!;
      if (NO_OPS.has(op)) continue;
      if (ins.guard || !PURE.has(op) || (op === 'ld' && !ins.parts.includes('param'))) return undefined;
      path.push(ins);
    }
    const t = block.term;
    if (!t) {
      b++;
      continue;
    }
    if (t.kind !== 'bra') return undefined;
    const j = labelOf.get(t.target);
    if (j === undefined || j === b) return undefined;
    if (!t.guard) {
      b = j;
      continue;
    }
    const end = node.end;
    if (end.kind === 'branch') {
      // a uniform branch: the first side whose split fits (the idle prefix sets the flag only in that leaf)
      if (depth > 8) return undefined;
      return (hasSplit(end.taken) ? walk(entry, end.taken, j, path, ctx, depth + 1) : undefined) ?? (hasSplit(end.fall) ? walk(entry, end.fall, b + 1, path, ctx, depth + 1) : undefined);
    }
    if (end.kind !== 'split' || end.resume === -1) return undefined;
    // idle threads branch to j, an empty block ending at the barrier; the running ones fall into
    // B, which falls into j
    const idle = blocks[j]!;
    if (idle.instrs.length > 0 || idle.term?.kind !== 'yield' || idle.term.guard || idle.term.resume !== end.resume || j !== b + 2) return undefined;
    const body = blocks[b + 1]!;
    if (body.resume || body.term) return undefined;
    const plan = bodyItems(body.instrs, ctx);
    if (!plan) return undefined;
    // what the barrier saves: uniform registers (their locals, the same in every lane) and
    // per-thread ones only when restored at the entry and not written since (saving is a no-op)
    const written = new Set([...path, ...body.instrs].flatMap((ins) => useDef(ins).defs));
    const restored = new Set(ctx.saved(entry).perThread);
    // a per-thread register the path or B's address code writes (the split's predicate, a stride
    // nvcc keeps per thread) gets each lane's value in that lane's slot; a loaded value may not
    // outlive the barrier
    const { perThread, uniform } = ctx.saved(end.resume);
    // the uniform ones' globals get the last lane's locals: never a loaded value (kept only in v128)
    if (uniform.some((r) => plan.values.includes(r))) return undefined;
    const slotSaves: string[] = [];
    for (const r of perThread) {
      if (plan.values.includes(r)) return undefined;
      if (written.has(r)) slotSaves.push(r);
      else if (!restored.has(r)) return undefined;
    }
    return { path, ...plan, resume: end.resume, slotSaves, leaf: node };
  }
}

function bodyItems(instrs: Instruction[], ctx: PhaseLanesContext): { items: PhaseLaneItem[]; values: string[] } | undefined {
  const values = new Set<string>();
  const items: PhaseLaneItem[] = [];
  const reg = (o: Operand | undefined): string | undefined => (o?.kind === 'reg' ? o.name : undefined);
  let stores = 0;
  for (const ins of instrs) {
    const p = ins.parts;
    const op = p[0]!;
    if (NO_OPS.has(op)) continue;
    if (ins.guard) return undefined;
    const o = ins.operands;
    if ((op === 'ld' || op === 'st') && p.length === 3 && p[1] === 'shared' && SHARED_32.has(p[2]!)) {
      const addr = o[op === 'ld' ? 1 : 0];
      const value = reg(o[op === 'ld' ? 0 : 1]);
      if (addr?.kind !== 'addr' || addr.base === undefined || ctx.isShared(addr.base) || value === undefined) return undefined;
      const baseCls = ctx.cls(addr.base);
      const cls = ctx.cls(value);
      if ((baseCls !== 'i32' && baseCls !== 'i64') || values.has(addr.base) || (cls !== 'f32' && cls !== 'i32')) return undefined;
      // a load's destination becomes a value; a store's source must be one
      if (op === 'ld') values.add(value);
      else if (!values.has(value)) return undefined;
      if (op === 'st') stores++;
      items.push({ kind: op, ins, base: addr.base, offset: addr.offset, value });
      continue;
    }
    const uses = useDef(ins).uses;
    if ((op === 'add' || op === 'max' || op === 'min') && o.length === 3 && uses.some((u) => values.has(u))) {
      const c = combineOf(p);
      const [d, x, y] = [reg(o[0]), reg(o[1]), reg(o[2])];
      if (!c || !d || !x || !y || !values.has(x) || !values.has(y)) return undefined;
      const dc = c.float ? 'f32' : 'i32';
      if (ctx.cls(d) !== dc || ctx.cls(x) !== dc || ctx.cls(y) !== dc) return undefined;
      values.add(d);
      items.push({ kind: 'combine', ins, dst: d, a: x, b: y, ...c });
      continue;
    }
    // address arithmetic: pure, never reading or writing a loaded value
    if (!PURE.has(op) || (op === 'ld' && !p.includes('param'))) return undefined;
    const ud = useDef(ins);
    if (ud.uses.some((u) => values.has(u)) || ud.defs.some((d) => values.has(d))) return undefined;
    items.push({ kind: 'lane', ins });
  }
  // a value kept past the barrier would be saved per thread: planned away by the caller's check
  if (stores === 0) return undefined;
  return { items, values: [...values] };
}
