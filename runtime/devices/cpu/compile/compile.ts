/**
 * Compiles one PTX entry (with its device functions inlined) into JavaScript.
 *
 * Execution model: each thread runs the kernel as straight JS with registers in locals and
 * control flow as a switch-dispatched state machine (a self-looping basic block becomes a
 * `do … while`). Instructions that need the whole warp or block — bar.sync, shfl.sync,
 * vote.sync, activemask, redux, match, bar.warp.sync — are "sync sites": the thread saves its
 * registers, stores its operands and returns the site index to the scheduler, which runs the
 * collective operation once every participating lane has arrived, then resumes the threads.
 * A kernel without sync sites is compiled to a tight loop over all threads of a block.
 */
import { carryIn, carryOut } from '../carry.js';
import { emitCarry } from './emit-carry.js';
import type { Instruction, Operand, PtxFunction, PtxModule, Statement } from '../ast.js';
import { DeviceError } from '../../../../contract/device.js';
import {
  emitAddSub, emitBitOps, emitBitwise, emitCvt, emitDivRem, emitMad, emitMinMax, emitMov, emitMul, emitSelp, emitSet, emitSetp,
  emitShift, emitUnaryMath, tmp,
} from './emit-alu.js';
import { emitAtom, emitCvta, emitIsspacep, emitLd, emitSt, type MemCtx } from './emit-mem.js';
import { flatten } from './inline.js';
import { liveIn, useDef, type LiveBlock } from './liveness.js';
import { mustDefined, rematCode, rematerializable, savesNeeded, type DefSite, type SiteFlow } from './sync-state.js';
import { biasedRegisters, numRegisters } from './num64.js';
import { checkLimit } from '../limits.js';
import { layout, symbolAddress, type Layout } from './layout.js';
import { specialRegister } from './special-registers.js';
import { Values } from './values.js';
import type { WasmKernel } from '../wasm/compile-wasm.js';

export type SiteKind = 'bar' | 'shfl' | 'vote' | 'activemask' | 'syncwarp' | 'redux' | 'match' | 'barred';

export interface SyncSite {
  kind: SiteKind;
  /** shfl mode (up/down/bfly/idx), vote mode (all/any/uni/ballot), redux/match/bar.red op. */
  mode: string;
  /** Resume case id. */
  resume: number;
  line: number;
}

export interface CompiledKernel {
  entry: string;
  layout: Layout;
  sites: SyncSite[];
  hasSync: boolean;
  /** Whether some 64-bit registers are single numbers: the launch then needs 64-bit params below 2^52. */
  numbers: boolean;
  /** The all-pairs variant, for launches whose 64-bit scalar arguments are 2^52 or more (built on demand). */
  pairsVariant?: () => CompiledKernel;
  /** Whether any sync site is warp-level (shfl/vote/...), and whether any is bar.red. */
  warpSites: boolean;
  barRed: boolean;
  /** Global/generic access sites, each with a cached window in E.wk (see emit-mem.ts refill). */
  cacheSites: number;
  /** Number of int32 / f64 save slots per thread (sync kernels). */
  saveInts: number;
  saveFloats: number;
  source: string;
  /** The same kernel compiled to WebAssembly, when it is in the subset wasm/compile-wasm.ts takes. */
  wasm?: WasmKernel;
  /** Built by `new Function`: the block runner (no sync) or the resumable thread runner. */
  run?: (E: unknown, t0: number, t1: number, resume: number) => void;
}

const NO_OPS = new Set(['membar', 'fence', 'prefetch', 'prefetchu', 'brkpt', 'nanosleep', 'pmevent', 'griddepcontrol', 'applypriority', 'discard', 'createpolicy']);

interface Block {
  id: number;
  label?: string;
  code: string[];
  steps: LiveBlock['steps'];
  /** How the block ends: falls through, jumps (target label), or stops the thread. */
  end: 'fall' | 'jump' | 'cond' | 'stop';
  target?: string;
  /** Set when the block ends with `@p bra <itself>`: emitted as do/while. */
  selfLoopCond?: string;
}

export interface CompileOptions {
  /** Keep address-like 64-bit registers as single numbers (see num64.ts); the launch checks params. */
  numbers: boolean;
}

