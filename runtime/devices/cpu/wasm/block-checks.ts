/**
 * Global accesses that can be checked once per block instead of once per thread (kernels without
 * barriers). A site qualifies when every thread that reaches it computes its address as
 * c + kx·%tid.x + ky·%tid.y + kz·%tid.z in exact integer arithmetic, c and the k's the same for the
 * whole block (they may be run-time values: nvcc's `((size_t)z * ny + y) * nx + x` has ky = 4·nx):
 * its base register and the registers it derives from each have one pure, unguarded definition
 * (the kernel compiler's rematerialisable ones) — add/sub, mul/mad (.lo/.wide) with at most one
 * factor depending on %tid, shl by a constant, integer widening, mov, cvta — of uniform inputs and
 * %tid.x/y/z, placed before the site in blocks every thread that reaches the site has run through
 * (the entry block and its fall-through chain).
 *
 * Before the block's threads run, block-check-emit.ts computes c and the k's of every register on
 * the way as exact 64-bit integers (every quantity kept below 2^62 in magnitude, every product's
 * factors below 2^31, else the proof gives up), proves that each 32-bit value that is widened
 * (cvt, mul.wide) lies, for every thread of the block, in the range where widening its bits gives
 * the exact value back (so no 32-bit part wrapped), and that the address's least and greatest value
 * over the block lie in one window, aligned: then every thread's address lies between them, in that
 * window, aligned, and the block runs a copy of the thread loop without those checks. Otherwise it
 * runs the checked copy, which reports faults as before.
 */
import type { Instruction, Operand } from '../ast.js';
import { LOADS, type BasicBlock } from './ptx-types.js';

/** A register's value: the same in the whole block, or affine in %tid (an integer of 32 or 64 bits). */
export type Form = { uniform: true } | { uniform: false; bits: 32 | 64 };

export interface BlockCheckedSite {
  ins: Instruction;
  base: string;
  offset: number;
  size: number;
  /** The definitions the base register derives from, dependencies first. */
  defs: Instruction[];
  /** The form of each register those definitions write. */
  forms: Map<string, Form>;
}

const UNIFORM_SPECIAL = /^%(ntid|ctaid|nctaid)\.[xyz]$/;
export const TID = /^%tid\.[xyz]$/;

export const intType = (t: string | undefined): 32 | 64 | undefined => (t && /^[bsu](32|64)$/.test(t) ? (Number(t.slice(1)) as 32 | 64) : undefined);

function operandForm(o: Operand | undefined, form: (reg: string) => Form | undefined): Form | undefined {
  if (!o) return undefined;
  if (o.kind === 'int') return { uniform: true };
  if (o.kind !== 'reg') return undefined;
  if (TID.test(o.name)) return { uniform: false, bits: 32 };
  if (UNIFORM_SPECIAL.test(o.name)) return { uniform: true };
  return form(o.name);
}

/** Affine operands must have the operation's width (PTX typing makes them so; this guards the emitter). */
const fits = (f: Form, bits: 32 | 64): boolean => f.uniform || f.bits === bits;

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

/** The form of one pure definition, from its operands' forms (undefined: not affine, or not an operation the proof follows). */
export function definitionForm(ins: Instruction, form: (reg: string) => Form | undefined): Form | undefined {
  const p = ins.parts;
  const o = ins.operands;
  const at = (i: number): Form | undefined => operandForm(o[i], form);
  const result = (bits: 32 | 64, ...fs: (Form | undefined)[]): Form | undefined => {
    if (fs.some((f) => !f)) return undefined;
    return fs.every((f) => f!.uniform) ? { uniform: true } : { uniform: false, bits };
  };
  switch (p[0]) {
    case 'ld':
      return p[1] === 'param' ? { uniform: true } : undefined;
    case 'mov': {
      const bits = p.length === 2 ? intType(p[1]) : undefined;
      const f = at(1);
      return bits && f && fits(f, bits) ? f : undefined;
    }
    case 'cvta': {
      const f = at(1);
      return f && fits(f, 64) ? f : undefined;
    }
    case 'add':
    case 'sub': {
      const bits = p.length === 2 ? intType(p[1]) : undefined;
      const a = at(1), b = at(2);
      return bits && a && b && fits(a, bits) && fits(b, bits) ? result(bits, a, b) : undefined;
    }
    case 'mul':
    case 'mad': {
      const bits = p.length === 3 && (p[1] === 'lo' || p[1] === 'wide') ? intType(p[2]) : undefined;
      const wide = p[1] === 'wide';
      const a = at(1), b = at(2);
      if (!bits || !a || !b || (wide && bits !== 32) || !fits(a, bits) || !fits(b, bits)) return undefined;
      // affine times affine is not affine
      if (!a.uniform && !b.uniform) return undefined;
      const out = wide ? 64 : bits;
      if (p[0] === 'mul') return result(out, a, b);
      const c = at(3);
      return c && fits(c, out) ? result(out, a, b, c) : undefined;
    }
    case 'shl': {
      const bits = p.length === 2 ? intType(p[1]) : undefined;
      const a = at(1), s = o[2];
      if (!bits || !a || !fits(a, bits) || s?.kind !== 'int' || s.value < 0n || s.value >= 16n) return undefined;
      return a;
    }
    case 'cvt': {
      // a 32-bit integer widened to 64 bits (the emitted proof checks that no thread's value wrapped)
      if (p.length !== 3 || intType(p[1]) !== 64 || intType(p[2]) !== 32) return undefined;
      const f = at(1);
      return f && fits(f, 32) ? result(64, f) : undefined;
    }
    default:
      return undefined;
  }
}

