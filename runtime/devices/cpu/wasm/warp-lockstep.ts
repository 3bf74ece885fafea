/**
 * Shuffle chains in lock-step: when every lane of a full warp (32 lanes, all in the group) wakes
 * at a shfl site that starts a run of straight chain links (warp-chain.ts: nvcc's unrolled
 * `v += __shfl_down_sync(~0u, v, off)`), the run executes instruction by instruction over the 32
 * lanes, each 32-bit register held as eight v128 (lanes 4g..4g+3 in the g-th), instead of lane
 * after lane through each link. With b and c known to the compiler and every lane in the group,
 * a shfl is a fixed permutation of the 32 operands (scheduler.ts warpOp: the source lane j, or
 * the lane's own operand when j is out of range), so it is one i8x16.shuffle per v128 of the
 * result; the operands are those all lanes stored as they stopped (in lock-step nothing has run
 * on yet, so no WP word is needed). Registers go through memory only at the run's ends: the ones
 * the run reads are gathered from the lanes' slots, and at its last stop each lane's words and
 * saved registers are written as the scalar chain's last stop writes them (compile-wasm.ts
 * warpYield) — the state the rest of the scheduler sees is the same.
 *
 * Why the results are the scalar chain's: a link's code has no memory access, no special
 * register, no carry flag and no branch (one block), so the only order that matters is within
 * each lane, which lock-step keeps; each instruction without an exact SIMD form here runs the
 * scalar emitter's own code once per lane on that lane's values (extracted, then put back).
 */
import type { Instruction, Operand } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { ModuleDataEmitter } from './emit-module-data.js';
import { OP } from './encoder.js';
import { classOf, valType, type BasicBlock, type Cls } from './ptx-types.js';
import type { ShuffleChainLink } from './warp-chain.js';
import { WARP_WORD, type WarpSiteForm } from './warp-sites.js';

/**
 * Whether kernels get lock-step runs: tests turn it off to compare with the scalar chains, and
 * `TENSOR_WASM_WARP_LOCKSTEP=0` does for a process (the block pool's workers inherit it), for benches.
 */
export const warpLockstep = { enabled: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TENSOR_WASM_WARP_LOCKSTEP !== '0' };

/** One straight link of a lock-step run: the shfl it resumes from and the code up to the next stop. */
export interface LockstepLink {
  mode: string;
  b: number;
  c: number;
  /** The shfl's destinations (sinks dropped). */
  results: { reg: string; word: 'res' | 'resp' }[];
  /** The resume block's recomputed registers the run reads, then its instructions. */
  instrs: Instruction[];
  /** The next stop's operand (WA): the next link's source values. */
  operand: Operand;
}

/** A lock-step run from a shfl site (its head) through consecutive straight links. */
export interface WarpLockstepPlan {
  site: number;
  links: LockstepLink[];
  /** Registers read before written: from the lanes' slots (byte offset in a thread's slots). */
  gather: { reg: string; at: number }[];
  /** The last stop: the words it writes (wordsAt-relative offset and operand) and the saved registers it writes. */
  stores: { at: number; from: Operand }[];
  saves: { reg: string; at: number }[];
  /** Its site and resume block; `words`: whether the site and resume words are written (not when the next site is a chain whose own stop writes them). */
  next: number;
  resume: number;
  words: boolean;
}

/** What planning needs of the compiler. */
export interface LockstepContext {
  blocks: readonly BasicBlock[];
  regCls(name: string): Cls | undefined;
  /** The saved (slot) registers restored at a resume block. */
  restores(block: number): readonly string[];
  recompute(block: number): readonly Instruction[];
  slotAt(name: string): number | undefined;
  shflConsts(form: WarpSiteForm): { b?: number; c?: number };
}

