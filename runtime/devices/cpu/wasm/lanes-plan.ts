/**
 * Which kernels run 4 threads at once in Wasm SIMD lanes (lanes-emit.ts), and how: kernels without
 * barriers, warp-level sites, atomics, shared, local or module memory, whose code is straight-line
 * apart from guarded forward branches to the exit (nvcc's `if (i < n)`), every global access one
 * of the once-per-block checked sites (block-checks.ts) and no store before the last such branch
 * (a group whose lanes disagree at a branch then reruns its 4 threads one by one from the start:
 * everything before was pure).
 *
 * Registers split in two: uniform ones hold the same value in the 4 lanes of a group (tx, tx+1,
 * tx+2, tx+3 of one row: the same %tid.y, %tid.z and everything else that does not derive from
 * %tid.x or memory) and stay scalar, computed once per group; varying ones get one v128 per 4 lanes
 * of 32 bits, two for 64 bits (lanes 0-1, 2-3).
 */
import type { Instruction, Operand } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { SPECIAL, type BasicBlock } from './ptx-types.js';
import type { BlockCheckedSite } from './block-checks.js';

export type LaneItem = { kind: 'ins'; ins: Instruction; varying: boolean; lane0?: boolean } | { kind: 'exit'; guard: { name: string; negate: boolean } };

export interface LanesPlan {
  /** The kernel's code in order: instructions, and guarded exits (a thread whose guard holds is done). */
  items: LaneItem[];
  /** Registers that may differ between the lanes of a group (one v128 or two each). */
  varying: Set<string>;
  /**
   * Address registers kept as lane 0's value only (scalar): affine in %tid.x by the block proof
   * (block-checks.ts forms), used only as site bases or to define other such registers. Lane l's
   * value is lane 0's plus l·kx (kx from the proof); their definitions run once, for lane 0.
   */
  lane0: Set<string>;
}

/**
 * Why the last kernel planned here got no lanes ('' when it got them, or was not looked at), and
 * which of its instructions run per lane when it got them: for bench/lanes-survey.ts, which
 * prints them per bench kernel.
 */
export const lanesWhy = { last: '', perLane: '' };

function refuse(why: string): undefined {
  lanesWhy.last = why.slice(0, 200);
  return undefined;
}

/** Instructions a lane group cannot run: side effects beyond global ld/st, or another thread's view. */
export const REFUSED = new Set(['atom', 'red', 'bar', 'barrier', 'call', 'ret', 'exit', 'bra', 'vote', 'shfl', 'match', 'activemask', 'redux', 'membar', 'fence', 'tex', 'tld4', 'suld', 'sust', 'cp', 'ldu', 'prefetch', 'isspacep', 'addc', 'subc', 'madc']);

function operandNames(o: Operand | undefined, out: Operand[]): void {
  if (!o) return;
  if (o.kind === 'vec') for (const x of o.items) operandNames(x, out);
  else out.push(o);
}

/**
 * The plan, or undefined when the kernel is not of the form above. `checked`: its block-checked
 * sites; `isReg`: a declared register; `isKernelParam`: a kernel parameter's name.
 */
