/**
 * Code generation for arithmetic, logic, comparison, selection, conversion and moves.
 * Each function returns JS statements for one instruction. Semantics follow the PTX ISA:
 * integer ops wrap, shifts clamp, f32 results are rounded once to f32, comparisons on floats
 * distinguish ordered and unordered forms.
 */
import type { Instruction, Operand } from '../ast.js';
import { clsOf, num, typeBits, type Cls, type Values } from './values.js';

let tmpCounter = 0;
export function tmp(): string {
  return `_t${tmpCounter++}`;
}

const ROUND: Record<string, number> = { rn: 0, rz: 1, rm: 2, rp: 3, rni: 0, rzi: 1, rmi: 2, rpi: 3 };
function roundMode(parts: string[]): number {
  for (const p of parts) if (ROUND[p] !== undefined) return ROUND[p]!;
  return 0;
}
const has = (ins: Instruction, m: string): boolean => ins.parts.includes(m);
const typeOf = (ins: Instruction): string => ins.parts[ins.parts.length - 1]!;
const op = (ins: Instruction, i: number): Operand => {
  const o = ins.operands[i];
  if (!o) throw new Error(`missing operand ${i}`);
  return o;
};

function sx16(e: string): string {
  return `((${e}) << 16 >> 16)`;
}
function sx8(e: string): string {
  return `((${e}) << 24 >> 24)`;
}
/** An i32-class operand as a JS number with the type's signedness applied. */
function intValue(V: Values, o: Operand, type: string): string {
  const e = V.read(o, 'i32');
  const bits = typeBits(type);
  const signed = type.startsWith('s');
  if (bits === 16) return signed ? sx16(e) : `((${e}) & 65535)`;
  if (bits === 8) return signed ? sx8(e) : `((${e}) & 255)`;
  return signed ? e : `(${e} >>> 0)`;
}

function f32Wrap(ins: Instruction, expr: string): string {
  let e = expr;
  if (has(ins, 'ftz')) e = `M.ftz(${e})`;
  if (has(ins, 'sat')) e = `M.sat(${e})`;
  return e;
}
function f32In(V: Values, ins: Instruction, o: Operand): string {
  const e = V.read(o, 'f32');
  return has(ins, 'ftz') ? `M.ftz(${e})` : e;
}
const isHalf = (t: string): boolean => t === 'f16' || t === 'bf16';
function halfIn(V: Values, o: Operand, t: string): string {
  return t === 'bf16' ? `M.bf16ToF32(${V.read(o, 'i32')})` : `M.f16ToF32(${V.read(o, 'i32')})`;
}
function halfOut(e: string, t: string, mode = 0): string {
  return t === 'bf16' ? `M.f32ToBf16(Math.fround(${e}))` : `M.f32ToF16(${e}, ${mode})`;
}

/** Binary float op on half pairs (f16x2): apply per 16-bit lane. */
function halfx2(V: Values, a: Operand, b: Operand, t: string, f: (x: string, y: string) => string): string {
  const base = t.replace('x2', '');
  const A = V.read(a, 'i32'), B = V.read(b, 'i32');
  const lo = halfOut(f(`M.${base === 'bf16' ? 'bf16ToF32' : 'f16ToF32'}((${A}) & 65535)`, `M.${base === 'bf16' ? 'bf16ToF32' : 'f16ToF32'}((${B}) & 65535)`), base);
  const hi = halfOut(f(`M.${base === 'bf16' ? 'bf16ToF32' : 'f16ToF32'}((${A}) >>> 16)`, `M.${base === 'bf16' ? 'bf16ToF32' : 'f16ToF32'}((${B}) >>> 16)`), base);
  return `(${lo}) | ((${hi}) << 16)`;
}

export function emitAddSub(V: Values, ins: Instruction): string {
  const t = typeOf(ins);
  const sub = ins.parts[0] === 'sub';
  const [d, a, b] = [op(ins, 0), op(ins, 1), op(ins, 2)];
  const cls = clsOf(t);
  if (has(ins, 'cc') || ins.parts[0] === 'addc' || ins.parts[0] === 'subc') V.fail(`unsupported instruction '${ins.opcode}' (carry chains)`);
  if (t === 'f32') {
    const A = f32In(V, ins, a), B = f32In(V, ins, b);
    const mode = roundMode(ins.parts);
    const e = mode === 0 ? `Math.fround(${A} ${sub ? '-' : '+'} ${B})` : `M.addF32(${A}, ${sub ? `-(${B})` : B}, ${mode})`;
    return V.write(d, 'f32', f32Wrap(ins, e));
  }
  if (t === 'f64') {
    const A = V.read(a, 'f64'), B = V.read(b, 'f64');
    const mode = roundMode(ins.parts);
    return V.write(d, 'f64', mode === 0 ? `(${A} ${sub ? '-' : '+'} ${B})` : `M.addF64(${A}, ${sub ? `-(${B})` : B}, ${mode})`);
  }
  if (isHalf(t)) return V.write(d, 'i32', halfOut(`(${halfIn(V, a, t)} ${sub ? '-' : '+'} ${halfIn(V, b, t)})`, t));
  if (t === 'f16x2' || t === 'bf16x2') return V.write(d, 'i32', halfx2(V, a, b, t, (x, y) => `(${x} ${sub ? '-' : '+'} ${y})`));
  if (cls === 'i64') {
    const na = V.num64Raw(a), nb = V.num64Raw(b);
    if (V.isNum(d) && na !== undefined && nb !== undefined) {
      // biases add (and cancel in a subtraction): keep at most one, so pointer + index stays small
      const bias = (na.biased ? 1 : 0) + (sub ? -1 : 1) * (nb.biased ? 1 : 0);
      const A = bias < 0 ? V.num64(a)! : na.expr;
      const B = bias > 1 || bias < 0 ? V.num64(b)! : nb.expr;
      return V.writeNum(d, `${A} ${sub ? '-' : '+'} ${B}`, true, bias >= 1);
    }
    const [al, ah] = V.read64(a), [bl, bh] = V.read64(b);
    const s = tmp(), h = tmp();
    if (sub) return `{ const ${s} = (${al} >>> 0) - (${bl} >>> 0); const ${h} = (${ah} - ${bh} - (${s} < 0 ? 1 : 0)) | 0; ${V.write64(d, `${s} | 0`, h)} }`;
    return `{ const ${s} = (${al} >>> 0) + (${bl} >>> 0); const ${h} = (${ah} + ${bh} + (${s} > 4294967295 ? 1 : 0)) | 0; ${V.write64(d, `${s} | 0`, h)} }`;
  }
  const A = intValue(V, a, t), B = intValue(V, b, t);
  if (has(ins, 'sat')) return V.write(d, 'i32', `M.clampInt(${A} ${sub ? '-' : '+'} ${B}, -2147483648, 2147483647)`);
  return V.write(d, 'i32', `(${A} ${sub ? '-' : '+'} ${B}) | 0`);
}

