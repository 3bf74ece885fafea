/**
 * Which 64-bit integer registers can live as one JS number instead of an (lo, hi) pair: those
 * only ever holding addresses and index arithmetic — kernel parameters (checked at launch to be
 * below 2^52), 32→64-bit conversions, `mul.wide` by a small constant, adds/subs/moves/cvta of
 * such values and small left shifts. Values stay exact below 2^53; the generated code guards the
 * arithmetic at 2^52 and fails the launch loudly if it ever leaves that range.
 */
import type { Instruction, Operand, RegDecl, Statement } from '../ast.js';
import { typeBits } from './values.js';
import { GLOBAL_BASE } from '../address-space.js';

export const NUM_LIMIT = 2 ** 52;

const isInt64 = (t: string): boolean => typeBits(t) === 64 && t !== 'f64';

function smallImm(o: Operand | undefined, limit: number): boolean {
  return !!o && o.kind === 'int' && o.value > -BigInt(limit) && o.value < BigInt(limit);
}

export function numRegisters(body: Statement[], regs: RegDecl[], isKernelParam: (sym: string) => boolean, isSymbol: (sym: string) => boolean): Set<string> {
  const cands = new Set(regs.filter((r) => isInt64(r.type)).map((r) => r.name));
  const defs = new Map<string, Instruction[]>();
  for (const s of body) {
    if (s.kind !== 'instr') continue;
    const d = s.operands[0];
    const noDest = ['st', 'red', 'bar', 'barrier', 'bra', 'ret', 'exit', 'trap', 'call'].includes(s.parts[0]!);
    if (noDest || !d) continue;
    const names: string[] = [];
    if (d.kind === 'reg' || d.kind === 'sym') names.push(d.name);
    else if (d.kind === 'vec') {
      for (const i of d.items) if (i.kind === 'reg' || i.kind === 'sym') cands.delete(i.name);
    } else if (d.kind === 'pair') {
      for (const i of [d.first, d.second]) if (i.kind === 'reg' || i.kind === 'sym') cands.delete(i.name);
    }
    for (const n of names) {
      const list = defs.get(n) ?? [];
      list.push(s);
      defs.set(n, list);
    }
  }
  const val = (o: Operand | undefined): boolean =>
    !!o && (((o.kind === 'reg' || o.kind === 'sym') && (cands.has(o.name) || (o.kind === 'sym' && isSymbol(o.name)))) || smallImm(o, NUM_LIMIT));
  const eligible = (ins: Instruction): boolean => {
    const p = ins.parts;
    const t = p[p.length - 1]!;
    const o = ins.operands;
    switch (p[0]) {
      case 'ld': {
        const a = o[1];
        return p.includes('param') && isInt64(t) && !p.includes('v2') && !p.includes('v4') && a?.kind === 'addr' && a.base !== undefined && isKernelParam(a.base);
      }
      case 'add':
      case 'sub':
        return isInt64(t) && !p.includes('cc') && !p.includes('sat') && val(o[1]) && val(o[2]);
      case 'mul':
        return p.includes('wide') && (t === 's32' || t === 'u32') && ((smallImm(o[2], 2 ** 20) && o[1]?.kind !== 'int') || (smallImm(o[1], 2 ** 20) && o[2]?.kind !== 'int'));
      case 'cvt': {
        const st = p[p.length - 1]!, dt = p[p.length - 2]!;
        return isInt64(dt) && /^[usb](8|16|32)$/.test(st) && !p.includes('sat');
      }
      case 'mov':
        return isInt64(t) && val(o[1]);
      case 'cvta':
        return t === 'u64' && val(o[1]);
      case 'shl':
        return t === 'b64' && val(o[1]) && smallImm(o[2], 9) && (o[2] as { value: bigint }).value >= 0n;
      default:
        return false;
    }
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const r of [...cands]) {
      const list = defs.get(r) ?? [];
      if (!list.every(eligible)) {
        cands.delete(r);
        changed = true;
      }
    }
  }
  return cands;
}

/** 2^40: where guest memory starts in the device address space. */
export const GUEST_BASE = GLOBAL_BASE;

/**
 * Which number registers are kept *biased*: holding `value - 2^40`, so that a pointer into guest
 * memory is stored as its guest offset — a small integer V8 keeps in an int32 register — instead
 * of a double near 2^40. Address arithmetic (`param + index*4`) and the window check then run on
 * int32s. Biased registers are those every definition of which yields a guest pointer: a 64-bit
 * kernel parameter, a move/cvta to global of a biased register, `biased ± unbiased`. Any other
 * read converts back (`+ 2^40`), so the choice only affects speed, never values.
 */
export function biasedRegisters(body: Statement[], numRegs: Set<string>, isKernelParam: (sym: string) => boolean): Set<string> {
  const defs = new Map<string, Instruction[]>();
  for (const s of body) {
    if (s.kind !== 'instr') continue;
    const d = s.operands[0];
    if (!d || d.kind !== 'reg' || !numRegs.has(d.name)) continue;
    if (['st', 'red', 'bar', 'barrier', 'bra', 'ret', 'exit', 'trap', 'call'].includes(s.parts[0]!)) continue;
    const list = defs.get(d.name) ?? [];
    list.push(s);
    defs.set(d.name, list);
  }
  // 1. index registers: every definition is index arithmetic (mul.wide, cvt, shl, immediates, and
  //    add/sub/mov of index registers) — never a pointer. Greatest fixpoint from "all".
  const index = new Set(numRegs);
  const isIndex = (o: Operand | undefined): boolean => !!o && ((o.kind === 'reg' && index.has(o.name)) || o.kind === 'int');
  const indexDef = (ins: Instruction): boolean => {
    const o = ins.operands;
    switch (ins.parts[0]) {
      case 'mul':
      case 'cvt':
        return true;
      case 'shl':
      case 'mov':
        return isIndex(o[1]);
      case 'add':
      case 'sub':
        return isIndex(o[1]) && isIndex(o[2]);
      default:
        return false;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of [...index]) {
      if (!(defs.get(r) ?? []).every(indexDef)) {
        index.delete(r);
        changed = true;
      }
    }
  }
  // 2. biased registers: every definition yields a guest pointer given (1). Greatest fixpoint again
  //    (monotone: a definition only stops yielding a pointer as the set shrinks).
  const biased = new Set([...numRegs].filter((r) => !index.has(r) && defs.has(r)));
  const isB = (o: Operand | undefined): boolean => !!o && o.kind === 'reg' && biased.has(o.name);
  const yieldsBiased = (ins: Instruction): boolean => {
    const p = ins.parts;
    const o = ins.operands;
    switch (p[0]) {
      case 'ld': {
        const a = o[1];
        return p.includes('param') && a?.kind === 'addr' && a.base !== undefined && isKernelParam(a.base) && a.offset === 0;
      }
      case 'mov':
        return isB(o[1]);
      case 'cvta':
        return (p[1] === 'global' || (p[1] === 'to' && p[2] === 'global')) && isB(o[1]);
      case 'add':
        return (isB(o[1]) && isIndex(o[2])) || (isIndex(o[1]) && isB(o[2]));
      case 'sub':
        return isB(o[1]) && isIndex(o[2]);
      default:
        return false;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of [...biased]) {
      if (!defs.get(r)!.every(yieldsBiased)) {
        biased.delete(r);
        changed = true;
      }
    }
  }
  return biased;
}
