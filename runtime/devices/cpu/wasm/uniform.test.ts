/**
 * immediatePostDominators against the definition itself, computed by brute force with no shared
 * code: d post-dominates x when x cannot reach EXIT once d is removed; x's immediate
 * post-dominator is its strict post-dominator that every other one post-dominates.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { immediatePostDominators } from './uniform.js';

function reachesExit(succ: number[][], exit: number, from: number, removed: number): boolean {
  const seen = new Set<number>([from]);
  const todo = [from];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (x === exit) return true;
    for (const s of succ[x] ?? []) {
      if (s === removed || seen.has(s)) continue;
      seen.add(s);
      todo.push(s);
    }
  }
  return false;
}

function bruteForce(succ: number[][], exit: number): number[] | undefined {
  const n = succ.length;
  for (let x = 0; x < n; x++) if (!reachesExit(succ, exit, x, -1)) return undefined;
  const strict = (x: number): number[] => [...Array(n + 1).keys()].filter((d) => d !== x && !reachesExit(succ, exit, x, d));
  return Array.from({ length: n }, (_, x) => {
    const ds = strict(x);
    const pdomsOf = new Map(ds.map((d) => [d, new Set(d === exit ? [] : strict(d))]));
    return ds.find((d) => ds.every((o) => o === d || pdomsOf.get(d)!.has(o)))!;
  });
}

/** A kernel-like CFG: each block falls through, or jumps anywhere, or both (a guarded branch). */
const cfg = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.array(fc.tuple(fc.constantFrom('fall', 'jump', 'cond', 'ret'), fc.integer({ min: 0, max: n - 1 })), { minLength: n, maxLength: n }).map((shape) =>
    shape.map(([kind, target], i): number[] => {
      const next = i + 1 < n ? i + 1 : n;
      return kind === 'fall' ? [next] : kind === 'jump' ? [target] : kind === 'cond' ? [target, next] : [n];
    }),
  ),
);

describe('immediatePostDominators', () => {
  test.prop([cfg], { numRuns: 300 })('matches the definition on random control-flow graphs', (succ) => {
    expect(immediatePostDominators(succ, succ.length)).toEqual(bruteForce(succ, succ.length));
  });

  test.prop([fc.integer({ min: 1000, max: 20000 })], { numRuns: 3 })('takes linear memory on a chain of thousands of blocks', (n) => {
    const succ = Array.from({ length: n }, (_, i) => [i + 1]);
    const ipdom = immediatePostDominators(succ, n)!;
    expect(ipdom[0]).toBe(1);
    expect(ipdom[n - 1]).toBe(n);
  });
});