export function emitMul(V: Values, ins: Instruction): string {
  const t = typeOf(ins);
  const [d, a, b] = [op(ins, 0), op(ins, 1), op(ins, 2)];
  if (t === 'f32') {
    const mode = roundMode(ins.parts);
    const A = f32In(V, ins, a), B = f32In(V, ins, b);
    return V.write(d, 'f32', f32Wrap(ins, mode === 0 ? `Math.fround(${A} * ${B})` : `M.mulF32(${A}, ${B}, ${mode})`));
  }
  if (t === 'f64') {
    const mode = roundMode(ins.parts);
    const A = V.read(a, 'f64'), B = V.read(b, 'f64');
    return V.write(d, 'f64', mode === 0 ? `(${A} * ${B})` : `M.mulF64(${A}, ${B}, ${mode})`);
  }
  if (isHalf(t)) return V.write(d, 'i32', halfOut(`(${halfIn(V, a, t)} * ${halfIn(V, b, t)})`, t));
  if (t === 'f16x2' || t === 'bf16x2') return V.write(d, 'i32', halfx2(V, a, b, t, (x, y) => `(${x} * ${y})`));
  const bits = typeBits(t);
  const signed = t.startsWith('s');
  const wide = has(ins, 'wide'), hi = has(ins, 'hi');
  if (ins.parts[0] === 'mul24') {
    const A = signed ? `((${V.read(a, 'i32')}) << 8 >> 8)` : `((${V.read(a, 'i32')}) & 16777215)`;
    const B = signed ? `((${V.read(b, 'i32')}) << 8 >> 8)` : `((${V.read(b, 'i32')}) & 16777215)`;
    if (hi) return V.write(d, 'i32', `(M.${signed ? 'mulHiS32' : 'mulHiU32'}(${A}, ${B}) << 16) | (Math.imul(${A}, ${B}) >>> 16)`);
    return V.write(d, 'i32', `Math.imul(${A}, ${B})`);
  }
  if (bits === 64) {
    const [al, ah] = V.read64(a), [bl, bh] = V.read64(b);
    if (hi) return `M.mulHi64(${al}, ${ah}, ${bl}, ${bh}, ${signed}); ${V.write64(d, 'OUT[0]', 'OUT[1]')}`;
    return `M.mul64(${al}, ${ah}, ${bl}, ${bh}); ${V.write64(d, 'OUT[0]', 'OUT[1]')}`;
  }
  if (bits === 16) {
    const A = intValue(V, a, t), B = intValue(V, b, t);
    if (wide) return V.write(d, 'i32', `Math.imul(${A}, ${B})`);
    if (hi) return V.write(d, 'i32', `(Math.imul(${A}, ${B}) >> 16) & 65535`);
    return V.write(d, 'i32', `Math.imul(${A}, ${B}) & 65535`);
  }
  const A = V.read(a, 'i32'), B = V.read(b, 'i32');
  // eligible only with a constant below 2^20 (num64.ts): a signed product cannot leave the range
  if (wide && V.isNum(d)) return V.writeNum(d, signed ? `${A} * ${B}` : `(${A} >>> 0) * (${B} >>> 0)`, !signed);
  if (wide) return emitWide(V, d, A, B, signed, undefined);
  if (hi) return V.write(d, 'i32', `M.${signed ? 'mulHiS32' : 'mulHiU32'}(${A}, ${B})`);
  return V.write(d, 'i32', `Math.imul(${A}, ${B})`);
}

/** 32×32→64 product (+ optional 64-bit addend), fast when the product is a safe integer. */
function emitWide(V: Values, d: Operand, A: string, B: string, signed: boolean, add: [string, string] | undefined): string {
  const p = tmp(), l = tmp(), h = tmp();
  const prod = signed ? `${A} * ${B}` : `(${A} >>> 0) * (${B} >>> 0)`;
  let s = `{ const ${p} = ${prod}; let ${l}, ${h}; if (${p} >= -9007199254740992 && ${p} <= 9007199254740992) { ${l} = ${p} | 0; ${h} = Math.floor(${p} * 2.3283064365386963e-10) | 0; } else { M.${signed ? 'mulWideS' : 'mulWideU'}(${A}, ${B}); ${l} = OUT[0]; ${h} = OUT[1]; }`;
  if (add) {
    const s2 = tmp();
    s += ` const ${s2} = (${l} >>> 0) + (${add[0]} >>> 0); ${h} = (${h} + ${add[1]} + (${s2} > 4294967295 ? 1 : 0)) | 0; ${l} = ${s2} | 0;`;
  }
  return `${s} ${V.write64(d, l, h)} }`;
}

