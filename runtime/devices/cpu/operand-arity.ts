/**
 * How many operands each instruction takes, from the PTX ISA's syntax of each form. The
 * validator holds every instruction to it, so the compilers never meet a missing operand (a
 * `shfl.sync` with two operands is the guest's malformed PTX, reported with its line; the
 * compilers reading `undefined` would be a device bug). Also which operand is the memory address.
 */
import type { Instruction } from './ast.js';

type Arity = readonly [min: number, max: number];

const FIXED: Record<string, Arity> = {
  // d, a, b
  add: [3, 3], sub: [3, 3], addc: [3, 3], subc: [3, 3], mul: [3, 3], mul24: [3, 3], div: [3, 3], rem: [3, 3], min: [3, 3], max: [3, 3],
  and: [3, 3], or: [3, 3], xor: [3, 3], shl: [3, 3], shr: [3, 3], copysign: [3, 3],
  // d, a, b, c
  mad: [4, 4], madc: [4, 4], fma: [4, 4], mad24: [4, 4], sad: [4, 4], bfe: [4, 4], prmt: [4, 4], shf: [4, 4], selp: [4, 4], slct: [4, 4],
  // d, a, b, c, e
  bfi: [5, 5],
  // d, a
  abs: [2, 2], neg: [2, 2], not: [2, 2], cnot: [2, 2], sqrt: [2, 2], rsqrt: [2, 2], rcp: [2, 2], ex2: [2, 2], lg2: [2, 2],
  sin: [2, 2], cos: [2, 2], tanh: [2, 2], popc: [2, 2], clz: [2, 2], brev: [2, 2], bfind: [2, 2], mov: [2, 2], cvt: [2, 2],
  cvta: [2, 2], isspacep: [2, 2], testp: [2, 2],
  // d, a, b{, c} (the bool-op form takes c)
  setp: [3, 4], set: [3, 4],
  // memory; an optional trailing cache policy
  ld: [2, 3], ldu: [2, 3], st: [2, 3], atom: [3, 5], red: [2, 3],
  // control
  bra: [1, 1], call: [1, 4], ret: [0, 0], exit: [0, 0], trap: [0, 0], brkpt: [0, 0],
  // warp level: d{|p}, a, b, c, membermask / d, {!}a, membermask / ...
  shfl: [5, 5], activemask: [1, 1], redux: [3, 3], match: [3, 3],
  // no-ops
  membar: [0, 0], fence: [0, 2], prefetch: [1, 1], prefetchu: [1, 1], nanosleep: [1, 1], pmevent: [1, 1], griddepcontrol: [0, 0],
  applypriority: [2, 2], discard: [2, 2], createpolicy: [2, 4],
};

/** [min, max] operands of an instruction form; undefined for an opcode the device does not know. */
export function arityOf(ins: Instruction): Arity | undefined {
  const p = ins.parts;
  switch (p[0]) {
    case 'bar':
    case 'barrier':
      if (p[1] === 'warp') return [1, 1]; // bar.warp.sync membermask
      if (p[1] === 'red') return [3, 4]; // bar.red.op d, a{, b}, {!}c
      if (p[1] === 'cluster') return [0, 0];
      return [0, 2]; // bar.sync a{, b}; barrier.sync{.aligned} a{, b}
    case 'vote':
      return p.includes('sync') ? [3, 3] : [2, 2]; // vote.sync.mode d, {!}a, membermask
    default:
      return FIXED[p[0]!];
  }
}

/** The operand that must be a `[address]`, for memory instructions. */
export function addressOperand(ins: Instruction): number | undefined {
  switch (ins.parts[0]) {
    case 'ld':
    case 'ldu':
    case 'atom':
      return 1;
    case 'st':
    case 'red':
    case 'prefetch':
    case 'prefetchu':
    case 'applypriority':
    case 'discard':
      return 0;
    default:
      return undefined;
  }
}
