/**
 * Four threads at once in Wasm SIMD lanes (the plan: lanes-plan.ts). Only in the block-checked
 * copy of the thread loop (every global site proven in one window for the whole block, so no
 * per-thread check is left), and only when a run-time test shows that running a group's 4 lanes
 * instruction by instruction cannot change what the threads see: no store site's addresses over
 * the block meet another site's, unless both sites have the same address form and each lane
 * touches only its own bytes (|kx| >= size). Within a row, tx advances by groups of 4; a tail of
 * fewer than 4, and a group whose lanes disagree at a guarded exit, run the scalar body one thread
 * after another (nothing before the last guarded exit stores, so rerunning from the start is exact).
 *
 * A varying register is one v128 (32-bit lanes: i32, f32 bits, predicates as 0/-1 masks) or two
 * (64-bit lanes 0-1 and 2-3). Instructions with an exact SIMD form use it; every other one runs
 * the scalar emitter's code once per lane on the lane's values extracted into the register's
 * scalar local, and puts the result back: the same bits as the scalar backend by construction.
 */
import type { Instruction, Operand } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { Bytes, OP, type FuncSpec } from './encoder.js';
import { LOADS, SPECIAL } from './ptx-types.js';
import { LockstepEmitter, LockstepRetry } from './lockstep-emit.js';
import { lanesWhy, type LaneItem, type LanesPlan } from './lanes-plan.js';
import type { Lin } from './block-check-emit.js';
import { bitsForm } from './lanes-bits.js';
import { f64Form, type F64LaneOps } from './lanes-f64.js';
import type { RangeLanesPlan } from './lanes-range.js';

/** 0xFD-prefixed opcodes (WebAssembly SIMD; relaxed_madd from relaxed SIMD). */
const V = {
  load: 0x00, store: 0x0b, const: 0x0c, shuffle: 0x0d,
  i32x4_splat: 0x11, i64x2_splat: 0x12,
  i32x4_extract: 0x1b, i32x4_replace: 0x1c, i64x2_extract: 0x1d, i64x2_replace: 0x1e,
  i32x4_eq: 0x37, i32x4_ne: 0x38, i32x4_lt_s: 0x39, i32x4_lt_u: 0x3a, i32x4_gt_s: 0x3b, i32x4_gt_u: 0x3c,
  i32x4_le_s: 0x3d, i32x4_le_u: 0x3e, i32x4_ge_s: 0x3f, i32x4_ge_u: 0x40,
  f32x4_eq: 0x41, f32x4_lt: 0x43, f32x4_gt: 0x44, f32x4_le: 0x45, f32x4_ge: 0x46,
  not: 0x4d, and: 0x4e, or: 0x50, xor: 0x51, bitselect: 0x52, any_true: 0x53,
  i32x4_all_true: 0xa3, i32x4_shl: 0xab, i32x4_shr_s: 0xac, i32x4_shr_u: 0xad, i32x4_add: 0xae, i32x4_sub: 0xb1, i32x4_mul: 0xb5,
  i32x4_min_s: 0xb6, i32x4_min_u: 0xb7, i32x4_max_s: 0xb8, i32x4_max_u: 0xb9,
  i64x2_extend_low_s: 0xc7, i64x2_extend_high_s: 0xc8, i64x2_extend_low_u: 0xc9, i64x2_extend_high_u: 0xca,
  i64x2_shl: 0xcb, i64x2_shr_s: 0xcc, i64x2_shr_u: 0xcd, i64x2_add: 0xce, i64x2_sub: 0xd1, i64x2_mul: 0xd5,
  i64x2_extmul_low_s: 0xdc, i64x2_extmul_high_s: 0xdd, i64x2_extmul_low_u: 0xde, i64x2_extmul_high_u: 0xdf,
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6,
  f32x4_relaxed_madd: 0x105,
} as const;

/** f64 instructions lanes-f64.ts takes (the others of type f64, mov and ld/st, are here). */
const F64_OPS = new Set(['add', 'sub', 'mul', 'div', 'sqrt', 'rcp', 'neg', 'abs', 'fma', 'mad', 'setp', 'selp']);

const INT32 = /^[bsu]32$/;
const INT64 = /^[bsu]64$/;

/** What the lane code needs of a block-checked site: its address form and size (block-check-emit.ts). */
export interface LaneSite {
  ins: Instruction;
  base: string;
  lin: Lin;
  lo: number;
  hi: number;
  size: number;
  store: boolean;
}

type Emit = () => void;

/**
 * When lanes pay: a kernel whose per-lane instructions (no SIMD form) fall into more runs than
 * this keeps its scalar loop — each run moves its live values out of the lanes and back, and
 * measured (bit operations: 7 runs) that costs more than the SIMD forms save. Tests raise it to
 * cover the per-lane code on every kernel.
 */
export const lanesTuning: {
  maxPerLaneRuns: number;
  /** Rows of >= 8 threads run groups of 8 (two v128 per 32-bit register); off: groups of 4 only (before/after measurements). */
  groupsOf8: boolean;
  /**
   * What the exported `lanesBlocks` counts in kernels compiled while it is set: blocks that ran in
   * lanes (the default), or (tests, to see that a path ran) groups of 8 or 4 that ran in lanes, or
   * groups of 8 or 4 whose lanes disagreed at a guarded exit (then run one by one).
   */
  count: 'blocks' | 'groups8' | 'groups4' | 'mixed8' | 'mixed4';
} = { maxPerLaneRuns: 2, groupsOf8: true, count: 'blocks' };

export abstract class LanesEmitter extends LockstepEmitter {
  /** The kernel's lane plan (lanes-plan.ts), when it has one. */
  protected lanes: LanesPlan | undefined;

  /** The global counting blocks that ran in lanes since `lanesBlocks` last read it. */
  protected lanesGlobal = -1;

  /** Per varying register, its v128 locals (one for 32-bit lanes, two for 64-bit). */
  private vecs = new Map<string, number[]>();

  /**
   * The same for lanes 4-7 of a group of 8 (two v128 per 32-bit register): two independent
   * chains of SIMD instructions side by side, whose latencies overlap (a hash's multiply chain),
   * and the uniform work and loop control once per 8 threads.
   */
  private vecsHi = new Map<string, number[]>();

  /** Which 4 lanes of the group the forms being emitted work on: 0 (threads tx..tx+3) or 1 (tx+4..tx+7). */
  private half: 0 | 1 = 0;