export function lanesPlan(
  cfg: { blocks: BasicBlock[]; labelOf: Map<string, number> },
  sites: BlockCheckedSite[],
  isReg: (name: string) => boolean,
  isKernelParam: (name: string) => boolean,
): LanesPlan | undefined {
  const { blocks, labelOf } = cfg;
  lanesWhy.last = '';
  lanesWhy.perLane = '';
  const checked = new Set(sites.map((s) => s.ins));
  const exitBlock = (j: number): boolean => {
    for (let k = j; k < blocks.length; k++) {
      const b = blocks[k]!;
      if (b.instrs.length > 0 || b.resume) return false;
      if (b.term?.kind === 'ret') return true;
      if (b.term) return false;
    }
    return true; // falls off the kernel's end
  };
  const items: LaneItem[] = [];
  for (let b = 0; b < blocks.length; b++) {
    if (exitBlock(b)) break;
    const block = blocks[b]!;
    if (block.resume || block.warp) return refuse('a warp-level site or a resume point');
    for (const ins of block.instrs) items.push({ kind: 'ins', ins, varying: false });
    const t = block.term;
    if (!t) continue;
    if (t.kind === 'ret') break;
    if (t.kind !== 'bra' || !t.guard) return refuse(`a ${t.kind === 'bra' ? 'branch without a guard' : t.kind}`);
    const j = labelOf.get(t.target);
    if (j === undefined || j <= b || !exitBlock(j)) return refuse(`a branch to ${t.target} that is not a forward exit (a loop or an if)`);
    items.push({ kind: 'exit', guard: t.guard });
  }
  let lastExit = -1;
  items.forEach((it, k) => {
    if (it.kind === 'exit') lastExit = k;
  });
  for (const [k, it] of items.entries()) {
    if (it.kind !== 'ins') continue;
    const { ins } = it;
    const p = ins.parts;
    // (a carry lives outside the registers: .cc forms stay scalar)
    if (REFUSED.has(p[0]!) || p.includes('cc')) return refuse(`'${ins.opcode}' (line ${ins.line})`);
    const ops: Operand[] = [];
    for (const o of ins.operands) operandNames(o, ops);
    for (const o of ops) {
      if (o.kind === 'sym') return refuse(`a symbol operand in '${ins.opcode}' (line ${ins.line})`);
      if (o.kind === 'reg' && !isReg(o.name) && !SPECIAL.test(o.name)) return refuse(`operand ${o.name} of '${ins.opcode}' (line ${ins.line})`);
      if (o.kind === 'addr' && o.base !== undefined && !isReg(o.base) && !(p[0] === 'ld' && p[1] === 'param' && isKernelParam(o.base))) return refuse(`an address not in a register in '${ins.opcode}' (line ${ins.line})`);
    }
    if (p[0] === 'ld' || p[0] === 'st') {
      const global = p.includes('global') && !p.includes('shared') && !p.includes('local') && !p.includes('const');
      const param = p[0] === 'ld' && p[1] === 'param';
      if (!param && !(global && checked.has(ins))) return refuse(`'${ins.opcode}' (line ${ins.line}): not a global site checked once per block`);
      if (p[0] === 'st' && k < lastExit) return refuse(`a store before the last guarded exit (line ${ins.line})`);
    }
  }
  // varying: what derives from %tid.x or memory, or is written where a varying guard decides
  const varying = markVarying(items, (ins) => {
    const ops: Operand[] = [];
    for (const o of ins.operands) operandNames(o, ops);
    return ops.some((o) => o.kind === 'reg' && o.name === '%tid.x');
  }, isReg);
  if (!items.some((it) => it.kind === 'ins' && it.varying)) return refuse('nothing differs between threads');
  const lane0 = lane0Registers(items, sites, varying);
  for (const r of lane0) varying.delete(r);
  for (const it of items) if (it.kind === 'ins' && it.varying && useDef(it.ins).defs.some((d) => lane0.has(d))) it.lane0 = true;
  return { items, varying, lane0 };
}

/**
 * Marks the instructions that may differ between the lanes of a group (`seed`: those reading the
 * lanes' own source, as %tid.x; every ld/st but ld.param; those reading or writing a varying
 * register) and returns the varying registers they write.
 */
export function markVarying(items: LaneItem[], seed: (ins: Instruction) => boolean, isReg: (name: string) => boolean): Set<string> {
  const varying = new Set<string>();
  const isVarying = (ins: Instruction): boolean => {
    const p = ins.parts;
    if ((p[0] === 'ld' || p[0] === 'st') && p[1] !== 'param') return true;
    if (seed(ins)) return true;
    const { uses, defs } = useDef(ins);
    return uses.some((u) => varying.has(u)) || defs.some((d) => varying.has(d));
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const it of items) {
      if (it.kind !== 'ins' || it.varying || !isVarying(it.ins)) continue;
      it.varying = true;
      changed = true;
      for (const d of useDef(it.ins).defs) if (isReg(d)) varying.add(d);
    }
  }
  return varying;
}

/** The varying registers of the sites' affine address forms used only as site bases or in each other's definitions. */
function lane0Registers(items: LaneItem[], sites: BlockCheckedSite[], varying: Set<string>): Set<string> {
  const cand = new Set<string>();
  for (const s of sites) {
    for (const [r, f] of s.forms) if (!f.uniform && varying.has(r)) cand.add(r);
    if (varying.has(s.base)) cand.add(s.base);
  }
  const defCount = new Map<string, number>();
  for (const it of items) if (it.kind === 'ins') for (const d of useDef(it.ins).defs) defCount.set(d, (defCount.get(d) ?? 0) + 1);
  for (const r of [...cand]) if (defCount.get(r) !== 1) cand.delete(r);
  const bases = new Map(sites.map((s) => [s.ins, s.base]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const it of items) {
      if (it.kind === 'exit') {
        if (cand.delete(it.guard.name)) changed = true;
        continue;
      }
      const { ins } = it;
      const { uses, defs } = useDef(ins);
      // a definition of a candidate (unguarded, one destination) may read candidates
      if (!ins.guard && defs.length === 1 && cand.has(defs[0]!)) continue;
      const base = bases.get(ins);
      const ops: Operand[] = [];
      for (const o of ins.operands) operandNames(o, ops);
      for (const u of uses) {
        if (!cand.has(u)) continue;
        // as the address of its site only (not also a stored value or a guard)
        const asValue = ops.some((o) => o.kind === 'reg' && o.name === u) || ins.guard?.name === u;
        if (base === u && !asValue) continue;
        cand.delete(u);
        changed = true;
      }
    }
  }
  return cand;
}
