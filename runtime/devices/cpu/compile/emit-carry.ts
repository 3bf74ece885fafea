/**
 * The JavaScript backend's extended-precision arithmetic (carry.ts): add.cc/addc, sub.cc/subc on
 * 32- and 64-bit integers and mad{c}.{lo,hi}{.cc} on 32-bit ones. PTX ISA semantics: addc adds
 * CC.CF, subc computes a - (b + CC.CF) (the flag a borrow), the .cc forms write the carry (or
 * borrow) out of the whole operation; signed types compute the same bits as unsigned ones.
 */
import type { Instruction } from '../ast.js';
import { CC_REG, carryIn, carryOut } from '../carry.js';
import { tmp } from './emit-alu.js';
import type { Values } from './values.js';

const CC = { kind: 'reg', name: CC_REG } as const;

export function emitCarry(V: Values, ins: Instruction): string {
  const p = ins.parts;
  const t = p[p.length - 1]!;
  const op = p[0]!;
  const [d, a, b, c] = ins.operands;
  const cin = carryIn(ins) ? `(${V.read(CC, 'i32')} & 1)` : '0';
  const out = (flag: string): string => (carryOut(ins) ? V.write(CC, 'i32', flag) : '');
  const sub = op === 'sub' || op === 'subc';
  const wide = t.endsWith('64');
  if (op === 'mad' || op === 'madc') {
    if (wide) return V.fail(`unsupported instruction '${ins.opcode}' (64-bit mad with carry)`);
    const A = V.read(a!, 'i32'), B = V.read(b!, 'i32');
    const prod = p.includes('hi') ? `(M.${t.startsWith('s') ? 'mulHiS32' : 'mulHiU32'}(${A}, ${B}) >>> 0)` : `(Math.imul(${A}, ${B}) >>> 0)`;
    const s = tmp();
    return `{ const ${s} = ${prod} + (${V.read(c!, 'i32')} >>> 0) + ${cin}; ${V.write(d!, 'i32', `${s} | 0`)} ${out(`${s} > 4294967295 ? 1 : 0`)} }`;
  }
  if (!wide) {
    const s = tmp();
    const e = sub ? `(${V.read(a!, 'i32')} >>> 0) - (${V.read(b!, 'i32')} >>> 0) - ${cin}` : `(${V.read(a!, 'i32')} >>> 0) + (${V.read(b!, 'i32')} >>> 0) + ${cin}`;
    return `{ const ${s} = ${e}; ${V.write(d!, 'i32', `${s} | 0`)} ${out(sub ? `${s} < 0 ? 1 : 0` : `${s} > 4294967295 ? 1 : 0`)} }`;
  }
  const [al, ah] = V.read64(a!), [bl, bh] = V.read64(b!);
  const lo = tmp(), hi = tmp();
  const sign = sub ? '-' : '+';
  const loCarry = sub ? `(${lo} < 0 ? 1 : 0)` : `(${lo} > 4294967295 ? 1 : 0)`;
  return `{ const ${lo} = (${al} >>> 0) ${sign} (${bl} >>> 0) ${sign} ${cin}; const ${hi} = (${ah} >>> 0) ${sign} (${bh} >>> 0) ${sign} ${loCarry}; ${V.write64(d!, `${lo} | 0`, `${hi} | 0`)} ${out(sub ? `${hi} < 0 ? 1 : 0` : `${hi} > 4294967295 ? 1 : 0`)} }`;
}
