/**
 * Block-uniform registers for the WebAssembly backend: registers that hold the same value in every
 * thread of a block whenever the threads stop at a barrier, so one copy per block can carry them
 * across it (compile-wasm.ts) instead of one per thread.
 *
 * A register is taken when each of its definitions is an unguarded pure instruction of uniform
 * inputs (immediates, kernel parameters, shared addresses, %ntid, %ctaid, %nctaid, other uniform
 * registers) outside every divergent region: the blocks a branch on a non-uniform predicate can
 * reach before its immediate post-dominator. If a barrier lies in such a region, none is taken:
 * only with every barrier outside them do all the block's threads that have not exited run the
 * same blocks in the same order, stop at the same barrier in each phase and so have executed the
 * same definitions, with the same inputs, whenever they stop.
 */
import type { Instruction, Operand } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { REMAT_OPS, type BasicBlock } from './ptx-types.js';

/** Pure instructions (their result depends on their operands only). */
export const PURE = new Set([...REMAT_OPS, 'setp', 'selp', 'not']);
/** Special registers with one value per block. */
export const UNIFORM_SPECIAL = /^%(ntid|ctaid|nctaid)\.[xyz]$/;

export interface UniformContext {
  isReg(name: string): boolean;
  /** A shared variable (its address is the same in every thread). */
  isShared(name: string): boolean;
  /** A kernel parameter (ld.param of it is the same in every thread). */
  isKernelParam(name: string): boolean;
}

/**
 * Whether an operand has the same value in every thread: an immediate, a shared variable's address,
 * a kernel parameter, %ntid/%ctaid/%nctaid, or a register in `uniform`.
 */
export function uniformOperand(o: Operand, uniform: ReadonlySet<string>, ctx: UniformContext): boolean {
  switch (o.kind) {
    case 'int':
    case 'f32':
    case 'f64':
    case 'sink':
      return true;
    case 'sym':
      return ctx.isShared(o.name);
    case 'addr':
      return o.base !== undefined && ctx.isKernelParam(o.base);
    case 'reg':
    case 'not':
      return ctx.isReg(o.name) ? uniform.has(o.name) : UNIFORM_SPECIAL.test(o.name);
    default:
      return false;
  }
}

export function uniformRegisters(blocks: BasicBlock[], labelOf: Map<string, number>, ctx: UniformContext): Set<string> {
  const { isReg } = ctx;
  const n = blocks.length;
  const EXIT = n;
  const succ = blocks.map((b, i): number[] => {
    const t = b.term;
    const next = i + 1 < n ? i + 1 : EXIT;
    if (!t) return [next];
    if (t.kind === 'ret') return [EXIT];
    if (t.kind === 'yield') return [t.resume];
    const j = labelOf.get(t.target);
    if (j === undefined) return [EXIT];
    return t.guard ? [j, next] : [j];
  });
  const ipdom = immediatePostDominators(succ, EXIT);
  if (!ipdom) return new Set();

  const defs = new Map<string, { ins: Instruction; block: number }[]>();
  blocks.forEach((b, block) => {
    for (const ins of b.instrs) {
      for (const d of useDef(ins).defs) {
        if (!isReg(d)) continue;
        const list = defs.get(d) ?? [];
        list.push({ ins, block });
        defs.set(d, list);
      }
    }
  });
  const uniform = new Set<string>();
  for (const [r, list] of defs) {
    if (list.every(({ ins }) => !ins.guard && PURE.has(ins.parts[0]!) && (ins.parts[0] !== 'ld' || ins.parts.includes('param')))) uniform.add(r);
  }
  const inputOk = (o: Operand): boolean => uniformOperand(o, uniform, ctx);
  for (;;) {
    // the blocks of divergent regions, with the uniform set as it stands
    const divergent = new Set<number>();
    blocks.forEach((b, i) => {
      const t = b.term;
      if (t?.kind !== 'bra' || !t.guard || uniform.has(t.guard.name)) return;
      const stop = ipdom[i]!;
      const stack = [...succ[i]!];
      while (stack.length > 0) {
        const x = stack.pop()!;
        if (x === stop || x === EXIT || divergent.has(x)) continue;
        divergent.add(x);
        for (const y of succ[x]!) stack.push(y);
      }
    });
    if (blocks.some((b, i) => b.term?.kind === 'yield' && divergent.has(i))) return new Set();
    let changed = false;
    for (const r of [...uniform]) {
      const ok = defs.get(r)!.every(({ ins, block }) => !divergent.has(block) && ins.operands.slice(1).every(inputOk));
      if (!ok) {
        uniform.delete(r);
        changed = true;
      }
    }
    if (!changed) return uniform;
  }
}

/**
 * Each node's immediate post-dominator (EXIT for the last ones), or undefined when some node
 * cannot reach EXIT (a loop no thread leaves): then no region is well defined.
 *
 * Cooper, Harvey and Kennedy's "A Simple, Fast Dominance Algorithm" on the reversed graph: time
 * near-linear in the edges and memory linear in the nodes (the textbook set-per-node iteration
 * took n² of both: 10,000 barriers, each a block, ran the worker out of memory).
 */
export function immediatePostDominators(succ: number[][], EXIT: number): number[] | undefined {
  const n = succ.length;
  // predecessors: the reversed graph's successors
  const pred: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let i = 0; i < n; i++) for (const s of succ[i]!) pred[s]!.push(i);
  // postorder of the reversed graph from EXIT (iterative: kernels have thousands of blocks)
  const order = new Int32Array(n + 1).fill(-1); // node → postorder number
  const byOrder: number[] = [];
  const stack: [number, number][] = [[EXIT, 0]];
  order[EXIT] = -2; // on the stack
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [x, k] = top;
    if (k < pred[x]!.length) {
      top[1] = k + 1;
      const p = pred[x]![k]!;
      if (order[p] === -1) {
        order[p] = -2;
        stack.push([p, 0]);
      }
      continue;
    }
    stack.pop();
    order[x] = byOrder.length;
    byOrder.push(x);
  }
  // a node EXIT's reversed graph does not reach cannot reach EXIT
  if (byOrder.length !== n + 1) return undefined;
  const idom = new Int32Array(n + 1).fill(-1);
  idom[EXIT] = EXIT;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    // reverse postorder, EXIT (the last in postorder) excluded
    for (let k = n - 1; k >= 0; k--) {
      const x = byOrder[k]!;
      let next = -1;
      for (const s of succ[x]!) {
        if (idom[s] === -1) continue;
        next = next === -1 ? s : intersect(s, next);
      }
      if (idom[x] !== next) {
        idom[x] = next;
        changed = true;
      }
    }
  }
  return Array.from(idom.subarray(0, n));
}
