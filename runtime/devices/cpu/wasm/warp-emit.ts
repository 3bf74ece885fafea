/**
 * `run` of a kernel with warp-level sites (warp-sites.ts), emitted into the kernel's module. Two
 * modes, chosen by its second argument b1:
 *
 * - b1 >= 0, whole blocks: runs blocks b0 <= b < b1 with the JavaScript scheduler's rules
 *   (scheduler.ts runSyncBlock, as warp-launch.ts applies them), entirely in WebAssembly while
 *   every warp's lanes stay together: each warp in turn runs a pass of its ready lanes; when the
 *   lanes still running (not exited) all wait at the same warp-level site (tracked as each lane
 *   stops: warpStopped), that site's collective result (vote, activemask, redux, match,
 *   bar.warp.sync — the code below computes what scheduler.ts warpOp computes) is written to
 *   their RES/RESP words and they resume — a shfl's group instead resumes in the next pass by
 *   itself, each lane computing its own result (warpSiteResults) —, until no lane of the warp
 *   waits at a warp-level site; with every warp at a barrier or done, the
 *   barrier releases. Returns -1 when every block is done, or the block b where some warp's lanes
 *   diverged — lanes at different sites, or some at a barrier and some at a warp-level site (a
 *   partial group) — right after that warp's pass, its group not yet computed: the launch
 *   (warp-launch.ts) finishes block b with the general scheduler in JavaScript and calls again
 *   from b + 1. As the scheduler's rules are the same in both, so are the results. (With
 *   WarpRunPlan.fast false, every warp-level group goes to JavaScript.)
 * - b1 < 0, one pass: b1 = ~(t0 | t1 << 16); each thread t0 <= t < t1 of block b0 whose resume
 *   word is not negative runs until it exits (word -1) or stops at a site (word -2 - resume).
 *   The JavaScript scheduler's step. Returns -1.
 */
import type { SiteKind } from '../compile/compile.js';
import { OP } from './encoder.js';
import { valType, type BasicBlock } from './ptx-types.js';
import { WARP_WORD } from './warp-sites.js';
import { WarpLockstepEmitter, type WarpLockstepPlan } from './warp-lockstep.js';

type Word = keyof typeof WARP_WORD;

/** What emitWarpRun needs of the kernel. */
export interface WarpRunPlan {
  /** Bytes of a thread's slots and where its warp words start in them. */
  stride: number;
  wordsAt: number;
  /** The kernel's sync sites in program order (barriers too). */
  sites: readonly { kind: SiteKind; mode: string }[];
  /** Whether the collective results may be computed here (false: every warp-level group goes to JavaScript). */
  fast: boolean;
  /**
   * Shuffle chains (warp-chain.ts): per qualifying shfl site, `link` emits one lane's turn from
   * its resume block — restore, result (the group woke: warpSiteResults with known), the region's
   * code on to a stop or the exit (their `next` label ends the turn) — for L.t with L.sb and L.ra
   * set; `next`: the site a straight region's block stops at.
   */
  chains?: readonly { site: number; next?: number; link: () => void; lockstep?: WarpLockstepPlan }[];
  /**
   * The entry pass (warp-chain.ts entryChain): `lanes` emits one lane's turn from the entry block
   * (for L.t with L.sb and L.ra set, its registers zeroed) on to its stop at `site` or its exit;
   * `exits`: whether some path exits (each stop then joins its lane to the group: warpJoined);
   * `counter`: the global counting the warps that took it.
   */
  entry?: { site: number; exits: boolean; lanes: () => void; counter: number };
  /** The release pass (warp-chain.ts releaseChain): the same from the one barrier's resume block, for a warp's first pass after a release, its exited lanes skipped. */
  release?: { site: number; exits: boolean; lanes: () => void; counter: number; allExit?: WarpAllExit };
}

/**
 * The warp-wide exit (warp-exit.ts): `test` pushes 1 when the warp's lanes all exit at the
 * release pass's first block, evaluated for the warp's first lane (L.tx, L.ty, L.tz set);
 * `counter`: the global counting the warps that exited so.
 */
export interface WarpAllExit {
  test: () => void;
  counter: number;
}

/**
 * Whether kernels get the entry pass: tests turn it off to compare with the general pass, and
 * `TENSOR_WASM_WARP_ENTRY=0` does for a process (the block pool's workers inherit it), for benches.
 */
export const warpEntryPass = { enabled: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TENSOR_WASM_WARP_ENTRY !== '0' };