export function emitMad(V: Values, ins: Instruction): string {
  const t = typeOf(ins);
  const [d, a, b, c] = [op(ins, 0), op(ins, 1), op(ins, 2), op(ins, 3)];
  if (t === 'f32') {
    const mode = roundMode(ins.parts);
    const A = f32In(V, ins, a), B = f32In(V, ins, b), C = f32In(V, ins, c);
    if (mode !== 0) return V.write(d, 'f32', f32Wrap(ins, `M.fmaF32(${A}, ${B}, ${C}, ${mode})`));
    // One rounding: a*b is exact in f64; only an exact f32 tie after the f64 add needs the slow path.
    const va = tmp(), vb = tmp(), vc = tmp(), s = tmp(), r = tmp(), o = tmp();
    return `{ const ${va} = ${A}, ${vb} = ${B}, ${vc} = ${C}; const ${s} = ${va} * ${vb} + ${vc}, ${r} = Math.fround(${s}), ${o} = 2 * ${s} - ${r}; ${V.write(d, 'f32', f32Wrap(ins, `(${o} === ${r} || Math.fround(${o}) !== ${o}) ? ${r} : M.fmaF32(${va}, ${vb}, ${vc}, 0)`))} }`;
  }
  if (t === 'f64') {
    const mode = roundMode(ins.parts);
    const A = V.read(a, 'f64'), B = V.read(b, 'f64'), C = V.read(c, 'f64');
    return V.write(d, 'f64', mode === 0 ? `M.fmaF64(${A}, ${B}, ${C})` : `M.fmaF64Mode(${A}, ${B}, ${C}, ${mode})`);
  }
  if (isHalf(t)) return V.write(d, 'i32', halfOut(`(${halfIn(V, a, t)} * ${halfIn(V, b, t)} + ${halfIn(V, c, t)})`, t));
  if (t === 'f16x2' || t === 'bf16x2') V.fail(`unsupported instruction '${ins.opcode}'`);
  const bits = typeBits(t);
  const signed = t.startsWith('s');
  if (ins.parts[0] === 'mad24') V.fail(`unsupported instruction '${ins.opcode}'`);
  if (bits === 64) {
    const [al, ah] = V.read64(a), [bl, bh] = V.read64(b), [cl, ch] = V.read64(c);
    const fn = has(ins, 'hi') ? `M.mulHi64(${al}, ${ah}, ${bl}, ${bh}, ${signed})` : `M.mul64(${al}, ${ah}, ${bl}, ${bh})`;
    const s = tmp(), h = tmp();
    return `{ ${fn}; const ${s} = (OUT[0] >>> 0) + (${cl} >>> 0); const ${h} = (OUT[1] + ${ch} + (${s} > 4294967295 ? 1 : 0)) | 0; ${V.write64(d, `${s} | 0`, h)} }`;
  }
  if (has(ins, 'wide')) {
    if (bits === 16) return V.write(d, 'i32', `(Math.imul(${intValue(V, a, t)}, ${intValue(V, b, t)}) + ${V.read(c, 'i32')}) | 0`);
    return emitWide(V, d, V.read(a, 'i32'), V.read(b, 'i32'), signed, V.read64(c));
  }
  if (bits === 16) {
    const A = intValue(V, a, t), B = intValue(V, b, t), C = V.read(c, 'i32');
    // .hi: bits 31..16 of the 32-bit product
    if (has(ins, 'hi')) return V.write(d, 'i32', `((Math.imul(${A}, ${B}) >> 16) + ${C}) & 65535`);
    return V.write(d, 'i32', `(Math.imul(${A}, ${B}) + ${C}) & 65535`);
  }
  const A = V.read(a, 'i32'), B = V.read(b, 'i32'), C = V.read(c, 'i32');
  // mad.hi.sat.s32 (the ISA's only .sat form of mad): the high half plus c, clamped to the s32 range
  if (has(ins, 'hi') && has(ins, 'sat')) return V.write(d, 'i32', `M.clampInt(M.mulHiS32(${A}, ${B}) + ${C}, -2147483648, 2147483647)`);
  if (has(ins, 'hi')) return V.write(d, 'i32', `(M.${signed ? 'mulHiS32' : 'mulHiU32'}(${A}, ${B}) + ${C}) | 0`);
  if (has(ins, 'sat')) return V.write(d, 'i32', `M.clampInt(M.mulHiS32(${A}, ${B}) * 4294967296 + (Math.imul(${A}, ${B}) >>> 0) + ${C}, -2147483648, 2147483647)`);
  return V.write(d, 'i32', `(Math.imul(${A}, ${B}) + ${C}) | 0`);
}

export function emitDivRem(V: Values, ins: Instruction): string {
  const t = typeOf(ins);
  const isRem = ins.parts[0] === 'rem';
  const [d, a, b] = [op(ins, 0), op(ins, 1), op(ins, 2)];
  if (t === 'f32') {
    const mode = roundMode(ins.parts);
    const A = f32In(V, ins, a), B = f32In(V, ins, b);
    return V.write(d, 'f32', f32Wrap(ins, mode === 0 ? `Math.fround(${A} / ${B})` : `M.divF32(${A}, ${B}, ${mode})`));
  }
  if (t === 'f64') {
    const mode = roundMode(ins.parts);
    const A = V.read(a, 'f64'), B = V.read(b, 'f64');
    return V.write(d, 'f64', mode === 0 ? `(${A} / ${B})` : `M.divF64(${A}, ${B}, ${mode})`);
  }
  const bits = typeBits(t);
  const signed = t.startsWith('s');
  if (bits === 64) {
    const [al, ah] = V.read64(a), [bl, bh] = V.read64(b);
    return `M.${isRem ? 'rem64' : 'div64'}(${al}, ${ah}, ${bl}, ${bh}, ${signed}); ${V.write64(d, 'OUT[0]', 'OUT[1]')}`;
  }
  const A = intValue(V, a, t), B = intValue(V, b, t);
  const vb = tmp(), va = tmp();
  const body = isRem ? `(${vb} === 0 ? ${va} : (${va} % ${vb})) | 0` : `(${vb} === 0 ? -1 : (${va} / ${vb})) | 0`;
  return `{ const ${va} = ${A}, ${vb} = ${B}; ${V.write(d, 'i32', body)} }`;
}