  /** Threads in a group for groupBody: 8 (both halves) or 4. */
  private groupWidth: 4 | 8 = 4;

  /**
   * Whether this kernel's rows run groups of 8: not when a varying register is f64 (measured:
   * double precision, every value two v128 a half and its exactness tests, ran 12% slower in groups
   * of 8, its four v128 a value spilling; 32-bit kernels and the bit operations' i64 halves gained).
   */
  private wide = false;

  /** A varying register's locals for the current half. */
  private vecOf(name: string): number[] | undefined {
    return (this.half === 1 ? this.vecsHi : this.vecs).get(name);
  }

  /** Per site, an i32 local: 1 when its 4 lanes' addresses are consecutive elements (kx == size). */
  private contig = new Map<Instruction, number>();

  /** Per lane-0 base register (lanes-plan.ts lane0), the i64 local of its kx: lane l's address is lane 0's plus l·kx. */
  private kxOf = new Map<string, number | undefined>();

  /** The exported `lanesBlocks`: returns the count and zeroes it (tests and stats see which path ran). */
  protected lanesCountFunction(): FuncSpec {
    const body = new Bytes();
    body.byte(OP.global_get).u32(this.lanesGlobal);
    body.byte(OP.i32_const).s32(0).byte(OP.global_set).u32(this.lanesGlobal);
    return { type: { params: [], results: ['i32'] }, locals: [], body, exportName: 'lanesBlocks' };
  }

  private v(code: number): void {
    this.c.byte(0xfd).u32(code);
  }

  private is64(name: string): boolean {
    const cls = this.regs.get(name)?.cls;
    return cls === 'i64' || cls === 'f64';
  }

  /**
   * In the block-checked copy: the run-time independence test over `sites`; then the block runs
   * its threads in lane groups (counted), or `scalarLoop` (the proven scalar thread loop).
   */
  /** Gives the varying registers their v128 locals; whether the kernel's per-lane runs are few enough for lanes to pay (lanesTuning). */
  protected lanesWorthIt(): boolean {
    const plan = this.lanes!;
    // (forms are only looked at here, not emitted: no v128 locals for a kernel that keeps its scalar loop)
    this.probing = true;
    let runs = 0, inRun = false;
    const perLaneOps = new Set<string>();
    for (const it of plan.items) {
      if (it.kind !== 'ins' || !it.varying || it.lane0) continue;
      const p = it.ins.parts[0];
      const perLane = p !== 'ld' && p !== 'st' && (it.ins.guard !== undefined || !this.formOf(it.ins));
      if (perLane) perLaneOps.add(`${it.ins.guard ? '@guarded ' : ''}${it.ins.opcode}`);
      if (perLane && !inRun) runs++;
      inRun = perLane;
    }
    this.probing = false;
    if (runs > lanesTuning.maxPerLaneRuns) lanesWhy.last = `${runs} runs of per-lane instructions (${[...perLaneOps].join(', ')})`.slice(0, 200);
    else if (perLaneOps.size > 0) lanesWhy.perLane = [...perLaneOps].join(', ').slice(0, 200);
    return runs <= lanesTuning.maxPerLaneRuns;
  }

  /** `plan` (a range rounds' body: lanes-range.ts) when its per-lane runs are few enough for lanes to pay (lanesWorthIt), else undefined. */
  protected rangeLanesWorthIt(plan: RangeLanesPlan | undefined): RangeLanesPlan | undefined {
    if (!plan) return undefined;
    const outer = this.lanes;
    this.lanes = plan;
    const worth = this.lanesWorthIt();
    this.lanes = outer;
    return worth ? plan : undefined;
  }

  /** While lanesWorthIt looks at forms: a varying destination stands for its (not yet allocated) locals. */
  private probing = false;

  protected lanesThreadLoop(body: Emit, sites: LaneSite[], scalarLoop: Emit): void {
    const plan = this.lanes!;
    this.wide = lanesTuning.groupsOf8 && ![...plan.varying].some((r) => this.regs.get(r)?.cls === 'f64');
    for (const name of plan.varying) {
      if (this.vecs.has(name)) continue;
      this.vecs.set(name, this.is64(name) ? [this.localFor('v128'), this.localFor('v128')] : [this.localFor('v128')]);
      if (this.wide) this.vecsHi.set(name, this.is64(name) ? [this.localFor('v128'), this.localFor('v128')] : [this.localFor('v128')]);
    }
    const ok = this.localFor('i32');
    this.i32(1);
    this.set(ok);
    const same = (a: LaneSite, b: LaneSite): void => {
      // the same c and k's: lane l of both touches one address
      this.get(a.lin.c);
      this.get(b.lin.c);
      this.op(OP.i64_eq);
      for (let d = 0; d < 3; d++) {
        this.pushK(a.lin, d);
        this.pushK(b.lin, d);
        this.op(OP.i64_eq);
        this.op(OP.i32_and);
      }
      // … and |kx| >= size: distinct lanes touch disjoint bytes
      this.pushK(a.lin, 0);
      this.i64(BigInt(a.size - 1));
      this.op(OP.i64_add);
      this.i64(BigInt(2 * a.size - 2));
      this.op(OP.i64_gt_u);
      this.op(OP.i32_and);
    };
    for (const s of sites) {
      if (!s.store) continue;
      for (const t of sites) {
        if (t === s) continue;
        // disjoint over the whole block: hiS + sizeS <= loT or hiT + sizeT <= loS (values below 2^62: no wrap)
        this.get(s.hi);
        this.i64(BigInt(s.size));
        this.op(OP.i64_add);
        this.get(t.lo);
        this.op(OP.i64_le_s);
        this.get(t.hi);
        this.i64(BigInt(t.size));
        this.op(OP.i64_add);
        this.get(s.lo);
        this.op(OP.i64_le_s);
        this.op(OP.i32_or);
        if (s.size === t.size) {
          same(s, t);
          this.op(OP.i32_or);
        }
        this.get(ok);
        this.op(OP.i32_and);
        this.set(ok);
      }
    }
    for (const s of sites) {
      if (plan.lane0.has(s.base)) this.kxOf.set(s.base, s.lin.k[0]);
      const l = this.localFor('i32');
      this.pushK(s.lin, 0);
      this.i64(BigInt(s.size));
      this.op(OP.i64_eq);
      this.set(l);
      this.contig.set(s.ins, l);
    }
    this.get(ok);
    this.open(OP.if, 'lanes');
    this.count('blocks');
    this.groupLoop(body);
    this.c.byte(OP.else);
    scalarLoop();
    this.close();
  }

