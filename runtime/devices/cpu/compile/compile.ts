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
import type { Instruction, Operand, PtxFunction, PtxModule, Statement } from '../ast.js';
import { DeviceError } from '../../../../contract/device.js';
import {
  emitAddSub, emitBitOps, emitBitwise, emitCvt, emitDivRem, emitMad, emitMinMax, emitMov, emitMul, emitSelp, emitSet, emitSetp,
  emitShift, emitUnaryMath, tmp,
} from './emit-alu.js';
import { emitAtom, emitCvta, emitIsspacep, emitLd, emitSt, type MemCtx } from './emit-mem.js';
import { flatten } from './inline.js';
import { layout, symbolAddress, type Layout } from './layout.js';
import { specialRegister } from './special-registers.js';
import { Values } from './values.js';

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
  /** Number of int32 / f64 save slots per thread (sync kernels). */
  saveInts: number;
  saveFloats: number;
  source: string;
  /** Built by `new Function`: the block runner (no sync) or the resumable thread runner. */
  runAll?: (E: unknown, t0: number, t1: number) => void;
  runOne?: (E: unknown, t: number, resume: number) => number;
}

const NO_OPS = new Set(['membar', 'fence', 'prefetch', 'prefetchu', 'brkpt', 'nanosleep', 'pmevent', 'griddepcontrol', 'applypriority', 'discard', 'createpolicy']);

interface Block {
  id: number;
  label?: string;
  code: string[];
  /** Set when the block ends with `@p bra <itself>`: emitted as do/while. */
  selfLoopCond?: string;
}