/** Opcodes whose scalar code touches nothing but registers (and pure bridge calls). */
const ALU = new Set(['mov', 'add', 'sub', 'mul', 'mad', 'fma', 'div', 'rem', 'abs', 'neg', 'min', 'max', 'and', 'or', 'xor', 'not', 'cnot', 'shl', 'shr', 'setp', 'selp', 'set', 'slct', 'cvt', 'copysign', 'sqrt', 'rsqrt', 'rcp', 'sin', 'cos', 'lg2', 'ex2', 'tanh', 'popc', 'clz', 'bfind', 'brev', 'bfe', 'bfi', 'prmt', 'shf', 'testp', 'sad', 'mul24', 'mad24', 'lop3']);

/** Links per run (each run's code is unrolled over the 32 lanes) and in all runs of a kernel: its module's size and compile time stay near the scalar chains'. */
const RUN_LINKS = 16;
const LINKS_TOTAL = 64;

/** Lanes of a warp, and v128 groups of 4 lanes. */
const LANES = 32;
const GROUPS = 8;

/** Whether `name` is a register whose values are 32-bit (one v128 holds 4 lanes of it). */
function reg32(ctx: LockstepContext, name: string): boolean {
  const cls = ctx.regCls(name);
  return cls !== undefined && (valType(cls) === 'i32' || valType(cls) === 'f32');
}

function operandOk(ctx: LockstepContext, o: Operand): boolean {
  if (o.kind === 'reg' || o.kind === 'not') return reg32(ctx, o.name);
  if (o.kind === 'pair') return operandOk(ctx, o.first) && operandOk(ctx, o.second);
  return o.kind === 'int' || o.kind === 'f32' || o.kind === 'sink';
}

function instructionOk(ctx: LockstepContext, ins: Instruction): boolean {
  const op = ins.parts[0]!;
  if (!ALU.has(op) || ins.parts.includes('cc')) return false;
  if (ins.guard && !reg32(ctx, ins.guard.name)) return false;
  const u = useDef(ins);
  return ins.operands.every((o) => operandOk(ctx, o)) && [...u.uses, ...u.defs].every((n) => reg32(ctx, n));
}

/**
 * The lock-step runs of a kernel's chain links: one per head (a qualifying straight link that no
 * qualifying straight link stops at), through the qualifying straight links that follow it.
 */
export function warpLockstepPlans(links: readonly ShuffleChainLink[], ctx: LockstepContext, chainSites: ReadonlySet<number>, wordsAt: number): WarpLockstepPlan[] {
  const bySite = new Map<number, LockstepLink & { block: number; next: number }>();
  for (const l of links) {
    if (l.next === undefined) continue;
    const block = ctx.blocks[l.block]!;
    const form = block.warp;
    const t = block.term;
    if (form?.kind !== 'shfl' || t?.kind !== 'yield') continue;
    const { b, c } = ctx.shflConsts(form);
    const wa = t.form?.stores.find((s) => s.word === 'wa')?.from;
    if (b === undefined || c === undefined) continue;
    if (!form.results.every((r) => r.to.kind === 'sink' || (r.to.kind === 'reg' && reg32(ctx, r.to.name)))) continue;
    if (!block.instrs.every((ins) => instructionOk(ctx, ins))) continue;
    // the recomputed registers the link reads (the others are not needed until the scalar code recomputes them)
    const need = new Set<string>();
    for (const ins of block.instrs) for (const n of useDef(ins).uses) need.add(n);
    for (const st of t.form?.stores ?? []) if (st.from !== -1 && (st.from.kind === 'reg' || st.from.kind === 'not')) need.add(st.from.name);
    const recompute: Instruction[] = [];
    let ok = true;
    for (const ins of [...ctx.recompute(l.block)].reverse()) {
      const d = useDef(ins);
      if (!d.defs.some((n) => need.has(n))) continue;
      if (!instructionOk(ctx, ins)) ok = false;
      for (const n of d.uses) need.add(n);
      recompute.unshift(ins);
    }
    if (!ok) continue;
    const results = form.results.flatMap((r) => (r.to.kind === 'reg' ? [{ reg: r.to.name, word: r.word }] : []));
    bySite.set(l.site, { mode: form.mode, b, c, results, instrs: [...recompute, ...block.instrs], operand: wa !== undefined && wa !== -1 ? wa : { kind: 'int', value: 0n } as Operand, block: l.block, next: l.next });
  }
  const nexts = new Set<number>();
  for (const l of bySite.values()) if (bySite.has(l.next)) nexts.add(l.next);
  const plans: WarpLockstepPlan[] = [];
  let total = 0;
  for (const [head, first] of bySite) {
    if (nexts.has(head)) continue;
    const chain = [{ site: head, link: first }];
    const visited = new Set([head]);
    for (let l = first; bySite.has(l.next) && !visited.has(l.next); ) {
      visited.add(l.next);
      chain.push({ site: l.next, link: (l = bySite.get(l.next)!) });
    }
    // in runs of at most RUN_LINKS: the next run starts where one stops (its group is still the whole warp)
    for (let k = 0; k < chain.length && total < LINKS_TOTAL; k += RUN_LINKS) {
      const run = chain.slice(k, Math.min(k + RUN_LINKS, k + LINKS_TOTAL - total));
      const plan = finish(run[0]!.site, run.map((x) => x.link), ctx, chainSites, wordsAt);
      if (plan) {
        plans.push(plan);
        total += run.length;
      }
    }
  }
  return plans;
}