  /** One more in the `lanesBlocks` counter, when it counts `what` (lanesTuning.count). */
  private count(what: typeof lanesTuning.count): void {
    if (lanesTuning.count !== what) return;
    this.c.byte(OP.global_get).u32(this.lanesGlobal);
    this.i32(1);
    this.op(OP.i32_add);
    this.c.byte(OP.global_set).u32(this.lanesGlobal);
  }

  /** Pushes k[d] of an affine form (0 when absent). */
  private pushK(lin: Lin, d: number): void {
    const k = lin.k[d];
    if (k === undefined) this.i64(0n);
    else this.get(k);
  }

  /**
   * The block's threads: rows of tx in groups of 8 (`wide`) while 8 are left in the
   * row, then of 4, the rest (and mixed groups) one by one.
   */
  private groupLoop(body: Emit): void {
    const { L, P } = this;
    const left = this.localFor('i32');
    this.i32(0);
    this.set(L.t);
    this.i32(0);
    this.set(L.tz);
    this.whileBelow('lz', L.tz, P.ntz);
    this.i32(0);
    this.set(L.ty);
    this.whileBelow('ly', L.ty, P.nty);
    this.i32(0);
    this.set(L.tx);
    this.i32(0);
    this.set(left);
    this.whileBelow('lx', L.tx, P.ntx);
    this.open(OP.block, 'scalar_turn');
    this.get(left);
    this.br('scalar_turn', true);
    for (const width of this.wide ? ([8, 4] as const) : ([4] as const)) {
      // (not `width` threads left in the row: the next narrower group, or one by one)
      this.open(OP.block, 'narrower');
      this.get(L.tx);
      this.i32(width);
      this.op(OP.i32_add);
      this.get(P.ntx);
      this.op(OP.i32_gt_u);
      this.br('narrower', true);
      this.open(OP.block, 'mixed');
      this.open(OP.block, 'group_end');
      this.groupWidth = width;
      this.zeroRegistersAndLanes(true);
      this.groupBody();
      this.groupWidth = 4;
      this.close();
      this.count(width === 8 ? 'groups8' : 'groups4');
      for (const x of [L.tx, L.t]) {
        this.get(x);
        this.i32(width);
        this.op(OP.i32_add);
        this.set(x);
      }
      this.br('lx');
      this.close();
      // the lanes disagree at a guarded exit: the group's threads one by one
      this.count(width === 8 ? 'mixed8' : 'mixed4');
      this.i32(width);
      this.set(left);
      this.br('scalar_turn');
      this.close();
    }
    this.br('scalar_turn');
    this.close();
    this.open(OP.block, 'next');
    this.i32(0);
    this.set(L.pc);
    this.zeroRegistersAndLanes(false);
    body();
    this.close();
    this.inc(L.t);
    this.inc(L.tx);
    // left = left - (left != 0)
    this.get(left);
    this.get(left);
    this.i32(0);
    this.op(OP.i32_ne);
    this.op(OP.i32_sub);
    this.set(left);
    this.br('lx');
    this.close();
    this.close();
    this.inc(L.ty);
    this.br('ly');
    this.close();
    this.close();
    this.inc(L.tz);
    this.br('lz');
    this.close();
    this.close();
  }

  private whileBelow(name: string, counter: number, limit: number): void {
    this.open(OP.block, `${name}_done`);
    this.open(OP.loop, name);
    this.get(counter);
    this.get(limit);
    this.op(OP.i32_ge_u);
    this.br(`${name}_done`, true);
  }

  /** Every register zeroed (and with `vectors` the lane vectors): no value flows between threads, so V8 carries none around the loop. */
  private zeroRegistersAndLanes(vectors: boolean): void {
    this.zeroRegisters();
    if (!vectors) return;
    for (const ls of [...this.vecs.values(), ...(this.groupWidth === 8 ? this.vecsHi.values() : [])]) {
      for (const l of ls) {
        this.vconst0();
        this.set(l);
      }
    }
  }

  private vconst0(): void {
    this.v(V.const);
    for (let i = 0; i < 16; i++) this.c.byte(0);
  }

  /**
   * One group's code: uniform instructions once, varying ones in lanes, guarded exits on the
   * lanes' masks. Consecutive instructions without a SIMD form run per lane together (one
   * extraction of their inputs and one insertion of their results per lane, not per instruction).
   */
  private groupBody(): void {
    const items = this.lanes!.items;
    // the registers read at or after each item (so a per-lane run puts back only what is read later)
    const after: Set<string>[] = [];
    after[items.length] = new Set();
    for (let k = items.length - 1; k >= 0; k--) {
      const it = items[k]!;
      const s = new Set(after[k + 1]);
      if (it.kind === 'exit') s.add(it.guard.name);
      else for (const u of useDef(it.ins).uses) s.add(u);
      after[k] = s;
    }
    const lanesOnly = (it: LaneItem): it is Extract<LaneItem, { kind: 'ins' }> => it.kind === 'ins' && it.varying && !it.lane0;
    const perLaneOnly = items.map((it) => lanesOnly(it) && (it.ins.guard !== undefined || !this.formOf(it.ins)));
    // a SIMD form between per-lane instructions joins their run (cheaper than putting values back and taking them out again)
    const joins = (k: number): boolean => {
      const it = items[k]!;
      if (!lanesOnly(it) || it.ins.parts[0] === 'ld' || it.ins.parts[0] === 'st') return false;
      for (let j = k + 1; j < Math.min(items.length, k + 4); j++) {
        if (perLaneOnly[j]) return true;
        const x = items[j]!;
        if (!lanesOnly(x) || x.ins.parts[0] === 'ld' || x.ins.parts[0] === 'st') return false;
      }
      return false;
    };
    // a group of 8: each varying instruction for lanes 0-3, then for lanes 4-7 (two independent chains)
    const halves: (0 | 1)[] = this.groupWidth === 8 ? [0, 1] : [0];
    const eachHalf = (f: () => void): void => {
      for (const h of halves) {
        this.half = h;
        f();
      }
      this.half = 0;
    };
    let batch: Instruction[] = [];
    const flush = (k: number): void => {
      if (batch.length > 0) {
        const list = batch;
        eachHalf(() => this.perLane(list, after[k]));
      }
      batch = [];
    };
    items.forEach((it, k) => {
      if (it.kind === 'ins' && it.lane0) {
        // an address register's definition, once for lane 0 (its varying inputs: their lane 0)
        flush(k);
        for (const u of new Set(useDef(it.ins).uses)) if (this.lanes!.varying.has(u)) this.extract(u, 0);
        this.forgetAll();
        this.instruction(it.ins);
        return;
      }
      if (it.kind === 'ins' && it.varying) {
        if (perLaneOnly[k] || (batch.length > 0 && joins(k))) {
          batch.push(it.ins);
          return;
        }
        flush(k);
        const both = halves.length === 2 ? this.bothHalvesForm(it.ins) : undefined;
        if (both) {
          this.forgetAll();
          both();
          return;
        }
        eachHalf(() => {
          this.forgetAll();
          this.formOf(it.ins)!();
        });
        return;
      }
      flush(k);
      if (it.kind === 'exit') {
        // the group's threads all leave (all lanes' masks set), or some do (mixed: one by one)
        const guard = { kind: 'reg', name: it.guard.name } as Operand;
        const m = this.localFor('v128');
        this.half = 0;
        this.pushMask(guard, it.guard.negate);
        this.set(m);
        if (halves.length === 2) {
          this.half = 1;
          const hi = this.localFor('v128');
          this.pushMask(guard, it.guard.negate);
          this.set(hi);
          this.half = 0;
          this.get(m);
          this.get(hi);
          this.v(V.and);
          this.v(V.i32x4_all_true);
          this.br('group_end', true);
          this.get(m);
          this.get(hi);
          this.v(V.or);
        } else {
          this.get(m);
          this.v(V.i32x4_all_true);
          this.br('group_end', true);
          this.get(m);
        }
        this.v(V.any_true);
        this.br('mixed', true);
        return;
      }
      this.forgetAll();
      this.instruction(it.ins);
    });
    flush(items.length);
  }