export function compileKernel(module: PtxModule, entry: PtxFunction, options: CompileOptions = { numbers: true }): CompiledKernel {
  const flat = flatten(module, entry);
  const lay = layout(module, entry.params, flat.vars);
  let line = entry.line;
  const numRegs = options.numbers
    ? numRegisters(flat.body, flat.regs, (n) => lay.symbols.get(n)?.space === 'kparam', (n) => lay.symbols.has(n))
    : new Set<string>();
  const biased = biasedRegisters(flat.body, numRegs, (n) => lay.symbols.get(n)?.space === 'kparam');
  const V = new Values(flat.regs, (n) => symbolAddress(lay, n), specialRegister, () => line, numRegs, biased);
  let siteCount = 0;
  const hoisted = new Map<string, string>();
  const mem: MemCtx = {
    V,
    site: () => siteCount++,
    symbolSpace: (n) => lay.symbols.get(n)?.space,
    paramSize: lay.paramSize,
    paramOffset: (n) => {
      const sym = lay.symbols.get(n);
      return sym && sym.space === 'kparam' ? sym.offset : undefined;
    },
    hoist: (expr) => {
      let name = hoisted.get(expr);
      if (!name) {
        name = `_k${hoisted.size}`;
        hoisted.set(expr, name);
      }
      return name;
    },
    get line() {
      return line;
    },
  };
  const sites: SyncSite[] = [];
  const flows: SiteFlow[] = [];
  // per register: how many instructions write it, and the one unguarded pure write (see sync-state.ts)
  const defCount = new Map<string, number>();
  const defSites = new Map<string, DefSite>();
  const labels = new Map<string, number>();
  const blocks: Block[] = [];
  let cur: Block = { id: 0, code: [], steps: [], end: 'fall' };
  blocks.push(cur);
  const newBlock = (label?: string): Block => {
    const b: Block = { id: blocks.length, code: [], steps: [], end: 'fall' };
    if (label !== undefined) b.label = label;
    blocks.push(b);
    cur = b;
    return b;
  };
  // First pass: assign block ids to labels so branches can refer forward.
  const body = flat.body;
  const pendingBranches: { block: Block; index: number; target: string; line: number }[] = [];

  const guardExpr = (ins: Instruction): string | undefined => {
    if (!ins.guard) return undefined;
    const p = V.read({ kind: 'reg', name: ins.guard.name }, 'pred');
    return ins.guard.negate ? `!${p}` : p;
  };

  for (let i = 0; i < body.length; i++) {
    const s: Statement = body[i]!;
    line = s.line;
    if (s.kind === 'label') {
      const b = cur.code.length === 0 && cur.label === undefined ? ((cur.label = s.name), cur) : newBlock(s.name);
      if (labels.has(s.name)) throw new DeviceError(-4, `line ${s.line}: duplicate label '${s.name}'`);
      labels.set(s.name, b.id);
      continue;
    }
    const ins = s;
    const g = guardExpr(ins);
    const insDefs = useDef(ins).defs.filter((d) => V.regs.has(d));
    for (const d of insDefs) defCount.set(d, (defCount.get(d) ?? 0) + 1);
    const op = ins.parts[0]!;
    if (op === 'bra') {
      const target = ins.operands[0];
      if (!target || target.kind !== 'sym') throw new DeviceError(-4, `line ${ins.line}: bra needs a label`);
      pendingBranches.push({ block: cur, index: cur.code.length, target: target.name, line: ins.line });
      cur.steps.push({ ...useDef(ins), kills: false });
      cur.end = g ? 'cond' : 'jump';
      cur.target = target.name;
      cur.code.push(g ? `if (${g}) { pc = @@; continue D; }` : 'pc = @@; continue D;');
      if (g) (cur as Block & { lastCond?: string }).lastCond = g;
      newBlock();
      continue;
    }
    if (op === 'ret' || op === 'exit') {
      cur.code.push(g ? `if (${g}) { EXIT }` : 'EXIT');
      cur.steps.push({ ...useDef(ins), kills: false });
      if (!g) cur.end = 'stop';
      newBlock();
      continue;
    }
    const sync = syncSite(V, ins);
    if (sync) {
      const k = sites.length;
      checkLimit(sites.length + 1, 'maxSyncSites', ins.line, (n) => `${n.toLocaleString('en-US')} barriers and warp-level operations in kernel '${entry.name}' (after inlining)`);
      sites.push({ kind: sync.kind, mode: sync.mode, resume: -1, line: ins.line });
      // barrier arrivals are also counted, so the scheduler can release a uniform barrier without scanning
      const count = sync.kind === 'bar' ? ` if (BWN++ === 0) BR = RESUME${k}$; else if (BR !== RESUME${k}$) BMIX = true;` : '';
      const yieldCode = `${sync.before} SAVE${k}$ ST[t] = 1; SITE${k}$ RS[t] = RESUME${k}$;${count} continue T;`;
      cur.code.push(g ? `if (${g}) { ${yieldCode} }` : yieldCode);
      const ud = useDef(ins);
      cur.steps.push({ uses: ud.uses, defs: [], kills: false });
      const syncBlock = cur.id;
      const rb = newBlock();
      sites[k]!.resume = rb.id;
      flows.push({ resumeBlock: rb.id, syncBlock, guarded: g !== undefined });
      // a guarded site's resume block reads its guard again (`if (g) { after }`): live across the yield
      rb.steps.push({ uses: ins.guard ? [ins.guard.name] : [], defs: ud.defs, kills: !g });
      if (sync.after) rb.code.push(g ? `if (${g}) { ${sync.after} }` : sync.after);
      continue;
    }
    let code: string;
    try {
      code = emitInstruction(V, mem, ins);
    } catch (e) {
      if (e instanceof DeviceError) throw e;
      throw new DeviceError(-4, `line ${ins.line}: malformed instruction '${ins.opcode}' (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!g && insDefs.length === 1 && code) {
      defSites.set(insDefs[0]!, { code, block: cur.id, step: cur.steps.length, uses: useDef(ins).uses });
    }
    cur.code.push(g ? `if (${g}) { ${code} }` : code);
    cur.steps.push({ ...useDef(ins), kills: !g });
  }
  for (const pb of pendingBranches) {
    const id = labels.get(pb.target);
    if (id === undefined) throw new DeviceError(-4, `line ${pb.line}: branch to unknown label '${pb.target}'`);
    pb.block.code[pb.index] = pb.block.code[pb.index]!.replace('@@', String(id));
    // self-loop: the block's last instruction branches back to its own start
    if (id === pb.block.id && pb.index === pb.block.code.length - 1) {
      const cond = (pb.block as Block & { lastCond?: string }).lastCond;
      if (cond) {
        pb.block.code.pop();
        pb.block.selfLoopCond = cond;
      }
    }
  }
  const hasSync = sites.length > 0;
  const live = hasSync ? liveness(blocks, labels, V) : [];
  const plan = hasSync ? syncPlan(blocks, labels, V, live, sites, flows, defCount, defSites) : [];
  // blocks ending in an unguarded yield: the thread stops there (it resumes at the next block later)
  const stops = new Set(flows.filter((f) => !f.guarded).map((f) => f.syncBlock));
  const source = assemble(V, blocks, lay, siteCount, hasSync, sites, live, hoisted, plan, stops);
  const kernel: CompiledKernel = {
    entry: entry.name,
    layout: lay,
    sites,
    hasSync,
    numbers: numRegs.size > 0,
    warpSites: sites.some((s) => s.kind !== 'bar' && s.kind !== 'barred'),
    barRed: sites.some((s) => s.kind === 'barred'),
    saveInts: 0,
    saveFloats: 0,
    cacheSites: siteCount,
    source,
  };
  const counts = slots(V, plan);
  kernel.saveInts = counts.ints;
  kernel.saveFloats = counts.floats;
  return kernel;
}


function flowBlocks(blocks: Block[], labels: Map<string, number>): LiveBlock[] {
  return blocks.map((b, i) => {
    const succ: number[] = [];
    if (b.end === 'jump' || b.end === 'cond') succ.push(labels.get(b.target!)!);
    if (b.end !== 'jump' && b.end !== 'stop' && i + 1 < blocks.length) succ.push(i + 1);
    return { steps: b.steps, succ };
  });
}

function liveness(blocks: Block[], labels: Map<string, number>, V: Values): Set<string>[] {
  return liveIn(flowBlocks(blocks, labels), (n) => V.regs.has(n));
}

/** Per sync site: registers saved at the yield, restored from slots, and the code recomputing the rest. */
interface SitePlan {
  save: Set<string>;
  restore: Set<string>;
  remat: string;
}

function syncPlan(
  blocks: Block[], labels: Map<string, number>, V: Values, live: Set<string>[], sites: SyncSite[], flows: SiteFlow[],
  defCount: Map<string, number>, defSites: Map<string, DefSite>,
): SitePlan[] {
  const lb = flowBlocks(blocks, labels);
  const isReg = (n: string): boolean => V.regs.has(n);
  const must = mustDefined(lb, isReg);
  const remat = rematerializable(lb, must, defCount, defSites, isReg);
  const restored: Set<string>[] = [];
  const recomputed: string[][] = [];
  sites.forEach((site) => {
    const defined = must[site.resume];
    const r = new Set<string>();
    const c: string[] = [];
    for (const reg of live[site.resume] ?? []) {
      if (remat.has(reg) && defined && defined.has(reg)) c.push(reg);
      else r.add(reg);
    }
    restored.push(r);
    recomputed.push(c);
  });
  const saves = savesNeeded(lb, flows, restored, isReg);
  return sites.map((_, k) => ({ save: saves[k]!, restore: restored[k]!, remat: rematCode(recomputed[k]!, remat, isReg) }));
}

/**
 * Save slots, dense over the registers live at any sync site (so a thread's saved state is a
 * few adjacent words): one int32 slot per pred/int register (two for 64-bit), one f64 per float.
 */
function slots(V: Values, plan: SitePlan[]): { slot: Map<string, number>; ints: number; floats: number } {
  const used = new Set<string>();
  for (const p of plan) for (const r of p.restore) used.add(r);
  const slot = new Map<string, number>();
  let i = 0, f = 0;
  for (const r of V.regs.values()) {
    if (!used.has(r.name)) continue;
    if (r.kind === 'f32' || r.kind === 'f64' || r.num) slot.set(r.name, f++);
    else {
      slot.set(r.name, i);
      i += r.kind === 'i64' ? 2 : 1;
    }
  }
  return { slot, ints: i, floats: f };
}

function saveRestore(V: Values, plan: SitePlan, slot: Map<string, number>): { save: string; restore: string } {
  const save: string[] = [];
  const restore: string[] = [];
  for (const name of plan.restore) {
    const r = V.regs.get(name)!;
    const k = slot.get(name)!;
    let sv: string, rs: string;
    switch (r.kind) {
      case 'pred':
        sv = `SVI[_sb + ${k}] = ${r.js} ? 1 : 0;`;
        rs = `${r.js} = SVI[_sb + ${k}] !== 0;`;
        break;
      case 'i32':
        sv = `SVI[_sb + ${k}] = ${r.js};`;
        rs = `${r.js} = SVI[_sb + ${k}];`;
        break;
      case 'i64':
        if (r.num) {
          sv = `SVF[_fb + ${k}] = ${r.js};`;
          rs = `${r.js} = SVF[_fb + ${k}];`;
          break;
        }
        sv = `SVI[_sb + ${k}] = ${r.js}; SVI[_sb + ${k + 1}] = ${r.jsHi};`;
        rs = `${r.js} = SVI[_sb + ${k}]; ${r.jsHi} = SVI[_sb + ${k + 1}];`;
        break;
      default:
        sv = `SVF[_fb + ${k}] = ${r.js};`;
        rs = `${r.js} = SVF[_fb + ${k}];`;
    }
    // a register whose slot already holds this thread's value is restored but not saved again
    if (plan.save.has(name)) save.push(sv);
    restore.push(rs);
  }
  const head = (body: string[]): string => {
    if (body.length === 0) return '';
    const ints = body.some((x) => x.includes('_sb')), floats = body.some((x) => x.includes('_fb'));
    const decl = [ints ? '_sb = t * NI' : '', floats ? '_fb = t * NF' : ''].filter(Boolean).join(', ');
    return `{ const ${decl}; ${body.join(' ')} }`;
  };
  return { save: head(save), restore: `${head(restore)} ${plan.remat}` };
}

const VIEW_PROLOGUE = (prefix: string, obj: string): [string, string][] => [
  [`${prefix}8`, `${obj}.u8`], [`${prefix}S8`, `${obj}.s8`], [`${prefix}16`, `${obj}.u16`], [`${prefix}S16`, `${obj}.s16`],
  [`${prefix}32`, `${obj}.i32`], [`${prefix}F`, `${obj}.f32`], [`${prefix}D`, `${obj}.f64`],
];

/** Launch constants the generated code may read; the prologue declares only those it does read. */
function prologueConstants(hasSync: boolean): [string, string][] {
  return [
    ...VIEW_PROLOGUE('G', 'E.g'), ...VIEW_PROLOGUE('S', 'E.sh'), ...VIEW_PROLOGUE('L', 'E.lm'), ...VIEW_PROLOGUE('C', 'E.cm'), ...VIEW_PROLOGUE('P', 'E.pm'),
    ['ntx', 'E.ntx'], ['nty', 'E.nty'], ['ntz', 'E.ntz'], ['FRAME', 'E.frameSize'], ['SHN', 'E.shSize'], ['CSN', 'E.constSize'], ['PSN', 'E.paramSize'],
    ['CTX', 'E.cx'], ['CTY', 'E.cy'], ['CTZ', 'E.cz'], ['NCX', 'E.gx'], ['NCY', 'E.gy'], ['NCZ', 'E.gz'], ['NWARPS', 'E.nwarps'], ['DYNSH', 'E.dynShared'],
    ['WK', 'E.wk'], ['WA', 'E.wa'], ['WB', 'E.wb'], ['WC', 'E.wc'], ['WM', 'E.wm'], ['RES', 'E.res'], ['RESP', 'E.resp'],
    ...(hasSync ? ([['SVI', 'E.si'], ['SVF', 'E.sf'], ['NI', 'E.ni'], ['NF', 'E.nf'], ['ST', 'E.status'], ['SO', 'E.siteOf'], ['RS', 'E.resume']] as [string, string][]) : []),
  ];
}

/**
 * The generated function runs threads [t0, t1) from case `resume` (0 = kernel start) until each
 * exits or stops at a sync site. Thread coordinates are loop-carried counters (no division).
 */
function assemble(V: Values, blocks: Block[], lay: Layout, siteCount: number, hasSync: boolean, sites: SyncSite[], live: Set<string>[], hoisted: Map<string, string>, plan: SitePlan[], stops: Set<number>): string {
  void lay;
  void live;
  const caches: string[] = [];
  for (let k = 0; k < siteCount; k++) caches.push(`w${k}a = WK[${2 * k}], w${k}b = WK[${2 * k + 1}]`);
  // per call (per block, or per barrier phase): only the launch constants the code reads
  const prologue = [
    '@@CONSTANTS@@',
    caches.length ? `let ${caches.join(', ')};` : '',
    hoisted.size ? `const ${[...hoisted].map(([expr, name]) => `${name} = ${expr}`).join(', ')};` : '',
  ].join('\n');
  const { slot } = slots(V, plan);
  const saves: string[] = [];
  const restores: string[] = [];
  sites.forEach((_site, k) => {
    const sr = saveRestore(V, plan[k]!, slot);
    saves.push(sr.save);
    restores.push(sr.restore);
  });
  const resumeOf = new Map(sites.map((site, k) => [site.resume, k]));
  // the scheduler reads which site a thread waits at only for warp operations and bar.red
  const siteOfNeeded = sites.some((s) => s.kind !== 'bar');
  const bodies = blocks.map((b) => {
    const k = resumeOf.get(b.id);
    // a thread resuming here restores its live registers first (RZ is set only on entry)
    const restore = k === undefined ? '' : `if (RZ) { RZ = false; ${restores[k]} }\n`;
    const code = restore + b.code.join('\n').replaceAll('EXIT', hasSync ? 'ST[t] = 2; EXN++; continue T;' : 'continue T;').replace(/SAVE(\d+)\$/g, (_m, k: string) => saves[Number(k)]!).replace(/RESUME(\d+)\$/g, (_m, k: string) => String(sites[Number(k)]!.resume)).replace(/SITE(\d+)\$/g, (_m, k: string) => (siteOfNeeded ? `SO[t] = ${k};` : ''));
    return b.selfLoopCond ? `do {\n${code}\n} while (${b.selfLoopCond});` : code;
  });
  const exitCode = hasSync ? 'ST[t] = 2; EXN++; continue T;' : 'continue T;';
  const general = `D: for (;;) { switch (pc) {\n${bodies.map((c, i) => `case ${blocks[i]!.id}:\n${c}`).join('\n')}\n} break; }`;
  // one thread loop per entry point (kernel start, each resume case), straight-line where possible
  const entries = [0, ...sites.map((s) => s.resume)];
  let variants = entries.map((e) => structured(blocks, bodies, e, stops, exitCode));
  let needGeneral = variants.some((v) => v === undefined);
  // each variant copies code: keep the function small enough for V8 to optimise it
  if (variants.reduce((n, v) => n + (v?.length ?? 0), needGeneral ? general.length : 0) > VARIANT_BUDGET) {
    variants = variants.map(() => undefined);
    needGeneral = true;
  }
  const all = [needGeneral ? general : '', ...variants].join('\n');
  // the thread loop advances only the coordinates and local-memory base the code reads
  const usesYZ = /\bt[yz]\b/.test(all), usesX = usesYZ || /\btx\b/.test(all), usesLB = /\bLB\b/.test(all);
  const step = ['t++', usesLB ? 'LB += FRAME' : '', usesYZ ? '(++tx === ntx ? (tx = 0, (++ty === nty ? (ty = 0, tz++) : 0)) : 0)' : usesX ? '(++tx === ntx ? (tx = 0) : 0)' : ''].filter(Boolean).join(', ');
  const loop = (rz: string, code: string): string => `T: for (let t = t0; t < t1; ${step}) {
${hasSync ? `RZ = ${rz};` : ''}
${code}
${hasSync ? 'ST[t] = 2; EXN++;' : ''}
}`;
  const loops = entries
    .map((e, i) => (variants[i] ? `case ${e}: {\n${loop(e === 0 ? 'false' : 'true', variants[i]!)}\nbreak; }` : ''))
    .join('\n');
  const source = `"use strict"; const OUT = M.OUT;
return function run(E, t0, t1, resume) {
${prologue}
let tx = t0 % ntx, ty = Math.floor(t0 / ntx) % nty, tz = Math.floor(t0 / (ntx * nty)), LB = t0 * FRAME;
${V.declarations()}${hasSync ? ' let RZ = false, BWN = 0, BR = 0, BMIX = false, EXN = 0;' : ''}
switch (resume) {
${loops}
${needGeneral ? `default: {\n${loop('resume !== 0', `let pc = resume;\n${general}`)}\n}` : ''}
}
${hasSync ? 'E.bwn = BWN; E.br = BR; E.bmix = BMIX; E.exn = EXN;' : ''}
};`;
  const used = prologueConstants(hasSync).filter(([name]) => new RegExp(`\\b${name}\\b`).test(source));
  return source.replace('@@CONSTANTS@@', used.length ? `const ${used.map(([n, e]) => `${n} = ${e}`).join(', ')};` : '');
}

/** Source characters allowed for the per-entry straight-line variants (V8 stops optimising huge functions). */
const VARIANT_BUDGET = 40_000;

/**
 * Straight-line code for the blocks a thread can run from `entry` until it exits or stops at a
 * sync site, when they form no cycle (loops only as self-looping blocks, already do/while): the
 * blocks in a topological order, each preceded by the end of a labelled block `Lj` enclosing
 * everything before it, so a branch to j is `break Lj` — no dispatch loop, no switch per branch.
 * Returns undefined when there is a cycle (the switch dispatch handles any graph).
 */
function structured(blocks: Block[], bodies: string[], entry: number, stops: Set<number>, exitCode: string): string | undefined {
  const next = (b: Block): number | undefined => (b.end === 'fall' || b.end === 'cond') && !stops.has(b.id) ? b.id + 1 : undefined;
  const jumpTo = (b: Block): number | undefined => (b.end === 'jump' || b.end === 'cond') && !b.selfLoopCond ? Number(/pc = (\d+); continue D;/.exec(bodies[b.id]!)?.[1]) : undefined;
  // depth-first, the fall-through successor visited last so it lands right after its block
  const state = new Map<number, 1 | 2>();
  const post: number[] = [];
  let cyclic = false;
  const visit = (id: number): void => {
    if (cyclic || id >= blocks.length) return;
    const st = state.get(id);
    if (st === 1) cyclic = true;
    if (st !== undefined) return;
    state.set(id, 1);
    const b = blocks[id]!;
    const j = jumpTo(b), n = next(b);
    if (j !== undefined) visit(j);
    if (n !== undefined) visit(n);
    state.set(id, 2);
    post.push(id);
  };
  visit(entry);
  if (cyclic) return undefined;
  const order = post.reverse();
  const pos = new Map(order.map((id, i) => [id, i]));
  const targets = new Set<number>();
  const parts: string[] = [];
  const jump = /pc = (\d+); continue D;/g;
  for (let i = 0; i < order.length; i++) {
    const b = blocks[order[i]!]!;
    let code = bodies[b.id]!.replace(jump, (_m, to: string) => {
      targets.add(Number(to));
      return `break L${to};`;
    });
    const n = next(b);
    if (n !== undefined && n >= blocks.length) code += `\n${exitCode}`;
    else if (n !== undefined && pos.get(n) !== i + 1) {
      targets.add(n);
      code += `\nbreak L${n};`;
    }
    parts.push(code);
  }
  for (const t of targets) if (!pos.has(t) || pos.get(t)! <= 0) return undefined;
  const open = [...targets].sort((a, b) => pos.get(b)! - pos.get(a)!).map((j) => `L${j}: {`).join(' ');
  const body = order.map((id, i) => (targets.has(id) ? '}\n' : '') + parts[i]!);
  return `${open}\n${body.join('\n')}`;
}

interface SyncCode {
  kind: SyncSite['kind'];
  mode: string;
  before: string;
  after: string;
}

/** Operands stored before a sync site and results read after it (see scheduler.ts). */
function syncSite(V: Values, ins: Instruction): SyncCode | undefined {
  const p = ins.parts;
  const op = p[0]!;
  const o = (i: number): Operand => ins.operands[i]!;
  const full = '-1';
  if (op === 'bar' || op === 'barrier') {
    if (p[1] === 'warp') {
      return { kind: 'syncwarp', mode: '', before: `WM[t] = ${ins.operands[0] ? V.read(o(0), 'i32') : full};`, after: '' };
    }
    if (p[1] === 'red') {
      // bar.red.popc.u32 d, a{, b}, {!}c  |  bar.red.{and,or}.pred p, a{, b}, {!}c
      const mode = p[2]!;
      const n = ins.operands.length;
      const c = o(n - 1);
      const cnt = n === 4 ? V.read(o(2), 'i32') : '-1';
      const after = mode === 'popc' ? V.write(o(0), 'i32', 'RES[t]') : V.write(o(0), 'pred', 'RES[t] !== 0');
      return { kind: 'barred', mode, before: `WA[t] = ${V.read(o(1), 'i32')}; WB[t] = ${cnt}; WC[t] = ${V.read(c, 'pred')} ? 1 : 0;`, after };
    }
    if (p[1] === 'arrive') return undefined; // handled as a no-op by emitInstruction
    // The barrier id and thread count are accepted; a barrier releases when every thread of the
    // block waits at one or has exited, so nothing needs to be stored here.
    return { kind: 'bar', mode: '', before: '', after: '' };
  }
  if (op === 'shfl') {
    const mode = p.find((x) => ['up', 'down', 'bfly', 'idx'].includes(x));
    if (!mode) return V.fail(`unsupported instruction '${ins.opcode}'`);
    const dst = o(0);
    const d = dst.kind === 'pair' ? dst.first : dst;
    const q = dst.kind === 'pair' ? dst.second : undefined;
    const mask = ins.operands.length > 4 ? V.read(o(4), 'i32') : full;
    let after = V.write(d, 'i32', 'RES[t]');
    if (q) after += ' ' + V.write(q, 'pred', 'RESP[t] !== 0');
    return { kind: 'shfl', mode, before: `WA[t] = ${V.read(o(1), 'i32')}; WB[t] = ${V.read(o(2), 'i32')}; WC[t] = ${V.read(o(3), 'i32')}; WM[t] = ${mask};`, after };
  }
  if (op === 'vote') {
    const mode = p.find((x) => ['all', 'any', 'uni', 'ballot'].includes(x));
    if (!mode) return V.fail(`unsupported instruction '${ins.opcode}'`);
    const mask = ins.operands.length > 2 ? V.read(o(2), 'i32') : full;
    const after = mode === 'ballot' ? V.write(o(0), 'i32', 'RES[t]') : V.write(o(0), 'pred', 'RES[t] !== 0');
    return { kind: 'vote', mode, before: `WA[t] = ${V.read(o(1), 'pred')} ? 1 : 0; WM[t] = ${mask};`, after };
  }
  if (op === 'activemask') return { kind: 'activemask', mode: '', before: '', after: V.write(o(0), 'i32', 'RES[t]') };
  if (op === 'redux') {
    const mode = p[2]!;
    const t = p[p.length - 1]!;
    if (t === 'f32') return V.fail(`unsupported instruction '${ins.opcode}'`);
    return { kind: 'redux', mode: `${mode}.${t}`, before: `WA[t] = ${V.read(o(1), 'i32')}; WM[t] = ${V.read(o(2), 'i32')};`, after: V.write(o(0), 'i32', 'RES[t]') };
  }
  if (op === 'match') {
    const mode = p[1]!;
    const t = p[p.length - 1]!;
    if (t !== 'b32') return V.fail(`unsupported instruction '${ins.opcode}' (only .b32)`);
    const dst = o(0);
    const d = dst.kind === 'pair' ? dst.first : dst;
    const q = dst.kind === 'pair' ? dst.second : undefined;
    let after = V.write(d, 'i32', 'RES[t]');
    if (q) after += ' ' + V.write(q, 'pred', 'RESP[t] !== 0');
    return { kind: 'match', mode, before: `WA[t] = ${V.read(o(1), 'i32')}; WM[t] = ${V.read(o(2), 'i32')};`, after };
  }
  return undefined;
}

function emitInstruction(V: Values, mem: MemCtx, ins: Instruction): string {
  if (carryOut(ins) || carryIn(ins)) return emitCarry(V, ins);
  const op = ins.parts[0]!;
  switch (op) {
    case 'add':
    case 'sub':
    case 'addc':
    case 'subc':
      return emitAddSub(V, ins);
    case 'mul':
    case 'mul24':
      return emitMul(V, ins);
    case 'mad':
    case 'fma':
    case 'mad24':
      return emitMad(V, ins);
    case 'div':
    case 'rem':
      return emitDivRem(V, ins);
    case 'abs':
    case 'neg':
    case 'sqrt':
    case 'rsqrt':
    case 'rcp':
    case 'ex2':
    case 'lg2':
    case 'sin':
    case 'cos':
    case 'tanh':
      return emitUnaryMath(V, ins);
    case 'min':
    case 'max':
      return emitMinMax(V, ins);
    case 'and':
    case 'or':
    case 'xor':
    case 'not':
    case 'cnot':
      return emitBitwise(V, ins);
    case 'shl':
    case 'shr':
      return emitShift(V, ins);
    case 'popc':
    case 'clz':
    case 'brev':
    case 'bfe':
    case 'bfi':
    case 'bfind':
    case 'prmt':
    case 'shf':
    case 'sad':
    case 'copysign':
    case 'testp':
      return emitBitOps(V, ins);
    case 'setp':
      return emitSetp(V, ins);
    case 'set':
      return emitSet(V, ins);
    case 'selp':
    case 'slct':
      return emitSelp(V, ins);
    case 'mov':
      return emitMov(V, ins);
    case 'cvt':
      return emitCvt(V, ins);
    case 'ld':
    case 'ldu':
      return emitLd(mem, ins);
    case 'st':
      return emitSt(mem, ins);
    case 'atom':
    case 'red':
      return emitAtom(mem, ins);
    case 'cvta':
      return emitCvta(mem, ins);
    case 'isspacep':
      return emitIsspacep(mem, ins);
    case 'trap':
      return `M.trap(E, t, ${ins.line});`;
    case 'bar':
    case 'barrier':
      if (ins.parts[1] === 'arrive') return '';
      break;
    default:
      if (NO_OPS.has(op)) return '';
  }
  return V.fail(`unsupported instruction '${ins.opcode}'`);
}

export function finishKernel(kernel: CompiledKernel, helpers: unknown): CompiledKernel {
  let fn: unknown;
  try {
    const factory = new Function('M', kernel.source) as (m: unknown) => unknown;
    fn = factory(helpers);
  } catch (e) {
    throw new DeviceError(-7, `internal: code generation failed for kernel '${kernel.entry}': ${e instanceof Error ? e.message : String(e)}`);
  }
  kernel.run = fn as CompiledKernel['run'];
  return kernel;
}

export { tmp };