/** The run's gathers (registers read before written, from the head's slots) and its last stop. */
function finish(head: number, run: (LockstepLink & { block: number; next: number })[], ctx: LockstepContext, chainSites: ReadonlySet<number>, wordsAt: number): WarpLockstepPlan | undefined {
  const written = new Set<string>();
  const read = new Set<string>();
  const use = (n: string): void => {
    if (!written.has(n)) read.add(n);
  };
  for (const l of run) {
    for (const r of l.results) written.add(r.reg);
    for (const ins of l.instrs) {
      const d = useDef(ins);
      d.uses.forEach(use);
      // a guarded write may leave the old value: read as well
      if (ins.guard) d.defs.forEach(use);
      for (const n of d.defs) written.add(n);
    }
    if (l.operand.kind === 'reg') use(l.operand.name);
  }
  const last = run[run.length - 1]!;
  const stop = ctx.blocks[last.block]!.term;
  if (stop?.kind !== 'yield') return undefined;
  const consts = stop.form?.kind === 'shfl' ? ctx.shflConsts(stop.form) : {};
  const stores: WarpLockstepPlan['stores'] = [];
  for (const st of stop.form?.stores ?? []) {
    // as a chain's stop (compile-wasm.ts warpYield): no WM, no b or c the next shfl folds
    if (st.word === 'wm' || (st.word === 'wb' && consts.b !== undefined) || (st.word === 'wc' && consts.c !== undefined)) continue;
    if (st.from === -1 || !(st.from.kind === 'int' || (st.from.kind === 'reg' && reg32(ctx, st.from.name)))) return undefined;
    if (st.from.kind === 'reg') use(st.from.name);
    stores.push({ at: wordsAt + WARP_WORD[st.word], from: st.from });
  }
  const headSaved = new Set(ctx.restores(run[0]!.block));
  const gather: WarpLockstepPlan['gather'] = [];
  for (const n of read) {
    const at = ctx.slotAt(n);
    if (!headSaved.has(n) || at === undefined) return undefined;
    gather.push({ reg: n, at });
  }
  // registers live after the last stop that the run neither read nor wrote are still in their slots
  const saves: WarpLockstepPlan['saves'] = [];
  for (const n of ctx.restores(stop.resume)) {
    if (!written.has(n) && !read.has(n)) continue;
    const at = ctx.slotAt(n);
    if (at === undefined || !reg32(ctx, n)) return undefined;
    saves.push({ reg: n, at });
  }
  return { site: head, links: run.map(({ block: _b, next: _n, ...l }) => l), gather, stores, saves, next: last.next, resume: stop.resume, words: !chainSites.has(last.next) };
}