export function emitUnaryMath(V: Values, ins: Instruction): string {
  const name = ins.parts[0]!;
  const t = typeOf(ins);
  const [d, a] = [op(ins, 0), op(ins, 1)];
  if (t === 'f32') {
    const A = f32In(V, ins, a);
    const mode = roundMode(ins.parts);
    let e: string;
    switch (name) {
      case 'abs': e = `Math.abs(${A})`; break;
      case 'neg': e = `(-${A})`; break;
      case 'sqrt': e = mode === 0 ? `Math.fround(Math.sqrt(${A}))` : `M.sqrtF32(${A}, ${mode})`; break;
      case 'rsqrt': e = `Math.fround(1 / Math.sqrt(${A}))`; break;
      case 'rcp': e = mode === 0 ? `Math.fround(1 / ${A})` : `M.divF32(1, ${A}, ${mode})`; break;
      case 'ex2': e = `Math.fround(Math.pow(2, ${A}))`; break;
      case 'lg2': e = `Math.fround(Math.log2(${A}))`; break;
      case 'sin': e = `Math.fround(Math.sin(${A}))`; break;
      case 'cos': e = `Math.fround(Math.cos(${A}))`; break;
      case 'tanh': e = `Math.fround(Math.tanh(${A}))`; break;
      default: return V.fail(`unsupported instruction '${ins.opcode}'`);
    }
    return V.write(d, 'f32', f32Wrap(ins, e));
  }
  if (t === 'f64') {
    const A = V.read(a, 'f64');
    const mode = roundMode(ins.parts);
    let e: string;
    switch (name) {
      case 'abs': e = `Math.abs(${A})`; break;
      case 'neg': e = `(-${A})`; break;
      case 'sqrt': e = mode === 0 ? `Math.sqrt(${A})` : `M.sqrtF64(${A}, ${mode})`; break;
      case 'rsqrt': e = `(1 / Math.sqrt(${A}))`; break;
      // rcp.approx.ftz.f64 flushes a subnormal source to a zero of its sign (so 1/x is ±∞)
      case 'rcp': e = has(ins, 'approx') ? (has(ins, 'ftz') ? `(1 / M.ftz64(${A}))` : `(1 / ${A})`) : mode === 0 ? `(1 / ${A})` : `M.divF64(1, ${A}, ${mode})`; break;
      default: return V.fail(`unsupported instruction '${ins.opcode}'`);
    }
    return V.write(d, 'f64', e);
  }
  if (isHalf(t)) {
    if (name === 'abs') return V.write(d, 'i32', `(${V.read(a, 'i32')}) & 32767`);
    if (name === 'neg') return V.write(d, 'i32', `(${V.read(a, 'i32')}) ^ 32768`);
    const f = name === 'ex2' ? 'Math.pow(2, x)' : name === 'sqrt' ? 'Math.sqrt(x)' : name === 'rsqrt' ? '1 / Math.sqrt(x)' : name === 'rcp' ? '1 / x' : name === 'lg2' ? 'Math.log2(x)' : name === 'sin' ? 'Math.sin(x)' : name === 'cos' ? 'Math.cos(x)' : name === 'tanh' ? 'Math.tanh(x)' : '';
    if (!f) return V.fail(`unsupported instruction '${ins.opcode}'`);
    return V.write(d, 'i32', halfOut(`Math.fround(${f.replace('x', halfIn(V, a, t))})`, t));
  }
  const bits = typeBits(t);
  if (bits === 64) {
    const [al, ah] = V.read64(a);
    const l = tmp(), h = tmp(), nl = `((-${l}) | 0)`, nh = `((~${h} + (${l} === 0 ? 1 : 0)) | 0)`;
    const cond = name === 'abs' ? `${h} < 0` : 'true';
    if (name !== 'abs' && name !== 'neg') return V.fail(`unsupported instruction '${ins.opcode}'`);
    return `{ const ${l} = ${al}, ${h} = ${ah}; if (${cond}) { ${V.write64(d, nl, nh)} } else { ${V.write64(d, l, h)} } }`;
  }
  const A = intValue(V, a, t);
  if (name === 'abs') return V.write(d, 'i32', `Math.abs(${A}) | 0`);
  if (name === 'neg') return V.write(d, 'i32', `(-${A}) | 0`);
  return V.fail(`unsupported instruction '${ins.opcode}'`);
}

export function emitMinMax(V: Values, ins: Instruction): string {
  const isMin = ins.parts[0] === 'min';
  const t = typeOf(ins);
  const [d, a, b] = [op(ins, 0), op(ins, 1), op(ins, 2)];
  if (t === 'f32' && has(ins, 'NaN')) {
    // .NaN: a NaN operand gives NaN instead of the other operand
    const x = tmp(), y = tmp();
    return `{ const ${x} = ${f32In(V, ins, a)}, ${y} = ${f32In(V, ins, b)}; ${V.write(d, 'f32', f32Wrap(ins, `(${x} !== ${x} || ${y} !== ${y}) ? NaN : M.${isMin ? 'fminF' : 'fmaxF'}(${x}, ${y})`))} }`;
  }
  if (t === 'f32') return V.write(d, 'f32', f32Wrap(ins, `M.${isMin ? 'fminF' : 'fmaxF'}(${f32In(V, ins, a)}, ${f32In(V, ins, b)})`));
  if (t === 'f64') return V.write(d, 'f64', `M.${isMin ? 'fminF' : 'fmaxF'}(${V.read(a, 'f64')}, ${V.read(b, 'f64')})`);
  if (isHalf(t)) return V.write(d, 'i32', halfOut(`M.${isMin ? 'fminF' : 'fmaxF'}(${halfIn(V, a, t)}, ${halfIn(V, b, t)})`, t));
  if (typeBits(t) === 64) {
    const [al, ah] = V.read64(a), [bl, bh] = V.read64(b);
    const c = `M.cmp64(${al}, ${ah}, ${bl}, ${bh}, ${t.startsWith('s')}) ${isMin ? '<' : '>'} 0`;
    const l = tmp(), h = tmp();
    return `{ const ${l} = ${c} ? ${al} : ${bl}, ${h} = ${c} ? ${ah} : ${bh}; ${V.write64(d, l, h)} }`;
  }
  const A = intValue(V, a, t), B = intValue(V, b, t);
  return V.write(d, 'i32', `(${isMin ? 'Math.min' : 'Math.max'}(${A}, ${B}) | 0)`);
}