/** Where a block's threads can go next. */
function successors(blocks: BasicBlock[], labelOf: Map<string, number>, b: number): number[] {
  const t = blocks[b]!.term;
  const next = b + 1 < blocks.length ? [b + 1] : [];
  if (!t) return next;
  if (t.kind === 'ret') return [];
  if (t.kind === 'bra') return t.guard ? [labelOf.get(t.target)!, ...next] : [labelOf.get(t.target)!];
  return next;
}

/** The blocks reachable from each block, itself included (computed on demand, kept). */
function reachability(blocks: BasicBlock[], labelOf: Map<string, number>): (from: number) => Set<number> {
  const memo = new Map<number, Set<number>>();
  return (from) => {
    const known = memo.get(from);
    if (known) return known;
    const seen = new Set<number>([from]);
    const todo = [from];
    while (todo.length > 0) for (const s of successors(blocks, labelOf, todo.pop()!)) if (!seen.has(s)) seen.add(s), todo.push(s);
    memo.set(from, seen);
    return seen;
  };
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
  // the entry block and the blocks only reached by falling through from the one before; where a
  // thread can leave it (a guarded branch, its end), the position it has run to
  const position = new Map<Instruction, number>();
  const seenIn = new Map<Instruction, number>();
  for (const b of blocks) for (const ins of b.instrs) seenIn.set(ins, (seenIn.get(ins) ?? 0) + 1);
  const twice = new Set([...seenIn].filter(([, n]) => n > 1).map(([ins]) => ins));
  const chain: Instruction[] = [];
  const inChain = new Set<number>();
  const exits: { to: number[]; at: number }[] = [];
  for (let b = 0; b < blocks.length; b++) {
    inChain.add(b);
    for (const ins of blocks[b]!.instrs) {
      position.set(ins, chain.length);
      chain.push(ins);
    }
    const t = blocks[b]!.term;
    if (t && !(t.kind === 'bra' && t.guard)) {
      exits.push({ to: successors(blocks, labelOf, b), at: chain.length });
      break;
    }
    if (t) exits.push({ to: [labelOf.get(t.target)!], at: chain.length });
    if (targets.has(b + 1)) {
      exits.push({ to: [b + 1], at: chain.length });
      break;
    }
  }
  // a site in a block off the chain: the definitions must come before every exit from which the
  // site's block is reachable, or before the site in its own block
  const reach = reachability(blocks, labelOf);
  const limitOf = (b: number): number => Math.min(...exits.filter((e) => e.to.some((t) => reach(t).has(b))).map((e) => e.at));
  const blockOf = new Map<Instruction, number>();
  blocks.forEach((b, k) => b.instrs.forEach((ins) => blockOf.set(ins, k)));
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
  const noYield = blocks.every((b) => b.term?.kind !== 'yield');
  const candidates = noYield ? blocks.flatMap((b) => b.instrs) : chain;
  for (const ins of candidates) {
    const p = ins.parts;
    if ((p[0] !== 'ld' && p[0] !== 'st') || !p.includes('global')) continue;
    const addr = p[0] === 'ld' ? ins.operands[1] : ins.operands[0];
    const elem = LOADS[p[p.length - 1]!];
    const vec = p.includes('v2') ? 2 : p.includes('v4') ? 4 : 1;
    if (addr?.kind !== 'addr' || addr.base === undefined || !elem) continue;
    const f = form(addr.base);
    if (!f || !fits(f, 64)) continue;
    // every definition it derives from runs before it, and is among those the compiler re-evaluates
    const defs = order([addr.base]);
    if (twice.has(ins) || defs.length !== derivedFrom(addr.base, remat).size) continue;
    const home = blockOf.get(ins)!;
    const before = (d: Instruction): boolean => {
      if (inChain.has(home)) return (position.get(d) ?? Infinity) < position.get(ins)!;
      if (blockOf.get(d) === home) return blocks[home]!.instrs.indexOf(d) < blocks[home]!.instrs.indexOf(ins);
      return (position.get(d) ?? Infinity) < limitOf(home);
    };
    if (!defs.every((d) => !twice.has(d) && before(d))) continue;
    const siteForms = new Map<string, Form>();
    for (const d of defs) {
      const r = d.operands[0];
      if (r?.kind === 'reg') siteForms.set(r.name, form(r.name)!);
    }
    out.push({ ins, base: addr.base, offset: addr.offset, size: elem.size * vec, defs, forms: siteForms });
  }
  return out;
}