export function compileKernel(module: PtxModule, entry: PtxFunction): CompiledKernel {
  const flat = flatten(module, entry);
  const lay = layout(module, entry.params, flat.vars);
  let line = entry.line;
  const V = new Values(flat.regs, (n) => symbolAddress(lay, n), specialRegister, () => line);
  let siteCount = 0;
  const mem: MemCtx = {
    V,
    site: () => siteCount++,
    symbolSpace: (n) => lay.symbols.get(n)?.space,
    get line() {
      return line;
    },
  };
  const sites: SyncSite[] = [];
  const labels = new Map<string, number>();
  const blocks: Block[] = [];
  let cur: Block = { id: 0, code: [] };
  blocks.push(cur);
  const newBlock = (label?: string): Block => {
    const b: Block = { id: blocks.length, code: [] };
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
    const op = ins.parts[0]!;
    if (op === 'bra') {
      const target = ins.operands[0];
      if (!target || target.kind !== 'sym') throw new DeviceError(-4, `line ${ins.line}: bra needs a label`);
      pendingBranches.push({ block: cur, index: cur.code.length, target: target.name, line: ins.line });
      cur.code.push(g ? `if (${g}) { pc = @@; continue D; }` : 'pc = @@; continue D;');
      if (g) (cur as Block & { lastCond?: string }).lastCond = g;
      newBlock();
      continue;
    }
    if (op === 'ret' || op === 'exit') {
      cur.code.push(g ? `if (${g}) { EXIT }` : 'EXIT');
      newBlock();
      continue;
    }
    const sync = syncSite(V, ins);
    if (sync) {
      const k = sites.length;
      sites.push({ kind: sync.kind, mode: sync.mode, resume: -1, line: ins.line });
      cur.code.push(g ? `if (${g}) { ${sync.before} SAVE return ${k}; }` : `${sync.before} SAVE return ${k};`);
      const rb = newBlock();
      sites[k]!.resume = rb.id;
      if (sync.after) rb.code.push(g ? `if (${g}) { ${sync.after} }` : sync.after);
      continue;
    }
    const code = emitInstruction(V, mem, ins);
    cur.code.push(g ? `if (${g}) { ${code} }` : code);
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
  const source = assemble(V, blocks, lay, siteCount, hasSync);
  const kernel: CompiledKernel = { entry: entry.name, layout: lay, sites, hasSync, saveInts: 0, saveFloats: 0, source };
  const counts = saveCounts(V);
  kernel.saveInts = counts.ints;
  kernel.saveFloats = counts.floats;
  return kernel;
}

function saveCounts(V: Values): { ints: number; floats: number } {
  let ints = 0, floats = 0;
  for (const r of V.regs.values()) {
    if (r.kind === 'f32' || r.kind === 'f64') floats++;
    else if (r.kind === 'i64') ints += 2;
    else ints++;
  }
  return { ints, floats };
}

function saveRestore(V: Values): { save: string; restore: string } {
  const save: string[] = ['const _sb = t * NI, _fb = t * NF;'];
  const restore: string[] = ['const _sb = t * NI, _fb = t * NF;'];
  let i = 0, f = 0;
  for (const r of V.regs.values()) {
    switch (r.kind) {
      case 'pred':
        save.push(`SVI[_sb + ${i}] = ${r.js} ? 1 : 0;`);
        restore.push(`${r.js} = SVI[_sb + ${i}] !== 0;`);
        i++;
        break;
      case 'i32':
        save.push(`SVI[_sb + ${i}] = ${r.js};`);
        restore.push(`${r.js} = SVI[_sb + ${i}];`);
        i++;
        break;
      case 'i64':
        save.push(`SVI[_sb + ${i}] = ${r.js}; SVI[_sb + ${i + 1}] = ${r.jsHi};`);
        restore.push(`${r.js} = SVI[_sb + ${i}]; ${r.jsHi} = SVI[_sb + ${i + 1}];`);
        i += 2;
        break;
      default:
        save.push(`SVF[_fb + ${f}] = ${r.js};`);
        restore.push(`${r.js} = SVF[_fb + ${f}];`);
        f++;
    }
  }
  return { save: `{ ${save.join(' ')} }`, restore: restore.join(' ') };
}

const VIEW_PROLOGUE = (prefix: string, obj: string): string =>
  `const ${prefix}8 = ${obj}.u8, ${prefix}S8 = ${obj}.s8, ${prefix}16 = ${obj}.u16, ${prefix}S16 = ${obj}.s16, ${prefix}32 = ${obj}.i32, ${prefix}F = ${obj}.f32, ${prefix}D = ${obj}.f64;`;

function assemble(V: Values, blocks: Block[], lay: Layout, siteCount: number, hasSync: boolean): string {
  const caches: string[] = [];
  for (let k = 0; k < siteCount; k++) caches.push(`w${k}a = 1, w${k}b = 0`);
  const prologue = [
    VIEW_PROLOGUE('G', 'E.g'),
    VIEW_PROLOGUE('S', 'E.sh'),
    VIEW_PROLOGUE('L', 'E.lm'),
    VIEW_PROLOGUE('C', 'E.cm'),
    VIEW_PROLOGUE('P', 'E.pm'),
    'const ntx = E.ntx, nty = E.nty, ntz = E.ntz, nxy = ntx * nty, FRAME = E.frameSize;',
    caches.length ? `let ${caches.join(', ')};` : '',
  ].join('\n');
  const { save, restore } = saveRestore(V);
  const cases = blocks
    .map((b) => {
      const code = b.code.join('\n').replaceAll('EXIT', hasSync ? 'return -1;' : 'continue T;').replaceAll('SAVE', save);
      if (b.selfLoopCond) return `case ${b.id}: do {\n${code}\n} while (${b.selfLoopCond});`;
      return `case ${b.id}:\n${code}`;
    })
    .join('\n');
  const threadSetup = 'const tx = t % ntx, ty = ((t / ntx) | 0) % nty, tz = (t / nxy) | 0, LB = t * FRAME;';
  const dispatch = `D: for (;;) { switch (pc) {\n${cases}\n} break; }`;
  void lay;
  if (!hasSync) {
    return `"use strict"; const OUT = M.OUT;
return function runAll(E, t0, t1) {
${prologue}
T: for (let t = t0; t < t1; t++) {
${threadSetup}
${V.declarations()}
let pc = 0;
${dispatch}
}
};`;
  }
  return `"use strict"; const OUT = M.OUT;
return function runOne(E, t, resume) {
${prologue}
const SVI = E.si, SVF = E.sf, NI = E.ni, NF = E.nf;
${threadSetup}
${V.declarations()}
let pc = resume;
if (resume !== 0) { ${restore} }
${dispatch}
return -1;
};`;
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
      return { kind: 'syncwarp', mode: '', before: `E.wm[t] = ${ins.operands[0] ? V.read(o(0), 'i32') : full};`, after: '' };
    }
    if (p[1] === 'red') {
      // bar.red.popc.u32 d, a{, b}, {!}c  |  bar.red.{and,or}.pred p, a{, b}, {!}c
      const mode = p[2]!;
      const n = ins.operands.length;
      const c = o(n - 1);
      const cnt = n === 4 ? V.read(o(2), 'i32') : '-1';
      const after = mode === 'popc' ? V.write(o(0), 'i32', 'E.res[t]') : V.write(o(0), 'pred', 'E.res[t] !== 0');
      return { kind: 'barred', mode, before: `E.wa[t] = ${V.read(o(1), 'i32')}; E.wb[t] = ${cnt}; E.wc[t] = ${V.read(c, 'pred')} ? 1 : 0;`, after };
    }
    if (p[1] === 'arrive') return undefined; // handled as a no-op by emitInstruction
    const cnt = ins.operands.length > 1 ? V.read(o(1), 'i32') : '-1';
    return { kind: 'bar', mode: '', before: `E.wa[t] = ${ins.operands.length ? V.read(o(0), 'i32') : '0'}; E.wb[t] = ${cnt};`, after: '' };
  }
  if (op === 'shfl') {
    const mode = p.find((x) => ['up', 'down', 'bfly', 'idx'].includes(x));
    if (!mode) return V.fail(`unsupported instruction '${ins.opcode}'`);
    const dst = o(0);
    const d = dst.kind === 'pair' ? dst.first : dst;
    const q = dst.kind === 'pair' ? dst.second : undefined;
    const mask = ins.operands.length > 4 ? V.read(o(4), 'i32') : full;
    let after = V.write(d, 'i32', 'E.res[t]');
    if (q) after += ' ' + V.write(q, 'pred', 'E.resp[t] !== 0');
    return { kind: 'shfl', mode, before: `E.wa[t] = ${V.read(o(1), 'i32')}; E.wb[t] = ${V.read(o(2), 'i32')}; E.wc[t] = ${V.read(o(3), 'i32')}; E.wm[t] = ${mask};`, after };
  }
  if (op === 'vote') {
    const mode = p.find((x) => ['all', 'any', 'uni', 'ballot'].includes(x));
    if (!mode) return V.fail(`unsupported instruction '${ins.opcode}'`);
    const mask = ins.operands.length > 2 ? V.read(o(2), 'i32') : full;
    const after = mode === 'ballot' ? V.write(o(0), 'i32', 'E.res[t]') : V.write(o(0), 'pred', 'E.res[t] !== 0');
    return { kind: 'vote', mode, before: `E.wa[t] = ${V.read(o(1), 'pred')} ? 1 : 0; E.wm[t] = ${mask};`, after };
  }
  if (op === 'activemask') return { kind: 'activemask', mode: '', before: '', after: V.write(o(0), 'i32', 'E.res[t]') };
  if (op === 'redux') {
    const mode = p[2]!;
    const t = p[p.length - 1]!;
    if (t === 'f32') return V.fail(`unsupported instruction '${ins.opcode}'`);
    return { kind: 'redux', mode: `${mode}.${t}`, before: `E.wa[t] = ${V.read(o(1), 'i32')}; E.wm[t] = ${V.read(o(2), 'i32')};`, after: V.write(o(0), 'i32', 'E.res[t]') };
  }
  if (op === 'match') {
    const mode = p[1]!;
    const t = p[p.length - 1]!;
    if (t !== 'b32') return V.fail(`unsupported instruction '${ins.opcode}' (only .b32)`);
    const dst = o(0);
    const d = dst.kind === 'pair' ? dst.first : dst;
    const q = dst.kind === 'pair' ? dst.second : undefined;
    let after = V.write(d, 'i32', 'E.res[t]');
    if (q) after += ' ' + V.write(q, 'pred', 'E.resp[t] !== 0');
    return { kind: 'match', mode, before: `E.wa[t] = ${V.read(o(1), 'i32')}; E.wm[t] = ${V.read(o(2), 'i32')};`, after };
  }
  return undefined;
}

function emitInstruction(V: Values, mem: MemCtx, ins: Instruction): string {
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
  if (kernel.hasSync) kernel.runOne = fn as CompiledKernel['runOne'];
  else kernel.runAll = fn as CompiledKernel['runAll'];
  return kernel;
}

export { tmp };
