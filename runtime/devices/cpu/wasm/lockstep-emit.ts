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
import { WarpEmitter } from './warp-emit.js';
import { Bytes, OP, type FuncSpec, type ValType } from './encoder.js';
import { LOAD_OF, STORE_OF, valType } from './ptx-types.js';
import type { LockstepPlan } from './lockstep-loop.js';
import type { SelfLoopPlan } from './self-loop-checks.js';

/** Thrown when a lock-step loop's code would check a shared access (it could fault out of the JavaScript backend's order): compile again without lock-step. */
export class LockstepRetry extends Error {}

export abstract class LockstepEmitter extends WarpEmitter {
  /** The kernel's lock-step plan (lockstep-loop.ts), when it has one. */
  protected lockstep: LockstepPlan | undefined;

  /** While the park pass is emitted: the loop block's code is `parkAtLoop` instead (the compiler's emitBlock asks). */
  protected parking = false;

  /** Locals of the emitted lock-step code (allocated once per kernel). */
  /** i0: the least first i of the parked threads, top the greatest; max: the greatest i any of their loops runs with. */
  private ls?: { ok: number; parked: number; w: number; k: number; sp: number; i0: number; top: number; max: number; step: number; copies: Map<string, number> };

  /** While the park pass of a block range is emitted (lockstep-range.ts): threads park without slots, their first i consecutive. */
  protected rangeParking = false;

  /** The global counting blocks run in lock-step since `lockstepBlocks` last read it. */
  protected lockstepGlobal = -1;

  /** The exported `lockstepBlocks`: returns the count and zeroes it (tests and stats see which path ran). */
  protected lockstepCountFunction(): FuncSpec {
    return this.countFunction(this.lockstepGlobal, 'lockstepBlocks');
  }

  /** The global counting blocks run by range rounds (lockstepRange), also counted in `lockstepBlocks`. */
  protected lockstepRangeGlobal = -1;

  /** The exported `lockstepRangeBlocks`: returns that count and zeroes it (tests see that the range rounds ran). */
  protected lockstepRangeCountFunction(): FuncSpec {
    return this.countFunction(this.lockstepRangeGlobal, 'lockstepRangeBlocks');
  }

  protected countFunction(global: number, exportName: string): FuncSpec {
    const body = new Bytes();
    body.byte(OP.global_get).u32(global);
    body.byte(OP.i32_const).s32(0).byte(OP.global_set).u32(global);
    return { type: { params: [], results: ['i32'] }, locals: [], body, exportName };
  }

  protected abstract threadLoop(body: () => void): void;

  protected abstract emitStraight(order: number[]): void;

  /** Bytes of one thread's barrier slots (compile-wasm.ts threadLoop's stride); the block's lock-step slots come after all of them. */
  protected abstract lockstepSlotOffset(): number;


  /** Pushes whether this thread's whole loop `plan` passes the once-per-loop check (self-loop-checks.ts). */
  protected abstract selfLoopEntry(plan: SelfLoopPlan): void;

  /** The registers each parked thread keeps in its slot (in a phase also the invariant ones: a failed check runs each thread on its own values). */
  private carried(): string[] {
    const p = this.lockstep;
    if (!p) return [];
    return p.phase ? [...p.variant, ...p.phase.through, ...p.invariant] : p.variant;
  }

  /** In a phase, two more slots: the thread's index and its packed coordinates (tx | ty << 10 | tz << 20). */
  private slotStrideOfLockstep(): number {
    if (!this.lockstep) return 0;
    return 8 * (this.carried().length + (this.lockstep.phase ? 2 : 0));
  }

  /** Bytes of slots per thread the lock-step rounds need (the launch gives each thread of the block as many). */
  protected lockstepSlotBytes(): number {
    return this.slotStrideOfLockstep();
  }