/** The source lane and whether it is in range (scheduler.ts warpOp; the group is the whole warp), per lane. */
export function shflSources(mode: string, b: number, c: number): { j: number; p: boolean }[] {
  const out: { j: number; p: boolean }[] = [];
  const x1 = b & 31;
  const seg = (c >> 8) & 31;
  for (let lane = 0; lane < LANES; lane++) {
    const max = (lane & seg) | (c & 31 & ~seg);
    const j = mode === 'up' ? lane - x1 : mode === 'down' ? lane + x1 : mode === 'bfly' ? lane ^ x1 : (lane & seg) | (x1 & ~seg);
    const p = mode === 'up' ? j >= max : j <= max;
    out.push({ j: p ? j : lane, p });
  }
  return out;
}

/** 0xFD-prefixed SIMD opcodes used here. */
const V = { const: 0x0c, shuffle: 0x0d, i32x4_splat: 0x11, i32x4_extract: 0x1b, i32x4_replace: 0x1c, i32x4_add: 0xae, i32x4_sub: 0xb1, f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6 } as const;

export abstract class WarpLockstepEmitter extends ModuleDataEmitter {
  /** Per register, its eight v128 locals (lanes 4g..4g+3 in the g-th). */
  private warpVecs = new Map<string, number[]>();

  private warpVop(code: number): void {
    this.c.byte(0xfd).u32(code);
  }

  private warpVecsOf(name: string): number[] {
    let v = this.warpVecs.get(name);
    if (!v) {
      v = Array.from({ length: GROUPS }, () => this.localFor('v128'));
      this.warpVecs.set(name, v);
    }
    return v;
  }

  /** Scratch v128 groups: a few sets, allocated once per kernel and reused by every run. */
  private warpScratchSets: number[][] = [];

  private warpScratch(k: number): number[] {
    while (this.warpScratchSets.length <= k) this.warpScratchSets.push(Array.from({ length: GROUPS }, () => this.localFor('v128')));
    return this.warpScratchSets[k]!;
  }

  /**
   * The run of `plan` for the warp whose lanes' slots start at local `at0` (the group is its 32
   * lanes, all waiting at plan.site), resume words from local `wb` (its first thread), slot stride
   * `stride`, warp words at `wordsAt`.
   */
  protected warpLockstepRun(plan: WarpLockstepPlan, at0: number, wb: number, stride: number, wordsAt: number): void {
    for (const { reg, at } of plan.gather) this.warpGather(this.warpVecsOf(reg), at0, stride, at);
    let src = this.warpScratch(0);
    this.warpGather(src, at0, stride, wordsAt + WARP_WORD.wa);
    const tmp = this.warpScratch(1);
    plan.links.forEach((link, k) => {
      this.warpShuffle(tmp, src, link);
      for (const r of link.results) {
        const dst = this.warpVecsOf(r.reg);
        if (r.word === 'res') dst.forEach((d, g) => this.warpCopy(tmp[g]!, d));
        else {
          const srcs = shflSources(link.mode, link.b, link.c);
          dst.forEach((d, g) => this.warpV128Const([0, 1, 2, 3].map((i) => (srcs[4 * g + i]!.p ? 1 : 0)), d));
        }
      }
      for (const ins of link.instrs) this.warpLockstepInstruction(ins);
      if (k < plan.links.length - 1) src = this.warpGroupsOf(link.operand, 0);
    });
    this.warpLockstepStop(plan, at0, wb, stride, wordsAt);
  }

  private warpCopy(from: number, to: number): void {
    this.get(from);
    this.set(to);
  }

  private warpV128Const(lanes: number[], to: number): void {
    this.warpVop(V.const);
    for (const x of lanes) for (let i = 0; i < 4; i++) this.c.byte((x >>> (8 * i)) & 0xff);
    this.set(to);
  }

  /** Each lane's i32 at `at0 + lane · stride + off`, into the groups. */
  private warpGather(groups: number[], at0: number, stride: number, off: number): void {
    for (let g = 0; g < GROUPS; g++) {
      this.get(at0);
      this.c.byte(OP.i32_load).u32(2).u32(off + 4 * g * stride);
      this.warpVop(V.i32x4_splat);
      for (let i = 1; i < 4; i++) {
        this.get(at0);
        this.c.byte(OP.i32_load).u32(2).u32(off + (4 * g + i) * stride);
        this.warpVop(V.i32x4_replace);
        this.c.byte(i);
      }
      this.set(groups[g]!);
    }
  }