  /** The lane plan of the range rounds' loop body (lanes-range.ts), when it has one. */
  protected rangeLanes: RangeLanesPlan | undefined;

  /**
   * Range rounds' walk in lanes (lanes-range.ts): while k + 8 <= parked (groups of 8; not with a
   * varying f64 register), then while k + 4 <= parked, i = base + k + [0, 1, …] runs the loop's body
   * as a lane group (its sites unchecked: the once-per-loop check held), k += the group's width;
   * counted in `lanesGlobal` in fours. Returns whether it emitted anything (the scalar walk takes the rest).
   */
  protected override rangeWalkInLanes(iReg: string, base: number, k: number, parked: number, sites: { ins: Instruction; k: bigint; size: number }[]): boolean {
    const plan = this.rangeLanes;
    if (!plan) return false;
    const outer = this.lanes;
    this.lanes = plan;
    for (const name of plan.varying) if (!this.vecs.has(name)) this.vecs.set(name, this.is64(name) ? [this.localFor('v128'), this.localFor('v128')] : [this.localFor('v128')]);
    // an access whose address steps by its own size per i: the 4 lanes' elements are consecutive
    for (const s of sites) {
      const l = this.localFor('i32');
      this.i32(s.k === BigInt(s.size) ? 1 : 0);
      this.set(l);
      this.contig.set(s.ins, l);
    }
    // lane-0 address registers: lane l's address is lane 0's + l·k (per-lane code steps them)
    for (const [name, kx] of plan.kx) {
      const l = this.localFor('i64');
      this.i64(kx);
      this.set(l);
      this.kxOf.set(name, l);
    }
    const outerChecked = this.blockChecked;
    this.blockChecked = new Set(sites.map((s) => s.ins));
    const checks = this.sharedCheckCode;
    // groups of 8 i while 8 are left (as a row's threads: not with a varying f64 register), then of 4
    const wide = lanesTuning.groupsOf8 && ![...plan.varying].some((r) => this.regs.get(r)?.cls === 'f64');
    if (wide) for (const name of plan.varying) if (!this.vecsHi.has(name)) this.vecsHi.set(name, this.is64(name) ? [this.localFor('v128'), this.localFor('v128')] : [this.localFor('v128')]);
    for (const width of wide ? ([8, 4] as const) : ([4] as const)) {
      this.open(OP.block, 'range_lanes_done');
      this.open(OP.loop, 'range_lanes');
      this.get(k);
      this.i32(width);
      this.op(OP.i32_add);
      this.get(parked);
      this.op(OP.i32_gt_u);
      this.br('range_lanes_done', true);
      // lane l's i: base + k + l (lanes 4-7 in the upper half's vector)
      for (const [first, vecs] of width === 8 ? ([[0, this.vecs], [4, this.vecsHi]] as const) : ([[0, this.vecs]] as const)) {
        this.get(base);
        this.get(k);
        this.op(OP.i32_add);
        this.v(V.i32x4_splat);
        this.v(V.const);
        for (let x = first; x < first + 4; x++) this.c.byte(x).byte(0).byte(0).byte(0);
        this.v(V.i32x4_add);
        this.set(vecs.get(iReg)![0]!);
      }
      // counted in groups of 4 i
      this.c.byte(OP.global_get).u32(this.lanesGlobal);
      this.i32(width / 4);
      this.op(OP.i32_add);
      this.c.byte(OP.global_set).u32(this.lanesGlobal);
      this.open(OP.block, 'group_end');
      this.groupWidth = width;
      this.groupBody();
      this.groupWidth = 4;
      this.close();
      this.get(k);
      this.i32(width);
      this.op(OP.i32_add);
      this.set(k);
      this.br('range_lanes');
      this.close();
      this.close();
    }
    // a checked shared access could fault in another order than the JavaScript backend's
    if (this.sharedCheckCode !== checks) throw new LockstepRetry();
    this.blockChecked = outerChecked;
    this.lanes = outer;
    this.forgetAll();
    return true;
  }

  /** The exported `rangeLaneGroups`: lane groups the range rounds walked since it was last read, zeroed (tests see the lanes ran). */
  protected rangeLanesCountFunction(): FuncSpec {
    const body = new Bytes();
    body.byte(OP.global_get).u32(this.lanesGlobal);
    body.byte(OP.i32_const).s32(0).byte(OP.global_set).u32(this.lanesGlobal);
    return { type: { params: [], results: ['i32'] }, locals: [], body, exportName: 'rangeLaneGroups' };
  }