  /** One block: the park pass, then the rounds, or `fallback` when a check failed. */
  protected lockstepBlock(body: () => void, fallback: () => void): void {
    this.lockstepLocals();
    const { ok, parked } = this.ls!;
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

  /**
   * A barrier phase with a lock-step loop (`order`: the phase's straight-line order): the park
   * pass (threads that bypass the loop run on to their barrier or exit, as ever: only their own
   * words change), then the rounds when every check held, else each parked thread's loop and the
   * rest of its phase, thread after thread, from its slot (the checked loop: faults as ever).
   */
  protected lockstepPhase(order: number[]): void {
    const plan = this.lockstep!;
    this.lockstepLocals();
    const { ok, parked, k, sp } = this.ls!;
    this.i32(1);
    this.set(ok);
    this.i32(0);
    this.set(parked);
    this.parking = true;
    this.threadLoop(() => this.emitStraight(order));
    this.parking = false;
    this.get(ok);
    this.open(OP.if, 'ranges');
    this.disjointRanges();
    this.close();
    this.forgetAll();
    this.get(ok);
    this.open(OP.if, 'lockstep');
    this.rounds();
    this.c.byte(OP.else);
    this.i32(0);
    this.set(k);
    this.open(OP.block, 'serial_done');
    this.open(OP.loop, 'serial');
    this.get(k);
    this.get(parked);
    this.op(OP.i32_ge_u);
    this.br('serial_done', true);
    this.open(OP.block, 'next');
    this.slotAt(k, sp);
    this.restoreCarried(sp, true);
    this.forgetAll();
    this.emitStraight([plan.block, ...plan.phase!.suffix]);
    this.close();
    this.inc(k);
    this.br('serial');
    this.close();
    this.close();
    this.close();
  }

  /** Extends an i32 operand to i64 as the loop's test compares it (signed or not). */
  private read64(o: SelfLoopPlan['step'], signed: boolean, into: number): void {
    this.read(o, 'i32');
    this.op(signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
    this.set(into);
  }

  /** Pushes the bits of a local as an integer, so NaNs compare by their bits. */
  private bitsOf(local: number, t: ValType): void {
    this.get(local);
    if (t === 'f32') this.op(OP.i32_reinterpret_f32);
    if (t === 'f64') this.op(OP.i64_reinterpret_f64);
  }

  /**
   * The condition on the stack failed a check: without barriers the pass ends at once (the block
   * runs again from the start, the pass having had no effect); in a phase the thread still parks
   * (threads that bypass the loop have stopped at their barrier already) and the block goes on serially.
   */
  private failIf(): void {
    if (!this.lockstep?.phase) return this.br('park_fail', true);
    this.open(OP.if, 'failed');
    this.i32(0);
    this.set(this.ls!.ok);
    this.close();
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
    this.failIf();
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
      this.failIf();
    }
    // every thread's first i within less than one step of every other's: two threads run the
    // same i only when they run the same sequence of i (the step and bound are uniform), in the same rounds
    if (this.rangeParking) {
      // over a block range the threads keep no slot: their first i must be i0, i0 + 1, … in parking order
      this.get(ti);
      this.get(i0);
      this.get(parked);
      this.op(OP.i64_extend_i32_u);
      this.op(OP.i64_add);
      this.op(OP.i64_ne);
      this.failIf();
    }
    this.minMax(ti, i0, OP.i64_lt_s);
    this.minMax(ti, top, OP.i64_gt_s);
    this.get(top);
    this.get(i0);
    this.op(OP.i64_sub);
    this.get(step);
    this.op(OP.i64_ge_s);
    this.failIf();
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
    if (!this.rangeParking) {
      this.slotAt(parked, sp);
      this.saveCarried(sp);
    }
    if (plan.phase) {
      const { L } = this;
      const n = this.carried().length;
      this.get(sp);
      this.get(L.t);
      this.c.byte(OP.i32_store).u32(2).u32(8 * n);
      this.get(sp);
      this.get(L.tx);
      this.get(L.ty);
      this.i32(10);
      this.op(OP.i32_shl);
      this.op(OP.i32_or);
      this.get(L.tz);
      this.i32(20);
      this.op(OP.i32_shl);
      this.op(OP.i32_or);
      this.c.byte(OP.i32_store).u32(2).u32(8 * n + 8);
    }
    this.inc(parked);
    this.br('next');
  }

  private saveCarried(sp: number, to = this.carried().length): void {
    this.carried().forEach((name, s) => {
      if (s >= to) return;
      const r = this.regs.get(name)!;
      this.get(sp);
      this.get(r.local);
      this.c.byte(STORE_OF[valType(r.cls)]).u32(0).u32(8 * s);
    });
  }

  /** Loads the carried registers (and in a phase the thread's index, coordinates, resume word and barrier slots) from slot `sp`. */
  private restoreCarried(sp: number, context: boolean, from = 0, to = this.carried().length): void {
    this.carried().forEach((name, s) => {
      if (s < from || s >= to) return;
      const r = this.regs.get(name)!;
      this.get(sp);
      this.c.byte(LOAD_OF[valType(r.cls)]).u32(0).u32(8 * s);
      this.set(r.local);
    });
    if (!context || !this.lockstep?.phase) return;
    const { L, P } = this;
    const n = this.carried().length;
    this.get(sp);
    this.c.byte(OP.i32_load).u32(2).u32(8 * n);
    this.set(L.t);
    this.get(sp);
    this.c.byte(OP.i32_load).u32(2).u32(8 * n + 8);
    this.c.byte(OP.local_tee).u32(L.tz);
    this.i32(0x3ff);
    this.op(OP.i32_and);
    this.set(L.tx);
    this.get(L.tz);
    this.i32(10);
    this.op(OP.i32_shr_u);
    this.i32(0x3ff);
    this.op(OP.i32_and);
    this.set(L.ty);
    this.get(L.tz);
    this.i32(20);
    this.op(OP.i32_shr_u);
    this.set(L.tz);
    this.get(P.resumeBase);
    this.get(L.t);
    this.i32(2);
    this.op(OP.i32_shl);
    this.op(OP.i32_add);
    this.set(L.ra);
    this.get(P.slotBase);
    this.get(L.t);
    this.i32(this.lockstepSlotOffset());
    this.op(OP.i32_mul);
    this.op(OP.i32_add);
    this.set(L.sb);
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

  /** sp = slotBase + the block's barrier slots (n · their stride) + index · the lock-step stride. */
  private slotAt(index: number, sp: number): void {
    this.get(this.P.slotBase);
    const barrier = this.lockstepSlotOffset();
    if (barrier !== 0) {
      this.get(this.L.n);
      this.i32(barrier);
      this.op(OP.i32_mul);
      this.op(OP.i32_add);
    }
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
      this.failIf();
    }
    this.close();
  }

  /**
   * A call's whole block range [b0, b1) in rounds without slots, when the loop carries nothing but
   * its induction register (lockstep-range.ts says when and why): every thread of every block of
   * the range parks (no effect, no fault), and when each passed its once-per-loop check, all share
   * the invariant registers, their first i are i0, i0 + 1, … (fewer than one step of them) and the
   * stores' ranges over the whole range meet no other expression's, round r runs
   * i = i0 + r·step + j for j below the threads left: a contiguous walk. Otherwise `blocks` (each
   * block on its own, which parks again: parking has no effect).
   */
  protected lockstepRange(body: () => void, eachBlock: (perBlock: () => void) => void, blocks: () => void): void {
    this.lockstepLocals();
    const { parked } = this.ls!;
    this.i32(0);
    this.set(parked);
    this.open(OP.block, 'range_done');
    this.open(OP.block, 'park_fail');
    this.parking = true;
    this.rangeParking = true;
    eachBlock(() => this.threadLoop(body));
    this.rangeParking = false;
    this.parking = false;
    this.disjointRanges();
    this.forgetAll();
    this.rangeRounds();
    this.br('range_done');
    this.close();
    this.forgetAll();
    blocks();
    this.close();
  }

  /** The locals of the lock-step code (once per kernel). */
  private lockstepLocals(): void {
    const plan = this.lockstep!;
    const i32 = (): number => this.localFor('i32'), i64 = (): number => this.localFor('i64');
    this.ls ??= {
      ok: i32(), parked: i32(), w: i32(), k: i32(), sp: i32(), i0: i64(), top: i64(), max: i64(), step: i64(),
      copies: new Map(plan.invariant.map((r) => [r, this.localFor(valType(this.regs.get(r)!.cls))])),
    };
  }

  /** One iteration of the loop's code (its planned sites unchecked: the once-per-loop check held), then pushes whether it goes on. */
  private loopIteration(): void {
    const plan = this.lockstep!;
    const block = this.cfgBlocks()[plan.block]!;
    const term = block.term as { kind: 'bra'; guard: { name: string; negate: boolean } };
    this.forgetAll();
    const outer = this.blockChecked;
    this.blockChecked = new Set<Instruction>(plan.loop.sites.map((s) => s.ins));
    const checks = this.sharedCheckCode;
    for (const ins of block.instrs) this.instruction(ins);
    // a checked shared access could fault in another order than the JavaScript backend's
    if (this.sharedCheckCode !== checks) throw new LockstepRetry();
    this.blockChecked = outer;
    this.readPred(term.guard.name, term.guard.negate);
  }

  /**
   * The range's rounds: round r runs thread j (j < parked) at i = base + j, base = i0 + r·step.
   * The first thread to leave in a round ends the next round's threads there (`w`); a later one
   * that goes on (the plan's exit test makes that impossible today: i + step < bound leaves
   * threads from the top) runs its remaining iterations alone at once: as the checks proved that no
   * thread reads what another writes and no access faults, the order of iterations changes nothing.
   */
  private rangeRounds(): void {
    const plan = this.lockstep!;
    const { parked, w, k, i0, copies } = this.ls!;
    // base = i0 + r·step, the i of round r's first thread (emitted once per kernel)
    const base = this.localFor('i32');
    const iReg = this.regs.get(plan.loop.i)!;
    for (const [name, copy] of copies) {
      this.get(copy);
      this.set(this.regs.get(name)!.local);
    }
    // every block of the range ran in lock-step
    for (const g of [this.lockstepGlobal, this.lockstepRangeGlobal]) {
      this.c.byte(OP.global_get).u32(g);
      this.get(this.P.b1);
      this.get(this.P.b0);
      this.op(OP.i32_sub);
      this.op(OP.i32_add);
      this.c.byte(OP.global_set).u32(g);
    }
    this.get(i0);
    this.op(OP.i32_wrap_i64);
    this.set(base);
    this.open(OP.block, 'rounds_done');
    this.open(OP.loop, 'round');
    this.get(parked);
    this.op(OP.i32_eqz);
    this.br('rounds_done', true);
    this.get(parked);
    this.set(w);
    this.i32(0);
    this.set(k);
    // when the round's last thread goes on, every thread does (i + step < bound grows with j and
    // never wraps: the once-per-loop check): a walk with no exit test
    this.get(base);
    this.op(plan.loop.signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
    this.get(parked);
    this.op(OP.i64_extend_i32_u);
    this.op(OP.i64_add);
    this.i64(1n);
    this.op(OP.i64_sub);
    this.read(plan.loop.step, 'i32');
    this.op(plan.loop.signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
    this.op(OP.i64_add);
    this.read(plan.loop.bound, 'i32');
    this.op(plan.loop.signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
    this.op(OP.i64_lt_s);
    this.open(OP.if, 'all_go_on');
    // groups of 4 i in SIMD lanes first, where the loop's body allows (lanes-range.ts); the walk takes the rest
    const inLanes = this.rangeWalkInLanes(plan.loop.i, base, k, parked, plan.loop.sites);
    if (inLanes) {
      this.get(k);
      this.get(parked);
      this.op(OP.i32_lt_u);
      this.open(OP.if, 'walk_left');
    }
    this.open(OP.loop, 'walk');
    this.get(base);
    this.get(k);
    this.op(OP.i32_add);
    this.set(iReg.local);
    this.loopIteration();
    this.op(OP.drop);
    this.inc(k);
    this.get(k);
    this.get(parked);
    this.op(OP.i32_lt_u);
    this.br('walk', true);
    this.close();
    if (inLanes) this.close();
    this.c.byte(OP.else);
    this.open(OP.block, 'iter_done');
    this.open(OP.loop, 'iter');
    this.get(k);
    this.get(parked);
    this.op(OP.i32_ge_u);
    this.br('iter_done', true);
    this.get(base);
    this.get(k);
    this.op(OP.i32_add);
    this.set(iReg.local);
    this.loopIteration();
    this.open(OP.if, 'goes_on');
    this.get(k);
    this.get(w);
    this.op(OP.i32_ge_u);
    this.open(OP.if, 'alone');
    this.open(OP.loop, 'alone_loop');
    this.loopIteration();
    this.br('alone_loop', true);
    this.close();
    this.close();
    this.c.byte(OP.else);
    this.get(k);
    this.get(w);
    this.op(OP.i32_lt_u);
    this.open(OP.if, 'first_out');
    this.get(k);
    this.set(w);
    this.close();
    this.close();
    this.inc(k);
    this.br('iter');
    this.close();
    this.close();
    this.close();
    this.get(w);
    this.set(parked);
    // (the copies hold the invariant step; i never wraps: the once-per-loop check)
    this.get(base);
    this.read(plan.loop.step, 'i32');
    this.op(OP.i32_add);
    this.set(base);
    this.br('round');
    this.close();
    this.close();
  }

  /**
   * Emits the start of a round's walk in SIMD lanes, advancing `k` (lanes-emit.ts overrides it when
   * the loop's body has a lane plan); false when it emitted nothing.
   */
  protected rangeWalkInLanes(_i: string, _base: number, _k: number, _parked: number, _sites: { ins: Instruction; k: bigint; size: number }[]): boolean {
    return false;
  }

  /** The rounds: one iteration of every parked thread per round, in thread order, until none is left. */
  private rounds(): void {
    const plan = this.lockstep!;
    const { parked, w, k, sp, copies } = this.ls!;
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
    this.open(OP.block, 'next');
    this.slotAt(k, sp);
    // per iteration only what the loop carries (the invariant registers are the copies: uniform)
    const nv = plan.variant.length;
    this.restoreCarried(sp, false, 0, nv);
    this.loopIteration();
    this.open(OP.if, 'goes_on');
    const from = this.tmp('i32', 0);
    this.get(sp);
    this.set(from);
    this.slotAt(w, sp);
    this.saveCarried(sp, nv);
    if (plan.phase) {
      // the slot moves to w < k: the rest of it (registers for after the loop, context) goes with it
      this.get(w);
      this.get(k);
      this.op(OP.i32_ne);
      this.open(OP.if, 'moved');
      for (let word = nv; word < this.carried().length + 2; word++) {
        this.get(sp);
        this.get(from);
        this.c.byte(OP.i64_load).u32(3).u32(8 * word);
        this.c.byte(OP.i64_store).u32(3).u32(8 * word);
      }
      this.close();
    }
    this.inc(w);
    this.br('next');
    this.close();
    // the thread left the loop: in a phase it runs on to its barrier or exit now (its own words only)
    if (plan.phase) {
      this.slotAt(k, sp);
      this.restoreCarried(sp, true, nv, nv + plan.phase.through.length);
      this.emitStraight(plan.phase.suffix);
    }
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