  /** The shfl's results (scheduler.ts warpOp over the whole warp) of the operands in `src`, into `out`. */
  private warpShuffle(out: number[], src: number[], link: LockstepLink): void {
    const srcs = shflSources(link.mode, link.b, link.c);
    for (let g = 0; g < GROUPS; g++) {
      const js = [0, 1, 2, 3].map((i) => srcs[4 * g + i]!.j);
      const from = [...new Set(js.map((j) => j >> 2))];
      if (from.length === 1 && js.every((j, i) => j === 4 * from[0]! + i)) {
        this.warpCopy(src[from[0]!]!, out[g]!);
      } else if (from.length <= 2) {
        const a = from[0]!, b = from[1] ?? a;
        this.get(src[a]!);
        this.get(src[b]!);
        this.warpVop(V.shuffle);
        for (const j of js) {
          const lane = (j >> 2 === a ? 0 : 4) + (j & 3);
          for (let i = 0; i < 4; i++) this.c.byte(4 * lane + i);
        }
        this.set(out[g]!);
      } else {
        this.get(src[js[0]! >> 2]!);
        this.warpVop(V.i32x4_extract);
        this.c.byte(js[0]! & 3);
        this.warpVop(V.i32x4_splat);
        for (let i = 1; i < 4; i++) {
          this.get(src[js[i]! >> 2]!);
          this.warpVop(V.i32x4_extract);
          this.c.byte(js[i]! & 3);
          this.warpVop(V.i32x4_replace);
          this.c.byte(i);
        }
        this.set(out[g]!);
      }
    }
  }

  /** The eight groups holding operand `o` (a register's own locals, or an immediate's splat in scratch set `k`). */
  private warpGroupsOf(o: Operand, k: number): number[] {
    if (o.kind === 'reg') return this.warpVecsOf(o.name);
    const out = this.warpScratch(k);
    const bits = o.kind === 'int' ? Number(BigInt.asIntN(32, o.value)) : o.kind === 'f32' ? o.bits | 0 : 0;
    for (const d of out) {
      this.i32(bits);
      this.warpVop(V.i32x4_splat);
      this.set(d);
    }
    return out;
  }

  /** One instruction over the 32 lanes: its SIMD form, or the scalar code once per lane. */
  private warpLockstepInstruction(ins: Instruction): void {
    if (this.warpSimdForm(ins)) return;
    const u = useDef(ins);
    const inputs = [...new Set([...u.uses, ...(ins.guard ? u.defs : [])])];
    const outputs = [...new Set(u.defs)];
    for (let l = 0; l < LANES; l++) {
      for (const n of inputs) this.warpLaneToScalar(n, l);
      this.forgetAll();
      this.instruction(ins);
      for (const n of outputs) this.warpScalarToLane(n, l);
    }
    this.forgetAll();
  }

  private warpLaneToScalar(name: string, l: number): void {
    const r = this.regs.get(name)!;
    this.get(this.warpVecsOf(name)[l >> 2]!);
    this.warpVop(V.i32x4_extract);
    this.c.byte(l & 3);
    if (r.cls === 'f32') this.op(OP.f32_reinterpret_i32);
    this.set(r.local);
  }

  private warpScalarToLane(name: string, l: number): void {
    const r = this.regs.get(name)!;
    const vec = this.warpVecsOf(name)[l >> 2]!;
    this.get(vec);
    this.get(r.local);
    if (r.cls === 'f32') this.op(OP.i32_reinterpret_f32);
    this.warpVop(V.i32x4_replace);
    this.c.byte(l & 3);
    this.set(vec);
  }