  // ---- operands as vectors --------------------------------------------------------------------

  /** Whether `o` can be read as 4 lanes of 32 bits. */
  private can32(o: Operand | undefined): boolean {
    if (!o) return false;
    if (o.kind === 'int' || o.kind === 'f32') return true;
    if (o.kind !== 'reg') return false;
    const r = this.regs.get(o.name);
    if (!r) return SPECIAL.test(o.name);
    return r.cls === 'i32' || r.cls === 'f32';
  }

  private push32(o: Operand): void {
    if (o.kind === 'int') {
      this.i32(Number(BigInt.asIntN(32, o.value)));
      return this.v(V.i32x4_splat);
    }
    if (o.kind === 'f32') {
      this.i32(o.bits | 0);
      return this.v(V.i32x4_splat);
    }
    const name = (o as { name: string }).name;
    const vec = this.vecOf(name);
    if (vec && this.lanes!.varying.has(name)) return this.get(vec[0]!);
    const r = this.regs.get(name);
    if (!r) {
      this.special(name);
      this.v(V.i32x4_splat);
      if (name === '%tid.x') {
        // + [0, 1, 2, 3] (lanes 4-7: + [4, 5, 6, 7])
        this.v(V.const);
        for (const x of [0, 1, 2, 3]) this.c.byte(x + 4 * this.half).byte(0).byte(0).byte(0);
        this.v(V.i32x4_add);
      }
      return;
    }
    this.get(r.local);
    if (r.cls === 'f32') this.op(OP.i32_reinterpret_f32);
    this.v(V.i32x4_splat);
  }

  private can64(o: Operand | undefined): boolean {
    if (!o) return false;
    if (o.kind === 'int') return true;
    if (o.kind !== 'reg') return false;
    const r = this.regs.get(o.name);
    return r !== undefined && (r.cls === 'i64' || r.cls === 'f64');
  }

  /** Pushes lanes 0-1 (half 0) or 2-3 (half 1) of a 64-bit operand. */
  private push64(o: Operand, half: number): void {
    if (o.kind === 'int') {
      this.i64(BigInt.asIntN(64, o.value));
      return this.v(V.i64x2_splat);
    }
    const name = (o as { name: string }).name;
    const vec = this.vecOf(name);
    if (vec && this.lanes!.varying.has(name)) return this.get(vec[half]!);
    const r = this.regs.get(name)!;
    this.get(r.local);
    if (r.cls === 'f64') this.op(OP.i64_reinterpret_f64);
    this.v(V.i64x2_splat);
  }

  private canPred(o: Operand | undefined): boolean {
    return (o?.kind === 'reg' || o?.kind === 'not') && this.regs.get(o.name)?.cls === 'pred';
  }

  /** Pushes a predicate as 4 lane masks (0 or -1), negated on request or for a `!p` operand. */
  private pushMask(o: Operand, negate = false): void {
    const name = (o as { name: string }).name;
    const vec = this.vecOf(name);
    if (vec && this.lanes!.varying.has(name)) this.get(vec[0]!);
    else {
      this.i32(0);
      this.get(this.regs.get(name)!.local);
      this.op(OP.i32_sub);
      this.v(V.i32x4_splat);
    }
    if (negate !== (o.kind === 'not')) this.v(V.not);
  }

  /** A varying destination register of the given width (false: scalar, i16 or another width). */
  private dest(o: Operand | undefined, w: 32 | 64 | 'pred'): number[] | undefined {
    if (o?.kind !== 'reg') return undefined;
    const vec = this.probing && this.lanes!.varying.has(o.name) ? [-1, -1] : this.vecOf(o.name);
    const cls = this.regs.get(o.name)?.cls;
    if (!vec || !this.lanes!.varying.has(o.name)) return undefined;
    const ok = w === 'pred' ? cls === 'pred' : w === 32 ? cls === 'i32' || cls === 'f32' : cls === 'i64' || cls === 'f64';
    return ok ? vec : undefined;
  }

  // ---- instructions -----------------------------------------------------------------------------

  /** The instruction's SIMD form (emitted when called), or undefined when it has none here. */
  private formOf(ins: Instruction): Emit | undefined {
    const p = ins.parts;
    return this.simdForm(ins, p[0]!, p[p.length - 1]!, p.slice(1, -1).join('.'), ins.operands);
  }

  /** A 32-bit lane operation on `n` operands into `d`. */
  private lanes32(d: number[] | undefined, srcs: (Operand | undefined)[], ops: Emit): Emit | undefined {
    if (!d || !srcs.every((s) => this.can32(s))) return undefined;
    return () => {
      for (const s of srcs) this.push32(s!);
      ops();
      this.set(d[0]!);
    };
  }

  /** A 64-bit lane operation, run on each half. */
  private lanes64(d: number[] | undefined, srcs: (Operand | undefined)[], code: number): Emit | undefined {
    if (!d || !srcs.every((s) => this.can64(s))) return undefined;
    return () => {
      for (const h of [0, 1]) {
        for (const s of srcs) this.push64(s!, h);
        this.v(code);
        this.set(d[h]!);
      }
    };
  }

