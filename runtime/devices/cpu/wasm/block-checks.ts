/**
 * Global accesses that can be checked once per block instead of once per thread (kernels without
 * barriers). A site qualifies when every thread that reaches it computes its address as
 * U + k·%tid.x, U the same for the whole block and k a constant: its base register and the
 * registers it derives from each have one pure, unguarded definition (the kernel compiler's
 * rematerialisable ones) of uniform inputs and %tid.x, placed before the site in blocks every
 * thread that reaches the site has run through (the entry block and its fall-through chain).
 *
 * Before the block's threads run, the compiler evaluates the address for the first and the last
 * %tid.x and proves, at run time, that both lie in one window, aligned, and that they are k·(ntx-1)
 * apart (a 32-bit part that wrapped across a sign or zero extension would be 2^32 off): then every
 * thread's address lies between them, aligned, in that window, and the block runs a copy of the
 * thread loop without those checks. Otherwise it runs the checked copy, which reports faults as before.
 */
import type { Instruction, Operand } from '../ast.js';
import { LOADS, type BasicBlock } from './ptx-types.js';

/** An address as a function of %tid.x: uniform, or affine with coefficient k in 32 or 64 bits. */
type Form = { uniform: true } | { uniform: false; k: bigint; bits: 32 | 64 };

export interface BlockCheckedSite {
  ins: Instruction;
  base: string;
  offset: number;
  size: number;
  /** Bytes between consecutive threads' addresses. */
  k: bigint;
}

/** |k| limit for a 32-bit part: with ntx <= 2^16 (checked at run time) it spans under 2^32, so it wraps at most once. */
const K32_LIMIT = 1n << 15n;

/** |k| limit overall, so that k·(ntx-1) stays far from i64 overflow. */
const K_LIMIT = 1n << 31n;

const UNIFORM_SPECIAL = /^%(ntid|ctaid|nctaid)\.[xyz]$/;

const intType = (t: string | undefined): 32 | 64 | undefined => (t && /^[bsu](32|64)$/.test(t) ? (Number(t.slice(1)) as 32 | 64) : undefined);

function operandForm(o: Operand | undefined, form: (reg: string) => Form | undefined): Form | undefined {
  if (!o) return undefined;
  if (o.kind === 'int') return { uniform: true };
  if (o.kind !== 'reg') return undefined;
  if (o.name === '%tid.x') return { uniform: false, k: 1n, bits: 32 };
  if (UNIFORM_SPECIAL.test(o.name)) return { uniform: true };
  return form(o.name);
}

/** a + b (or a - b): affine only when one side is uniform (two affine parts could hide wraps that cancel). */
function sum(a: Form, b: Form, bits: 32 | 64, negate: boolean): Form | undefined {
  if (a.uniform && b.uniform) return a;
  if (!a.uniform && !b.uniform) return undefined;
  const f = (a.uniform ? b : a) as Extract<Form, { uniform: false }>;
  if (f.bits !== bits) return undefined;
  return { uniform: false, k: negate && !b.uniform ? -f.k : f.k, bits };
}

/** a * b: affine only when the other side is an immediate; `wide` takes a 32-bit form to 64 bits. */
function product(a: Form, b: Form, ao: Operand, bo: Operand, bits: 32 | 64, wide: boolean): Form | undefined {
  if (a.uniform && b.uniform) return a;
  const [f, imm] = a.uniform ? [b, ao] : [a, bo];
  if (f.uniform || imm.kind !== 'int' || f.bits !== bits) return undefined;
  const k = f.k * imm.value;
  if (bits === 32 && (k >= K32_LIMIT || k <= -K32_LIMIT)) return undefined;
  return { uniform: false, k, bits: wide ? 64 : bits };
}

/** The registers `reg`'s value derives from through single definitions, itself included. */
function derivedFrom(reg: string, remat: Map<string, Instruction>): Set<string> {
  const seen = new Set<string>();
  const visit = (r: string): void => {
    if (seen.has(r) || !remat.has(r)) return;
    seen.add(r);
    for (const o of remat.get(r)!.operands.slice(1)) if (o.kind === 'reg') visit(o.name);
  };
  visit(reg);
  return seen;
}

