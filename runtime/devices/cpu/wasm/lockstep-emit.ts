/**
 * Emits a block's threads in lock-step through its grid-stride loop (lockstep-loop.ts says when
 * and why the order gives the JavaScript backend's results):
 *
 * 1. Park pass: every thread runs the code before the loop (no memory effect, no fault) and, at the
 *    loop's entry, proves its whole loop's accesses in one window (the once-per-loop check), checks
 *    the block-uniform registers against the first thread's and that the first i of all threads so
 *    far span less than the step, saves the registers the loop carries into slot `parked` (thread
 *    order) and stops.
 *    Any failed check ends the pass at once.
 * 2. When every check held and the stores' address ranges meet no other expression's: rounds. Each
 *    runs one iteration of every parked thread, in thread order, from its slot; a thread whose
 *    loop goes on is written back compacted (slot w ≤ k), one that leaves it is done (the code
 *    after the loop has no effect). Until no thread is left.
 * 3. Otherwise the block runs as before (`fallback`: the checked thread loop, the same faults).
 */
import type { Instruction } from '../ast.js';
import { ModuleDataEmitter } from './emit-module-data.js';
import { Bytes, OP, type FuncSpec, type ValType } from './encoder.js';
import { LOAD_OF, STORE_OF, valType } from './ptx-types.js';
import type { LockstepPlan } from './lockstep-loop.js';
import type { SelfLoopPlan } from './self-loop-checks.js';

export abstract class LockstepEmitter extends ModuleDataEmitter {
  /** The kernel's lock-step plan (lockstep-loop.ts), when it has one. */
  protected lockstep: LockstepPlan | undefined;

  /** While the park pass is emitted: the loop block's code is `parkAtLoop` instead (the compiler's emitBlock asks). */
  protected parking = false;

  /** Locals of the emitted lock-step code (allocated once per kernel). */
  /** i0: the least first i of the parked threads, top the greatest; max: the greatest i any of their loops runs with. */
  private ls?: { ok: number; parked: number; w: number; k: number; sp: number; i0: number; top: number; max: number; step: number; copies: Map<string, number> };

  /** The global counting blocks run in lock-step since `lockstepBlocks` last read it. */
  protected lockstepGlobal = -1;

  /** The exported `lockstepBlocks`: returns the count and zeroes it (tests and stats see which path ran). */
  protected lockstepCountFunction(): FuncSpec {
    const body = new Bytes();
    body.byte(OP.global_get).u32(this.lockstepGlobal);
    body.byte(OP.i32_const).s32(0).byte(OP.global_set).u32(this.lockstepGlobal);
    return { type: { params: [], results: ['i32'] }, locals: [], body, exportName: 'lockstepBlocks' };
  }

  protected abstract threadLoop(body: () => void): void;

  /** Pushes whether this thread's whole loop `plan` passes the once-per-loop check (self-loop-checks.ts). */
  protected abstract selfLoopEntry(plan: SelfLoopPlan): void;

  private slotStrideOfLockstep(): number {
    return 8 * (this.lockstep?.variant.length ?? 0);
  }

  /** Bytes of slots per thread the lock-step rounds need (the launch gives each thread of the block as many). */
  protected lockstepSlotBytes(): number {
    return this.slotStrideOfLockstep();
  }

  /** One block: the park pass, then the rounds, or `fallback` when a check failed. */
  protected lockstepBlock(body: () => void, fallback: () => void): void {
    const plan = this.lockstep!;
    const i32 = (): number => this.localFor('i32'), i64 = (): number => this.localFor('i64');
    this.ls ??= {
      ok: i32(), parked: i32(), w: i32(), k: i32(), sp: i32(), i0: i64(), top: i64(), max: i64(), step: i64(),
      copies: new Map(plan.invariant.map((r) => [r, this.localFor(valType(this.regs.get(r)!.cls))])),
    };
    const { ok, parked } = this.ls;
    this.i32(0);
    this.set(ok);
    this.i32(0);
    this.set(parked);
    this.open(OP.block, 'park_fail');
    this.parking = true;
    this.threadLoop(body);
    this.parking = false;
    this.disjointRanges();
    this.i32(1);
    this.set(ok);
    this.close();
    this.forgetAll();
    this.get(ok);
    this.open(OP.if, 'lockstep');
    this.rounds();
    this.c.byte(OP.else);
    fallback();
    this.close();
  }

