/**
 * Shuffle chains: a shfl site whose resume block is straight-line arithmetic ending at the next
 * site (nvcc's `for (off = 16; off > 0; off >>= 1) v += __shfl_down_sync(~0u, v, off)`, unrolled).
 * When a converged warp's group resumes from such a site, warp-emit.ts runs that block for each
 * lane of the group in one loop (its registers restored, its result computed, the arithmetic, the
 * stop at the next site) instead of the general pass — no resume word to test, no dispatch on the
 * resume block, no registers to clear per lane. The lanes run in the same order and do the same
 * work as in the general pass, so results, and the stop at the next site, are the same.
 *
 * Only blocks without memory accesses, calls or anything else that could fault, exit or branch
 * qualify: every lane of the group then surely reaches the next site.
 */
import type { Operand } from '../ast.js';
import type { BasicBlock } from './ptx-types.js';

/** Opcodes (first part) whose Wasm is pure arithmetic on registers: no memory, no bridge call, no fault. */
const PURE = new Set(['mov', 'add', 'sub', 'mul', 'mad', 'fma', 'and', 'or', 'xor', 'not', 'shl', 'shr', 'setp', 'selp', 'neg', 'abs', 'min', 'max', 'cnot']);

/** Opcode suffixes that make an otherwise pure opcode leave the plain path (approximations bridged to JavaScript, carries). */
const IMPURE_PARTS = new Set(['cc', 'approx', 'rm', 'rp', 'rz', 'sat']);

export interface ShuffleChainLink {
  /** The shfl site the group resumes from. */
  site: number;
  /** Its resume block, which ends with an unguarded stop at the next site. */
  block: number;
  /** That next site. */
  next: number;
}

/** The kernel's shfl sites whose resume blocks qualify (see the file's comment). */
export function shuffleChainLinks(blocks: readonly BasicBlock[], isSpecial: (o: Operand) => boolean): ShuffleChainLink[] {
  const links: ShuffleChainLink[] = [];
  for (const b of blocks) {
    const t = b.term;
    if (t?.kind !== 'yield' || t.form?.kind !== 'shfl') continue;
    const r = blocks[t.resume];
    const next = r?.term;
    if (!r || next?.kind !== 'yield' || next.guard) continue;
    const pure = r.instrs.every((ins) => PURE.has(ins.parts[0]!) && !ins.parts.some((p) => IMPURE_PARTS.has(p)) && !ins.operands.some((o) => o.kind === 'addr' || o.kind === 'sym' || isSpecial(o)));
    if (pure) links.push({ site: t.site!, block: t.resume, next: next.site! });
  }
  return links;
}