  private simdForm(ins: Instruction, op: string, t: string, mods: string, o: Operand[]): Emit | undefined {
    if (t === 'f64' && F64_OPS.has(op)) return f64Form(this.laneOps(), ins, op, t, mods, o);
    const i32 = INT32.test(t), i64 = INT64.test(t), f32 = t === 'f32';
    switch (op) {
      case 'add':
      case 'sub': {
        const sub = op === 'sub';
        if (mods === '' && i32) return this.lanes32(this.dest(o[0], 32), [o[1], o[2]], () => this.v(sub ? V.i32x4_sub : V.i32x4_add));
        if (mods === '' && i64) return this.lanes64(this.dest(o[0], 64), [o[1], o[2]], sub ? V.i64x2_sub : V.i64x2_add);
        if ((mods === '' || mods === 'rn') && f32) return this.lanes32(this.dest(o[0], 32), [o[1], o[2]], () => this.v(sub ? V.f32x4_sub : V.f32x4_add));
        return undefined;
      }
      case 'mul': {
        if (mods === 'lo' && i32) return this.lanes32(this.dest(o[0], 32), [o[1], o[2]], () => this.v(V.i32x4_mul));
        if (mods === 'lo' && i64) return this.lanes64(this.dest(o[0], 64), [o[1], o[2]], V.i64x2_mul);
        if ((mods === '' || mods === 'rn') && f32) return this.lanes32(this.dest(o[0], 32), [o[1], o[2]], () => this.v(V.f32x4_mul));
        if (mods === 'wide' && (t === 's32' || t === 'u32')) {
          const d = this.dest(o[0], 64);
          if (!d || !this.can32(o[1]) || !this.can32(o[2])) return undefined;
          const s = t === 's32';
          return () => {
            for (const h of [0, 1]) {
              this.push32(o[1]!);
              this.push32(o[2]!);
              this.v(h === 0 ? (s ? V.i64x2_extmul_low_s : V.i64x2_extmul_low_u) : s ? V.i64x2_extmul_high_s : V.i64x2_extmul_high_u);
              this.set(d[h]!);
            }
          };
        }
        return undefined;
      }
      case 'mad':
        if (mods === 'lo' && i32) return this.lanes32(this.dest(o[0], 32), [o[1], o[2], o[3]], () => {
          // a*b+c: c was pushed last; multiply the two below it first
          const c = this.tmpV();
          this.set(c);
          this.v(V.i32x4_mul);
          this.get(c);
          this.v(V.i32x4_add);
        });
        if (mods === 'rn' && f32 && this.fusedMadd32) return this.fusedFma(ins);
        return undefined;
      case 'fma':
        if (mods === 'rn' && f32 && this.fusedMadd32) return this.fusedFma(ins);
        return undefined;
      case 'and':
      case 'or':
      case 'xor': {
        const code = op === 'and' ? V.and : op === 'or' ? V.or : V.xor;
        if (mods !== '') return undefined;
        if (i32 && t.startsWith('b')) return this.lanes32(this.dest(o[0], 32), [o[1], o[2]], () => this.v(code));
        if (i64 && t.startsWith('b')) return this.lanes64(this.dest(o[0], 64), [o[1], o[2]], code);
        if (t === 'pred') {
          const d = this.dest(o[0], 'pred');
          if (!d || !this.canPred(o[1]) || !this.canPred(o[2])) return undefined;
          return () => {
            this.pushMask(o[1]!);
            this.pushMask(o[2]!);
            this.v(code);
            this.set(d[0]!);
          };
        }
        return undefined;
      }
      case 'min':
      case 'max': {
        // integers only (the scalar code's f32 min/max is the JavaScript backend's, by the bridge)
        if (mods !== '' || !i32 || t.startsWith('b')) return undefined;
        const s = t.startsWith('s');
        const code = op === 'min' ? (s ? V.i32x4_min_s : V.i32x4_min_u) : s ? V.i32x4_max_s : V.i32x4_max_u;
        return this.lanes32(this.dest(o[0], 32), [o[1], o[2]], () => this.v(code));
      }
      case 'neg':
      case 'abs':
        // the sign bit flipped or cleared, NaNs included (as f32.neg / f32.abs)
        if (mods !== '' || !f32) return undefined;
        return this.lanes32(this.dest(o[0], 32), [o[1]], () => this.v(op === 'neg' ? V.f32x4_neg : V.f32x4_abs));
      case 'not': {
        if (mods !== '') return undefined;
        if (t === 'b32') return this.lanes32(this.dest(o[0], 32), [o[1]], () => this.v(V.not));
        if (t === 'b64') {
          const d = this.dest(o[0], 64);
          if (!d || !this.can64(o[1])) return undefined;
          return () => {
            for (const h of [0, 1]) {
              this.push64(o[1]!, h);
              this.v(V.not);
              this.set(d[h]!);
            }
          };
        }
        if (t === 'pred') {
          const d = this.dest(o[0], 'pred');
          if (!d || !this.canPred(o[1])) return undefined;
          return () => {
            this.pushMask(o[1]!, true);
            this.set(d[0]!);
          };
        }
        return undefined;
      }
      case 'shl':
      case 'shr':
        return bitsForm(this.laneOps(), op, t, mods, o);
      case 'setp': {
        if (o.length !== 3) return undefined;
        const signed = t.startsWith('s');
        const I: Record<string, number> = {
          eq: V.i32x4_eq, ne: V.i32x4_ne, lt: signed ? V.i32x4_lt_s : V.i32x4_lt_u, le: signed ? V.i32x4_le_s : V.i32x4_le_u,
          gt: signed ? V.i32x4_gt_s : V.i32x4_gt_u, ge: signed ? V.i32x4_ge_s : V.i32x4_ge_u,
          lo: V.i32x4_lt_u, ls: V.i32x4_le_u, hi: V.i32x4_gt_u, hs: V.i32x4_ge_u,
        };
        // ordered comparisons (false with a NaN), as PTX's eq/lt/le/gt/ge
        const F: Record<string, number> = { eq: V.f32x4_eq, lt: V.f32x4_lt, le: V.f32x4_le, gt: V.f32x4_gt, ge: V.f32x4_ge };
        const code = i32 ? I[mods] : f32 ? F[mods] : undefined;
        if (code === undefined) return undefined;
        const d = this.dest(o[0], 'pred');
        return this.lanes32(d, [o[1], o[2]], () => this.v(code));
      }
      case 'selp': {
        if (mods !== '' || !(i32 || f32)) return undefined;
        const d = this.dest(o[0], 32);
        if (!d || !this.can32(o[1]) || !this.can32(o[2]) || !this.canPred(o[3])) return undefined;
        return () => {
          this.push32(o[1]!);
          this.push32(o[2]!);
          this.pushMask(o[3]!);
          this.v(V.bitselect);
          this.set(d[0]!);
        };
      }
      case 'mov': {
        if (mods !== '') return undefined;
        if (i32 || f32) return this.lanes32(this.dest(o[0], 32), [o[1]], () => undefined);
        if (i64 || t === 'f64') {
          const d = this.dest(o[0], 64);
          if (!d || !this.can64(o[1])) return undefined;
          return () => {
            for (const h of [0, 1]) {
              this.push64(o[1]!, h);
              this.set(d[h]!);
            }
          };
        }
        if (t === 'pred') {
          const d = this.dest(o[0], 'pred');
          if (!d || !this.canPred(o[1])) return undefined;
          return () => {
            this.pushMask(o[1]!);
            this.set(d[0]!);
          };
        }
        return undefined;
      }
      case 'cvta': {
        if (!(t === 'u64' && (mods === 'to.global' || mods === 'global'))) return undefined;
        const d = this.dest(o[0], 64);
        if (!d || !this.can64(o[1]) || o[1]?.kind !== 'reg') return undefined;
        return () => {
          for (const h of [0, 1]) {
            this.push64(o[1]!, h);
            this.set(d[h]!);
          }
        };
      }
      case 'cvt':
        return this.cvtForm(ins);
      case 'ld':
      case 'st':
        return this.memoryForm(ins);
      default:
        return bitsForm(this.laneOps(), op, t, mods, o);
    }
  }

