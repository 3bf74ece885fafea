/**
 * A second backend for the CPU device: compiles a PTX kernel to WebAssembly that works directly on
 * the guest's linear memory (the guest's own WebAssembly.Memory, imported), so 64-bit address
 * arithmetic is native i64, f32 arithmetic is native f32 and V8 runs it without JS's speculation.
 *
 * It takes only kernels it can run exactly like the JavaScript backend: integer/float arithmetic,
 * comparisons, conversions, .global/.shared/.local/.param loads and stores, the module's .global
 * and .const variables (emit-module-data.ts), atomics, `bar.sync` (threads run in phases between
 * barriers, in the JavaScript backend's order), warp-level operations (warp-sites.ts: resume points
 * the launch schedules as the JavaScript scheduler does, warp-launch.ts) and any control flow;
 * generic memory and the rest return `unsupported` with the reason, and the kernel runs on the
 * JavaScript backend (compile/compile.ts) as before. Every global access is
 * checked against the launch's pointer windows with a per-site cache, as in the JavaScript backend,
 * or once for many threads or iterations when its address allows it (block-checks.ts: affine in
 * %tid.x, once per block; self-loop-checks.ts: affine in a loop's induction register, once per
 * loop entry); a fault reports what the JavaScript backend's memcheck (memcheck.ts) reports.
 * A grid-stride loop whose threads provably see nothing of each other runs a block's threads in
 * lock-step, one iteration of each per round (lockstep-loop.ts, lockstep-emit.ts).
 */
import type { Instruction, Operand, PtxFunction, PtxModule } from '../ast.js';
import { carryIn, carryOut } from '../carry.js';
import { flatten } from '../compile/inline.js';
import { layout } from '../compile/layout.js';
import { liveIn, useDef } from '../compile/liveness.js';
import { LockstepRetry } from './lockstep-emit.js';
import { LanesEmitter, type LaneSite } from './lanes-emit.js';
import { lanesPlan } from './lanes-plan.js';
import { rangeLanes, rangeLanesPlan } from './lanes-range.js';
import { lockstepPhasePlan, lockstepPlan } from './lockstep-loop.js';
import { lockstepRangeFits } from './lockstep-range.js';
import { FAULT_FUNC_AT, faultFunction } from './emit-memory.js';
import { Bytes, OP, encodeModule, type ValType } from './encoder.js';
import { IMPORTS, LAUNCH_ARGS, LOAD_OF, REMAT_OPS, SPECIAL, STORE_OF, Unsupported, WRITTEN_EXPORT, writesMemory, bits, classOf, regClassOf, unsupported, valType, type BasicBlock } from './ptx-types.js';
import { BlockProof } from './block-check-emit.js';
import { blockCheckedSites, type BlockCheckedSite } from './block-checks.js';
import { selfLoopPlan, type SelfLoopPlan } from './self-loop-checks.js';
import { idlePrefix, type IdleNode } from './idle-threads.js';
import { uniformRegisters } from './uniform.js';
import { WARP_WORD, WARP_WORDS_BYTES, warpSiteForm, type WarpSiteForm } from './warp-sites.js';
import { fusedMadd32Available, fusedMaddAvailable } from './fused-madd.js';
import { warpEntryPass, warpExitShortcut, warpFastPath } from './warp-emit.js';
import { warpExitTest, type WarpExitTest } from './warp-exit.js';
import { entryChain, releaseChain, shuffleChainLinks, type EntryChain, type ShuffleChainLink } from './warp-chain.js';
import { warpLockstep, warpLockstepPlans, type WarpLockstepPlan } from './warp-lockstep.js';
import type { SiteKind } from '../compile/compile.js';
import { phaseLanes, phaseLanesPlan, type PhaseLanesPlan } from './phase-lanes.js';

export { FAULT, FAULT_RECORD, LAUNCH_ARGS } from './ptx-types.js';

export interface WasmKernel {
  module: WebAssembly.Module;
  /** The module's bytes: pool/shared-module.ts makes the variant that imports a shared memory from them. */
  bytes: Uint8Array;
  /** Wasm types of the kernel's .param list, passed after the launch arguments. */
  params: ValType[];
  /** Whether it has barriers: the launch then needs per-thread resume words and register slots. */
  sync: boolean;
  /** Bytes of saved registers per thread (8 per register live across a barrier), and with warp sites the warp words after them. */
  slotBytes: number;
  /**
   * Warp-level sites (warp-sites.ts): the kernel's sync sites in program order (barriers too,
   * numbered as the JavaScript backend numbers them) and where each thread's warp words start in
   * its slots; `run` then runs whole blocks until some warp's lanes diverge, or one pass of some
   * threads (warp-emit.ts; the launch: warp-launch.ts). Absent: none.
   */
  warp?: { sites: { kind: SiteKind; mode: string; line: number }[]; wordsAt: number; fast: boolean; /** shfl sites run as shuffle chains, and how many of those are straight (warp-chain.ts) */ chains: number; straightChains: number; /** runs of straight links a full warp takes in lock-step (warp-lockstep.ts) */ lockstepRuns: number; /** whether warps start with the entry pass (warp-chain.ts entryChain) */ entryPass: boolean; /** and with the release pass after the barrier (releaseChain) */ releasePass: boolean; /** whose whole warps may exit at once (warp-exit.ts) */ warpExit: boolean };
  usesShared: boolean;
  /** Bytes of each thread's local frame (.local and call-site .param variables; 0 when the kernel has none). */
  frameBytes: number;
  /** Barrier entries whose phase runs only the threads that do more than test and wait or exit (idle-threads.ts). */
  idlePhases: number;
  /** Shared accesses compiled with a bounds check (the others: proven in bounds by ranges.ts, or repeats). */
  sharedChecks: number;
  /** Global access sites checked once per block when their addresses allow it (block-checks.ts). */
  blockChecks: number;
  /** Global access sites in self-loops checked once as the loop is entered when every iteration's address allows it (self-loop-checks.ts). */
  selfLoopChecks: number;
  /** Whether its blocks run their threads in lock-step through its grid-stride loop when the launch allows (lockstep-loop.ts). */
  lockstep: boolean;
  /** Whether its lock-step rounds first try each call's whole block range without slots (lockstep-range.ts): the launch then calls it with wider ranges. */
  lockstepRange: boolean;
  /** Whether the range rounds' walk runs 4 i at once in SIMD lanes (lanes-range.ts). */
  rangeLanes: boolean;
  /** Whether its blocks run 4 threads at once in SIMD lanes when the run-time test allows (lanes-plan.ts, lanes-emit.ts). */
  lanes: boolean;
  /** Barrier phases whose running threads go 4 at a time in SIMD lanes (phase-lanes.ts; groups counted in `lanesBlocks`). */
  phaseLanes: number;
  /** Bytes of the module's .global variables the launch copies in below the fault record and back (0: none; emit-module-data.ts). */
  modvarBytes: number;
  /** Bytes of the module's .const variables the launch copies in below them (0: none). */
  constBytes: number;
  /** Imported JavaScript functions for instructions without native code (js-bridge.ts), by import name. */
  bridges: Record<string, (...args: number[]) => unknown>;
  /** The opcodes of the bridged instructions (one per import). */
  bridged: string[];
  /** Their JavaScript sources, by import name: a worker rebuilds `bridges` with js-bridge.ts bridgeFunction (closures do not cross threads). */
  bridgeSources: Record<string, string>;
}


/** Bytes of module .global/.const variables a Wasm launch copies in (and out): above, the kernel runs on the JavaScript backend. */
export const MODULE_DATA_MAX = 16 << 20;

/** The bit of `seen` that entries past 30 share (a phase that sets it runs the general copy). */
const SEEN_SHARED = 1 << 31;

export type WasmCompileResult = { kernel: WasmKernel } | { unsupported: string };

export interface WasmCompileOptions {
  /** `fma.rn.f64` as one fused `f64x2.relaxed_madd`; default: where the engine's is measured fused (fused-madd.ts). */
  fusedMadd?: boolean;
  /** `fma.rn.f32` (and `mad.rn.f32`) as one fused `f32x4.relaxed_madd`; the same default. */
  fusedMadd32?: boolean;
  /** Threads in SIMD lane groups where the kernel allows (lanes-plan.ts); default true (tests turn it off to compare). */
  lanes?: boolean;
}