export function emitBitwise(V: Values, ins: Instruction): string {
  const name = ins.parts[0]!;
  const t = typeOf(ins);
  const d = op(ins, 0);
  const jsOp = name === 'and' ? '&' : name === 'or' ? '|' : '^';
  if (t === 'pred') {
    if (name === 'not') return V.write(d, 'pred', `!${V.read(op(ins, 1), 'pred')}`);
    const A = V.read(op(ins, 1), 'pred'), B = V.read(op(ins, 2), 'pred');
    return V.write(d, 'pred', name === 'and' ? `(${A} && ${B})` : name === 'or' ? `(${A} || ${B})` : `(${A} !== ${B})`);
  }
  if (typeBits(t) === 64) {
    const [al, ah] = V.read64(op(ins, 1));
    if (name === 'not') return V.write64(d, `~${al}`, `~${ah}`);
    if (name === 'cnot') return V.write64(d, `((${al} | ${ah}) === 0 ? 1 : 0)`, '0');
    const [bl, bh] = V.read64(op(ins, 2));
    return V.write64(d, `(${al} ${jsOp} ${bl})`, `(${ah} ${jsOp} ${bh})`);
  }
  const A = V.read(op(ins, 1), 'i32');
  if (name === 'not') return V.write(d, 'i32', `~${A}`);
  if (name === 'cnot') return V.write(d, 'i32', `(${A} === 0 ? 1 : 0)`);
  return V.write(d, 'i32', `(${A} ${jsOp} ${V.read(op(ins, 2), 'i32')})`);
}

export function emitShift(V: Values, ins: Instruction): string {
  const name = ins.parts[0]!;
  const t = typeOf(ins);
  const [d, a, b] = [op(ins, 0), op(ins, 1), op(ins, 2)];
  const bits = typeBits(t);
  const signed = t.startsWith('s');
  const B = `(${V.read(b, 'i32')} >>> 0)`;
  if (bits === 64) {
    const na = V.num64(a);
    if (name === 'shl' && V.isNum(d) && na !== undefined && b.kind === 'int') return V.writeNum(d, `${na} * ${2 ** Number(b.value)}`, true);
    const [al, ah] = V.read64(a);
    const call = name === 'shl' ? `M.shl64(${al}, ${ah}, ${B})` : `M.shr64(${al}, ${ah}, ${B}, ${signed})`;
    return `${call}; ${V.write64(d, 'OUT[0]', 'OUT[1]')}`;
  }
  const n = tmp();
  const A = bits === 16 ? (signed ? sx16(V.read(a, 'i32')) : `((${V.read(a, 'i32')}) & 65535)`) : V.read(a, 'i32');
  let e: string;
  if (name === 'shl') e = `(${n} >= ${bits} ? 0 : ${A} << ${n})`;
  else if (signed) e = `(${A} >> (${n} >= ${bits} ? ${bits - 1} : ${n}))`;
  else e = `(${n} >= ${bits} ? 0 : (${A} >>> ${n}) | 0)`;
  return `{ const ${n} = ${B}; ${V.write(d, 'i32', e)} }`;
}

export function emitBitOps(V: Values, ins: Instruction): string {
  const name = ins.parts[0]!;
  const t = typeOf(ins);
  const d = op(ins, 0);
  const bits = typeBits(t);
  const signed = t.startsWith('s');
  switch (name) {
    case 'popc':
      if (bits === 64) {
        const [l, h] = V.read64(op(ins, 1));
        return V.write(d, 'i32', `(M.popc32(${l}) + M.popc32(${h}))`);
      }
      return V.write(d, 'i32', `M.popc32(${V.read(op(ins, 1), 'i32')})`);
    case 'clz':
      if (bits === 64) {
        const [l, h] = V.read64(op(ins, 1));
        const vh = tmp();
        return `{ const ${vh} = ${h}; ${V.write(d, 'i32', `(${vh} !== 0 ? Math.clz32(${vh}) : 32 + Math.clz32(${l}))`)} }`;
      }
      return V.write(d, 'i32', `Math.clz32(${V.read(op(ins, 1), 'i32')})`);
    case 'brev':
      if (bits === 64) {
        const [l, h] = V.read64(op(ins, 1));
        return V.write64(d, `M.brev32(${h})`, `M.brev32(${l})`);
      }
      return V.write(d, 'i32', `M.brev32(${V.read(op(ins, 1), 'i32')})`);
    case 'bfe': {
      const pos = V.read(op(ins, 2), 'i32'), len = V.read(op(ins, 3), 'i32');
      if (bits === 64) {
        const [l, h] = V.read64(op(ins, 1));
        return `M.bfe64(${l}, ${h}, ${pos}, ${len}, ${signed}); ${V.write64(d, 'OUT[0]', 'OUT[1]')}`;
      }
      return V.write(d, 'i32', `M.bfe32(${V.read(op(ins, 1), 'i32')}, ${pos}, ${len}, ${signed})`);
    }
    case 'bfi': {
      const pos = V.read(op(ins, 3), 'i32'), len = V.read(op(ins, 4), 'i32');
      if (bits === 64) {
        const [al, ah] = V.read64(op(ins, 1)), [bl, bh] = V.read64(op(ins, 2));
        return `M.bfi64(${al}, ${ah}, ${bl}, ${bh}, ${pos}, ${len}); ${V.write64(d, 'OUT[0]', 'OUT[1]')}`;
      }
      return V.write(d, 'i32', `M.bfi32(${V.read(op(ins, 1), 'i32')}, ${V.read(op(ins, 2), 'i32')}, ${pos}, ${len})`);
    }
    case 'bfind': {
      const shiftAmt = has(ins, 'shiftamt');
      if (bits === 64) {
        const [l, h] = V.read64(op(ins, 1));
        return V.write(d, 'i32', `M.bfind64(${l}, ${h}, ${signed}, ${shiftAmt})`);
      }
      return V.write(d, 'i32', `M.bfind32(${V.read(op(ins, 1), 'i32')}, ${signed}, ${shiftAmt})`);
    }
    case 'prmt': {
      const mode = ins.parts.find((p) => ['f4e', 'b4e', 'rc8', 'ecl', 'ecr', 'rc16'].includes(p)) ?? '';
      return V.write(d, 'i32', `M.prmt(${V.read(op(ins, 1), 'i32')}, ${V.read(op(ins, 2), 'i32')}, ${V.read(op(ins, 3), 'i32')}, ${JSON.stringify(mode)})`);
    }
    case 'shf':
      return V.write(d, 'i32', `M.shf(${V.read(op(ins, 1), 'i32')}, ${V.read(op(ins, 2), 'i32')}, ${V.read(op(ins, 3), 'i32')}, ${has(ins, 'l')}, ${has(ins, 'clamp')})`);
    case 'sad': {
      if (bits === 64) {
        // c + |a - b| on (lo, hi) pairs: the larger minus the smaller, then + c, modulo 2^64
        const [al, ah] = V.read64(op(ins, 1)), [bl, bh] = V.read64(op(ins, 2)), [cl, ch] = V.read64(op(ins, 3));
        const lt = tmp(), xl = tmp(), xh = tmp(), yl = tmp(), yh = tmp(), dl = tmp(), dh = tmp(), sl = tmp(), sh = tmp();
        return `{ const ${lt} = M.cmp64(${al}, ${ah}, ${bl}, ${bh}, ${signed}) < 0; const ${xl} = ${lt} ? ${bl} : ${al}, ${xh} = ${lt} ? ${bh} : ${ah}, ${yl} = ${lt} ? ${al} : ${bl}, ${yh} = ${lt} ? ${ah} : ${bh}; const ${dl} = (${xl} >>> 0) - (${yl} >>> 0); const ${dh} = (${xh} - ${yh} - (${dl} < 0 ? 1 : 0)) | 0; const ${sl} = ((${dl} | 0) >>> 0) + ((${cl}) >>> 0); const ${sh} = (${dh} + (${ch}) + (${sl} > 4294967295 ? 1 : 0)) | 0; ${V.write64(d, `${sl} | 0`, sh)} }`;
      }
      const A = intValue(V, op(ins, 1), t), B = intValue(V, op(ins, 2), t), C = V.read(op(ins, 3), 'i32');
      return V.write(d, 'i32', `(${C} + Math.abs(${A} - ${B})) | 0`);
    }
    case 'copysign': {
      const cls = t === 'f64' ? 'f64' : 'f32';
      return V.write(d, cls, `M.copysign(${V.read(op(ins, 1), cls)}, ${V.read(op(ins, 2), cls)})`);
    }
    case 'testp': {
      const what = ins.parts[1]!;
      const cls = t === 'f64' ? 'f64' : 'f32';
      return V.write(d, 'pred', `M.testp(${V.read(op(ins, 1), cls)}, ${JSON.stringify(what)}, ${cls === 'f64'})`);
    }
    default:
      return V.fail(`unsupported instruction '${ins.opcode}'`);
  }
}

