/**
 * The carry flag of PTX's extended-precision arithmetic (add.cc, addc, sub.cc, subc, mad.cc,
 * madc): one CC.CF bit per thread, written by the `.cc` forms and read by addc/subc/madc. Both
 * backends keep it as an ordinary 32-bit register under a name no PTX register can have, so
 * liveness, barriers (saved and restored like any register) and inlined calls (one flag per
 * thread, shared across device functions) need nothing of their own.
 */
import type { Instruction, Statement } from './ast.js';

/** The flag's register name ('.' cannot appear in a PTX identifier). */
export const CC_REG = '%cc.cf';

/** The opcodes that take the flag in. */
const CARRY_IN = new Set(['addc', 'subc', 'madc']);

/** Opcodes with carry forms and the types they take (PTX ISA "Extended-Precision Integer Arithmetic"). */
const CARRY_OPS = new Set(['add', 'sub', 'mad', 'addc', 'subc', 'madc']);
const CARRY_TYPES = new Set(['u32', 's32', 'u64', 's64']);

export const carryOut = (ins: Instruction): boolean => ins.parts.includes('cc');
export const carryIn = (ins: Instruction): boolean => CARRY_IN.has(ins.parts[0]!);

/** Why the form is not a carry form the ISA has (undefined when it is one, or uses no carry). */
export function carryFormError(ins: Instruction): string | undefined {
  if (!carryOut(ins) && !carryIn(ins)) return undefined;
  const p = ins.parts;
  const t = p[p.length - 1]!;
  if (!CARRY_OPS.has(p[0]!) || !CARRY_TYPES.has(t)) return `'${ins.opcode}' is not an extended-precision form (add/sub/mad{c}.cc on .u32/.s32/.u64/.s64)`;
  const mods = p.slice(1, -1).filter((m) => m !== 'cc');
  const mad = p[0] === 'mad' || p[0] === 'madc';
  if (mad ? mods.length !== 1 || !['lo', 'hi'].includes(mods[0]!) : mods.length > 0) return `'${ins.opcode}' is not an extended-precision form`;
  return undefined;
}

export function usesCarry(body: Statement[]): boolean {
  return body.some((s) => s.kind === 'instr' && (carryOut(s) || carryIn(s)));
}