/** Whether the release pass may exit a whole warp at once (warp-exit.ts); `TENSOR_WASM_WARP_EXIT=0` turns it off for a process, for A/B benches. */
export const warpExitShortcut = { enabled: (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TENSOR_WASM_WARP_EXIT !== '0' };

/**
 * Whether the whole-block mode may compute the kernel's collective results: not when some
 * `match.any` has a predicate destination, which reads a RESP word no rule of the scheduler
 * writes (its value then depends on the JavaScript scheduler's history of that thread).
 */
export function warpFastPath(blocks: readonly BasicBlock[]): boolean {
  return !blocks.some((b) => b.warp?.kind === 'match' && b.warp.mode !== 'all' && b.warp.results.some((r) => r.word === 'resp'));
}

export abstract class WarpEmitter extends WarpLockstepEmitter {
  /** The locals of the scheduler below (allocated when `run` is emitted). */
  private W!: Record<'n' | 'nWarps' | 'warp' | 'wb' | 'we' | 'site' | 'group' | 'mixed' | 'pass' | 'u' | 'v' | 'lane' | 'r' | 'acc' | 'flag' | 'x1' | 'x2' | 'x3' | 'x4' | 'at' | 'at0' | 'atv' | 'g0' | 'wake' | 'sres' | 'sresp' | 'ps' | 'entry' | 'fresh', number>;

  private plan!: WarpRunPlan;

  /** Emits `run` (see the file's comment); `body` runs one thread from the resume block in L.pc (its `next` label ends the thread's turn). */
  protected emitWarpRun(plan: WarpRunPlan, body: () => void): void {
    this.plan = plan;
    const { P, L } = this;
    const v = (): number => this.localFor('i32');
    this.W = { n: v(), nWarps: v(), warp: v(), wb: v(), we: v(), site: v(), group: v(), mixed: v(), pass: v(), u: v(), v: v(), lane: v(), r: v(), acc: v(), flag: v(), x1: v(), x2: v(), x3: v(), x4: v(), at: v(), at0: v(), atv: v(), g0: v(), wake: v(), sres: v(), sresp: v(), ps: v(), entry: v(), fresh: v() };
    const W = this.W;
    // n threads per block, in warps of 32
    this.get(P.ntx);
    this.get(P.nty);
    this.op(OP.i32_mul);
    this.get(P.ntz);
    this.op(OP.i32_mul);
    this.set(W.n);
    this.get(W.n);
    this.i32(31);
    this.op(OP.i32_add);
    this.i32(5);
    this.op(OP.i32_shr_u);
    this.set(W.nWarps);
    this.get(P.b0);
    this.set(L.b);
    this.get(P.b1);
    this.i32(0);
    this.op(OP.i32_lt_s);
    this.open(OP.if, 'one_pass');
    // one pass: ~b1 = t0 | t1 << 16
    this.get(P.b1);
    this.i32(-1);
    this.op(OP.i32_xor);
    this.set(W.x1);
    this.get(W.x1);
    this.i32(0xffff);
    this.op(OP.i32_and);
    this.set(W.wb);
    this.get(W.x1);
    this.i32(16);
    this.op(OP.i32_shr_u);
    this.set(W.we);
    this.blockCoordinates(this.L.b);
    this.i32(1);
    this.set(W.pass);
    this.c.byte(OP.else);
    this.returnIfPastBlocks();
    this.startBlock();
    this.close();
    this.open(OP.loop, 'sched');
    // g0: the group that resumes in this pass (with wake); site, group, mixed: where this pass's
    // lanes stop, tracked as each one stops (warpStopped), no scan of the warp after the pass
    this.get(W.group);
    this.set(W.g0);
    this.get(W.site);
    this.set(W.ps);
    this.i32(-1);
    this.set(W.site);
    this.i32(0);
    this.set(W.group);
    this.i32(0);
    this.set(W.mixed);
    this.open(OP.block, 'passed');
    // a warp's first pass of the block (entry 1: every lane at the entry) or after the release
    // (entry 2: every lane exited or at the barrier's resume block): the region in one loop
    for (const [k, start] of [plan.entry, plan.release].entries()) {
      if (!start || !plan.fast) continue;
      this.get(W.entry);
      this.i32(k + 1);
      this.op(OP.i32_eq);
      this.open(OP.if, 'start');
      this.i32(0);
      this.set(W.entry);
      this.entryPass(start, k === 1);
      this.br('passed');
      this.close();
    }
    const chains = plan.chains ?? [];
    if (chains.length > 0) {
      // a group that woke at a chain's shfl site: that site's lanes in one loop, not the general pass
      this.get(W.wake);
      this.open(OP.if, 'woke');
      for (const ch of chains) {
        this.get(W.ps);
        this.i32(ch.site);
        this.op(OP.i32_eq);
        this.open(OP.if, 'chain');
        if (ch.lockstep) {
          // the whole warp woke: its run of straight links in lock-step (warp-lockstep.ts)
          this.get(W.g0);
          this.i32(-1);
          this.op(OP.i32_eq);
          this.open(OP.if, 'full_warp');
          this.warpLockstepRun(ch.lockstep, W.at0, W.wb, plan.stride, plan.wordsAt);
          this.chainStopped(ch.lockstep.next);
          this.br('passed');
          this.close();
        }
        this.chainPass(ch.link);
        this.chainStopped(ch.next);
        this.br('passed');
        this.close();
      }
      this.close();
    }
    this.threadPass(body);
    this.close();
    this.get(W.pass);
    this.open(OP.if, 'pass_only');
    this.i32(-1);
    this.op(OP.return);
    this.close();
    this.open(OP.block, 'no_site');
    this.get(W.site);
    this.i32(0);
    this.op(OP.i32_lt_s);
    this.br('no_site', true);
    // diverged (or a kernel whose results go to JavaScript): the launch finishes this block
    if (!plan.fast) {
      this.i32(1);
      this.set(W.mixed);
    }
    this.get(W.mixed);
    this.open(OP.if, 'diverged');
    this.get(L.b);
    this.op(OP.return);
    this.close();
    // a shfl: the group resumes in the next pass (wake), each lane computing its own result as it
    // resumes (warpSiteResults), with no loop over the lanes here
    this.i32(0);
    for (const k of this.sitesOf('shfl')) {
      this.get(W.site);
      this.i32(k);
      this.op(OP.i32_eq);
      this.op(OP.i32_or);
    }
    this.c.byte(OP.local_tee).u32(W.wake);
    this.br('sched', true);
    // another kind: the result, and the group resumes (in the operation's last loop over its lanes)
    this.collective();
    this.br('sched');
    this.close();
    // no lane of this warp waits at a warp-level site: the next warp
    this.inc(W.warp);
    this.get(W.warp);
    this.get(W.nWarps);
    this.op(OP.i32_lt_u);
    this.open(OP.if, 'next_warp');
    this.warpRange();
    this.br('sched');
    this.close();
    // every warp at a barrier or done: the barrier releases every waiting thread (its word -2 - r
    // back to r), four words at a time, then the last n % 4 one by one
    this.i32(0);
    this.set(W.u);
    this.releaseQuads();
    this.forLanes(W.u, W.n, () => {
      this.resumeAddress(W.u);
      this.c.byte(OP.i32_load).u32(2).u32(0);
      this.set(W.r);
      this.get(W.r);
      this.i32(-2);
      this.op(OP.i32_le_s);
      this.open(OP.if, 'waiting');
      this.i32(1);
      this.set(W.flag);
      this.resumeAddress(W.u);
      this.i32(-2);
      this.get(W.r);
      this.op(OP.i32_sub);
      this.c.byte(OP.i32_store).u32(2).u32(0);
      this.close();
    });
    this.get(W.flag);
    this.open(OP.if, 'released');
    // past a release no warp starts at the entry: at the barrier's resume block (2) with the release pass
    this.i32(plan.release && plan.fast ? 2 : 0);
    this.set(W.fresh);
    this.i32(0);
    this.set(W.warp);
    this.warpRange();
    this.br('sched');
    this.close();
    // the block is done: the next one
    this.inc(L.b);
    this.returnIfPastBlocks();
    this.startBlock();
    this.br('sched');
    this.close();
    this.op(OP.unreachable);
  }

  /**
   * After a straight chain (or a lock-step run) every lane of the group stopped at site `next`
   * (its stops write no tracking; a region's other stops track themselves).
   */
  private chainStopped(next: number | undefined): void {
    const { W } = this;
    if (next !== undefined && this.plan.sites[next]!.kind === 'bar') {
      this.i32(1);
      this.set(W.mixed);
    } else if (next !== undefined) {
      this.i32(next);
      this.set(W.site);
      this.get(W.g0);
      this.set(W.group);
    }
  }

  /**
   * The barrier's release of threads u, u + 1, … in groups of four (v128: each word becomes
   * -2 - word), up to the last multiple of 4 below n; W.flag: whether one waited (a word <= -2).
   * (A release rewrites every word of the block: one by one it measured 12% of the warp shuffle
   * reduction's time.)
   */
  private releaseQuads(): void {
    const { W } = this;
    const v = (code: number): void => void this.c.byte(0xfd).u32(code);
    const splat = (x: number): void => {
      this.i32(x);
      v(0x11); // i32x4.splat
    };
    const acc = this.localFor('v128'), q = this.localFor('v128'), m = this.localFor('v128');
    splat(0);
    this.set(acc);
    this.get(W.n);
    this.i32(-4);
    this.op(OP.i32_and);
    this.set(W.x1);
    this.open(OP.block, 'quads_done');
    this.open(OP.loop, 'quads');
    this.get(W.u);
    this.get(W.x1);
    this.op(OP.i32_ge_u);
    this.br('quads_done', true);
    this.resumeAddress(W.u);
    this.c.byte(OP.local_tee).u32(W.x2);
    v(0x00); // v128.load
    this.c.u32(0).u32(0);
    this.set(q);
    this.get(q);
    splat(-2);
    v(0x3d); // i32x4.le_s: waiting
    this.set(m);
    this.get(acc);
    this.get(m);
    v(0x50); // v128.or
    this.set(acc);
    // every word is -1 (exited) or -2 - r (waiting: no lane waits at a warp-level site now), and
    // -2 - (-1) = -1: one subtraction releases the waiting ones and keeps the exited ones
    this.get(W.x2);
    splat(-2);
    this.get(q);
    v(0xb1); // i32x4.sub
    v(0x0b); // v128.store
    this.c.u32(0).u32(0);
    this.get(W.u);
    this.i32(4);
    this.op(OP.i32_add);
    this.set(W.u);
    this.br('quads');
    this.close();
    this.close();
    this.get(acc);
    v(0x53); // v128.any_true
    this.set(W.flag);
  }

  /** The indices of the kernel's sites of `kind`. */
  private sitesOf(kind: SiteKind): number[] {
    return this.plan.sites.flatMap((x, k) => (x.kind === kind ? [k] : []));
  }

  /**
   * As thread L.t stops at site k (after its words are stored): the pass's tracking of where its
   * lanes stop — a barrier makes the pass mixed, a warp-level site joins the group, and a second
   * site makes it mixed (what a scan of the warp after the pass found before).
   */
  protected warpStopped(k: number): void {
    const { W, L } = this;
    if (this.plan.sites[k]!.kind === 'bar') {
      this.i32(1);
      this.set(W.mixed);
      return;
    }
    // mixed |= site >= 0 && site != k; site = k
    this.get(W.site);
    this.i32(k);
    this.op(OP.i32_ne);
    this.get(W.site);
    this.i32(0);
    this.op(OP.i32_ge_s);
    this.op(OP.i32_and);
    this.get(W.mixed);
    this.op(OP.i32_or);
    this.set(W.mixed);
    this.i32(k);
    this.set(W.site);
    this.get(W.group);
    this.i32(1);
    this.get(L.t);
    this.get(W.wb);
    this.op(OP.i32_sub);
    this.op(OP.i32_shl);
    this.op(OP.i32_or);
    this.set(W.group);
  }

  /**
   * A shfl site's resume block, thread L.t with its slots at `sb`: its result and predicate, in
   * the two locals returned. When its warp's group resumed by itself (wake), computed here as
   * scheduler.ts warpOp computes it — the source lane j from the lane's own b and c words, the
   * lane's own value when j is outside the group (g0) — reading j's operand word; a source lane
   * before this one has already run on past its next stop, so every lane first keeps its operand
   * in its WP word and such a source is read there (never for .down: j >= the lane). Otherwise
   * (the group's results written by a collective loop or by the launch in JavaScript) its RES and
   * RESP words. `consts`: b and c when the compiler knows them (its words then go unread); `known`:
   * the group surely woke (a shuffle chain's loop), no test of wake.
   */
  protected warpSiteResults(mode: string, sb: number, consts: { b?: number; c?: number } = {}, known = false): { res: number; resp: number } {
    const { W, L } = this;
    const earlier = mode !== 'down';
    if (!known) {
      this.get(W.wake);
      this.open(OP.if, 'woke');
    }
    if (earlier) this.storeWord(sb, 'wp', () => this.loadWord(sb, 'wa'));
    this.get(L.t);
    this.get(W.wb);
    this.op(OP.i32_sub);
    this.set(W.lane);
    // x1 = b & 31, x2 = c, x3 = segmask, acc = maxLane = (lane & segmask) | (c & 31 & ~segmask)
    if (consts.b !== undefined) this.i32(consts.b);
    else this.loadWord(sb, 'wb');
    this.i32(31);
    this.op(OP.i32_and);
    this.set(W.x1);
    if (consts.c !== undefined) this.i32(consts.c);
    else this.loadWord(sb, 'wc');
    this.set(W.x2);
    this.get(W.x2);
    this.i32(8);
    this.op(OP.i32_shr_s);
    this.i32(31);
    this.op(OP.i32_and);
    this.set(W.x3);
    this.get(W.lane);
    this.get(W.x3);
    this.op(OP.i32_and);
    this.get(W.x2);
    this.i32(31);
    this.op(OP.i32_and);
    this.get(W.x3);
    this.i32(-1);
    this.op(OP.i32_xor);
    this.op(OP.i32_and);
    this.op(OP.i32_or);
    this.set(W.acc);
    // j (in r)
    this.get(W.lane);
    if (mode === 'up' || mode === 'down') {
      this.get(W.x1);
      this.op(mode === 'up' ? OP.i32_sub : OP.i32_add);
    } else if (mode === 'bfly') {
      this.get(W.x1);
      this.op(OP.i32_xor);
    } else {
      this.get(W.x3);
      this.op(OP.i32_and);
      this.get(W.x1);
      this.get(W.x3);
      this.i32(-1);
      this.op(OP.i32_xor);
      this.op(OP.i32_and);
      this.op(OP.i32_or);
    }
    this.set(W.r);
    // pval: up j >= maxLane, else j <= maxLane (signed: j < 0 for up past lane 0); out of range: the lane's own
    this.get(W.r);
    this.get(W.acc);
    this.op(mode === 'up' ? OP.i32_ge_s : OP.i32_le_s);
    this.c.byte(OP.local_tee).u32(W.sresp);
    this.op(OP.i32_eqz);
    this.open(OP.if, 'own');
    this.get(W.lane);
    this.set(W.r);
    this.close();
    // the source's slots: j's when j is in the group, else the lane's own
    this.get(W.at0);
    this.get(W.r);
    this.i32(this.plan.stride);
    this.op(OP.i32_mul);
    this.op(OP.i32_add);
    this.get(sb);
    this.get(W.g0);
    this.get(W.r);
    this.op(OP.i32_shr_u);
    this.i32(1);
    this.op(OP.i32_and);
    this.op(OP.select);
    if (earlier) {
      // a source before this lane: its kept operand (WP), not its next stop's
      this.i32(WARP_WORD.wp - WARP_WORD.wa);
      this.i32(0);
      this.get(W.r);
      this.get(W.lane);
      this.op(OP.i32_lt_u);
      this.op(OP.select);
      this.op(OP.i32_add);
    }
    this.set(W.atv);
    this.loadWord(W.atv, 'wa');
    this.set(W.sres);
    if (known) return { res: W.sres, resp: W.sresp };
    this.c.byte(OP.else);
    this.loadWord(sb, 'res');
    this.set(W.sres);
    this.loadWord(sb, 'resp');
    this.set(W.sresp);
    this.close();
    return { res: W.sres, resp: W.sresp };
  }

  /** Returns -1 when L.b has reached b1. */
  private returnIfPastBlocks(): void {
    this.get(this.L.b);
    this.get(this.P.b1);
    this.op(OP.i32_ge_u);
    this.open(OP.if, 'blocks_done');
    this.i32(-1);
    this.op(OP.return);
    this.close();
  }

  /** Block L.b starts: its coordinates, shared memory zeroed, every thread at the kernel's start (resume word 0), warp 0 first. */
  private startBlock(): void {
    const { P, W } = this;
    this.blockCoordinates(this.L.b);
    this.get(P.sh);
    this.i32(0);
    this.get(P.shSize);
    this.c.byte(0xfc).u32(11).byte(0x00); // memory.fill
    this.get(P.resumeBase);
    this.i32(0);
    this.get(W.n);
    this.i32(2);
    this.op(OP.i32_shl);
    this.c.byte(0xfc).u32(11).byte(0x00);
    this.i32(1);
    this.set(W.fresh);
    this.i32(0);
    this.set(W.warp);
    this.warpRange();
  }

  /** wb, we: the threads of warp `warp` (the last one may be partial). */
  private warpRange(): void {
    const { W } = this;
    this.get(W.warp);
    this.i32(5);
    this.op(OP.i32_shl);
    this.set(W.wb);
    this.get(W.wb);
    this.i32(32);
    this.op(OP.i32_add);
    this.set(W.we);
    this.get(W.we);
    this.get(W.n);
    this.op(OP.i32_gt_u);
    this.open(OP.if, 'partial');
    this.get(W.n);
    this.set(W.we);
    this.close();
    // at0: the warp's first slots; no group resumes by itself in its first pass
    this.slotAddress(W.wb);
    this.set(W.at0);
    this.i32(0);
    this.set(W.wake);
    // before the block's first barrier release, its lanes have not run yet: all at the entry
    this.get(W.fresh);
    this.set(W.entry);
  }

  /**
   * The entry pass (warp-chain.ts entryChain): each lane of the warp, in thread order, runs the
   * entry region from its zeroed registers as the general pass would; then the lanes that did
   * not exit all wait at the region's site (no lane has run past it), which the tracking says.
   */
  private entryPass(entry: NonNullable<WarpRunPlan['entry']>, release: boolean): void {
    const { P, L, W } = this;
    this.firstThread();
    this.get(W.at0);
    this.set(L.sb);
    if (release) {
      this.i32(0);
      this.set(W.group);
    }
    const allExit = release ? this.plan.release?.allExit : undefined;
    if (allExit) this.open(OP.block, 'warp_exited');
    if (allExit) this.warpExit(allExit);
    this.forLanes(L.t, W.we, () => {
      this.open(OP.block, 'next');
      this.resumeAddress(L.t);
      this.c.byte(OP.local_tee).u32(L.ra);
      if (release) {
        // an exited lane (-1) stays so; every other one is ready at the barrier's resume block
        this.c.byte(OP.i32_load).u32(2).u32(0);
        this.i32(-1);
        this.op(OP.i32_eq);
        this.br('next', true);
      } else this.op(OP.drop);
      this.zeroRegisters();
      entry.lanes();
      this.close();
      this.get(L.sb);
      this.i32(this.plan.stride);
      this.op(OP.i32_add);
      this.set(L.sb);
      this.carry(L.tx, P.ntx, () => this.carry(L.ty, P.nty, () => this.inc(L.tz)));
    });
    if (allExit) this.close();
    if (!entry.exits) {
      // group: every lane of the warp, -1 >>> (32 - lanes) (a full warp's -1)
      this.i32(-1);
      this.i32(32);
      this.get(W.we);
      this.get(W.wb);
      this.op(OP.i32_sub);
      this.op(OP.i32_sub);
      this.op(OP.i32_shr_u);
      this.set(W.group);
    }
    // the site, when some lane waits there (each stop joined its lane: warpJoined)
    this.i32(entry.site);
    this.i32(-1);
    this.get(W.group);
    this.op(OP.select);
    this.set(W.site);
    this.c.byte(OP.global_get).u32(entry.counter);
    this.i32(1);
    this.op(OP.i32_add);
    this.c.byte(OP.global_set).u32(entry.counter);
  }

  /**
   * The warp-wide exit (warp-exit.ts): when %ntid.x is a multiple of 32 and the release block's
   * test, for the warp's first lane, says exit, every lane's resume word becomes -1 (what each
   * lane's exit writes; a lane exited before the barrier is -1 already) and the pass ends with no
   * lane in the group (br warp_exited). Otherwise the lanes run one by one from the first.
   * (A lane's exit also counts itself in L.gone, which only the barrier-only launch loops read.)
   */
  private warpExit(allExit: WarpAllExit): void {
    const { P, W } = this;
    this.open(OP.block, 'lanes_apart');
    this.get(P.ntx);
    this.i32(31);
    this.op(OP.i32_and);
    this.br('lanes_apart', true);
    allExit.test();
    this.op(OP.i32_eqz);
    this.br('lanes_apart', true);
    this.get(W.wb);
    this.set(W.u);
    this.forLanes(W.u, W.we, () => {
      this.resumeAddress(W.u);
      this.i32(-1);
      this.c.byte(OP.i32_store).u32(2).u32(0);
    });
    this.c.byte(OP.global_get).u32(allExit.counter);
    this.i32(1);
    this.op(OP.i32_add);
    this.c.byte(OP.global_set).u32(allExit.counter);
    this.br('warp_exited');
    this.close();
  }

  /** As thread L.t stops in the entry pass of a region with exits: its lane joins the group. */
  protected warpJoined(): void {
    const { W, L } = this;
    this.get(W.group);
    this.i32(1);
    this.get(L.t);
    this.get(W.wb);
    this.op(OP.i32_sub);
    this.op(OP.i32_shl);
    this.op(OP.i32_or);
    this.set(W.group);
  }

  /** Every register 0, as a thread starts (the JavaScript backend's registers start at 0); the lanes' emitter zeroes its vectors after it. */
  protected zeroRegisters(): void {
    for (const r of this.regs.values()) {
      const t = valType(r.cls);
      if (t === 'i32') this.i32(0);
      else if (t === 'i64') this.i64(0n);
      else if (t === 'f32') this.c.byte(OP.f32_const).f32bits(0);
      else this.c.byte(OP.f64_const).f64(0);
      this.set(r.local);
    }
  }

  /**
   * The woken group's lanes (g0, all waiting at one chain site) each run `link` from their slots,
   * in thread order, as the general pass would run them.
   */
  private chainPass(link: () => void): void {
    const { P, L, W } = this;
    this.firstThread();
    this.get(W.at0);
    this.set(L.sb);
    this.forLanes(L.t, W.we, () => {
      this.open(OP.block, 'next');
      this.get(W.g0);
      this.get(L.t);
      this.get(W.wb);
      this.op(OP.i32_sub);
      this.op(OP.i32_shr_u);
      this.i32(1);
      this.op(OP.i32_and);
      this.op(OP.i32_eqz);
      this.br('next', true);
      this.get(P.resumeBase);
      this.get(L.t);
      this.i32(2);
      this.op(OP.i32_shl);
      this.op(OP.i32_add);
      this.set(L.ra);
      link();
      this.close();
      this.get(L.sb);
      this.i32(this.plan.stride);
      this.op(OP.i32_add);
      this.set(L.sb);
      this.carry(L.tx, P.ntx, () => this.carry(L.ty, P.nty, () => this.inc(L.tz)));
    });
  }

  /** One pass of threads wb <= t < we: each ready one (resume word >= 0) runs from there. */
  private threadPass(body: () => void): void {
    const { P, L, W } = this;
    this.firstThread();
    this.forLanes(L.t, W.we, () => {
      this.open(OP.block, 'next');
      this.get(P.resumeBase);
      this.get(L.t);
      this.i32(2);
      this.op(OP.i32_shl);
      this.op(OP.i32_add);
      this.c.byte(OP.local_tee).u32(L.ra);
      this.c.byte(OP.i32_load).u32(2).u32(0);
      this.c.byte(OP.local_tee).u32(L.pc);
      this.i32(0);
      this.op(OP.i32_lt_s);
      this.open(OP.if, 'waiting');
      // done (-1), or waiting (-2 - r) while no group resumes by itself: not this pass
      this.get(W.wake);
      this.op(OP.i32_eqz);
      this.get(L.pc);
      this.i32(-1);
      this.op(OP.i32_eq);
      this.op(OP.i32_or);
      this.br('next', true);
      // the shfl group resumes (wake: every lane still waiting is in it) at r
      this.i32(-2);
      this.get(L.pc);
      this.op(OP.i32_sub);
      this.set(L.pc);
      this.close();
      this.get(P.slotBase);
      this.get(L.t);
      this.i32(this.plan.stride);
      this.op(OP.i32_mul);
      this.op(OP.i32_add);
      this.set(L.sb);
      this.zeroRegisters();
      body();
      this.close();
      this.carry(L.tx, P.ntx, () => this.carry(L.ty, P.nty, () => this.inc(L.tz)));
    });
  }

  /** L.t = wb, and its tx, ty, tz (then counted along: no divisions per thread). */
  private firstThread(): void {
    const { P, L, W } = this;
    this.get(W.wb);
    this.set(L.t);
    this.get(L.t);
    this.get(P.ntx);
    this.op(OP.i32_rem_u);
    this.set(L.tx);
    this.get(L.t);
    this.get(P.ntx);
    this.op(OP.i32_div_u);
    this.set(L.q);
    this.get(L.q);
    this.get(P.nty);
    this.op(OP.i32_rem_u);
    this.set(L.ty);
    this.get(L.q);
    this.get(P.nty);
    this.op(OP.i32_div_u);
    this.set(L.tz);
  }

  /** `counter` from its value up to `limit` (exclusive), running `each` per value. */
  private forLanes(counter: number, limit: number, each: () => void): void {
    this.open(OP.block, 'lanes_done');
    this.open(OP.loop, 'lanes');
    this.get(counter);
    this.get(limit);
    this.op(OP.i32_ge_u);
    this.br('lanes_done', true);
    each();
    this.inc(counter);
    this.br('lanes');
    this.close();
    this.close();
  }

  /**
   * Each lane u of the warp in `group`, with `lane` = u - wb and `at` its slots' address; with
   * `resume`, the lane then resumes (its word -2 - r back to r): the operation's last loop.
   */
  private forGroupLanes(each: () => void, o: { resume?: boolean; counter?: number; lane?: number; at?: number } = {}): void {
    const { W } = this;
    const counter = o.counter ?? W.u, lane = o.lane ?? W.lane, at = o.at ?? W.at;
    this.get(W.wb);
    this.set(counter);
    this.get(W.at0);
    this.set(at);
    this.forLanes(counter, W.we, () => {
      this.open(OP.block, 'not_member');
      this.get(counter);
      this.get(W.wb);
      this.op(OP.i32_sub);
      this.c.byte(OP.local_tee).u32(lane);
      this.memberBit();
      this.op(OP.i32_eqz);
      this.br('not_member', true);
      each();
      if (o.resume) {
        this.resumeAddress(counter);
        this.i32(-2);
        this.resumeAddress(counter);
        this.c.byte(OP.i32_load).u32(2).u32(0);
        this.op(OP.i32_sub);
        this.c.byte(OP.i32_store).u32(2).u32(0);
      }
      this.close();
      this.get(at);
      this.i32(this.plan.stride);
      this.op(OP.i32_add);
      this.set(at);
    });
  }

  /** (group >> [stack top]) & 1. */
  private memberBit(): void {
    const { W } = this;
    this.set(W.x4);
    this.get(W.group);
    this.get(W.x4);
    this.op(OP.i32_shr_u);
    this.i32(1);
    this.op(OP.i32_and);
  }

  /** The collective result of the group's site (one body per kind and mode, for every site of it). */
  private collective(): void {
    const { W } = this;
    const forms = new Map<string, { kind: SiteKind; mode: string; at: number[] }>();
    this.plan.sites.forEach((s, k) => {
      // shfl: computed by each lane as it resumes (warpSiteResults)
      if (s.kind === 'bar' || s.kind === 'shfl') return;
      const key = `${s.kind}.${s.mode}`;
      const f = forms.get(key);
      if (f) f.at.push(k);
      else forms.set(key, { kind: s.kind, mode: s.mode, at: [k] });
    });
    for (const f of forms.values()) {
      this.i32(0);
      for (const k of f.at) {
        this.get(W.site);
        this.i32(k);
        this.op(OP.i32_eq);
        this.op(OP.i32_or);
      }
      this.open(OP.if, 'site_kind');
      this.operation(f.kind, f.mode);
      this.close();
    }
  }

  private operation(kind: SiteKind, mode: string): void {
    const { W } = this;
    switch (kind) {
      case 'activemask':
      case 'syncwarp':
        return this.forGroupLanes(() => this.storeWord(W.at, 'res', () => this.get(W.group)), { resume: true });
      case 'vote':
        return this.vote(mode);
      case 'redux':
        return this.redux(mode);
      case 'match':
        return mode === 'all' ? this.matchAll() : this.matchAny();
      default:
        throw new Error(`internal: unexpected warp site kind ${kind}`);
    }
  }

  /** vote: the ballot of the group's predicates, then each mode's value of it (scheduler.ts warpOp). */
  private vote(mode: string): void {
    const { W } = this;
    this.i32(0);
    this.set(W.acc);
    this.forGroupLanes(() => {
      this.loadWord(W.at, 'wa');
      this.open(OP.if, 'set');
      this.get(W.acc);
      this.i32(1);
      this.get(W.lane);
      this.op(OP.i32_shl);
      this.op(OP.i32_or);
      this.set(W.acc);
      this.close();
    });
    if (mode === 'ballot') this.get(W.acc);
    else if (mode === 'any') {
      this.get(W.acc);
      this.i32(0);
      this.op(OP.i32_ne);
    } else if (mode === 'all') {
      this.get(W.acc);
      this.get(W.group);
      this.op(OP.i32_eq);
    } else {
      this.get(W.acc);
      this.op(OP.i32_eqz);
      this.get(W.acc);
      this.get(W.group);
      this.op(OP.i32_eq);
      this.op(OP.i32_or);
    }
    this.set(W.flag);
    this.forGroupLanes(() => this.storeWord(W.at, 'res', () => this.get(W.flag)), { resume: true });
  }

  /** redux: the group's values folded in thread order (unsigned min/max for .u32, signed otherwise; any other op is xor, as warpOp). */
  private redux(mode: string): void {
    const { W } = this;
    const [op, type] = mode.split('.');
    const lt = type === 'u32' ? OP.i32_lt_u : OP.i32_lt_s;
    const gt = type === 'u32' ? OP.i32_gt_u : OP.i32_gt_s;
    this.i32(1);
    this.set(W.flag);
    this.forGroupLanes(() => {
      this.loadWord(W.at, 'wa');
      this.set(W.x1);
      this.get(W.flag);
      this.open(OP.if, 'first');
      this.get(W.x1);
      this.set(W.acc);
      this.i32(0);
      this.set(W.flag);
      this.c.byte(OP.else);
      if (op === 'min' || op === 'max') {
        // Math.min / Math.max: acc if it is below / above the value, else the value
        this.get(W.acc);
        this.get(W.x1);
        this.get(W.acc);
        this.get(W.x1);
        this.op(op === 'min' ? lt : gt);
        this.op(OP.select);
      } else {
        this.get(W.acc);
        this.get(W.x1);
        this.op(op === 'add' ? OP.i32_add : op === 'and' ? OP.i32_and : op === 'or' ? OP.i32_or : OP.i32_xor);
      }
      this.set(W.acc);
      this.close();
    });
    this.forGroupLanes(() => this.storeWord(W.at, 'res', () => this.get(W.acc)), { resume: true });
  }

  /** match.all: the group when every value equals the first lane's (predicate 1), else 0 (predicate 0). */
  private matchAll(): void {
    const { W } = this;
    this.get(W.at0);
    this.get(W.group);
    this.op(OP.i32_ctz);
    this.i32(this.plan.stride);
    this.op(OP.i32_mul);
    this.op(OP.i32_add);
    this.set(W.atv);
    this.loadWord(W.atv, 'wa');
    this.set(W.x1);
    this.i32(1);
    this.set(W.flag);
    this.forGroupLanes(() => {
      this.loadWord(W.at, 'wa');
      this.get(W.x1);
      this.op(OP.i32_ne);
      this.open(OP.if, 'differs');
      this.i32(0);
      this.set(W.flag);
      this.close();
    });
    this.forGroupLanes(
      () => {
        this.storeWord(W.at, 'res', () => {
          this.get(W.group);
          this.i32(0);
          this.get(W.flag);
          this.op(OP.select);
        });
        this.storeWord(W.at, 'resp', () => this.get(W.flag));
      },
      { resume: true },
    );
  }

  /** match.any: per lane, the members of the group holding its value (its RESP word untouched, as warpOp leaves it). */
  private matchAny(): void {
    const { W } = this;
    this.forGroupLanes(
      () => {
        this.loadWord(W.at, 'wa');
        this.set(W.x1);
        this.i32(0);
        this.set(W.acc);
        this.forGroupLanes(
          () => {
            this.loadWord(W.atv, 'wa');
            this.get(W.x1);
            this.op(OP.i32_eq);
            this.open(OP.if, 'same');
            this.get(W.acc);
            this.i32(1);
            this.get(W.x2);
            this.op(OP.i32_shl);
            this.op(OP.i32_or);
            this.set(W.acc);
            this.close();
          },
          { counter: W.v, lane: W.x2, at: W.atv },
        );
        this.storeWord(W.at, 'res', () => this.get(W.acc));
      },
      { resume: true },
    );
  }

  /** resumeBase + 4 · t. */
  private resumeAddress(t: number): void {
    this.get(this.P.resumeBase);
    this.get(t);
    this.i32(2);
    this.op(OP.i32_shl);
    this.op(OP.i32_add);
  }

  /** slotBase + stride · t (the word's offset goes in the access). */
  private slotAddress(t: number): void {
    this.get(this.P.slotBase);
    this.get(t);
    this.i32(this.plan.stride);
    this.op(OP.i32_mul);
    this.op(OP.i32_add);
  }

  /** The warp word of the thread whose slots start at `at` (a local). */
  private loadWord(at: number, word: Word): void {
    this.get(at);
    this.c.byte(OP.i32_load).u32(2).u32(this.plan.wordsAt + WARP_WORD[word]);
  }

  private storeWord(at: number, word: Word, value: () => void): void {
    this.get(at);
    value();
    this.c.byte(OP.i32_store).u32(2).u32(this.plan.wordsAt + WARP_WORD[word]);
  }
}