const CMP_OPS = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'lo', 'ls', 'hi', 'hs', 'equ', 'neu', 'ltu', 'leu', 'gtu', 'geu', 'num', 'nan']);

/** A boolean JS expression comparing a and b with a PTX comparison operator. */
function compare(V: Values, cmp: string, t: string, a: Operand, b: Operand, ftz = false): string {
  if (t === 'f32' || t === 'f64' || isHalf(t)) {
    // .ftz (f32 only): subnormal operands compare as zeros of their sign
    const flush = (e: string): string => (ftz && t === 'f32' ? `M.ftz(${e})` : e);
    const A = isHalf(t) ? halfIn(V, a, t) : flush(V.read(a, t === 'f64' ? 'f64' : 'f32'));
    const B = isHalf(t) ? halfIn(V, b, t) : flush(V.read(b, t === 'f64' ? 'f64' : 'f32'));
    switch (cmp) {
      case 'eq': return `(${A} === ${B})`;
      case 'ne': return `M.fne(${A}, ${B})`;
      case 'lt': return `(${A} < ${B})`;
      case 'le': return `(${A} <= ${B})`;
      case 'gt': return `(${A} > ${B})`;
      case 'ge': return `(${A} >= ${B})`;
      case 'equ': return `M.fequ(${A}, ${B})`;
      case 'neu': return `(${A} !== ${B})`;
      case 'ltu': return `!(${A} >= ${B})`;
      case 'leu': return `!(${A} > ${B})`;
      case 'gtu': return `!(${A} <= ${B})`;
      case 'geu': return `!(${A} < ${B})`;
      case 'num': return `M.fnum(${A}, ${B})`;
      case 'nan': return `!M.fnum(${A}, ${B})`;
      default: return V.fail(`unsupported comparison '${cmp}' for .${t}`);
    }
  }
  const unsignedCmp = ['lo', 'ls', 'hi', 'hs'].includes(cmp);
  const signed = t.startsWith('s') && !unsignedCmp;
  const rel: Record<string, string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=', lo: '<', ls: '<=', hi: '>', hs: '>=' };
  const r = rel[cmp];
  if (!r) return V.fail(`unsupported comparison '${cmp}' for .${t}`);
  if (typeBits(t) === 64) {
    const [al, ah] = V.read64(a), [bl, bh] = V.read64(b);
    if (cmp === 'eq') return `(${al} === ${bl} && ${ah} === ${bh})`;
    if (cmp === 'ne') return `(${al} !== ${bl} || ${ah} !== ${bh})`;
    return `(M.cmp64(${al}, ${ah}, ${bl}, ${bh}, ${signed}) ${r} 0)`;
  }
  const ty = signed ? t : t.replace(/^[bs]/, 'u');
  return `(${intValue(V, a, ty)} ${r} ${intValue(V, b, ty)})`;
}