  /** Extends an i32 operand to i64 as the loop's test compares it (signed or not). */
  private read64(o: SelfLoopPlan['step'], signed: boolean, into: number): void {
    this.read(o, 'i32');
    this.op(signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
    this.set(into);
  }

  /** Pushes the bits of register `name` (or of its copy) as an integer, so NaNs compare by their bits. */
  private bitsOf(local: number, t: ValType): void {
    this.get(local);
    if (t === 'f32') this.op(OP.i32_reinterpret_f32);
    if (t === 'f64') this.op(OP.i64_reinterpret_f64);
  }

  /** The park pass's code at the loop's entry (the thread's turn ends here). */
  protected parkAtLoop(): void {
    const plan = this.lockstep!;
    const { parked, sp, i0, top, max, step, copies } = this.ls!;
    const { loop } = plan;
    const ti = this.tmp('i64', 0), tm = this.tmp('i64', 1);
    this.forgetAll();
    this.selfLoopEntry(loop);
    this.op(OP.i32_eqz);
    this.br('park_fail', true);
    this.read64({ kind: 'reg', name: loop.i } as SelfLoopPlan['step'], loop.signed, ti);
    this.read64(loop.step, loop.signed, step);
    // the largest i this thread's loop runs with: max(i0, bound - 1)
    this.read64(loop.bound, loop.signed, tm);
    this.get(tm);
    this.i64(1n);
    this.op(OP.i64_sub);
    this.set(tm);
    this.get(tm);
    this.get(ti);
    this.get(tm);
    this.get(ti);
    this.op(OP.i64_gt_s);
    this.op(OP.select);
    this.set(tm);
    this.get(parked);
    this.open(OP.if, 'not_first');
    // the same block-uniform registers as the first parked thread
    for (const [name, copy] of copies) {
      const r = this.regs.get(name)!;
      const t = valType(r.cls);
      this.bitsOf(r.local, t);
      this.bitsOf(copy, t);
      this.op(t === 'i64' || t === 'f64' ? OP.i64_ne : OP.i32_ne);
      this.br('park_fail', true);
    }
    // every thread's first i within less than one step of every other's: two threads run the
    // same i only when they run the same sequence of i (the step and bound are uniform), in the same rounds
    this.minMax(ti, i0, OP.i64_lt_s);
    this.minMax(ti, top, OP.i64_gt_s);
    this.get(top);
    this.get(i0);
    this.op(OP.i64_sub);
    this.get(step);
    this.op(OP.i64_ge_s);
    this.br('park_fail', true);
    this.minMax(tm, max, OP.i64_gt_s);
    this.c.byte(OP.else);
    for (const [name, copy] of copies) {
      this.get(this.regs.get(name)!.local);
      this.set(copy);
    }
    this.get(ti);
    this.set(i0);
    this.get(ti);
    this.set(top);
    this.get(tm);
    this.set(max);
    this.close();
    this.slotAt(parked, sp);
    plan.variant.forEach((name, s) => {
      const r = this.regs.get(name)!;
      this.get(sp);
      this.get(r.local);
      this.c.byte(STORE_OF[valType(r.cls)]).u32(0).u32(8 * s);
    });
    this.inc(parked);
    this.br('next');
  }

  /** into = (value cmp into) ? value : into. */
  private minMax(value: number, into: number, cmp: number): void {
    this.get(value);
    this.get(into);
    this.get(value);
    this.get(into);
    this.op(cmp);
    this.op(OP.select);
    this.set(into);
  }

  /** sp = slotBase + index · stride. */
  private slotAt(index: number, sp: number): void {
    this.get(this.P.slotBase);
    this.get(index);
    this.i32(this.slotStrideOfLockstep());
    this.op(OP.i32_mul);
    this.op(OP.i32_add);
    this.set(sp);
  }

  /**
   * After the park pass: a store's bytes over all iterations of all threads must not meet another
   * address expression's (a range per site: inv + k·i + offset for i from the first i0 to the
   * largest i, + size); else the block falls back. Same-expression pairs need no check: distinct i.
   */
  private disjointRanges(): void {
    const plan = this.lockstep!;
    if (plan.disjoint.length === 0) return;
    const { i0, max, copies, parked } = this.ls!;
    const lo = this.tmp('i64', 0), hi = this.tmp('i64', 1);
    // no thread reached the loop: nothing runs, nothing to check
    this.get(parked);
    this.open(OP.if, 'any_parked');
    const rangeOf = (s: number, at: number, size: number): void => {
      const site = plan.loop.sites[s]!;
      this.get(copies.get(site.inv)!);
      this.i64(site.k);
      this.get(at);
      this.op(OP.i64_mul);
      this.op(OP.i64_add);
      this.i64(BigInt(site.offset + size));
      this.op(OP.i64_add);
    };
    for (const [a, b] of plan.disjoint) {
      // overlap when lo(a) < hi(b) and lo(b) < hi(a)
      const sa = plan.loop.sites[a]!.size, sb = plan.loop.sites[b]!.size;
      rangeOf(a, i0, 0);
      this.set(lo);
      rangeOf(b, max, sb);
      this.set(hi);
      this.get(lo);
      this.get(hi);
      this.op(OP.i64_lt_u);
      rangeOf(b, i0, 0);
      this.set(lo);
      rangeOf(a, max, sa);
      this.set(hi);
      this.get(lo);
      this.get(hi);
      this.op(OP.i64_lt_u);
      this.op(OP.i32_and);
      this.br('park_fail', true);
    }
    this.close();
  }

  /** The rounds: one iteration of every parked thread per round, in thread order, until none is left. */
  private rounds(): void {
    const plan = this.lockstep!;
    const { parked, w, k, sp, copies } = this.ls!;
    const block = this.cfgBlocks()[plan.block]!;
    const term = block.term as { kind: 'bra'; guard: { name: string; negate: boolean } };
    for (const [name, copy] of copies) {
      this.get(copy);
      this.set(this.regs.get(name)!.local);
    }
    this.c.byte(OP.global_get).u32(this.lockstepGlobal);
    this.i32(1);
    this.op(OP.i32_add);
    this.c.byte(OP.global_set).u32(this.lockstepGlobal);
    this.open(OP.block, 'rounds_done');
    this.open(OP.loop, 'round');
    this.get(parked);
    this.op(OP.i32_eqz);
    this.br('rounds_done', true);
    this.i32(0);
    this.set(w);
    this.i32(0);
    this.set(k);
    this.open(OP.block, 'iter_done');
    this.open(OP.loop, 'iter');
    this.get(k);
    this.get(parked);
    this.op(OP.i32_ge_u);
    this.br('iter_done', true);
    this.slotAt(k, sp);
    plan.variant.forEach((name, s) => {
      const r = this.regs.get(name)!;
      this.get(sp);
      this.c.byte(LOAD_OF[valType(r.cls)]).u32(0).u32(8 * s);
      this.set(r.local);
    });
    this.forgetAll();
    const outer = this.blockChecked;
    this.blockChecked = new Set<Instruction>(plan.loop.sites.map((s) => s.ins));
    for (const ins of block.instrs) this.instruction(ins);
    this.blockChecked = outer;
    this.readPred(term.guard.name, term.guard.negate);
    this.open(OP.if, 'goes_on');
    this.slotAt(w, sp);
    plan.variant.forEach((name, s) => {
      const r = this.regs.get(name)!;
      this.get(sp);
      this.get(r.local);
      this.c.byte(STORE_OF[valType(r.cls)]).u32(0).u32(8 * s);
    });
    this.inc(w);
    this.close();
    this.inc(k);
    this.br('iter');
    this.close();
    this.close();
    this.get(w);
    this.set(parked);
    this.br('round');
    this.close();
    this.close();
  }

  /** The kernel's basic blocks (compile-wasm.ts). */
  protected abstract cfgBlocks(): { instrs: Instruction[]; term?: unknown }[];
}
