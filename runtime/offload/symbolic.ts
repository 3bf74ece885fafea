/**
 * Symbolic values for one iteration of a loop body: what each stack slot and local holds, in
 * terms of the locals' values at the start of the iteration ("entry" symbols), globals, constants
 * and loads. Affine forms over entry symbols describe addresses and induction variables.
 */
export type Sym = SymCache &
  (
    | { k: 'const'; t: 'i32' | 'i64' | 'f32' | 'f64'; v: number }
    | { k: 'v128const'; at: number }
    | { k: 'entry'; local: number }
    | { k: 'global'; index: number }
    | { k: 'op'; op: number; args: Sym[]; imm: number; instr: number }
    | { k: 'load'; op: number; addr: Sym; access: number; instr: number }
  );

/** Memoised facts, stored on the node itself (a WeakMap per fact was the analyser's hot spot). */
interface SymCache {
  affine?: Affine | null;
  deps?: SymDeps;
}

/** c + Σ coef·symbol; keys are local indices (≥ 0) or globals as -(index+1). */
export interface Affine {
  c: number;
  terms: Map<number, number>;
}

const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;


function combine(x: Affine, y: Affine, scaleY: number): Affine {
  const terms = new Map(x.terms);
  for (const [key, coef] of y.terms) {
    const next = (terms.get(key) ?? 0) + coef * scaleY;
    if (next === 0) terms.delete(key);
    else terms.set(key, next);
  }
  return { c: x.c + y.c * scaleY, terms };
}

function scale(x: Affine, by: number): Affine {
  if (by === 0) return { c: 0, terms: new Map() };
  const terms = new Map<number, number>();
  for (const [key, coef] of x.terms) terms.set(key, coef * by);
  return { c: x.c * by, terms };
}

/** The i32 affine form of a symbol, or null when it is not affine (loads, non-constant products). */
export function affineOf(sym: Sym): Affine | null {
  if (sym.affine !== undefined) return sym.affine;
  let result: Affine | null = null;
  switch (sym.k) {
    case 'const':
      result = sym.t === 'i32' ? { c: sym.v, terms: new Map() } : null;
      break;
    case 'entry':
      result = { c: 0, terms: new Map([[sym.local, 1]]) };
      break;
    case 'global':
      result = { c: 0, terms: new Map([[-(sym.index + 1), 1]]) };
      break;
    case 'op': {
      // Only i32 add/sub/mul/shl can be affine: check the op before looking at the operands.
      if (sym.op !== I32_ADD && sym.op !== I32_SUB && sym.op !== I32_MUL && sym.op !== I32_SHL) break;
      const [x, y] = sym.args;
      if (!x || !y) break;
      const ax = affineOf(x);
      if (!ax) break;
      const ay = affineOf(y);
      if (!ay) break;
      if (sym.op === I32_ADD) result = combine(ax, ay, 1);
      else if (sym.op === I32_SUB) result = combine(ax, ay, -1);
      else if (sym.op === I32_MUL && ay.terms.size === 0) result = scale(ax, ay.c);
      else if (sym.op === I32_MUL && ax.terms.size === 0) result = scale(ay, ax.c);
      else if (sym.op === I32_SHL && ay.terms.size === 0) result = scale(ax, 2 ** (ay.c & 31));
      break;
    }
    default:
      break;
  }
  // Coefficients that large mean i32 wrap-around matters: not a usable affine form.
  if (result && Math.abs(result.c) > 2 ** 32) result = null;
  if (result) for (const c of result.terms.values()) if (Math.abs(c) > 2 ** 31) result = null;
  sym.affine = result;
  return result;
}

export interface SymDeps {
  /** Entry symbols (locals) the value depends on. */
  locals: Set<number>;
  /** Whether it depends on a value loaded from memory in this iteration. */
  loads: boolean;
}


const NO_LOCALS: Set<number> = new Set();
const NO_DEPS: SymDeps = { locals: NO_LOCALS, loads: false };

/** Dependencies of a value; the returned sets are shared between nodes: never mutate them. */
export function depsOf(sym: Sym): SymDeps {
  if (sym.deps) return sym.deps;
  let deps: SymDeps;
  switch (sym.k) {
    case 'entry':
      deps = { locals: new Set([sym.local]), loads: false };
      break;
    case 'op': {
      // Share the operands' sets when they add nothing new: most nodes have one interesting operand.
      let locals: Set<number> = NO_LOCALS;
      let loads = false;
      let owned = false;
      for (const arg of sym.args) {
        const d = depsOf(arg);
        loads ||= d.loads;
        if (d.locals.size === 0 || d.locals === locals) continue;
        if (locals.size === 0) {
          locals = d.locals;
          continue;
        }
        if (!owned) {
          locals = new Set(locals);
          owned = true;
        }
        for (const l of d.locals) locals.add(l);
      }
      deps = { locals, loads };
      break;
    }
    case 'load': {
      const d = depsOf(sym.addr);
      deps = { locals: d.locals, loads: true };
      break;
    }
    default:
      deps = NO_DEPS;
  }
  sym.deps = deps;
  return deps;
}

/** Evaluates an affine form with concrete values for its symbols (i32 wrap-around applied). */
export function evalAffine(form: Affine, valueOf: (key: number) => number): number {
  let v = BigInt(form.c);
  for (const [key, coef] of form.terms) v += BigInt(coef) * BigInt(Math.trunc(valueOf(key)));
  return Number(BigInt.asIntN(32, v));
}

/**
 * Node constructors. Every node has every field, in the same order, so the analyser's property
 * reads stay monomorphic (six object shapes made them megamorphic and slow).
 */
class SymNode {
  affine: Affine | null | undefined = undefined;
  deps: SymDeps | undefined = undefined;
  constructor(
    readonly k: Sym['k'],
    readonly t: 'i32' | 'i64' | 'f32' | 'f64',
    readonly v: number,
    readonly at: number,
    readonly local: number,
    readonly index: number,
    readonly op: number,
    readonly args: Sym[],
    readonly imm: number,
    readonly instr: number,
    readonly addr: Sym | undefined,
    readonly access: number,
  ) {}
}

const NO_ARGS: Sym[] = [];
export const constSym = (t: 'i32' | 'i64' | 'f32' | 'f64', v: number): Sym => new SymNode('const', t, v, 0, 0, 0, 0, NO_ARGS, 0, 0, undefined, 0) as unknown as Sym;
export const v128ConstSym = (at: number): Sym => new SymNode('v128const', 'i32', 0, at, 0, 0, 0, NO_ARGS, 0, 0, undefined, 0) as unknown as Sym;
export const entrySym = (local: number): Sym => new SymNode('entry', 'i32', 0, 0, local, 0, 0, NO_ARGS, 0, 0, undefined, 0) as unknown as Sym;
export const globalSym = (index: number): Sym => new SymNode('global', 'i32', 0, 0, 0, index, 0, NO_ARGS, 0, 0, undefined, 0) as unknown as Sym;
export const opSym = (op: number, args: Sym[], imm: number, instr: number): Sym => new SymNode('op', 'i32', 0, 0, 0, 0, op, args, imm, instr, undefined, 0) as unknown as Sym;
export const loadSym = (op: number, addr: Sym, access: number, instr: number): Sym => new SymNode('load', 'i32', 0, 0, 0, 0, op, NO_ARGS, 0, instr, addr, access) as unknown as Sym;