export function emitSetp(V: Values, ins: Instruction): string {
  const cmp = ins.parts[1]!;
  if (!CMP_OPS.has(cmp)) return V.fail(`unsupported comparison '${cmp}'`);
  const boolOp = ['and', 'or', 'xor'].includes(ins.parts[2]!) ? ins.parts[2] : undefined;
  const t = typeOf(ins);
  const dst = op(ins, 0);
  const c = tmp();
  let s = `{ let ${c} = ${compare(V, cmp, t, op(ins, 1), op(ins, 2), has(ins, 'ftz'))};`;
  let p: Operand = dst, q: Operand | undefined;
  if (dst.kind === 'pair') {
    p = dst.first;
    q = dst.second;
  }
  if (boolOp) {
    const C = V.read(op(ins, 3), 'pred');
    const j = boolOp === 'and' ? '&&' : boolOp === 'or' ? '||' : '!==';
    s += ` const ${c}c = ${C}; ${V.write(p, 'pred', `(${c} ${j} ${c}c)`)}`;
    if (q) s += ` ${V.write(q, 'pred', `(!${c} ${j} ${c}c)`)}`;
  } else {
    s += ` ${V.write(p, 'pred', c)}`;
    if (q) s += ` ${V.write(q, 'pred', `!${c}`)}`;
  }
  return `${s} }`;
}

export function emitSet(V: Values, ins: Instruction): string {
  // set.CmpOp{.BoolOp}.dtype.stype d, a, b{, {!}c}
  const cmp = ins.parts[1]!;
  const n = ins.parts.length;
  const dtype = ins.parts[n - 2]!, stype = ins.parts[n - 1]!;
  const boolOp = ['and', 'or', 'xor'].includes(ins.parts[2]!) ? ins.parts[2] : undefined;
  let e = compare(V, cmp, stype, op(ins, 1), op(ins, 2), has(ins, 'ftz'));
  if (boolOp) {
    const j = boolOp === 'and' ? '&&' : boolOp === 'or' ? '||' : '!==';
    e = `(${e} ${j} ${V.read(op(ins, 3), 'pred')})`;
  }
  if (dtype === 'f32') return V.write(op(ins, 0), 'f32', `(${e} ? 1 : 0)`);
  return V.write(op(ins, 0), 'i32', `(${e} ? -1 : 0)`);
}

export function emitSelp(V: Values, ins: Instruction): string {
  const t = typeOf(ins);
  const [d, a, b, c] = [op(ins, 0), op(ins, 1), op(ins, 2), op(ins, 3)];
  if (ins.parts[0] === 'slct') {
    const stype = t, dtype = ins.parts[ins.parts.length - 2]!;
    // .ftz: a subnormal c counts as a zero of its sign (so −subnormal selects a, as −0 >= 0)
    const C = stype === 'f32' ? (has(ins, 'ftz') ? `M.ftz(${V.read(c, 'f32')})` : V.read(c, 'f32')) : V.read(c, 'i32');
    const cls = clsOf(dtype);
    const cond = `(${C} >= 0)`;
    if (cls === 'i64') {
      const [al, ah] = V.read64(a), [bl, bh] = V.read64(b);
      return V.write64(d, `(${cond} ? ${al} : ${bl})`, `(${cond} ? ${ah} : ${bh})`);
    }
    return V.write(d, cls, `(${cond} ? ${V.read(a, cls)} : ${V.read(b, cls)})`);
  }
  const P = V.read(c, 'pred');
  const cls = clsOf(t);
  if (cls === 'i64') {
    const [al, ah] = V.read64(a), [bl, bh] = V.read64(b);
    const p = tmp();
    return `{ const ${p} = ${P}; ${V.write64(d, `(${p} ? ${al} : ${bl})`, `(${p} ? ${ah} : ${bh})`)} }`;
  }
  return V.write(d, cls, `(${P} ? ${V.read(a, cls)} : ${V.read(b, cls)})`);
}

export function emitMov(V: Values, ins: Instruction): string {
  const t = typeOf(ins);
  const [d, a] = [op(ins, 0), op(ins, 1)];
  const cls = clsOf(t);
  if (a.kind === 'vec') {
    // pack: mov.b32 d, {lo16, hi16}; mov.b64 d, {lo32, hi32} or {4 × 16}
    const items = a.items;
    if (cls === 'i64' && items.length === 2) return V.write64(d, V.read(items[0]!, 'i32'), V.read(items[1]!, 'i32'));
    if (cls === 'i64' && items.length === 4) {
      const w = items.map((x) => `(${V.read(x, 'i32')} & 65535)`);
      return V.write64(d, `(${w[0]} | (${w[1]} << 16))`, `(${w[2]} | (${w[3]} << 16))`);
    }
    if (items.length === 2) return V.write(d, 'i32', `((${V.read(items[0]!, 'i32')} & 65535) | (${V.read(items[1]!, 'i32')} << 16))`);
    if (items.length === 4) return V.write(d, 'i32', `(${items.map((x, i) => `((${V.read(x, 'i32')} & 255) << ${i * 8})`).join(' | ')})`);
    return V.fail(`unsupported vector form of '${ins.opcode}'`);
  }
  if (d.kind === 'vec') {
    const items = d.items;
    if (cls === 'i64') {
      const [l, h] = V.read64(a);
      const vl = tmp(), vh = tmp();
      if (items.length === 2) return `{ const ${vl} = ${l}, ${vh} = ${h}; ${V.write(items[0]!, 'i32', vl)} ${V.write(items[1]!, 'i32', vh)} }`;
      if (items.length === 4) return `{ const ${vl} = ${l}, ${vh} = ${h}; ${V.write(items[0]!, 'i32', `${vl} & 65535`)} ${V.write(items[1]!, 'i32', `${vl} >>> 16`)} ${V.write(items[2]!, 'i32', `${vh} & 65535`)} ${V.write(items[3]!, 'i32', `${vh} >>> 16`)} }`;
    }
    const v = tmp();
    if (items.length === 2) return `{ const ${v} = ${V.read(a, 'i32')}; ${V.write(items[0]!, 'i32', `${v} & 65535`)} ${V.write(items[1]!, 'i32', `${v} >>> 16`)} }`;
    if (items.length === 4) return `{ const ${v} = ${V.read(a, 'i32')}; ${items.map((x, i) => V.write(x, 'i32', `(${v} >>> ${i * 8}) & 255`)).join(' ')} }`;
    return V.fail(`unsupported vector form of '${ins.opcode}'`);
  }
  if (cls === 'i64') {
    const n = V.num64Raw(a);
    if (V.isNum(d) && n !== undefined) return V.writeNum(d, n.expr, false, n.biased);
    const [l, h] = V.read64(a);
    return V.write64(d, l, h);
  }
  return V.write(d, cls, V.read(a, cls));
}