export function compileWasmKernel(module: PtxModule, entry: PtxFunction, options: WasmCompileOptions = {}): WasmCompileResult {
  try {
    const fused = { f64: options.fusedMadd ?? fusedMaddAvailable(), f32: options.fusedMadd32 ?? fusedMadd32Available() };
    try {
      return { kernel: new KernelCompiler(module, entry, fused, true, options.lanes ?? true).compile() };
    } catch (e) {
      // a lock-step loop would have needed a shared check: the kernel without lock-step (lockstep-emit.ts)
      if (!(e instanceof LockstepRetry)) throw e;
      return { kernel: new KernelCompiler(module, entry, fused, false, options.lanes ?? true).compile() };
    }
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}

class KernelCompiler extends LanesEmitter {
  /** Whether the kernel has barriers: threads then run in phases, saving registers at each. */
  private sync = false;

  /** The sync sites in program order (barriers and warp-level operations), as the JavaScript backend numbers them. */
  private readonly siteList: { kind: SiteKind; mode: string; line: number }[] = [];

  /** Whether some site is warp-level: the launch then schedules the threads (warp-launch.ts). */
  private warp = false;

  private readonly restores = new Map<number, string[]>();

  /** Per resume block: instructions recomputing its rematerialisable live-in registers. */
  private readonly recompute = new Map<number, Instruction[]>();

  private remat = new Map<string, Instruction>();

  private readonly slots = new Map<string, number>();

  /**
   * Block-uniform registers live across a barrier (uniform.ts): one copy per block, in a global
   * written as threads stop and read into `local` once as each phase starts; a resuming thread
   * copies it from there (no per-thread slot to address, store and load).
   */
  private readonly uniformSlots = new Map<string, { global: number; local: number; type: ValType }>();

  constructor(private readonly module: PtxModule, private readonly entry: PtxFunction, fused: { f64: boolean; f32: boolean }, private readonly lockstepAllowed = true, private readonly lanesAllowed = true) {
    super();
    this.fusedMadd = fused.f64;
    this.fusedMadd32 = fused.f32;
  }

  compile(): WasmKernel {
    const flat = flatten(this.module, this.entry);
    // .local and call-site .param variables live in a per-thread frame (emit-memory.ts localAddress),
    // the module's .global and .const variables in the launch's scratch area (emit-module-data.ts)
    for (const v of [...flat.vars, ...this.module.vars]) {
      if (v.space !== 'shared' && v.space !== 'local' && v.space !== 'param' && v.space !== 'global' && v.space !== 'const') unsupported(`the kernel declares .${v.space} variables`);
    }
    this.lay = layout(this.module, this.entry.params, flat.vars);
    this.planModuleData();
    // copied into the scratch area at every launch (and the .global bytes back): beyond this, the JavaScript backend is cheaper
    if (this.modvarBytes + this.constBytes > MODULE_DATA_MAX) unsupported(`the module's .global and .const variables take ${this.modvarBytes + this.constBytes} bytes (more than ${MODULE_DATA_MAX} are left to the JavaScript backend)`);
    const paramTypes: ValType[] = [];
    this.entry.params.forEach((p, i) => {
      const cls = classOf(p.type);
      if (!cls || cls === 'pred' || bits(p.type) / 8 !== p.sizeBytes) unsupported(`parameter '${p.name}' (.${p.type}, ${p.sizeBytes} bytes)`);
      paramTypes.push(cls);
      this.params.push({ name: p.name, local: LAUNCH_ARGS + i, type: cls, size: p.sizeBytes });
    });
    this.nParams = LAUNCH_ARGS + paramTypes.length;
    const local = (t: ValType): number => this.localFor(t);
    this.L = {
      b: local('i32'), t: local('i32'), tx: local('i32'), ty: local('i32'), tz: local('i32'),
      cx: local('i32'), cy: local('i32'), cz: local('i32'), n: local('i32'), q: local('i32'),
      a: local('i64'), idx: local('i32'), pc: local('i32'), seen: local('i32'), ra: local('i32'), sb: local('i32'), aa: local('i32'),
      w: local('i32'), s64: local('i64'), cur: local('i32'), gone: local('i32'), lo: local('i32'), lim: local('i32'),
    };
    for (const t of ['i32', 'i64', 'f32', 'f64'] as ValType[]) for (let k = 0; k < 3; k++) this.tmps.set(`${t}${k}`, local(t));
    for (const r of flat.regs) {
      this.regDecls.set(r.name, r);
      const cls = regClassOf(r.type);
      if (!cls) unsupported(`register ${r.name} of type .${r.type}`);
      this.regs.set(r.name, { local: local(valType(cls)), cls });
    }
    const cfg = this.basicBlocks(flat.body);
    this.findRemat(flat.body);
    this.warp = this.siteList.some((x) => x.kind !== 'bar');
    const uniform = this.sync && !this.warp
      ? uniformRegisters(cfg.blocks, cfg.labelOf, {
          isReg: (n) => this.regs.has(n),
          isShared: (n) => this.lay.symbols.get(n)?.space === 'shared',
          isKernelParam: (n) => this.lay.symbols.get(n)?.space === 'kparam',
        })
      : new Set<string>();
    this.planSaves(cfg.blocks, cfg.labelOf, uniform);
    // the written-windows mask (emit-memory.ts markWritten) right after the uniform slots
    this.writtenGlobal = this.uniformSlots.size;
    this.windowGlobals = this.writtenGlobal + 1;
    this.cfg = cfg;
    if (this.sync && !this.warp) {
      this.planEntries();
      // a grid-stride loop in one barrier phase, in lock-step (lockstep-loop.ts)
      if (this.lockstepAllowed) this.lockstep = this.phaseLockstep(cfg);
      if (this.lockstep) this.lockstepGlobal = this.windowGlobals++;
      // reduction-tree phases' running threads 4 at a time in SIMD lanes (phase-lanes.ts), their groups counted in lanesBlocks
      if (this.lanesAllowed && phaseLanes.enabled) this.planPhaseLanes();
      if (this.phaseLanePlans.size > 0) this.lanesGlobal = this.windowGlobals++;
    } else if (!this.sync) {
      this.blockSites = blockCheckedSites(cfg, this.remat, (regs) => this.rematOrder(regs));
      // a grid-stride loop's threads in lock-step (lockstep-loop.ts)
      if (this.lockstepAllowed) this.lockstep = lockstepPlan(cfg.blocks, cfg.labelOf, (n) => this.regs.has(n), (n) => this.lay.symbols.get(n)?.space === 'kparam', (p) => this.selfLoopFits(p));
      // its counts of lock-step blocks (all, and those of range rounds when it has them: lockstep-range.ts) come before the window caches
      if (this.lockstep) this.lockstepGlobal = this.windowGlobals++;
      if (this.lockstep && lockstepRangeFits(this.lockstep, cfg.blocks, (n) => this.regs.has(n))) {
        this.lockstepRangeGlobal = this.windowGlobals++;
        // the rounds' walk 4 i at a time in SIMD lanes (lanes-range.ts), its lane groups counted in the global after it
        if (this.lanesAllowed && rangeLanes.enabled) this.rangeLanes = this.rangeLanesWorthIt(rangeLanesPlan(cfg.blocks[this.lockstep.block]!.instrs, this.lockstep, (n) => this.regs.has(n)));
        if (this.rangeLanes) this.lanesGlobal = this.windowGlobals++;
      }
      // straight-line kernels: 4 threads per SIMD lane group (lanes-plan.ts), counted in the global after it
      else if (this.lanesAllowed) this.lanes = lanesPlan(cfg, this.blockSites, (n) => this.regs.has(n), (n) => this.lay.symbols.get(n)?.space === 'kparam');
      if (this.lanes && !this.lanesWorthIt()) this.lanes = undefined;
      if (this.lanes) this.lanesGlobal = this.windowGlobals++;
    }
    const warpFast = warpFastPath(cfg.blocks);
    // shfl sites whose resume blocks run as a loop over a woken group's lanes (warp-chain.ts)
    const links = this.warp ? shuffleChainLinks(cfg.blocks, cfg.labelOf) : [];
    const chainSites = new Set(links.map((l) => l.site));
    // a warp's first pass as one loop from the entry to its first shfl (warp-chain.ts entryChain), counted in a global
    const entry = this.warp && warpFast && warpEntryPass.enabled ? entryChain(cfg.blocks, cfg.labelOf) : undefined;
    const entryGlobal = entry ? this.windowGlobals++ : -1;
    // and a warp's first pass after a barrier's release, from that barrier (one in the kernel) to its next shfl
    const barSites = this.siteList.flatMap((x, k) => (x.kind === 'bar' ? [k] : []));
    const release = this.warp && warpFast && warpEntryPass.enabled ? releaseChain(cfg.blocks, cfg.labelOf, barSites) : undefined;
    const releaseGlobal = release ? this.windowGlobals++ : -1;
    // and, when the barrier's block is a warp-uniform exit test (warp-exit.ts), whole warps exiting at once, counted in a global
    const exitTest = release && warpExitShortcut.enabled ? warpExitTest(cfg.blocks, cfg.labelOf, release.resume, this.remat) : undefined;
    const exitGlobal = exitTest ? this.windowGlobals++ : -1;
    // runs of straight links that a full warp takes in lock-step (warp-lockstep.ts)
    const lockstepRuns = this.warp && warpLockstep.enabled ? this.warpLockstepPlans(links, chainSites) : new Map<number, WarpLockstepPlan>();
    const chains = links.map((l) => ({ site: l.site, ...(l.next !== undefined ? { next: l.next } : {}), link: () => this.chainLink(l, l.next !== undefined && chainSites.has(l.next)), ...(lockstepRuns.has(l.site) ? { lockstep: lockstepRuns.get(l.site)! } : {}) }));
    if (this.warp) this.emitWarpRun({ stride: this.slotStride(), wordsAt: 8 * this.slots.size, sites: this.siteList, fast: warpFast, chains, ...(entry ? { entry: { site: entry.site, exits: entry.exits, counter: entryGlobal, lanes: () => this.entryLanes(entry, chainSites.has(entry.site)) } } : {}), ...(release ? { release: { site: release.site, exits: true, counter: releaseGlobal, lanes: () => this.entryLanes(release, chainSites.has(release.site)), ...(exitTest ? { allExit: { counter: exitGlobal, test: () => this.warpExitCondition(exitTest) } } : {}) } } : {}) }, () => this.emitBody(cfg));
    else this.emitLaunchLoops(() => this.emitBody(cfg));
    const imports = [
      ...IMPORTS.map((i) => ({ module: 'env', name: i.name, type: { params: i.params, results: i.results } })),
      ...this.bridges.map((b, k) => ({ module: 'env', name: `bridge${k}`, type: { params: b.params, results: b.results } })),
    ];
    for (const at of this.faultCalls) this.c.patchU32(at, imports.length + FAULT_FUNC_AT);
    const bytes = encodeModule({
      imports,
      memory: { module: 'env', name: 'memory' },
      globals: [...[...this.uniformSlots.values()].map((u) => u.type), 'i64', ...(this.lockstep ? ['i32' as const] : []), ...(this.lockstepRangeGlobal >= 0 ? ['i32' as const] : []), ...(this.lanes || this.rangeLanes || this.phaseLanePlans.size > 0 ? ['i32' as const] : []), ...(entry ? ['i32' as const] : []), ...(release ? ['i32' as const] : []), ...(exitTest ? ['i32' as const] : []), ...Array<ValType>(2 * this.sites).fill('i64')],
      funcs: [
        { type: { params: [...Array<ValType>(LAUNCH_ARGS).fill('i32'), ...paramTypes], results: this.warp ? ['i32'] : [] }, locals: this.locals, body: this.c, exportName: 'run' },
        // empties every site's window cache: an instance serves many launches, each with its own windows
        { type: { params: [], results: [] }, locals: [], body: this.resetBody(), exportName: 'reset' },
        // at FAULT_FUNC_AT: records a memcheck fault and traps
        faultFunction(),
        ...(this.lockstep ? [this.lockstepCountFunction()] : []),
        ...(this.lockstepRangeGlobal >= 0 ? [this.lockstepRangeCountFunction()] : []),
        ...(this.lanes || this.phaseLanePlans.size > 0 ? [this.lanesCountFunction()] : []),
        ...(this.rangeLanes ? [this.rangeLanesCountFunction()] : []),
        ...(entry ? [this.countFunction(entryGlobal, 'warpEntryWarps')] : []),
        ...(release ? [this.countFunction(releaseGlobal, 'warpReleaseWarps')] : []),
        ...(exitTest ? [this.countFunction(exitGlobal, 'warpExitWarps')] : []),
        // the windows this instance's checks admitted a write into (block pool: which to copy back)
        { type: { params: [], results: ['i64'] }, locals: [], body: new Bytes().byte(OP.global_get).u32(this.writtenGlobal), exportName: WRITTEN_EXPORT },
      ],
    });
    let wasm: WebAssembly.Module;
    try {
      wasm = new WebAssembly.Module(bytes);
    } catch (e) {
      // a bug here must not break the kernel: it still runs on the JavaScript backend
      unsupported(`internal: generated module did not validate (${e instanceof Error ? e.message : String(e)})`);
    }
    return { module: wasm, bytes, params: paramTypes, sync: this.sync, slotBytes: this.slotStride(), ...(this.warp ? { warp: { sites: this.siteList, wordsAt: 8 * this.slots.size, fast: warpFast, chains: chains.length, straightChains: links.filter((l) => l.next !== undefined).length, lockstepRuns: lockstepRuns.size, entryPass: entry !== undefined, releasePass: release !== undefined, warpExit: exitTest !== undefined } } : {}), usesShared: this.usesShared, frameBytes: this.usesLocal ? this.lay.frameSize : 0, idlePhases: this.entries.filter((e) => e.idle).length, sharedChecks: this.sharedChecks, blockChecks: this.blockSites.length, selfLoopChecks: this.selfLoopSites.size, lockstep: this.lockstep !== undefined, lockstepRange: this.lockstepRangeGlobal >= 0, rangeLanes: this.rangeLanes !== undefined, lanes: this.lanes !== undefined, phaseLanes: this.phaseLanePlans.size, modvarBytes: this.modvarBytes, constBytes: this.constBytes, bridges: Object.fromEntries(this.bridges.map((b, k) => [`bridge${k}`, b.fn])), bridged: this.bridges.map((b) => b.opcode), bridgeSources: Object.fromEntries(this.bridges.map((b, k) => [`bridge${k}`, b.source])) };
  }

  private resetBody(): Bytes {
    const b = new Bytes();
    b.byte(OP.i64_const).s64(0n).byte(OP.global_set).u32(this.writtenGlobal);
    for (let g = 0; g < 2 * this.sites; g++) b.byte(OP.i64_const).s64(0n).byte(OP.global_set).u32(this.windowGlobals + g);
    return b;
  }

  private cfg!: { blocks: BasicBlock[]; labelOf: Map<string, number> };
  /**
   * Per entry (kernel start, then each resume block): its block, its straight-line order when it
   * has one, and the uniform prefix that lets its phase skip idle threads (idle-threads.ts).
   */
  private entries: { block: number; order?: number[]; idle?: IdleNode }[] = [];

  /** Block → its index in `entries` (a search per barrier was quadratic in the barriers). */
  private entryOf = new Map<number, number>();

  /** A block's successors inside one phase (a barrier ends the phase; its resume block is not one). */
  private successors(b: number): number[] {
    const { blocks, labelOf } = this.cfg;
    const t = blocks[b]!.term;
    const out: number[] = [];
    if (t?.kind === 'bra') out.push(labelOf.get(t.target)!);
    if ((!t || (t.kind === 'bra' && t.guard)) && b + 1 < blocks.length) out.push(b + 1);
    return out;
  }

  /**
   * Entries are where a phase starts: the kernel's start and each block after a barrier. An entry
   * whose blocks (up to the next barriers) form no cycle but self-loops gets a straight-line order.
   */
  private planEntries(): void {
    const starts = [0, ...this.cfg.blocks.flatMap((b, i) => (b.resume ? [i] : []))];
    // the first entry of a block, as findIndex gave
    this.entryOf = new Map();
    starts.forEach((block, e) => {
      if (!this.entryOf.has(block)) this.entryOf.set(block, e);
    });
    this.entries = starts.map((block, e) => {
      const state = new Map<number, 1 | 2>();
      const post: number[] = [];
      let cyclic = false;
      const visit = (b: number): void => {
        const st = state.get(b);
        if (st === 1) cyclic = true;
        if (st !== undefined || cyclic) return;
        state.set(b, 1);
        // the fall-through successor visited last, so that it lands right after its block
        for (const s of this.successors(b).reverse()) if (s !== b) visit(s);
        state.set(b, 2);
        post.push(b);
      };
      visit(block);
      if (cyclic) return { block };
      const idle = e < 31 ? this.idlePlan(block) : undefined;
      return { block, order: post.reverse(), ...(idle ? { idle } : {}) };
    });
  }

  private idlePlan(block: number): IdleNode | undefined {
    const restored = this.restores.get(block) ?? [];
    return idlePrefix(block, restored.filter((r) => this.uniformSlots.has(r)), this.recompute.get(block) ?? [], {
      ...this.cfg,
      isReg: (n) => this.regs.has(n),
      isShared: (n) => this.lay.symbols.get(n)?.space === 'shared',
      isKernelParam: (n) => this.lay.symbols.get(n)?.space === 'kparam',
      saved: (b) => {
        const names = this.restores.get(b) ?? [];
        return { uniform: names.filter((r) => this.uniformSlots.has(r)), perThread: names.filter((r) => !this.uniformSlots.has(r)) };
      },
    });
  }

  /**
   * Before an entry's thread loop: the idle threads' bound (L.lim: threads with %tid.x below it
   * run) and, when some are idle, their part of the phase done once: the uniform registers the
   * barrier carries and the entry's `seen` bit, or their exit. Only while no thread of the block
   * has exited: then every thread of the row past the bound is one that would have run here.
   */
  /**
   * The idle threads' part: their resume words (tx outside [L.lo, L.lim), in every row) set to
   * `resume` (-1: they exit) unless they wait where they resumed, and the exits counted.
   */
  private idleWords(resume: number, entry: number): void {
    const { L, P } = this;
    const fill = (from: () => void, words: () => void): void => {
      // row by row from resumeBase + 4 * (row * ntx + from), `words` words
      this.get(P.nty);
      this.get(P.ntz);
      this.op(OP.i32_mul);
      this.set(L.q);
      this.get(P.resumeBase);
      from();
      this.i32(2);
      this.op(OP.i32_shl);
      this.op(OP.i32_add);
      this.set(L.w);
      this.open(OP.loop, 'rows');
      if (resume === -1) {
        this.get(L.w);
        this.i32(-1);
        words();
        this.i32(2);
        this.op(OP.i32_shl);
        this.c.byte(0xfc).u32(11).byte(0x00); // memory.fill
      } else {
        // word by word: L.idx counts them down, L.ra walks them
        words();
        this.set(L.idx);
        this.get(L.w);
        this.set(L.ra);
        this.open(OP.block, 'words_done');
        this.open(OP.loop, 'words');
        this.get(L.idx);
        this.op(OP.i32_eqz);
        this.br('words_done', true);
        this.get(L.ra);
        this.i32(resume);
        this.c.byte(OP.i32_store).u32(2).u32(0);
        this.get(L.ra);
        this.i32(4);
        this.op(OP.i32_add);
        this.set(L.ra);
        this.get(L.idx);
        this.i32(1);
        this.op(OP.i32_sub);
        this.set(L.idx);
        this.br('words');
        this.close();
        this.close();
      }
      this.get(L.w);
      this.get(P.ntx);
      this.i32(2);
      this.op(OP.i32_shl);
      this.op(OP.i32_add);
      this.set(L.w);
      this.get(L.q);
      this.i32(1);
      this.op(OP.i32_sub);
      this.c.byte(OP.local_tee).u32(L.q);
      this.br('rows', true);
      this.close();
    };
    if (resume === this.entries[entry]!.block) return;
    fill(() => this.i32(0), () => this.get(L.lo));
    fill(() => this.get(L.lim), () => {
      this.get(P.ntx);
      this.get(L.lim);
      this.op(OP.i32_sub);
    });
    if (resume !== -1) return;
    // gone += (ntx - (lim - lo)) * nty * ntz
    this.get(L.gone);
    this.idlePerRow();
    this.get(P.nty);
    this.op(OP.i32_mul);
    this.get(P.ntz);
    this.op(OP.i32_mul);
    this.op(OP.i32_add);
    this.set(L.gone);
  }

  /**
   * The per-thread registers the idle threads' barrier saves and their prefix changed
   * (IdleEnd.idleSlots), written into each idle thread's slots (tx outside [L.lo, L.lim), every
   * row): a store or two per idle thread instead of running it.
   */
  private idleSlotWrites(slots: { name: string; value?: 0 | 1 }[]): void {
    if (slots.length === 0) return;
    const { L, P } = this;
    const range = (from: () => void, to: () => void): void => {
      this.i32(0);
      this.set(L.q);
      this.open(OP.block, 'rows_done');
      this.open(OP.loop, 'rows');
      this.get(L.q);
      this.get(P.nty);
      this.get(P.ntz);
      this.op(OP.i32_mul);
      this.op(OP.i32_ge_u);
      this.br('rows_done', true);
      from();
      this.set(L.idx);
      this.open(OP.block, 'tx_done');
      this.open(OP.loop, 'tx');
      this.get(L.idx);
      to();
      this.op(OP.i32_ge_u);
      this.br('tx_done', true);
      // the thread's slots: slotBase + (row * ntx + tx) * 8 * slots
      this.get(P.slotBase);
      this.get(L.q);
      this.get(P.ntx);
      this.op(OP.i32_mul);
      this.get(L.idx);
      this.op(OP.i32_add);
      this.i32(8 * this.slots.size);
      this.op(OP.i32_mul);
      this.op(OP.i32_add);
      this.set(L.ra);
      for (const { name, value } of slots) {
        const r = this.regs.get(name)!;
        this.get(L.ra);
        if (value !== undefined) this.i32(value);
        else this.get(r.local);
        this.c.byte(STORE_OF[valType(r.cls)]).u32(0).u32(8 * this.slots.get(name)!);
      }
      this.inc(L.idx);
      this.br('tx');
      this.close();
      this.close();
      this.inc(L.q);
      this.br('rows');
      this.close();
      this.close();
    };
    range(() => this.i32(0), () => this.get(L.lo));
    range(() => this.get(L.lim), () => this.get(P.ntx));
  }

  /** ntx - (lim - lo): the idle threads of a row. */
  private idlePerRow(): void {
    const { L, P } = this;
    this.get(P.ntx);
    this.get(L.lim);
    this.get(L.lo);
    this.op(OP.i32_sub);
    this.op(OP.i32_sub);
  }

  /** Pushes clamp(bound + offset, 0, ntx), computed in i64 so that no bound wraps. */
  private clampedBound(bound: Operand, signed: boolean, offset: 0 | 1): void {
    const { P } = this;
    const w = this.tmp('i64', 0);
    this.read(bound, 'i32');
    this.op(signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
    if (offset) {
      this.i64(1n);
      this.op(OP.i64_add);
    }
    this.set(w);
    this.get(w);
    this.i64(0n);
    this.get(w);
    this.i64(0n);
    this.op(OP.i64_gt_s);
    this.op(OP.select);
    this.set(w);
    this.get(w);
    this.get(P.ntx);
    this.op(OP.i64_extend_i32_u);
    this.get(w);
    this.get(P.ntx);
    this.op(OP.i64_extend_i32_u);
    this.op(OP.i64_lt_s);
    this.op(OP.select);
    this.op(OP.i32_wrap_i64);
  }

  /**
   * Before an entry's thread loop: the range of threads that run (tx in [L.lo, L.lim)) and, when
   * some are idle, their part of the phase done once: the uniform registers the barrier carries
   * and the entry's `seen` bit, or their exit. Only while no thread of the block has exited: then
   * every thread outside the range is one that would have run here.
   */
  private emitIdlePrefix(e: number, root: IdleNode, lanes?: { flag: number; leaf: IdleNode }): void {
    const { L, P } = this;
    if (lanes) {
      this.i32(0);
      this.set(lanes.flag);
    }
    this.i32(0);
    this.set(L.lo);
    this.get(P.ntx);
    this.set(L.lim);
    this.get(L.gone);
    this.op(OP.i32_eqz);
    this.open(OP.if, 'idle');
    for (const name of this.restores.get(this.entries[e]!.block) ?? []) {
      const u = this.uniformSlots.get(name);
      if (!u) continue;
      this.get(u.local);
      this.set(this.regs.get(name)!.local);
    }
    const node = (n: IdleNode): void => {
      this.forgetAll();
      for (const ins of n.instrs) this.instruction(ins);
      const end = n.end;
      if (end.kind === 'branch') {
        this.readPred(end.guard.name, end.guard.negate);
        this.open(OP.if, 'idle_branch');
        node(end.taken);
        this.c.byte(OP.else);
        node(end.fall);
        this.close();
      } else if (end.kind === 'split') {
        if (end.lo !== undefined) {
          this.clampedBound(end.bound, end.signed, end.lo);
          this.set(L.lo);
        }
        if (end.hi !== undefined) {
          this.clampedBound(end.bound, end.signed, end.hi);
          this.set(L.lim);
        }
        // lo <= lim: the range as the loop runs it (lo == lim: no thread runs)
        this.get(L.lo);
        this.get(L.lim);
        this.get(L.lo);
        this.get(L.lim);
        this.op(OP.i32_lt_u);
        this.op(OP.select);
        this.set(L.lo);
        // the running threads took the lanes' path (phase-lanes.ts)
        if (lanes?.leaf === n) {
          this.i32(1);
          this.set(lanes.flag);
        }
        this.idlePerRow();
        this.open(OP.if, 'some_idle');
        this.idleWords(end.resume, e);
        this.idleSlotWrites(end.idleSlots);
        if (end.resume !== -1) {
          for (const name of end.uniformSaves) {
            this.get(this.regs.get(name)!.local);
            this.c.byte(OP.global_set).u32(this.uniformSlots.get(name)!.global);
          }
          const k = this.entryOf.get(end.resume) ?? -1;
          this.get(L.seen);
          this.i32(k < 31 ? 1 << k : SEEN_SHARED);
          this.op(OP.i32_or);
          this.set(L.seen);
        }
        this.close();
      }
    };
    node(root);
    this.close();
  }

  /** Entries whose running threads go 4 at a time in SIMD lanes (phase-lanes.ts). */
  private readonly phaseLanePlans = new Map<number, PhaseLanesPlan>();
  /** Set by an idle prefix when its threads take the lanes' path (the split leaf), per phase. */
  private phaseLanesFlag = -1;

  private planPhaseLanes(): void {
    this.entries.forEach(({ block, order, idle }, e) => {
      if (!order || !idle || this.lockstep?.phase?.entry === e) return;
      const plan = phaseLanesPlan(block, idle, {
        ...this.cfg,
        cls: (n) => this.regs.get(n)?.cls,
        isShared: (n) => this.lay.symbols.get(n)?.space === 'shared',
        saved: (b) => {
          const names = this.restores.get(b) ?? [];
          return { uniform: names.filter((r) => this.uniformSlots.has(r)), perThread: names.filter((r) => !this.uniformSlots.has(r)) };
        },
      });
      if (plan) this.phaseLanePlans.set(e, plan);
    });
    if (this.phaseLanePlans.size > 0) this.phaseLanesFlag = this.localFor('i32');
  }

  /**
   * The running threads [lo, lim) of a phase planned by phase-lanes.ts: while the idle prefix took
   * the plan's path and the block is one row, groups of 4 threads whose run-time test holds run
   * in SIMD lanes; the first group that fails it, and the row's rest, run `straight` per thread.
   */
  private phaseLanesLoop(e: number, plan: PhaseLanesPlan, straight: () => void): void {
    const { L, P } = this;
    const start = this.localFor('i32');
    const mem = plan.items.flatMap((it, k) => (it.kind === 'ld' || it.kind === 'st' ? [k] : []));
    const addr = new Map(mem.map((k) => [k, [0, 1, 2, 3].map(() => this.localFor('i32'))]));
    const vec = new Map(plan.values.map((v) => [v, this.localFor('v128')]));
    // each lane's value of a register the barrier saves per thread, stored once the group's test holds
    const kept = new Map(plan.slotSaves.map((n) => [n, [0, 1, 2, 3].map(() => this.localFor(valType(this.regs.get(n)!.cls)))]));
    const a0 = (k: number): number => addr.get(k)![0]!;
    const simd = (code: number): void => {
      this.c.byte(0xfd).u32(code);
    };
    this.get(L.lo);
    this.set(start);
    this.get(this.phaseLanesFlag);
    this.get(P.nty);
    this.i32(1);
    this.op(OP.i32_eq);
    this.op(OP.i32_and);
    this.get(P.ntz);
    this.i32(1);
    this.op(OP.i32_eq);
    this.op(OP.i32_and);
    this.open(OP.if, 'phase_lanes');
    this.i32(0);
    this.set(L.ty);
    this.i32(0);
    this.set(L.tz);
    this.open(OP.block, 'groups_done');
    this.open(OP.loop, 'groups');
    // 4 threads left in the range (start <= lim)
    this.get(L.lim);
    this.get(start);
    this.op(OP.i32_sub);
    this.i32(4);
    this.op(OP.i32_lt_u);
    this.br('groups_done', true);
    // each lane's registers by the scalar code: the entry's restore, the path, B's address arithmetic
    for (let l = 0; l < 4; l++) {
      this.get(start);
      if (l > 0) {
        this.i32(l);
        this.op(OP.i32_add);
      }
      this.c.byte(OP.local_tee).u32(L.tx);
      this.set(L.t);
      if (this.slots.size > 0) {
        this.get(P.slotBase);
        this.get(L.t);
        this.i32(8 * this.slots.size);
        this.op(OP.i32_mul);
        this.op(OP.i32_add);
        this.set(L.sb);
      }
      this.forgetAll();
      this.restore(this.entries[e]!.block);
      for (const ins of plan.path) this.instruction(ins);
      plan.items.forEach((it, k) => {
        if (it.kind === 'lane') this.instruction(it.ins);
        else if (it.kind === 'ld' || it.kind === 'st') {
          // the address the scalar code checks: the base's low 32 bits plus the offset
          const r = this.regs.get(it.base)!;
          this.get(r.local);
          if (r.cls === 'i64') this.op(OP.i32_wrap_i64);
          if (it.offset !== 0) {
            this.i32(it.offset);
            this.op(OP.i32_add);
          }
          this.set(addr.get(k)![l]!);
        }
      });
      for (const name of plan.slotSaves) {
        this.get(this.regs.get(name)!.local);
        this.set(kept.get(name)![l]!);
      }
    }
    this.forgetAll();
    // the group's test: lane l's address is lane 0's + 4l, aligned, in the shared size; a store's
    // 16 bytes are another site's very bytes or apart from them
    for (const k of mem) {
      const a = addr.get(k)!;
      for (let l = 1; l < 4; l++) {
        this.get(a[l]!);
        this.get(a[0]!);
        this.i32(4 * l);
        this.op(OP.i32_add);
        this.op(OP.i32_ne);
        this.br('groups_done', true);
      }
      this.get(a[0]!);
      this.i32(3);
      this.op(OP.i32_and);
      this.br('groups_done', true);
      this.get(a[0]!);
      this.op(OP.i64_extend_i32_u);
      this.i64(16n);
      this.op(OP.i64_add);
      this.get(P.shSize);
      this.op(OP.i64_extend_i32_u);
      this.op(OP.i64_gt_u);
      this.br('groups_done', true);
    }
    for (const s of mem) {
      if (plan.items[s]!.kind !== 'st') continue;
      for (const k of mem) {
        if (k === s) continue;
        // d = a_k - a_s: 0, or |d| >= 16
        const d = this.tmp('i64', 0);
        this.get(a0(k));
        this.op(OP.i64_extend_i32_u);
        this.get(a0(s));
        this.op(OP.i64_extend_i32_u);
        this.op(OP.i64_sub);
        this.c.byte(OP.local_tee).u32(d);
        this.i64(0n);
        this.op(OP.i64_ne);
        this.get(d);
        this.i64(15n);
        this.op(OP.i64_add);
        this.i64(31n);
        this.op(OP.i64_lt_u);
        this.op(OP.i32_and);
        this.br('groups_done', true);
      }
    }
    // B's loads, adds and stores, once for the 4 lanes, in B's order
    plan.items.forEach((it, k) => {
      if (it.kind === 'ld') {
        this.get(P.sh);
        this.get(a0(k));
        this.op(OP.i32_add);
        simd(0x00);
        this.c.u32(0).u32(0);
        this.set(vec.get(it.value)!);
      } else if (it.kind === 'st') {
        this.get(P.sh);
        this.get(a0(k));
        this.op(OP.i32_add);
        this.get(vec.get(it.value)!);
        simd(0x0b);
        this.c.u32(0).u32(0);
      } else if (it.kind === 'combine') {
        const [a, b] = [vec.get(it.a)!, vec.get(it.b)!];
        if (it.op === 'add') {
          this.get(a);
          this.get(b);
          simd(it.float ? 0xe4 : 0xae); // f32x4.add, i32x4.add
        } else if (!it.float) {
          this.get(a);
          this.get(b);
          simd(it.op === 'max' ? (it.signed ? 0xb8 : 0xb9) : it.signed ? 0xb6 : 0xb7); // i32x4.max_s/_u, min_s/_u
        } else {
          // emit-int.ts floatMinMax lane for lane: r = f32x4.max/min(a, b) (-0 < +0, as f32.max/min);
          // r = b != b ? a : r; r = a != a ? b : r (both NaN: b, its payload kept)
          this.get(b);
          this.get(a);
          this.get(a);
          this.get(b);
          simd(it.op === 'max' ? 0xe9 : 0xe8); // f32x4.max, f32x4.min
          this.get(b);
          this.get(b);
          simd(0x42); // f32x4.ne
          simd(0x52); // v128.bitselect: a where b is NaN
          this.get(a);
          this.get(a);
          simd(0x42);
          simd(0x52); // b where a is NaN
        }
        this.set(vec.get(it.dst)!);
      }
    });
    // what each thread's stop at the barrier writes (yieldAt): the uniform registers (their locals:
    // the same in every lane), the resume words, the phase's seen bit; per-thread slots stay as
    // restored (the plan allows no other)
    for (const name of this.restores.get(plan.resume) ?? []) {
      const u = this.uniformSlots.get(name);
      if (!u) continue;
      this.get(this.regs.get(name)!.local);
      this.c.byte(OP.global_set).u32(u.global);
    }
    for (const name of plan.slotSaves) {
      const r = this.regs.get(name)!;
      for (let l = 0; l < 4; l++) {
        this.get(P.slotBase);
        this.get(start);
        this.i32(8 * this.slots.size);
        this.op(OP.i32_mul);
        this.op(OP.i32_add);
        this.get(kept.get(name)![l]!);
        this.c.byte(STORE_OF[valType(r.cls)]).u32(0).u32(8 * (this.slots.get(name)! + l * this.slots.size));
      }
    }
    for (let l = 0; l < 4; l++) {
      this.get(P.resumeBase);
      this.get(start);
      this.i32(2);
      this.op(OP.i32_shl);
      this.op(OP.i32_add);
      this.i32(plan.resume);
      this.c.byte(OP.i32_store).u32(2).u32(4 * l);
    }
    const k = this.entryOf.get(plan.resume) ?? -1;
    this.get(L.seen);
    this.i32(k < 31 ? 1 << k : SEEN_SHARED);
    this.op(OP.i32_or);
    this.set(L.seen);
    this.c.byte(OP.global_get).u32(this.lanesGlobal);
    this.i32(1);
    this.op(OP.i32_add);
    this.c.byte(OP.global_set).u32(this.lanesGlobal);
    this.get(start);
    this.i32(4);
    this.op(OP.i32_add);
    this.set(start);
    this.br('groups');
    this.close();
    this.close();
    this.close();
    this.threadLoop(straight, { lo: start, hi: L.lim });
  }

  /** One phase's code from an entry, its blocks in `order`: forward branches only, no dispatch. */
  protected emitStraight(order: number[]): void {
    const { blocks, labelOf } = this.cfg;
    const pos = new Map(order.map((b, i) => [b, i]));
    const targets = new Set<number>();
    order.forEach((b, p) => {
      const t = blocks[b]!.term;
      if (t?.kind === 'bra') {
        const j = labelOf.get(t.target)!;
        if (j !== b) targets.add(j);
      }
      if ((!t || (t.kind === 'bra' && t.guard)) && b + 1 < blocks.length && pos.get(b + 1) !== p + 1) targets.add(b + 1);
    });
    for (const j of [...targets].sort((x, y) => pos.get(y)! - pos.get(x)!)) this.open(OP.block, `L${j}`);
    order.forEach((b, p) => {
      const block = blocks[b]!;
      if (targets.has(b)) {
        if (this.labels[this.labels.length - 1] !== `L${b}`) throw new Error(`internal: label L${b} is not innermost`);
        this.close();
      }
      this.emitBlock(b, (j, conditional) => this.br(`L${j}`, conditional));
      const t = block.term;
      if (!t || (t.kind === 'bra' && t.guard)) {
        if (b + 1 >= blocks.length) this.exitThread(); // falling off the end of the kernel
        else if (pos.get(b + 1) !== p + 1) this.br(`L${b + 1}`);
      }
    });
  }

  /** Registers saved at each barrier (live into its resume block), and their 8-byte slots per thread. */
  private planSaves(blocks: BasicBlock[], labelOf: Map<string, number>, uniform: Set<string>): void {
    if (!this.sync) return;
    const live = liveIn(
      blocks.map((b, i) => {
        const steps = b.instrs.map((ins) => ({ ...useDef(ins), kills: !ins.guard }));
        // a warp site's results are written as its resume block starts (before any saved register is needed)
        if (b.warp) steps.unshift({ uses: [], defs: b.warp.results.flatMap((r) => (r.to.kind === 'reg' ? [r.to.name] : [])), kills: true });
        const succ: number[] = [];
        const t = b.term;
        if (t?.kind === 'yield' && t.form) steps.push({ uses: [...t.form.stores.flatMap((x) => (x.from !== -1 && (x.from.kind === 'reg' || x.from.kind === 'not') ? [x.from.name] : [])), ...(t.guard ? [t.guard.name] : [])], defs: [], kills: false });
        if (t?.kind === 'bra') {
          steps.push({ uses: t.guard ? [t.guard.name] : [], defs: [], kills: false });
          succ.push(labelOf.get(t.target)!);
          if (t.guard && i + 1 < blocks.length) succ.push(i + 1);
        } else if (t?.kind === 'yield') {
          succ.push(t.resume);
          if (t.guard) succ.push(t.resume + 1);
        }
        else if (!t && i + 1 < blocks.length) succ.push(i + 1);
        return { steps, succ };
      }),
      (n) => this.regs.has(n),
    );
    blocks.forEach((b, i) => {
      if (!b.resume) return;
      const regs = [...live[i]!].sort();
      const saved = regs.filter((r) => !this.remat.has(r));
      this.restores.set(i, saved);
      this.recompute.set(i, this.rematOrder(regs.filter((r) => this.remat.has(r))));
      for (const r of saved) {
        if (this.slots.has(r) || this.uniformSlots.has(r)) continue;
        if (!uniform.has(r)) {
          this.slots.set(r, this.slots.size);
          continue;
        }
        const type = valType(this.regs.get(r)!.cls);
        this.uniformSlots.set(r, { global: this.uniformSlots.size, local: this.localFor(type), type });
      }
    });
  }

  /**
   * Registers recomputed after a barrier instead of saved: one unguarded definition, a pure
   * instruction whose inputs are immediates, special registers, kernel parameters, shared
   * symbols or other such registers (so the value is the same whenever it is computed).
   */
  private findRemat(body: ReturnType<typeof flatten>['body']): void {
    const defs = new Map<string, Instruction[]>();
    for (const st of body) {
      if (st.kind !== 'instr') continue;
      for (const d of useDef(st).defs) {
        const list = defs.get(d) ?? [];
        list.push(st);
        defs.set(d, list);
      }
    }
    const cands = new Map<string, Instruction>();
    for (const [r, list] of defs) {
      const ins = list[0]!;
      // (a carry form also writes the flag: recomputing it after a barrier could clobber a later one)
      if (list.length !== 1 || ins.guard || !this.regs.has(r) || !REMAT_OPS.has(ins.parts[0]!) || carryOut(ins) || carryIn(ins)) continue;
      if (ins.parts[0] === 'ld' && !ins.parts.includes('param')) continue;
      cands.set(r, ins);
    }
    const inputOk = (o: Operand): boolean => {
      if (o.kind === 'int' || o.kind === 'f32' || o.kind === 'f64' || o.kind === 'sink') return true;
      if (o.kind === 'sym') return this.lay.symbols.get(o.name)?.space === 'shared';
      if (o.kind === 'addr') return o.base !== undefined && this.lay.symbols.get(o.base)?.space === 'kparam';
      if (o.kind === 'reg') return cands.has(o.name) || (!this.regs.has(o.name) && SPECIAL.test(o.name));
      return false;
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (const [r, ins] of cands) {
        if (!ins.operands.slice(1).every(inputOk)) {
          cands.delete(r);
          changed = true;
        }
      }
    }
    this.remat = cands;
  }

  /** The defining instructions of `regs` and of the registers they read, dependencies first. */
  private rematOrder(regs: string[]): Instruction[] {
    const out: Instruction[] = [];
    const seen = new Set<string>();
    const visit = (r: string, depth: number): void => {
      if (seen.has(r) || depth > 64) return;
      seen.add(r);
      const ins = this.remat.get(r)!;
      for (const o of ins.operands.slice(1)) if (o.kind === 'reg' && this.remat.has(o.name)) visit(o.name, depth + 1);
      out.push(ins);
    };
    for (const r of regs) visit(r, 0);
    return out;
  }

  // ---- structure ----------------------------------------------------------------------------

  private basicBlocks(body: ReturnType<typeof flatten>['body']): { blocks: BasicBlock[]; labelOf: Map<string, number> } {
    const blocks: BasicBlock[] = [{ instrs: [] }];
    const labelOf = new Map<string, number>();
    const cur = (): BasicBlock => blocks[blocks.length - 1]!;
    for (const s of body) {
      this.line = s.line;
      if (s.kind === 'label') {
        if (cur().instrs.length > 0 || cur().term || cur().resume) blocks.push({ instrs: [] });
        labelOf.set(s.name, blocks.length - 1);
        continue;
      }
      const op = s.parts[0]!;
      if (cur().term) blocks.push({ instrs: [] });
      if (op === 'bra') {
        const target = s.operands[0];
        if (!target || target.kind !== 'sym') unsupported(`line ${s.line}: bra without a label`);
        cur().term = { kind: 'bra', target: target.name, ...(s.guard ? { guard: s.guard } : {}) };
      } else if ((op === 'ret' || op === 'exit') && !s.guard) {
        cur().term = { kind: 'ret' };
      } else if (warpSiteForm(s)) {
        // a warp-level site: the thread stores its operands and stops; its resume block reads the results
        const form = warpSiteForm(s)!;
        this.sync = true;
        const site = this.siteList.length;
        this.siteList.push({ kind: form.kind, mode: form.mode, line: s.line });
        cur().term = { kind: 'yield', resume: blocks.length, site, form, ...(s.guard ? { guard: s.guard } : {}) };
        blocks.push({ instrs: [], resume: true, warp: form });
        // guarded: a thread whose guard is false goes on past the resume block (no restore, no results)
        if (s.guard) blocks.push({ instrs: [] });
      } else if ((op === 'bar' || op === 'barrier') && (s.parts[1] === 'sync' || s.parts.length === 2 || s.parts[1] === 'aligned')) {
        // bar.sync / barrier.sync [.aligned] with a barrier id only: every thread of the block waits
        if (s.guard || s.operands.length > 1 || s.parts.some((x) => x === 'red' || x === 'arrive')) unsupported(`line ${s.line}: '${s.opcode}'`);
        this.sync = true;
        const site = this.siteList.length;
        this.siteList.push({ kind: 'bar', mode: '', line: s.line });
        // the resume block has no label, so only a resuming thread enters it (and restores registers)
        cur().term = { kind: 'yield', resume: blocks.length, site };
        blocks.push({ instrs: [], resume: true });
      } else {
        cur().instrs.push(s);
      }
    }
    return { blocks, labelOf };
  }

  /**
   * Blocks [b0, b1) of the grid, each thread of each block in order (x fastest), like the JS
   * backend. With barriers, a block runs in phases: every thread not done runs from where it
   * stopped until it exits or reaches a barrier; when a phase ends with threads waiting, the
   * barrier releases them all and the next phase starts.
   */
  private emitLaunchLoops(body: () => void): void {
    const { P, L } = this;
    this.get(P.ntx);
    this.get(P.nty);
    this.op(OP.i32_mul);
    this.get(P.ntz);
    this.op(OP.i32_mul);
    this.set(L.n);
    // a grid-stride loop that carries only its i: the call's whole range in rounds first, else each
    // block in lock-step (lockstep-range.ts; no barriers, no shared memory access: nothing else per block)
    if (this.lockstepRangeGlobal >= 0) return this.lockstepRange(body, (each) => this.eachBlock(each), () => this.eachBlock(() => this.lockstepBlock(body, () => this.blockCheckedLoops(body))));
    // block coordinates of b0, once; then carried like the thread counters (a division inside the
    // loops would be recomputed per thread by V8's scheduler)
    this.blockCoordinates(this.P.b0); // the launch's first block
    this.get(P.b0);
    this.set(L.b);
    this.loopWhileBelow('blocks', L.b, P.b1);
    if (this.usesShared) {
      // shared memory starts zeroed in every block, as on the JavaScript backend
      this.get(P.sh);
      this.i32(0);
      this.get(P.shSize);
      this.c.byte(0xfc).u32(11).byte(0x00); // memory.fill
    }
    if (this.sync) {
      // every thread starts at the kernel's entry (resume word 0)
      this.get(P.resumeBase);
      this.i32(0);
      this.get(L.n);
      this.i32(2);
      this.op(OP.i32_shl);
      this.c.byte(0xfc).u32(11).byte(0x00);
      this.i32(0);
      this.set(L.gone); // threads of this block that have exited
      this.i32(0);
      this.set(L.cur); // the first phase: every thread at the kernel's start (entry 0)
      this.open(OP.loop, 'phase');
      this.i32(0);
      this.set(L.seen);
      for (const u of this.uniformSlots.values()) {
        this.c.byte(OP.global_get).u32(u.global);
        this.set(u.local);
      }
    }
    if (this.sync) {
      // Phases whose waiting threads all resume at one entry run that entry's straight-line copy
      // of the kernel (no dispatch per thread); any other phase runs the general copy.
      this.open(OP.block, 'phase_end');
      this.open(OP.block, 'general');
      const k = this.entries.length;
      for (let e = k - 1; e >= 0; e--) this.open(OP.block, `E${e}`);
      this.get(L.cur);
      this.c.byte(0x0e).u32(k);
      for (let e = 0; e < k; e++) this.c.u32(this.entries[e]!.order ? this.depth(`E${e}`) : this.depth('general'));
      this.c.u32(this.depth('general'));
      for (let e = 0; e < k; e++) {
        this.close();
        const { order, idle } = this.entries[e]!;
        const lanes = this.phaseLanePlans.get(e);
        if (idle) this.emitIdlePrefix(e, idle, lanes ? { flag: this.phaseLanesFlag, leaf: lanes.leaf } : undefined);
        if (order && !idle && this.lockstep?.phase?.entry === e) this.lockstepPhase(order);
        else if (order && idle && lanes) this.phaseLanesLoop(e, lanes, () => this.emitStraight(order));
        else if (order) this.threadLoop(() => this.emitStraight(order), idle ? { lo: L.lo, hi: L.lim } : undefined);
        this.br('phase_end');
      }
      this.close();
      this.threadLoop(body);
      this.close();
      // the next phase's entry: the one entry every waiting thread stopped at (one bit in seen,
      // not the shared bit 31), else -1 (mixed: the general copy); no bit: the block is done
      this.get(L.seen);
      this.op(OP.i32_ctz);
      this.i32(-1);
      this.get(L.seen);
      this.get(L.seen);
      this.i32(1);
      this.op(OP.i32_sub);
      this.op(OP.i32_and);
      this.op(OP.i32_eqz);
      this.get(L.seen);
      this.i32(SEEN_SHARED);
      this.op(OP.i32_ne);
      this.op(OP.i32_and);
      this.op(OP.select);
      this.set(L.cur);
      this.get(L.seen);
      this.br('phase', true);
      this.close();
    } else if (this.lockstep) this.lockstepBlock(body, () => this.blockCheckedLoops(body));
    else this.blockCheckedLoops(body);
    this.inc(L.b);
    this.carry(L.cx, P.gx, () => this.carry(L.cy, P.gy, () => this.inc(L.cz)));
    this.br('blocks');
    this.close();
    this.close();
  }

  /** Runs `perBlock` for each block of the call's range [b0, b1), with its coordinates (as emitLaunchLoops does). */
  private eachBlock(perBlock: () => void): void {
    const { L, P } = this;
    this.blockCoordinates(this.P.b0);
    this.get(P.b0);
    this.set(L.b);
    this.loopWhileBelow('blocks', L.b, P.b1);
    perBlock();
    this.inc(L.b);
    this.carry(L.cx, P.gx, () => this.carry(L.cy, P.gy, () => this.inc(L.cz)));
    this.br('blocks');
    this.close();
    this.close();
  }

  /** Global access sites of a kernel without barriers that can be checked once per block (block-checks.ts). */
  private blockSites: BlockCheckedSite[] = [];

  /**
   * A block's threads, without barriers: when every block-checkable site's addresses, over all the
   * block's threads, provably lie in one window, aligned (block-check-emit.ts), the block runs a
   * copy of the thread loop without those sites' checks; otherwise the checked one (same faults as ever).
   */
  private blockCheckedLoops(body: () => void): void {
    const sites = this.blockSites;
    if (sites.length === 0) return this.threadLoop(body);
    const { P } = this;
    const ok = this.localFor('i32');
    this.i32(0);
    this.set(ok);
    this.open(OP.block, 'pre');
    this.forgetAll();
    const proof = new BlockProof({
      get: (i) => this.get(i), set: (i) => this.set(i), op: (c) => this.op(c), i32: (v) => this.i32(v), i64: (v) => this.i64(v),
      br: (label, conditional) => this.br(label, conditional), localI64: () => this.localFor('i64'),
      instruction: (ins) => this.instruction(ins), reg: (name) => this.regs.get(name)!, special: (name) => this.special(name),
      ntid: [P.ntx, P.nty, P.ntz], oneWindow: (lo, hi, size, fail, write) => this.oneWindow(lo, hi, size, fail, write),
    }, 'pre');
    proof.start();
    const laneSites: LaneSite[] = sites.map((s) => ({ ins: s.ins, base: s.base, ...proof.site(s), size: s.size, store: s.ins.parts[0] === 'st' }));
    this.i32(1);
    this.set(ok);
    this.close();
    this.forgetAll();
    this.get(ok);
    this.open(OP.if, 'block_checked');
    this.blockChecked = new Set(sites.map((s) => s.ins));
    if (this.lanes) this.lanesThreadLoop(body, laneSites, () => this.threadLoop(body));
    else this.threadLoop(body);
    this.blockChecked = undefined;
    this.c.byte(OP.else);
    this.threadLoop(body);
    this.close();
  }

  /**
   * Branches to `fail` unless one of the launch's windows holds [lo, hi + size) (lo, hi: i64
   * locals): start <= lo < end, start <= hi < end, hi + size <= end. With `write` (the site
   * stores, atom or red), marks the window found written (markWritten).
   */
  private oneWindow(lo: number, hi: number, size: number, fail: string, write: boolean): void {
    const { P } = this;
    const w = this.tmp('i32', 0), i = this.tmp('i32', 1);
    const windowStart = (): void => {
      this.get(w);
      this.c.byte(OP.i64_load).u32(3).u32(0);
    };
    const windowEnd = (): void => {
      this.get(w);
      this.c.byte(OP.i64_load).u32(3).u32(8);
    };
    this.i32(0);
    this.set(i);
    this.open(OP.block, 'found');
    this.open(OP.loop, 'scan');
    this.get(i);
    this.get(P.nwin);
    this.op(OP.i32_ge_u);
    this.br(fail, true);
    this.get(P.winBase);
    this.get(i);
    this.i32(4);
    this.op(OP.i32_shl);
    this.op(OP.i32_add);
    this.set(w);
    for (const x of [lo, hi]) {
      this.get(x);
      windowStart();
      this.op(OP.i64_sub);
      windowEnd();
      windowStart();
      this.op(OP.i64_sub);
      this.op(OP.i64_lt_u);
    }
    this.op(OP.i32_and);
    this.get(hi);
    this.i64(BigInt(size));
    this.op(OP.i64_add);
    windowEnd();
    this.op(OP.i64_le_u);
    this.op(OP.i32_and);
    this.br('found', true);
    this.inc(i);
    this.br('scan');
    this.close();
    this.close();
    if (write) this.markWritten(i);
  }

  /** Self-loop sites checked once as their loop is entered (self-loop-checks.ts; a loop may be emitted in several copies). */
  private readonly selfLoopSites = new Set<Instruction>();

  /**
   * Pushes whether every iteration of the self-loop `plan` can run has its sites' addresses in
   * one window, aligned (self-loop-checks.ts): step > 0, i never wraps before the exit test
   * fails (max(i0, bound - 1) + step in the test's range), A(i0) and A(max) in one window.
   */
  protected selfLoopEntry(plan: SelfLoopPlan): void {
    const ok = this.localFor('i32'), i0 = this.localFor('i64'), max = this.localFor('i64'), step = this.localFor('i64');
    const lo = this.localFor('i64'), hi = this.localFor('i64');
    const ext = plan.signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u;
    const read64 = (o: Operand, into: number): void => {
      this.read(o, 'i32');
      this.op(ext);
      this.set(into);
    };
    this.i32(0);
    this.set(ok);
    this.open(OP.block, 'loop_pre');
    read64({ kind: 'reg', name: plan.i } as Operand, i0);
    read64(plan.bound, max);
    read64(plan.step, step);
    // max = max(i0, bound - 1): the largest i an iteration runs with
    this.get(max);
    this.i64(1n);
    this.op(OP.i64_sub);
    this.set(max);
    this.get(max);
    this.get(i0);
    this.get(max);
    this.get(i0);
    this.op(OP.i64_gt_s);
    this.op(OP.select);
    this.set(max);
    this.get(step);
    this.i64(0n);
    this.op(OP.i64_le_s);
    this.br('loop_pre', true);
    this.get(max);
    this.get(step);
    this.op(OP.i64_add);
    this.i64(plan.signed ? 0x7fffffffn : 0xffffffffn);
    this.op(OP.i64_gt_s);
    this.br('loop_pre', true);
    for (const s of plan.sites) {
      const inv = this.regs.get(s.inv)!;
      for (const [x, into] of [[i0, lo], [max, hi]] as const) {
        this.get(inv.local);
        this.i64(s.k);
        this.get(x);
        this.op(OP.i64_mul);
        this.op(OP.i64_add);
        if (s.offset !== 0) {
          this.i64(BigInt(s.offset));
          this.op(OP.i64_add);
        }
        this.set(into);
      }
      if (s.size > 1) {
        this.get(lo);
        this.i64(BigInt(s.size - 1));
        this.op(OP.i64_and);
        this.op(OP.i64_eqz);
        this.op(OP.i32_eqz);
        this.br('loop_pre', true);
      }
      this.oneWindow(lo, hi, s.size, 'loop_pre', writesMemory(s.ins));
    }
    this.i32(1);
    this.set(ok);
    this.close();
    this.get(ok);
    for (const s of plan.sites) this.selfLoopSites.add(s.ins);
  }

  /** Opens `${name}_done` and the loop `${name}`, leaving it once `counter` reaches `limit` (unsigned). */
  private loopWhileBelow(name: string, counter: number, limit: number): void {
    this.open(OP.block, `${name}_done`);
    this.open(OP.loop, name);
    this.get(counter);
    this.get(limit);
    this.op(OP.i32_ge_u);
    this.br(`${name}_done`, true);
  }

  /**
   * One pass over the block's threads, each running `body` (the `next` label ends a thread's turn);
   * with `range` (two locals, lo <= hi), only those with lo <= tx < hi.
   */
  protected threadLoop(body: () => void, range?: { lo: number; hi: number }): void {
    const { L, P } = this;
    // nested loops over tz, ty and tx (t counts along): the innermost one, run per thread, has one
    // test and no carries
    if (range) this.get(range.lo);
    else this.i32(0);
    this.set(L.t);
    this.i32(0);
    this.set(L.tz);
    this.loopWhileBelow('tz', L.tz, P.ntz);
    this.i32(0);
    this.set(L.ty);
    this.loopWhileBelow('ty', L.ty, P.nty);
    if (range) this.get(range.lo);
    else this.i32(0);
    this.set(L.tx);
    this.loopWhileBelow('threads', L.tx, range?.hi ?? P.ntx);
    this.open(OP.block, 'next');
    if (this.sync) {
      // ra: this thread's resume word; pc: where it resumes (-1: done); sb: its register slots
      this.get(P.resumeBase);
      this.get(L.t);
      this.i32(2);
      this.op(OP.i32_shl);
      this.op(OP.i32_add);
      this.c.byte(OP.local_tee).u32(L.ra);
      this.c.byte(OP.i32_load).u32(2).u32(0);
      this.c.byte(OP.local_tee).u32(L.pc);
      this.i32(-1);
      this.op(OP.i32_eq);
      this.br('next', true);
      if (this.slots.size > 0) {
        this.get(P.slotBase);
        this.get(L.t);
        this.i32(8 * this.slots.size);
        this.op(OP.i32_mul);
        this.op(OP.i32_add);
        this.set(L.sb);
      }
    } else {
      this.i32(0);
      this.set(L.pc);
    }
    // Registers start each thread undefined (as in PTX): zeroing them tells V8 that no value flows
    // from one thread into the next, so the thread loop carries none of them (fewer spills).
    for (const r of this.regs.values()) {
      const t = valType(r.cls);
      if (t === 'i32') this.i32(0);
      else if (t === 'i64') this.i64(0n);
      else if (t === 'f32') this.c.byte(OP.f32_const).f32bits(0);
      else this.c.byte(OP.f64_const).f64(0);
      this.set(r.local);
    }
    body();
    this.close();
    this.inc(L.t);
    this.inc(L.tx);
    this.br('threads');
    this.close();
    this.close();
    if (range) {
      // t of the next row's first thread: past this row's hi - lo, then ntx - hi + lo more
      this.get(L.t);
      this.get(P.ntx);
      this.get(range.hi);
      this.op(OP.i32_sub);
      this.get(range.lo);
      this.op(OP.i32_add);
      this.op(OP.i32_add);
      this.set(L.t);
    }
    this.inc(L.ty);
    this.br('ty');
    this.close();
    this.close();
    this.inc(L.tz);
    this.br('tz');
    this.close();
    this.close();
  }

  /**
   * The kernel's blocks in program order. Forward branches are `br` out of nested blocks, a block
   * branching to itself is a Wasm loop. With barriers or backward branches, the blocks sit in a
   * dispatch loop (`br_table` on pc): resuming threads and backward branches enter through it.
   */
  private emitBody({ blocks, labelOf }: { blocks: BasicBlock[]; labelOf: Map<string, number> }): void {
    const target = (b: BasicBlock): number | undefined => (b.term?.kind === 'bra' ? labelOf.get(b.term.target) : undefined);
    blocks.forEach((b) => {
      if (b.term?.kind === 'bra' && !labelOf.has(b.term.target)) unsupported(`branch to unknown label '${b.term.target}'`);
    });
    const dispatch = this.sync || blocks.some((b, i) => (target(b) ?? i) < i);
    const targets = new Set<number>();
    if (dispatch) for (let i = 0; i < blocks.length; i++) targets.add(i);
    else blocks.forEach((b, i) => {
      const j = target(b);
      if (j !== undefined && j !== i) targets.add(j);
    });
    if (dispatch) this.open(OP.loop, 'D');
    // the nearest target innermost: each closes just before its block's code
    for (const j of [...targets].sort((x, y) => y - x)) this.open(OP.block, `L${j}`);
    if (dispatch) {
      this.get(this.L.pc);
      this.c.byte(0x0e).u32(blocks.length);
      for (let j = 0; j < blocks.length; j++) this.c.u32(this.depth(`L${j}`));
      this.c.u32(this.depth('L0'));
    }
    blocks.forEach((b, i) => {
      if (targets.has(i)) {
        if (this.labels[this.labels.length - 1] !== `L${i}`) throw new Error(`internal: label L${i} is not innermost`);
        this.close();
      }
      this.emitBlock(i, (j, conditional) => {
        if (j > i) return this.br(`L${j}`, conditional);
        // a backward branch: through the dispatch loop
        if (conditional) this.open(OP.if, 'back');
        this.i32(j);
        this.set(this.L.pc);
        this.br('D');
        if (conditional) this.close();
      });
    });
    // falling off the end of the kernel is an exit
    if (dispatch) {
      this.exitThread();
      this.close();
    }
  }

  /**
   * One block's code: the restore of a resume block, its instructions (a self-loop as a Wasm loop)
   * and its terminator; `branch(j, conditional)` emits a jump to another block (the guard, if
   * any, is on the stack).
   */
  private emitBlock(b: number, branch: (j: number, conditional: boolean) => void, woke = false): void {
    if (this.parking && b === this.lockstep?.block) return this.parkAtLoop();
    const block = this.cfg.blocks[b]!;
    const t = block.term;
    const j = t?.kind === 'bra' ? this.cfg.labelOf.get(t.target)! : undefined;
    if (block.resume) this.restore(b);
    if (block.warp) this.warpResults(block.warp, woke);
    const code = (): void => {
      if (j === b) this.open(OP.loop, `S${b}`);
      this.forgetAll(); // a block is entered from elsewhere: nothing proven yet
      for (const ins of block.instrs) this.instruction(ins);
      if (t?.kind === 'ret') this.exitThread();
      else if (t?.kind === 'yield') {
        if (t.guard) {
          // guard false: on past the resume block, as the JavaScript backend's `if (g) { yield }`
          this.readPred(t.guard.name, !t.guard.negate);
          branch(t.resume + 1, true);
        }
        this.yieldAt(t.resume, t.site, t.form);
      }
      else if (t?.kind === 'bra') {
        if (t.guard) this.readPred(t.guard.name, t.guard.negate);
        if (j === b) this.br(`S${b}`, t.guard !== undefined);
        else branch(j!, t.guard !== undefined);
      }
      if (j === b) this.close();
    };
    const plan = j === b ? selfLoopPlan(block) : undefined;
    if (!plan || !this.selfLoopFits(plan)) return code();
    // a self-loop whose accesses every iteration can run are proven in one window: a copy without their checks
    this.selfLoopEntry(plan);
    this.open(OP.if, 'loop_checked');
    const outer = this.blockChecked;
    this.blockChecked = new Set([...(outer ?? []), ...plan.sites.map((s) => s.ins)]);
    code();
    this.blockChecked = outer;
    this.c.byte(OP.else);
    code();
    this.close();
  }

  /** The first barrier phase (a straight entry without idle threads) whose grid-stride loop can run in lock-step. */
  private phaseLockstep(cfg: { blocks: BasicBlock[]; labelOf: Map<string, number> }): ReturnType<typeof lockstepPhasePlan> {
    const reads = new Set<string>();
    for (const b of cfg.blocks) {
      for (const ins of b.instrs) for (const u of useDef(ins).uses) reads.add(u);
      const t = b.term;
      if (t && t.kind !== 'ret' && t.guard) reads.add(t.guard.name);
    }
    for (const [e, { block, order, idle }] of this.entries.entries()) {
      if (!order || idle || this.entryOf.get(block) !== e) continue;
      const plan = lockstepPhasePlan(cfg.blocks, cfg.labelOf, e, order, (n) => this.regs.has(n), (n) => this.lay.symbols.get(n)?.space === 'kparam', (p) => this.selfLoopFits(p), (r) => this.restores.get(r) ?? [], (r) => !reads.has(r));
      if (plan) return plan;
    }
    return undefined;
  }

  /** Whether the once-per-loop check can be emitted for `plan` (32-bit i, step and bound; 64-bit invariants). */
  private selfLoopFits(plan: SelfLoopPlan): boolean {
    const is32 = (o: Operand): boolean => o.kind === 'int' || (o.kind === 'reg' && (this.regs.get(o.name)?.cls === 'i32' || (!this.regs.has(o.name) && SPECIAL.test(o.name))));
    return this.regs.get(plan.i)?.cls === 'i32' && is32(plan.step) && is32(plan.bound) && plan.sites.every((s) => this.regs.get(s.inv)?.cls === 'i64');
  }

  protected lockstepSlotOffset(): number {
    return 8 * this.slots.size;
  }

  protected cfgBlocks(): BasicBlock[] {
    return this.cfg.blocks;
  }

  /** The thread is done: with barriers, it is marked so later phases skip it. */
  protected exitThread(): void {
    if (this.sync) {
      this.get(this.L.ra);
      this.i32(-1);
      this.c.byte(OP.i32_store).u32(2).u32(0);
      this.inc(this.L.gone);
    }
    this.br('next');
  }

  /** At a barrier: save the registers live after it, note where to resume, and stop this thread for the phase. */
  private yieldAt(resume: number, site?: number, form?: WarpSiteForm): void {
    const { L } = this;
    if (this.warp) return this.warpYield(resume, site!, form);
    for (const name of this.restores.get(resume) ?? []) {
      const r = this.regs.get(name)!;
      const u = this.uniformSlots.get(name);
      if (u) {
        this.get(r.local);
        this.c.byte(OP.global_set).u32(u.global);
        continue;
      }
      this.get(L.sb);
      this.get(r.local);
      this.c.byte(STORE_OF[valType(r.cls)]).u32(0).u32(8 * this.slots.get(name)!);
    }
    this.get(L.ra);
    this.i32(resume);
    this.c.byte(OP.i32_store).u32(2).u32(0);
    // one bit per entry a thread stops at in this phase (entries past 30 share bit 31): a single
    // or per waiting thread, where tracking the next phase's entry directly took a compare and a branch
    const k = this.entryOf.get(resume) ?? -1;
    this.get(L.seen);
    this.i32(k < 31 ? 1 << k : SEEN_SHARED);
    this.op(OP.i32_or);
    this.set(L.seen);
    this.br('next');
  }

  /**
   * With warp sites: store the site's operands in the thread's warp words, save the registers
   * live after it, and stop with the resume word -(2 + resume) and the site's index (the launch
   * reads both: warp-launch.ts), the thread's turn over.
   */
  private warpYield(resume: number, site: number, form: WarpSiteForm | undefined, chain?: { nextIsChain: boolean }): void {
    const { L } = this;
    const base = 8 * this.slots.size;
    // A shuffle chain's stop (chainPass): only what Wasm reads next — WA, and WB / WC unless the
    // next shfl folds them; its lanes resume in Wasm (the group is every lane, so it never goes to
    // JavaScript from here), and chainPass sets the tracking once. The resume and site words too
    // unless the next site is a chain again, whose own stop writes them.
    // in the entry pass every stop is one of its straight stops (warp-chain.ts entryChain)
    const entry = this.entryStop;
    chain ??= entry;
    const consts = chain && form?.kind === 'shfl' ? this.shflConsts(form) : {};
    for (const st of form?.stores ?? []) {
      if (chain && (st.word === 'wm' || (st.word === 'wb' && consts.b !== undefined) || (st.word === 'wc' && consts.c !== undefined))) continue;
      this.get(L.sb);
      if (st.from === -1) this.i32(-1);
      else this.read(st.from, st.cls);
      this.c.byte(OP.i32_store).u32(2).u32(base + WARP_WORD[st.word]);
    }
    for (const name of this.restores.get(resume) ?? []) {
      const r = this.regs.get(name)!;
      this.get(L.sb);
      this.get(r.local);
      this.c.byte(STORE_OF[valType(r.cls)]).u32(0).u32(8 * this.slots.get(name)!);
    }
    if (!chain?.nextIsChain) {
      this.get(L.sb);
      this.i32(site);
      this.c.byte(OP.i32_store).u32(2).u32(base + WARP_WORD.site);
      this.get(L.ra);
      this.i32(-2 - resume);
      this.c.byte(OP.i32_store).u32(2).u32(0);
    }
    if (!chain) this.warpStopped(site);
    else if (entry?.track) this.warpJoined();
    this.br('next');
  }

  /** While the entry pass's lanes are emitted: its stops write as a straight chain's (and join their lane to the group when some path exits). */
  private entryStop?: { nextIsChain: boolean; track: boolean };

  /**
   * One lane's turn in the entry pass (warp-emit.ts entryPass): the entry region as emitBody
   * emits it, from the entry block on to the stop or the exit (their `br next`), without the
   * dispatch that finds it; its stops write as a straight chain's.
   */
  /** Pushes whether the warp's first lane takes the barrier block's exit (warp-exit.ts): its register recomputed from %tid.x, the comparison, the branch's guard. */
  private warpExitCondition(test: WarpExitTest): void {
    this.forgetAll();
    for (const ins of this.rematOrder([test.reg])) this.instruction(ins);
    this.instruction(test.setp);
    this.readPred(test.guard.name, test.guard.negate);
  }

  private entryLanes(entry: EntryChain, nextIsChain: boolean): void {
    this.entryStop = { nextIsChain, track: entry.exits };
    this.regionCode(entry.blocks, false);
    this.entryStop = undefined;
  }

  /**
   * One lane's turn in a shuffle chain (warp-chain.ts, warp-emit.ts chainPass): the region of the
   * site's resume block as emitBody emits it — the registers, the shfl's result (the group woke),
   * the code, on to a stop or the exit (their `br next`) — without the dispatch that finds it. A
   * straight region's stop writes less (warpYield).
   */
  private chainLink(link: ShuffleChainLink, nextIsChain: boolean): void {
    const r = link.block;
    const block = this.cfg.blocks[r]!;
    const t = block.term;
    if (!block.warp) throw new Error('internal: a shuffle chain link without its site');
    if (link.next !== undefined && t?.kind === 'yield') {
      this.restore(r);
      this.warpResults(block.warp, true);
      this.forgetAll();
      for (const ins of block.instrs) this.instruction(ins);
      this.warpYield(t.resume, t.site!, t.form, { nextIsChain });
      return;
    }
    this.regionCode(link.blocks, true);
  }

  /** A forward region's blocks (the first one its start), each path ending in a stop or the exit; `woke`: the first block's site's group surely woke. */
  private regionCode(blocks: readonly number[], woke: boolean): void {
    const r = blocks[0]!;
    // every block of the region but the first is a branch target: the nearest innermost
    const targets = blocks.slice(1);
    for (const j of [...targets].sort((x, y) => y - x)) this.open(OP.block, `C${j}`);
    for (const i of blocks) {
      if (i !== r) {
        if (this.labels[this.labels.length - 1] !== `C${i}`) throw new Error(`internal: label C${i} is not innermost`);
        this.close();
      }
      this.emitBlock(i, (j, conditional) => {
        if (j <= i) throw new Error('internal: a backward branch in a shuffle chain');
        this.br(`C${j}`, conditional);
      }, woke && i === r);
    }
    // each path ended in a stop or the exit (br next): nothing falls out of the last block
    this.op(OP.unreachable);
  }

  /** The lock-step runs of the chain links (warp-lockstep.ts), by head site. */
  private warpLockstepPlans(links: ShuffleChainLink[], chainSites: ReadonlySet<number>): Map<number, WarpLockstepPlan> {
    const plans = warpLockstepPlans(links, {
      blocks: this.cfg.blocks,
      regCls: (n) => this.regs.get(n)?.cls,
      restores: (b) => this.restores.get(b) ?? [],
      recompute: (b) => this.recompute.get(b) ?? [],
      slotAt: (n) => (this.slots.has(n) ? 8 * this.slots.get(n)! : undefined),
      shflConsts: (f) => this.shflConsts(f),
    }, chainSites, 8 * this.slots.size);
    return new Map(plans.map((p) => [p.site, p]));
  }

  /** A shfl's b and c when they are immediates or registers whose one definition moves an immediate (findRemat). */
  private shflConsts(form: WarpSiteForm): { b?: number; c?: number } {
    const constOf = (o: Operand | -1 | undefined): number | undefined => {
      if (o === undefined || o === -1) return undefined;
      if (o.kind === 'int') return Number(BigInt.asIntN(32, o.value));
      if (o.kind !== 'reg' || !['b32', 'u32', 's32'].includes(this.regDecls.get(o.name)?.type ?? '')) return undefined;
      const def = this.remat.get(o.name);
      const src = def?.parts[0] === 'mov' ? def.operands[1] : undefined;
      return src?.kind === 'int' ? Number(BigInt.asIntN(32, src.value)) : undefined;
    };
    return { b: constOf(form.stores.find((s) => s.word === 'wb')?.from), c: constOf(form.stores.find((s) => s.word === 'wc')?.from) };
  }

  /** A warp site's resume block: its destinations from the thread's RES / RESP words (a predicate: word != 0). */
  private warpResults(form: WarpSiteForm, woke = false): void {
    const base = 8 * this.slots.size;
    // a shfl's result may be computed as the lane resumes (warp-emit.ts), into two locals
    const computed = form.kind === 'shfl' ? this.warpSiteResults(form.mode, this.L.sb, this.shflConsts(form), woke) : undefined;
    for (const r of form.results) {
      if (r.to.kind === 'sink') continue;
      if (computed) this.get(computed[r.word]);
      else {
        this.get(this.L.sb);
        this.c.byte(OP.i32_load).u32(2).u32(base + WARP_WORD[r.word]);
      }
      if (r.pred) {
        this.i32(0);
        this.op(OP.i32_ne);
        this.write(r.to, 'pred');
      } else this.write(r.to, 'i32');
      if (r.to.kind === 'reg') this.forgetProven(r.to.name);
    }
  }

  /** Bytes of one thread's slots: its saved registers, and with warp sites its warp words after them. */
  private slotStride(): number {
    return 8 * this.slots.size + (this.warp ? WARP_WORDS_BYTES : 0) + this.lockstepSlotBytes();
  }

  private restore(block: number): void {
    for (const name of this.restores.get(block) ?? []) {
      const r = this.regs.get(name)!;
      const u = this.uniformSlots.get(name);
      if (u) {
        this.get(u.local);
        this.set(r.local);
        continue;
      }
      this.get(this.L.sb);
      this.c.byte(LOAD_OF[valType(r.cls)]).u32(0).u32(8 * this.slots.get(name)!);
      this.set(r.local);
    }
    for (const ins of this.recompute.get(block) ?? []) this.instruction(ins);
  }

  // ---- operands -----------------------------------------------------------------------------
}
