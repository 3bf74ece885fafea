/**
 * Symbolic values for one iteration of a loop body: what each stack slot and local holds, in
 * terms of the locals' values at the start of the iteration ("entry" symbols), globals, constants
 * and loads. Affine forms over entry symbols describe addresses and induction variables.
 */
export type Sym =
  | { k: 'const'; t: 'i32' | 'i64' | 'f32' | 'f64'; v: number }
  | { k: 'v128const'; at: number }
  | { k: 'entry'; local: number }
  | { k: 'global'; index: number }
  | { k: 'op'; op: number; args: Sym[]; imm: number; instr: number }
  | { k: 'load'; op: number; addr: Sym; access: number; instr: number };

/** c + Σ coef·symbol; keys are local indices (≥ 0) or globals as -(index+1). */
export interface Affine {
  c: number;
  terms: Map<number, number>;
}

const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;

const affineMemo = new WeakMap<Sym, Affine | null>();

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
  const memo = affineMemo.get(sym);
  if (memo !== undefined) return memo;
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
      const [x, y] = sym.args;
      if (!x || !y) break;
      const ax = affineOf(x);
      const ay = affineOf(y);
      if (!ax || !ay) break;
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
  if (result && (Math.abs(result.c) > 2 ** 32 || [...result.terms.values()].some((c) => Math.abs(c) > 2 ** 31))) result = null;
  affineMemo.set(sym, result);
  return result;
}

export interface SymDeps {
  /** Entry symbols (locals) the value depends on. */
  locals: Set<number>;
  /** Whether it depends on a value loaded from memory in this iteration. */
  loads: boolean;
}

const depsMemo = new WeakMap<Sym, SymDeps>();

export function depsOf(sym: Sym): SymDeps {
  const memo = depsMemo.get(sym);
  if (memo) return memo;
  let deps: SymDeps;
  switch (sym.k) {
    case 'entry':
      deps = { locals: new Set([sym.local]), loads: false };
      break;
    case 'op': {
      deps = { locals: new Set(), loads: false };
      for (const arg of sym.args) {
        const d = depsOf(arg);
        for (const l of d.locals) deps.locals.add(l);
        deps.loads ||= d.loads;
      }
      break;
    }
    case 'load': {
      const d = depsOf(sym.addr);
      deps = { locals: d.locals, loads: true };
      break;
    }
    default:
      deps = { locals: new Set(), loads: false };
  }
  depsMemo.set(sym, deps);
  return deps;
}

/** Evaluates an affine form with concrete values for its symbols (i32 wrap-around applied). */
export function evalAffine(form: Affine, valueOf: (key: number) => number): number {
  let v = BigInt(form.c);
  for (const [key, coef] of form.terms) v += BigInt(coef) * BigInt(Math.trunc(valueOf(key)));
  return Number(BigInt.asIntN(32, v));
}