function intRange(t: string): [number, number] {
  const bits = typeBits(t);
  if (t.startsWith('s')) return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  return [0, 2 ** bits - 1];
}

export function emitCvt(V: Values, ins: Instruction): string {
  const n = ins.parts.length;
  const dt = ins.parts[n - 2]!, st = ins.parts[n - 1]!;
  const [d, a] = [op(ins, 0), op(ins, 1)];
  const mode = roundMode(ins.parts);
  const intRound = ins.parts.some((p) => ['rni', 'rzi', 'rmi', 'rpi'].includes(p));
  const satur = has(ins, 'sat');
  const ftzOn = has(ins, 'ftz');
  const isFloat = (t: string): boolean => t === 'f32' || t === 'f64' || t === 'f16' || t === 'bf16';
  // Source value as a JS number (floats) or integer description.
  if (isFloat(st)) {
    let src = st === 'f64' ? V.read(a, 'f64') : st === 'f32' ? V.read(a, 'f32') : halfIn(V, a, st);
    if (ftzOn && st === 'f32') src = `M.ftz(${src})`;
    if (isFloat(dt)) {
      let e: string;
      if (intRound) e = `M.roundInt(${src}, ${mode})`;
      else e = src;
      if (dt === 'f32') {
        let r = st === 'f64' && !intRound ? `M.f64ToF32(${e}, ${mode})` : `Math.fround(${e})`;
        if (ftzOn) r = `M.ftz(${r})`;
        if (satur) r = `M.sat(${r})`;
        return V.write(d, 'f32', r);
      }
      if (dt === 'f64') return V.write(d, 'f64', satur ? `M.sat(${e})` : e);
      if (dt === 'f16') return V.write(d, 'i32', `M.f32ToF16(${st === 'f64' ? e : e}, ${mode})`);
      return V.write(d, 'i32', `M.f32ToBf16(Math.fround(${e}))`);
    }
    // float → integer: rounds with the mode and saturates; NaN per the ISA's cvt Integer Notes:
    // "Zero if source is not .f64 and destination is not .s64, .u64. Otherwise 1 << (BitWidth(dst) - 1)"
    // (MININT for a signed destination): f2i64 gives 1 << 63, f2int the value passed here
    if (typeBits(dt) === 64) return `M.f2i64(${src}, ${mode}, ${dt.startsWith('s')}); ${V.write64(d, 'OUT[0]', 'OUT[1]')}`;
    const [lo, hi] = intRange(dt);
    const nan = st === 'f64' ? (dt.startsWith('s') ? lo : 2 ** (typeBits(dt) - 1)) : 0;
    return V.write(d, 'i32', `(M.f2int(${src}, ${intRound ? mode : 1}, ${lo}, ${hi}, ${nan}) | 0)`);
  }
  // integer source
  const sBits = typeBits(st);
  const sSigned = st.startsWith('s');
  if (isFloat(dt)) {
    // one rounding in the instruction's mode (.rn .rz .rm .rp); a 32-bit value is exact as a double
    let e: string;
    if (sBits === 64) {
      const [l, h] = V.read64(a);
      if ((dt === 'f32' || dt === 'f64') && mode !== 0) e = `M.i64ToFloat(${l}, ${h}, ${sSigned}, ${mode}, ${dt === 'f32'})`;
      else e = dt === 'f32' ? `M.i64ToF32(${l}, ${h}, ${sSigned})` : `M.i64ToF64(${l}, ${h}, ${sSigned})`;
    } else {
      const v = intValue(V, a, st);
      e = dt === 'f32' ? (mode !== 0 ? `M.f64ToF32(${v}, ${mode})` : `Math.fround(${v})`) : v;
    }
    if (dt === 'f32') return V.write(d, 'f32', satur ? `M.sat(${e})` : e);
    if (dt === 'f64') return V.write(d, 'f64', e);
    if (dt === 'f16') return V.write(d, 'i32', `M.f32ToF16(${e}, ${mode})`);
    return V.write(d, 'i32', `M.f32ToBf16(Math.fround(${e}))`);
  }
  // integer → integer
  const dBits = typeBits(dt);
  if (dBits === 64) {
    const dSigned = dt.startsWith('s');
    if (sBits === 64) {
      const [l, h] = V.read64(a);
      if (satur && sSigned !== dSigned) {
        // .sat between s64 and u64: the high word's sign bit marks a negative s64 (→ 0) or a u64
        // past INT64_MAX (→ INT64_MAX)
        const x = tmp(), y = tmp();
        return `{ const ${x} = ${l}, ${y} = ${h}; if (${y} < 0) { ${V.write64(d, dSigned ? '-1' : '0', dSigned ? '2147483647' : '0')} } else { ${V.write64(d, x, y)} } }`;
      }
      return V.write64(d, l, h);
    }
    let v = intValue(V, a, st);
    // .sat from a signed narrower type into u64: a negative value is 0
    if (satur && sSigned && !dSigned) v = `Math.max(0, ${v})`;
    if (V.isNum(d)) return V.writeNum(d, v, false);
    const x = tmp();
    return `{ const ${x} = ${v}; ${V.write64(d, `${x} | 0`, sSigned ? `(${x} < 0 ? -1 : 0)` : '0')} }`;
  }
  let v: string;
  if (sBits === 64) {
    const [l, h] = V.read64(a);
    if (satur) {
      const [lo, hi] = intRange(dt);
      v = `M.clampInt(M.i64ToF64(${l}, ${h}, ${sSigned}), ${lo}, ${hi})`;
    } else v = l;
  } else {
    v = intValue(V, a, st);
    if (satur) {
      const [lo, hi] = intRange(dt);
      v = `M.clampInt(${v}, ${lo}, ${hi})`;
    }
  }
  if (dBits === 16) v = dt.startsWith('s') ? sx16(v) : `((${v}) & 65535)`;
  else if (dBits === 8) v = dt.startsWith('s') ? sx8(v) : `((${v}) & 255)`;
  else v = `((${v}) | 0)`;
  return V.write(d, 'i32', v);
}

export type { Cls };
export { num };