  private ops: F64LaneOps | undefined;

  /** This emitter's helpers for the forms in other files (lanes-bits.ts, lanes-f64.ts). */
  private laneOps(): F64LaneOps {
    this.ops ??= {
      v: (code, ...imm) => {
        this.v(code);
        for (const b of imm) this.c.byte(b);
      },
      vconst: (bytes) => {
        this.v(V.const);
        for (const b of bytes) this.c.byte(b);
      },
      op: (code) => this.op(code),
      i32: (x) => this.i32(x),
      i64: (x) => this.i64(x),
      f64: (x) => this.c.byte(OP.f64_const).f64(x),
      get: (l) => this.get(l),
      set: (l) => this.set(l),
      tee: (l) => this.c.byte(OP.local_tee).u32(l),
      tmpV: () => this.tmpV(),
      tmpI32: () => this.localFor('i32'),
      can32: (o) => this.can32(o),
      can64: (o) => this.can64(o),
      push32: (o) => this.push32(o),
      push64: (o, h) => this.push64(o, h),
      dest: (o, w) => this.dest(o, w),
      uniform32: (o) => {
        if (o?.kind !== 'reg') return undefined;
        const r = this.regs.get(o.name);
        const plan = this.lanes!;
        return r && r.cls === 'i32' && !plan.varying.has(o.name) && !plan.lane0.has(o.name) ? r.local : undefined;
      },
      fusedF64: this.fusedMadd,
      pushMask: (o) => this.pushMask(o),
      canPred: (o) => this.canPred(o),
      destPred: (o) => this.dest(o, 'pred'),
      ifElse: (then, otherwise) => {
        this.open(OP.if, 'f64_lanes');
        then();
        this.c.byte(OP.else);
        otherwise();
        this.close();
      },
      perLane: (ins) => this.perLane([ins]),
    };
    return this.ops;
  }

  private tmpV(): number {
    return this.localFor('v128');
  }

  /** cvt between 32- and 64-bit integers (widening by the source's signedness, narrowing to the low bits). */
  private cvtForm(ins: Instruction): Emit | undefined {
    const p = ins.parts;
    if (p.length !== 3) return undefined;
    const [, to, from] = p as [string, string, string];
    const o = ins.operands;
    if (INT64.test(to) && INT32.test(from)) {
      const d = this.dest(o[0], 64);
      if (!d || !this.can32(o[1])) return undefined;
      const s = from.startsWith('s');
      return () => {
        this.push32(o[1]!);
        this.v(s ? V.i64x2_extend_low_s : V.i64x2_extend_low_u);
        this.set(d[0]!);
        this.push32(o[1]!);
        this.v(s ? V.i64x2_extend_high_s : V.i64x2_extend_high_u);
        this.set(d[1]!);
      };
    }
    if (INT32.test(to) && INT64.test(from)) {
      const d = this.dest(o[0], 32);
      if (!d || !this.can64(o[1])) return undefined;
      return () => {
        this.push64(o[1]!, 0);
        this.push64(o[1]!, 1);
        // the low word of each 64-bit lane
        this.v(V.shuffle);
        for (const b of [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]) this.c.byte(b);
        this.set(d[0]!);
      };
    }
    return undefined;
  }

  /**
   * In a group of 8, the forms that branch (a global ld/st's contiguity test, the fused fma's
   * finiteness test) for both halves under one test: with a branch per half, V8 computes each
   * half's values in the block before its own branch, one half's chain after the other; under one,
   * both chains are in one block, interleaved (their latencies overlap).
   */
  private bothHalvesForm(ins: Instruction): Emit | undefined {
    const p = ins.parts;
    if (p[0] === 'ld' || p[0] === 'st') return this.memoryForm(ins, true);
    if ((p[0] === 'fma' || p[0] === 'mad') && p[1] === 'rn' && p[2] === 'f32' && p.length === 3 && this.fusedMadd32) return this.fusedFma(ins, true);
    return undefined;
  }

  /**
   * fma.rn.f32 as 4 hardware fused multiply-adds (8 with `both` halves); when a lane's result is
   * not finite, every lane takes the scalar path (whose bits it keeps).
   */
  private fusedFma(ins: Instruction, both = false): Emit | undefined {
    const o = ins.operands;
    if (!this.dest(o[0], 32) || ![o[1], o[2], o[3]].every((x) => this.can32(x))) return undefined;
    return () => {
      const outer = this.half;
      const halves: (0 | 1)[] = both ? [0, 1] : [outer];
      const results = halves.map((half) => {
        this.half = half;
        const r = this.tmpV();
        for (const k of [1, 2, 3]) this.push32(o[k]!);
        this.v(V.f32x4_relaxed_madd);
        this.c.byte(OP.local_tee).u32(r);
        this.v(V.f32x4_abs);
        this.i32(0x7f800000);
        this.v(V.i32x4_splat);
        this.v(V.f32x4_lt);
        return r;
      });
      // (every lane of both halves finite)
      if (both) this.v(V.and);
      this.v(V.i32x4_all_true);
      this.open(OP.if, 'fma_lanes');
      halves.forEach((half, i) => {
        this.half = half;
        this.get(results[i]!);
        this.set(this.dest(o[0], 32)![0]!);
      });
      this.c.byte(OP.else);
      for (const half of halves) {
        this.half = half;
        this.perLane([ins]);
      }
      this.half = outer;
      this.close();
    };
  }