/** The form of one pure definition, from its operands' forms. */
function definitionForm(ins: Instruction, form: (reg: string) => Form | undefined): Form | undefined {
  const p = ins.parts;
  const o = ins.operands;
  const at = (i: number): Form | undefined => operandForm(o[i], form);
  switch (p[0]) {
    case 'ld':
      return p[1] === 'param' ? { uniform: true } : undefined;
    case 'mov':
      return p.length === 2 && intType(p[1]) ? at(1) : undefined;
    case 'cvta': {
      const f = at(1);
      return f && (f.uniform || f.bits === 64) ? f : undefined;
    }
    case 'add':
    case 'sub': {
      const bits = p.length === 2 ? intType(p[1]) : undefined;
      const a = at(1), b = at(2);
      return bits && a && b ? sum(a, b, bits, p[0] === 'sub') : undefined;
    }
    case 'mul':
    case 'mad': {
      const bits = p.length === 3 && (p[1] === 'lo' || p[1] === 'wide') ? intType(p[2]) : undefined;
      const a = at(1), b = at(2);
      if (!bits || !a || !b || (p[1] === 'wide' && bits !== 32)) return undefined;
      const m = product(a, b, o[1]!, o[2]!, bits, p[1] === 'wide');
      if (!m || p[0] === 'mul') return m;
      const c = at(3);
      return c ? sum(m, c, p[1] === 'wide' ? 64 : bits, false) : undefined;
    }
    case 'shl': {
      const bits = p.length === 2 ? intType(p[1]) : undefined;
      const a = at(1), s = o[2];
      if (!bits || !a || s?.kind !== 'int' || s.value < 0n || s.value >= 16n) return undefined;
      return product(a, { uniform: true }, o[1]!, { kind: 'int', value: 1n << s.value } as Operand, bits, false);
    }
    case 'cvt': {
      // a 32-bit integer widened to 64 bits (the run-time distance test catches a wrap)
      if (p.length !== 3 || intType(p[1]) !== 64 || intType(p[2]) !== 32) return undefined;
      const f = at(1);
      return f && !f.uniform && f.bits === 32 ? { uniform: false, k: f.k, bits: 64 } : f;
    }
    default:
      return undefined;
  }
}

/**
 * The block-checkable global ld/st sites of a kernel without barriers. `remat`: each register's
 * single pure definition (compile-wasm.ts findRemat); `order`: a register's definitions, dependencies first.
 */
export function blockCheckedSites(
  cfg: { blocks: BasicBlock[]; labelOf: Map<string, number> },
  remat: Map<string, Instruction>,
  order: (regs: string[]) => Instruction[],
): BlockCheckedSite[] {
  const { blocks, labelOf } = cfg;
  const targets = new Set<number>();
  for (const b of blocks) if (b.term?.kind === 'bra') targets.add(labelOf.get(b.term.target)!);
  // the entry block and the blocks only reached by falling through from the one before
  const position = new Map<Instruction, number>();
  const twice = new Set<Instruction>();
  const chain: Instruction[] = [];
  for (let b = 0; b < blocks.length; b++) {
    for (const ins of blocks[b]!.instrs) {
      if (position.has(ins)) twice.add(ins);
      position.set(ins, chain.length);
      chain.push(ins);
    }
    const t = blocks[b]!.term;
    if (t && !(t.kind === 'bra' && t.guard)) break;
    if (targets.has(b + 1)) break;
  }
  const forms = new Map<string, Form | undefined>();
  const form = (reg: string): Form | undefined => {
    if (forms.has(reg)) return forms.get(reg);
    forms.set(reg, undefined); // no cycles
    const def = remat.get(reg);
    const f = def ? definitionForm(def, form) : undefined;
    forms.set(reg, f);
    return f;
  };
  const out: BlockCheckedSite[] = [];
  for (const ins of chain) {
    const p = ins.parts;
    if ((p[0] !== 'ld' && p[0] !== 'st') || !p.includes('global')) continue;
    const addr = p[0] === 'ld' ? ins.operands[1] : ins.operands[0];
    const elem = LOADS[p[p.length - 1]!];
    const vec = p.includes('v2') ? 2 : p.includes('v4') ? 4 : 1;
    if (addr?.kind !== 'addr' || addr.base === undefined || !elem) continue;
    const f = form(addr.base);
    if (!f || (!f.uniform && f.bits !== 64)) continue;
    const size = elem.size * vec;
    const k = f.uniform ? 0n : f.k;
    if (k % BigInt(size) !== 0n || k >= K_LIMIT || k <= -K_LIMIT) continue;
    // every definition it derives from runs before it, and is among those the compiler re-evaluates
    const at = position.get(ins)!;
    const defs = order([addr.base]);
    if (twice.has(ins) || defs.length !== derivedFrom(addr.base, remat).size) continue;
    if (!defs.every((d) => !twice.has(d) && (position.get(d) ?? Infinity) < at)) continue;
    out.push({ ins, base: addr.base, offset: addr.offset, size, k });
  }
  return out;
}