  /**
   * mov between 32-bit registers or from an immediate; add/sub of f32 (.rn) and of 32-bit
   * integers: the scalar code is one Wasm f32/i32 instruction, whose SIMD form gives the same bits.
   */
  private warpSimdForm(ins: Instruction): boolean {
    if (ins.guard) return false;
    const p = ins.parts;
    const op = p[0]!;
    const o = ins.operands;
    const d = o[0];
    if (d?.kind !== 'reg') return false;
    const dcls = this.regs.get(d.name)?.cls;
    if (op === 'mov' && p.length === 2 && o.length === 2) {
      const s = o[1]!;
      if (s.kind === 'reg') {
        const scls = this.regs.get(s.name)?.cls;
        if (scls === undefined || (scls === 'pred') !== (dcls === 'pred') || scls === 'i16' || dcls === 'i16') return false;
        const from = this.warpVecsOf(s.name), to = this.warpVecsOf(d.name);
        if (from !== to) from.forEach((f, g) => this.warpCopy(f, to[g]!));
        return true;
      }
      if ((s.kind === 'int' && dcls === 'i32') || (s.kind === 'f32' && (dcls === 'f32' || dcls === 'i32'))) {
        const src = this.warpGroupsOf(s, 2);
        this.warpVecsOf(d.name).forEach((t, g) => this.warpCopy(src[g]!, t));
        return true;
      }
      return false;
    }
    if ((op === 'add' || op === 'sub') && o.length === 3) {
      const t = p[p.length - 1]!;
      const mods = p.slice(1, -1);
      const cls = classOf(t);
      let code: number;
      if (cls === 'f32' && mods.every((m) => m === 'rn') && (dcls === 'f32' || dcls === 'i32')) code = op === 'add' ? V.f32x4_add : V.f32x4_sub;
      else if (cls === 'i32' && mods.length === 0 && (dcls === 'f32' || dcls === 'i32')) code = op === 'add' ? V.i32x4_add : V.i32x4_sub;
      else return false;
      const srcOk = (s: Operand): boolean => (s.kind === 'reg' ? ['i32', 'f32'].includes(this.regs.get(s.name)?.cls ?? '') : cls === 'f32' ? s.kind === 'f32' : s.kind === 'int');
      if (!srcOk(o[1]!) || !srcOk(o[2]!)) return false;
      const a = this.warpGroupsOf(o[1]!, 2), b = this.warpGroupsOf(o[2]!, 3);
      const to = this.warpVecsOf(d.name);
      for (let g = 0; g < GROUPS; g++) {
        this.get(a[g]!);
        this.get(b[g]!);
        this.warpVop(code);
        this.set(to[g]!);
      }
      return true;
    }
    return false;
  }

  /** The run's last stop, lane by lane: its words and saved registers, and its site and resume words. */
  private warpLockstepStop(plan: WarpLockstepPlan, at0: number, wb: number, stride: number, wordsAt: number): void {
    const lane = (groups: number[], l: number): void => {
      this.get(groups[l >> 2]!);
      this.warpVop(V.i32x4_extract);
      this.c.byte(l & 3);
    };
    const stores = plan.stores.map((s) => ({ at: s.at, groups: s.from.kind === 'reg' ? this.warpVecsOf(s.from.name) : undefined, value: s.from.kind === 'int' ? Number(BigInt.asIntN(32, s.from.value)) : 0 }));
    for (let l = 0; l < LANES; l++) {
      for (const s of stores) {
        this.get(at0);
        if (s.groups) lane(s.groups, l);
        else this.i32(s.value);
        this.c.byte(OP.i32_store).u32(2).u32(s.at + l * stride);
      }
      for (const s of plan.saves) {
        this.get(at0);
        lane(this.warpVecsOf(s.reg), l);
        this.c.byte(OP.i32_store).u32(2).u32(s.at + l * stride);
      }
      if (plan.words) {
        this.get(at0);
        this.i32(plan.next);
        this.c.byte(OP.i32_store).u32(2).u32(wordsAt + WARP_WORD.site + l * stride);
      }
    }
    if (plan.words) {
      for (let l = 0; l < LANES; l++) {
        this.get(this.P.resumeBase);
        this.get(wb);
        this.i32(2);
        this.op(OP.i32_shl);
        this.op(OP.i32_add);
        this.i32(-2 - plan.resume);
        this.c.byte(OP.i32_store).u32(2).u32(4 * l);
      }
    }
  }
}