  /**
   * A global ld/st of one 4- or 8-byte element: one or two v128 accesses when the lanes' addresses
   * are consecutive, else per lane; with `both`, for both halves of a group of 8.
   */
  private memoryForm(ins: Instruction, both = false): Emit | undefined {
    const p = ins.parts;
    const o = ins.operands;
    const contig = this.contig.get(ins);
    const elem = LOADS[p[p.length - 1]!];
    if (contig === undefined || !elem || elem.size < 4 || p.includes('v2') || p.includes('v4') || !p.includes('global')) return undefined;
    const store = p[0] === 'st';
    const addr = store ? o[0] : o[1];
    const val = store ? o[1] : o[0];
    if (addr?.kind !== 'addr' || addr.base === undefined) return undefined;
    const w = elem.size === 4 ? 32 : 64;
    if (store ? !(w === 32 ? this.can32(val) : this.can64(val)) : !this.dest(val, w)) return undefined;
    // the value's class must be the element's (a u32 into a 64-bit register extends it: per lane)
    if (val?.kind === 'reg') {
      const cls = this.regs.get(val.name)?.cls;
      if (cls && (w === 32 ? cls !== 'i32' && cls !== 'f32' : cls !== 'i64' && cls !== 'f64')) return undefined;
    }
    const base = addr.base, offset = addr.offset;
    // both halves of a group of 8 under one test (one branch, and both halves' values computed before it)
    return () => {
      const halves: (0 | 1)[] = both ? [0, 1] : [this.half];
      const outer = this.half;
      this.get(contig);
      this.open(OP.if, 'contig');
      for (const half of halves) {
        this.half = half;
        const at = this.localFor('i32');
        const vec = this.vecOf(base);
        if (vec && this.lanes!.varying.has(base)) {
          this.get(vec[0]!);
          this.v(V.i64x2_extract);
          this.c.byte(0);
        } else {
          this.get(this.regs.get(base)!.local);
          // a lane-0 base holds thread tx's address; lanes 4-7 start 4 elements on (contiguous: kx == size)
          if (this.half === 1 && this.lanes!.lane0.has(base)) {
            this.i64(BigInt(4 * elem.size));
            this.op(OP.i64_add);
          }
        }
        if (offset !== 0) {
          this.i64(BigInt(offset));
          this.op(OP.i64_add);
        }
        this.op(OP.i32_wrap_i64);
        this.set(at);
        for (const h of w === 32 ? [0] : [0, 1]) {
          this.get(at);
          if (store) {
            if (w === 32) this.push32(val!);
            else this.push64(val!, h);
            this.v(V.store);
          } else this.v(V.load);
          this.c.u32(0).u32(16 * h);
          if (!store) this.set(this.dest(val, w)![h]!);
        }
      }
      this.c.byte(OP.else);
      for (const half of halves) {
        this.half = half;
        this.perLane([ins]);
      }
      this.half = outer;
      this.close();
    };
  }

  /**
   * The scalar emitter's code for `list` once per lane, on each lane's registers (the varying ones
   * they read, or a guard may leave unwritten, before writing them: extracted first); their
   * results put back in the lanes (with `live`, only those read later).
   */
  private perLane(list: Instruction[], live?: Set<string>): void {
    const { L } = this;
    const varying = this.lanes!.varying;
    const uses = new Set<string>(), defs = new Set<string>(), inputs = new Set<string>();
    for (const ins of list) {
      const u = useDef(ins);
      for (const n of [...u.uses, ...(ins.guard ? u.defs : [])]) if (!defs.has(n) && varying.has(n) && this.vecs.has(n)) inputs.add(n);
      for (const n of u.uses) uses.add(n);
      for (const n of u.defs) defs.add(n);
    }
    const outputs = [...defs].filter((n) => varying.has(n) && this.vecs.has(n) && (!live || live.has(n)));
    const tid = uses.has('%tid.x');
    // lane-0 address registers step by kx to each lane's address, and back after lane 3
    const bases = [...uses].filter((n) => this.lanes!.lane0.has(n) && this.kxOf.get(n) !== undefined);
    const step = (n: string, times: number): void => {
      const r = this.regs.get(n)!;
      this.get(r.local);
      this.get(this.kxOf.get(n)!);
      if (times !== 1) {
        this.i64(BigInt(times));
        this.op(OP.i64_mul);
      }
      this.op(OP.i64_add);
      this.set(r.local);
    };
    // lanes 4-7 of a group of 8 (half 1) are threads tx+4..tx+7
    const first = 4 * this.half;
    const addTid = (by: number): void => {
      for (const x of [L.tx, L.t]) {
        this.get(x);
        this.i32(by);
        this.op(OP.i32_add);
        this.set(x);
      }
    };
    for (let l = 0; l < 4; l++) {
      const by = l === 0 ? first : 1;
      if (by !== 0) {
        for (const n of bases) step(n, by);
        if (tid) addTid(by);
      }
      for (const n of inputs) this.extract(n, l);
      for (const ins of list) {
        this.forgetAll();
        this.instruction(ins);
      }
      for (const n of outputs) this.replace(n, l);
    }
    for (const n of bases) step(n, -(first + 3));
    if (tid) addTid(-(first + 3));
  }

  /** Lane l of a varying register into its scalar local (bit-exact: floats through their integer bits). */
  private extract(name: string, l: number): void {
    const r = this.regs.get(name)!;
    const vec = this.vecOf(name)!;
    if (vec.length === 2) {
      this.get(vec[l >> 1]!);
      this.v(V.i64x2_extract);
      this.c.byte(l & 1);
      if (r.cls === 'f64') this.op(OP.f64_reinterpret_i64);
    } else {
      this.get(vec[0]!);
      this.v(V.i32x4_extract);
      this.c.byte(l);
      if (r.cls === 'f32') this.op(OP.f32_reinterpret_i32);
      if (r.cls === 'pred') {
        this.i32(1);
        this.op(OP.i32_and);
      }
    }
    this.set(r.local);
  }

  /** The scalar local back into lane l (a predicate as its mask). */
  private replace(name: string, l: number): void {
    const r = this.regs.get(name)!;
    const vec = this.vecOf(name)!;
    if (vec.length === 2) {
      this.get(vec[l >> 1]!);
      this.get(r.local);
      if (r.cls === 'f64') this.op(OP.i64_reinterpret_f64);
      this.v(V.i64x2_replace);
      this.c.byte(l & 1);
      this.set(vec[l >> 1]!);
      return;
    }
    this.get(vec[0]!);
    if (r.cls === 'pred') {
      this.i32(0);
      this.get(r.local);
      this.op(OP.i32_sub);
    } else {
      this.get(r.local);
      if (r.cls === 'f32') this.op(OP.i32_reinterpret_f32);
    }
    this.v(V.i32x4_replace);
    this.c.byte(l);
    this.set(vec[0]!);
  }
}
