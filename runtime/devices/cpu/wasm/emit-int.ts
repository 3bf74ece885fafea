/**
 * Native Wasm code for the integer forms nvcc emits that plain Wasm operators do not give directly:
 * bit fields (bfe, bfi), bfind, brev, popc/clz at 64 bits, prmt, shf, mul.hi/mad.hi (64-bit by
 * 32-bit halves), div/rem with PTX's results for a zero divisor and INT_MIN / -1 (Wasm would trap),
 * abs, and float min/max with PTX's NaN rule. 64-bit forms are native i64 operations (no BigInt, no
 * word pairs). Semantics: the PTX ISA's pseudo-code for each instruction (the oracle tables in
 * oracle/instruction-forms.test.ts compare them bit for bit with C compiled by gcc).
 */
import type { Instruction } from '../ast.js';
import { OP, type ValType } from './encoder.js';
import { AtomicEmitter } from './emit-atomics.js';
import { CC_REG, carryIn, carryOut } from '../carry.js';
import { classOf, unsupported } from './ptx-types.js';

type IntCls = 'i32' | 'i64';

/** Operators of one integer width. */
function ops(cls: IntCls) {
  const w = cls === 'i64';
  return {
    W: w ? 64 : 32,
    add: w ? OP.i64_add : OP.i32_add, sub: w ? OP.i64_sub : OP.i32_sub, mul: w ? OP.i64_mul : OP.i32_mul,
    and: w ? OP.i64_and : OP.i32_and, or: w ? OP.i64_or : OP.i32_or, xor: w ? OP.i64_xor : OP.i32_xor,
    shl: w ? OP.i64_shl : OP.i32_shl, shr_u: w ? OP.i64_shr_u : OP.i32_shr_u, shr_s: w ? OP.i64_shr_s : OP.i32_shr_s,
    rotl: w ? OP.i64_rotl : OP.i32_rotl,
    eq: w ? OP.i64_eq : OP.i32_eq, eqz: w ? OP.i64_eqz : OP.i32_eqz, lt_s: w ? OP.i64_lt_s : OP.i32_lt_s, lt_u: w ? OP.i64_lt_u : OP.i32_lt_u,
    clz: w ? OP.i64_clz : OP.i32_clz, popcnt: w ? OP.i64_popcnt : OP.i32_popcnt,
    div_s: w ? OP.i64_div_s : OP.i32_div_s, div_u: w ? OP.i64_div_u : OP.i32_div_u, rem_s: w ? OP.i64_rem_s : OP.i32_rem_s, rem_u: w ? OP.i64_rem_u : OP.i32_rem_u,
  };
}

export abstract class IntEmitter extends AtomicEmitter {
  /** Scratch locals beyond the three `tmp`s per type, made on first use and shared by all instructions. */
  private readonly extra = new Map<string, number>();

  protected xtmp(t: ValType, k: number): number {
    let l = this.extra.get(`${t}${k}`);
    if (l === undefined) this.extra.set(`${t}${k}`, (l = this.localFor(t)));
    return l;
  }

  protected constOf(cls: IntCls, v: number | bigint): void {
    if (cls === 'i32') this.i32(Number(BigInt.asIntN(32, BigInt(v))));
    else this.i64(BigInt.asIntN(64, BigInt(v)));
  }

  /** An i32 on the stack widened to the class (shift amounts of i64 shifts). */
  private widen(cls: IntCls): void {
    if (cls === 'i64') this.op(OP.i64_extend_i32_u);
  }

  /** A 16-bit operand as an i32: sign-extended for .s16, else its low 16 bits (registers hold them zero-extended, immediates may not). */
  private read16(o: Instruction['operands'][number] | undefined, signed: boolean): void {
    this.read(o, 'i32');
    if (signed) {
      this.i32(16);
      this.op(OP.i32_shl);
      this.i32(16);
      this.op(OP.i32_shr_s);
    } else {
      this.i32(0xffff);
      this.op(OP.i32_and);
    }
  }

  /**
   * 16-bit integer forms as i32 operations on the operands' 16-bit values (a 16-bit destination
   * register keeps the low 16 bits: emitter.ts write): logic, selp, add/sub/mul.lo, setp.
   */
  private form16(ins: Instruction, t: string, mods: string[]): boolean {
    const op = ins.parts[0]!;
    const o = ins.operands;
    const signed = t.startsWith('s');
    const binary: Record<string, number> = { and: OP.i32_and, or: OP.i32_or, xor: OP.i32_xor, add: OP.i32_add, sub: OP.i32_sub, mul: OP.i32_mul };
    if (op in binary) {
      if (mods.length > 0 && !(op === 'mul' && mods.join() === 'lo')) return false;
      this.read16(o[1], signed);
      this.read16(o[2], signed);
      this.op(binary[op]!);
      this.write(o[0], 'i32');
      return true;
    }
    if (op === 'not' && mods.length === 0) {
      this.read16(o[1], false);
      this.i32(-1);
      this.op(OP.i32_xor);
      this.write(o[0], 'i32');
      return true;
    }
    if (op === 'selp' && mods.length === 0) {
      this.read16(o[1], false);
      this.read16(o[2], false);
      this.read(o[3], 'pred');
      this.op(OP.select);
      this.write(o[0], 'i32');
      return true;
    }
    if (op === 'setp' && mods.length === 1 && o.length === 3 && o[0]?.kind === 'reg') {
      const cmp: Record<string, number> = {
        eq: OP.i32_eq, ne: OP.i32_ne, lt: signed ? OP.i32_lt_s : OP.i32_lt_u, le: signed ? OP.i32_le_s : OP.i32_le_u,
        gt: signed ? OP.i32_gt_s : OP.i32_gt_u, ge: signed ? OP.i32_ge_s : OP.i32_ge_u, lo: OP.i32_lt_u, ls: OP.i32_le_u, hi: OP.i32_gt_u, hs: OP.i32_ge_u,
      };
      const code = cmp[mods[0]!];
      if (code === undefined) return false;
      // lo/ls/hi/hs compare unsigned whatever the type
      const s = signed && !['lo', 'ls', 'hi', 'hs'].includes(mods[0]!);
      this.read16(o[1], s);
      this.read16(o[2], s);
      this.op(code);
      this.write(o[0], 'pred');
      return true;
    }
    return false;
  }

  /**
   * Extended-precision arithmetic (carry.ts; the JavaScript backend's compile/emit-carry.ts): the
   * carry flag is an i32 register, the sum or difference is formed one bit wider (i64 for 32-bit
   * operands; for 64-bit ones a carry test per step) and its top bit is the flag out.
   */
  protected carryForm(ins: Instruction): void {
    const p = ins.parts;
    const op = p[0]!;
    const t = p[p.length - 1]!;
    const o = ins.operands;
    const cc = this.regs.get(CC_REG);
    if (!cc) unsupported(`line ${ins.line}: internal: no carry register`);
    const sub = op === 'sub' || op === 'subc';
    const pushCin = (): void => {
      this.get(cc.local);
      this.i32(1);
      this.op(OP.i32_and);
    };
    if (!t.endsWith('64')) {
      const s = this.tmp('i64', 0);
      if (op === 'mad' || op === 'madc') {
        const signed = t.startsWith('s');
        for (const x of [o[1], o[2]]) {
          this.read(x, 'i32');
          this.op(signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
        }
        this.op(OP.i64_mul);
        if (p.includes('hi')) {
          this.i64(32n);
          this.op(OP.i64_shr_u);
        }
        this.i64(0xffffffffn);
        this.op(OP.i64_and);
        this.read(o[3], 'i32');
        this.op(OP.i64_extend_i32_u);
        this.op(OP.i64_add);
      } else {
        this.read(o[1], 'i32');
        this.op(OP.i64_extend_i32_u);
        this.read(o[2], 'i32');
        this.op(OP.i64_extend_i32_u);
        this.op(sub ? OP.i64_sub : OP.i64_add);
      }
      if (carryIn(ins)) {
        pushCin();
        this.op(OP.i64_extend_i32_u);
        this.op(sub ? OP.i64_sub : OP.i64_add);
      }
      this.set(s);
      this.get(s);
      this.op(OP.i32_wrap_i64);
      this.write(o[0], 'i32');
      if (carryOut(ins)) {
        // bit 32: the carry out of an add, the borrow (the sign of the wider difference) of a sub
        this.get(s);
        this.i64(32n);
        this.op(OP.i64_shr_u);
        this.op(OP.i32_wrap_i64);
        this.i32(1);
        this.op(OP.i32_and);
        this.set(cc.local);
      }
      return;
    }
    if (op === 'mad' || op === 'madc') unsupported(`line ${ins.line}: '${ins.opcode}' (64-bit mad with carry)`);
    // 64-bit: r = a ± b, flag1 = the carry/borrow of that; r' = r ± cin, flag2 likewise
    const a = this.tmp('i64', 0), r = this.tmp('i64', 1), f = this.xtmp('i32', 2);
    this.read(o[1], 'i64');
    this.set(a);
    this.get(a);
    this.read(o[2], 'i64');
    if (sub) {
      this.set(r);
      // borrow: a < b (unsigned)
      this.get(a);
      this.get(r);
      this.op(OP.i64_lt_u);
      this.set(f);
      this.get(r);
      this.op(OP.i64_sub);
    } else {
      this.op(OP.i64_add);
      this.set(r);
      this.get(r);
      this.get(a);
      this.op(OP.i64_lt_u);
      this.set(f);
      this.get(r);
    }
    if (carryIn(ins)) {
      // a borrow when r < cin (r == 0 and cin == 1), a carry when r + cin wraps to 0
      this.set(r);
      if (sub) {
        this.get(f);
        this.get(r);
        this.op(OP.i64_eqz);
        pushCin();
        this.op(OP.i32_and);
        this.op(OP.i32_or);
        this.set(f);
        this.get(r);
        pushCin();
        this.op(OP.i64_extend_i32_u);
        this.op(OP.i64_sub);
      } else {
        this.get(r);
        pushCin();
        this.op(OP.i64_extend_i32_u);
        this.op(OP.i64_add);
        this.set(r);
        this.get(f);
        this.get(r);
        this.op(OP.i64_eqz);
        pushCin();
        this.op(OP.i32_and);
        this.op(OP.i32_or);
        this.set(f);
        this.get(r);
      }
    }
    this.write(o[0], 'i64');
    if (carryOut(ins)) {
      this.get(f);
      this.set(cc.local);
    }
  }

  /** Native code for the instruction when this file has it: true, else false (nothing emitted). */
  protected intForm(ins: Instruction): boolean {
    const p = ins.parts;
    const op = p[0]!;
    if (carryIn(ins) || carryOut(ins)) {
      this.carryForm(ins);
      return true;
    }
    const t = p[p.length - 1]!;
    const mods = p.slice(1, -1);
    if (/^[bus]16$/.test(t)) return this.form16(ins, t, mods);
    const cls = classOf(t);
    if (cls !== 'i32' && cls !== 'i64') return op === 'min' || op === 'max' ? this.floatMinMax(ins, t, mods) : false;
    const signed = t.startsWith('s');
    switch (op) {
      case 'popc':
      case 'clz':
        if (mods.length > 0) return false;
        this.read(ins.operands[1], cls);
        this.op(op === 'popc' ? ops(cls).popcnt : ops(cls).clz);
        if (cls === 'i64') this.op(OP.i32_wrap_i64);
        this.write(ins.operands[0], 'i32');
        return true;
      case 'brev':
        return mods.length === 0 && this.brev(ins, cls);
      case 'bfe':
        return mods.length === 0 && this.bfe(ins, cls, signed);
      case 'bfi':
        return mods.length === 0 && this.bfi(ins, cls);
      case 'bfind':
        return (mods.length === 0 || mods.join() === 'shiftamt') && this.bfind(ins, cls, signed, mods.length > 0);
      case 'prmt':
        return cls === 'i32' && mods.length === 0 && this.prmt(ins);
      case 'shf':
        return cls === 'i32' && mods.length === 2 && ['l', 'r'].includes(mods[0]!) && ['wrap', 'clamp'].includes(mods[1]!) && this.shf(ins, mods[0] === 'l', mods[1] === 'clamp');
      case 'mul':
      case 'mad':
        return mods.join() === 'hi' && this.mulHi(ins, cls, signed, op === 'mad');
      case 'div':
      case 'rem':
        return mods.length === 0 && this.divRem(ins, cls, signed, op === 'rem');
      case 'sad': {
        // c + |a - b|: the larger minus the smaller (by the type's signedness), plus c, wrapping
        if (mods.length > 0) return false;
        const I = ops(cls);
        const a = this.tmp(cls, 0), b = this.tmp(cls, 1);
        this.read(ins.operands[1], cls);
        this.set(a);
        this.read(ins.operands[2], cls);
        this.set(b);
        this.get(a);
        this.get(b);
        this.op(I.sub);
        this.get(b);
        this.get(a);
        this.op(I.sub);
        this.get(b);
        this.get(a);
        this.op(signed ? I.lt_s : I.lt_u);
        this.op(OP.select);
        this.read(ins.operands[3], cls);
        this.op(I.add);
        this.write(ins.operands[0], cls);
        return true;
      }
      case 'abs':
        if (mods.length > 0 || !signed) return false;
        this.read(ins.operands[1], cls);
        this.set(this.tmp(cls, 0));
        this.constOf(cls, 0);
        this.get(this.tmp(cls, 0));
        this.op(ops(cls).sub);
        this.get(this.tmp(cls, 0));
        this.get(this.tmp(cls, 0));
        this.constOf(cls, 0);
        this.op(ops(cls).lt_s);
        this.op(OP.select);
        this.write(ins.operands[0], cls);
        return true;
      default:
        return false;
    }
  }

  /** brev: swap ever larger groups of bits (1, 2, 4, 8, 16), then the halves by a rotation. */
  private brev(ins: Instruction, cls: IntCls): boolean {
    const I = ops(cls);
    const x = this.tmp(cls, 0);
    this.read(ins.operands[1], cls);
    this.set(x);
    const masks = [0x5555555555555555n, 0x3333333333333333n, 0x0f0f0f0f0f0f0f0fn, 0x00ff00ff00ff00ffn, 0x0000ffff0000ffffn];
    const steps = cls === 'i32' ? 4 : 5;
    for (let i = 0; i < steps; i++) {
      const s = 1 << i;
      // x = ((x >> s) & m) | ((x & m) << s)
      this.get(x);
      this.constOf(cls, s);
      this.op(I.shr_u);
      this.constOf(cls, masks[i]!);
      this.op(I.and);
      this.get(x);
      this.constOf(cls, masks[i]!);
      this.op(I.and);
      this.constOf(cls, s);
      this.op(I.shl);
      this.op(I.or);
      this.set(x);
    }
    this.get(x);
    this.constOf(cls, I.W / 2);
    this.op(I.rotl);
    this.write(ins.operands[0], cls);
    return true;
  }

  /** pos and len operands, each & 0xff (the ISA takes bits 0..7), into i32 tmps 0 and 1. */
  private posLen(posAt: number): { pos: number; len: number } {
    // not the tmps: the field's own operands may be i32 tmps
    const pos = this.xtmp('i32', 3), len = this.xtmp('i32', 4);
    for (const [o, into] of [[posAt, pos], [posAt + 1, len]] as const) {
      this.read(this.currentOperands[o], 'i32');
      this.i32(0xff);
      this.op(OP.i32_and);
      this.set(into);
    }
    return { pos, len };
  }

  private currentOperands: Instruction['operands'] = [];

  /**
   * bfe: the len-bit field at pos, zero- or sign-extended (the sign is the field's top bit, or bit
   * W-1 when the field runs past it). With p = min(pos, W-1) and s = max(W - len, p), the field is
   * ((a >> p) << s) >> s (arithmetic for .s); 0 when len is 0 or (unsigned) pos >= W.
   */
  private bfe(ins: Instruction, cls: IntCls, signed: boolean): boolean {
    const I = ops(cls);
    const a = this.tmp(cls, 0), sh = this.xtmp('i32', 5);
    this.read(ins.operands[1], cls);
    this.set(a);
    this.currentOperands = ins.operands;
    const { pos, len } = this.posLen(2);
    // p = min(pos, W-1) into pos's place after the test below needs the original: keep it in sh first
    this.get(pos);
    this.i32(I.W - 1);
    this.get(pos);
    this.i32(I.W - 1);
    this.op(OP.i32_lt_u);
    this.op(OP.select);
    this.set(sh); // p
    this.get(a);
    this.get(sh);
    this.widen(cls);
    this.op(I.shr_u);
    // s = max(W - len, p) (signed: W - len may be negative)
    this.i32(I.W);
    this.get(len);
    this.op(OP.i32_sub);
    this.get(sh);
    this.i32(I.W);
    this.get(len);
    this.op(OP.i32_sub);
    this.get(sh);
    this.op(OP.i32_gt_s);
    this.op(OP.select);
    this.set(sh); // s
    this.get(sh);
    this.widen(cls);
    this.op(I.shl);
    this.get(sh);
    this.widen(cls);
    this.op(signed ? I.shr_s : I.shr_u);
    this.set(a);
    this.constOf(cls, 0);
    this.get(a);
    // zero when len == 0, or unsigned with pos >= W
    this.get(len);
    this.op(OP.i32_eqz);
    if (!signed) {
      this.get(pos);
      this.i32(I.W);
      this.op(OP.i32_ge_u);
      this.op(OP.i32_or);
    }
    this.op(OP.select);
    this.write(ins.operands[0], cls);
    return true;
  }

  /**
   * bfi: b with the low bits of a inserted at pos: n = min(len, W - pos) bits, mask =
   * (~0 >> (W - n)) << pos, W - n = max(W - len, pos); b itself when len is 0 or pos >= W.
   */
  private bfi(ins: Instruction, cls: IntCls): boolean {
    const I = ops(cls);
    const a = this.tmp(cls, 0), b = this.tmp(cls, 1), mask = this.tmp(cls, 2);
    this.read(ins.operands[1], cls);
    this.set(a);
    this.read(ins.operands[2], cls);
    this.set(b);
    this.currentOperands = ins.operands;
    const { pos, len } = this.posLen(3);
    this.constOf(cls, -1);
    this.i32(I.W);
    this.get(len);
    this.op(OP.i32_sub);
    this.get(pos);
    this.i32(I.W);
    this.get(len);
    this.op(OP.i32_sub);
    this.get(pos);
    this.op(OP.i32_gt_s);
    this.op(OP.select);
    this.widen(cls);
    this.op(I.shr_u);
    this.get(pos);
    this.widen(cls);
    this.op(I.shl);
    this.set(mask);
    // (b & ~mask) | ((a << pos) & mask)
    this.get(b);
    this.get(mask);
    this.constOf(cls, -1);
    this.op(I.xor);
    this.op(I.and);
    this.get(a);
    this.get(pos);
    this.widen(cls);
    this.op(I.shl);
    this.get(mask);
    this.op(I.and);
    this.op(I.or);
    this.get(b);
    this.get(len);
    this.i32(0);
    this.op(OP.i32_ne);
    this.get(pos);
    this.i32(I.W);
    this.op(OP.i32_lt_u);
    this.op(OP.i32_and);
    this.op(OP.select);
    this.write(ins.operands[0], cls);
    return true;
  }

  /** bfind: the highest bit that differs from the sign (.s) or is set (.u); .shiftamt: W-1 minus it; 0xffffffff when none. */
  private bfind(ins: Instruction, cls: IntCls, signed: boolean, shiftAmt: boolean): boolean {
    const I = ops(cls);
    const x = this.tmp(cls, 0), c = this.xtmp('i32', 1);
    this.read(ins.operands[1], cls);
    this.set(x);
    if (signed) {
      this.get(x);
      this.get(x);
      this.constOf(cls, I.W - 1);
      this.op(I.shr_s);
      this.op(I.xor);
      this.set(x);
    }
    this.get(x);
    this.op(I.clz);
    if (cls === 'i64') this.op(OP.i32_wrap_i64);
    this.set(c);
    this.i32(-1);
    if (shiftAmt) this.get(c);
    else {
      this.i32(I.W - 1);
      this.get(c);
      this.op(OP.i32_sub);
    }
    this.get(x);
    this.op(I.eqz);
    // select(-1, r, x == 0): the stack has -1, r, cond; select takes (a, b, c) → c ? a : b
    this.op(OP.select);
    this.write(ins.operands[0], 'i32');
    // note: select above picks -1 when x == 0 (the first operand)
    return true;
  }

  /** prmt (default mode): byte i of d is byte (c >> 4i) & 7 of {b, a}, or its sign replicated when bit 3 of the selector is set. */
  private prmt(ins: Instruction): boolean {
    const t = this.tmp('i64', 0), c = this.tmp('i32', 0), sel = this.tmp('i32', 1), acc = this.tmp('i32', 2), byte = this.xtmp('i32', 0);
    this.read(ins.operands[2], 'i32');
    this.op(OP.i64_extend_i32_u);
    this.i64(32n);
    this.op(OP.i64_shl);
    this.read(ins.operands[1], 'i32');
    this.op(OP.i64_extend_i32_u);
    this.op(OP.i64_or);
    this.set(t);
    this.read(ins.operands[3], 'i32');
    this.set(c);
    this.i32(0);
    this.set(acc);
    for (let i = 0; i < 4; i++) {
      this.get(c);
      this.i32(4 * i);
      this.op(OP.i32_shr_u);
      this.set(sel);
      // byte = (t >> 8 * (sel & 7)) & 0xff
      this.get(t);
      this.get(sel);
      this.i32(7);
      this.op(OP.i32_and);
      this.i32(3);
      this.op(OP.i32_shl);
      this.op(OP.i64_extend_i32_u);
      this.op(OP.i64_shr_u);
      this.op(OP.i32_wrap_i64);
      this.i32(0xff);
      this.op(OP.i32_and);
      this.set(byte);
      // sign replicated: (byte << 24 >> 31) & 0xff when sel & 8
      this.get(byte);
      this.i32(24);
      this.op(OP.i32_shl);
      this.i32(31);
      this.op(OP.i32_shr_s);
      this.i32(0xff);
      this.op(OP.i32_and);
      this.get(byte);
      this.get(sel);
      this.i32(8);
      this.op(OP.i32_and);
      this.op(OP.select);
      this.i32(8 * i);
      this.op(OP.i32_shl);
      this.get(acc);
      this.op(OP.i32_or);
      this.set(acc);
    }
    this.get(acc);
    this.write(ins.operands[0], 'i32');
    return true;
  }

  /** shf.{l,r}.{wrap,clamp}.b32: a funnel shift of the 64-bit {b, a} by n (c & 31, or min(c, 32)). */
  private shf(ins: Instruction, left: boolean, clamp: boolean): boolean {
    const n = this.tmp('i32', 0);
    this.read(ins.operands[3], 'i32');
    if (clamp) {
      this.set(n);
      this.get(n);
      this.i32(32);
      this.get(n);
      this.i32(32);
      this.op(OP.i32_lt_u);
      this.op(OP.select);
    } else {
      this.i32(31);
      this.op(OP.i32_and);
    }
    this.set(n);
    this.read(ins.operands[2], 'i32');
    this.op(OP.i64_extend_i32_u);
    this.i64(32n);
    this.op(OP.i64_shl);
    this.read(ins.operands[1], 'i32');
    this.op(OP.i64_extend_i32_u);
    this.op(OP.i64_or);
    this.get(n);
    this.op(OP.i64_extend_i32_u);
    if (left) {
      this.op(OP.i64_shl);
      this.i64(32n);
    }
    this.op(OP.i64_shr_u);
    this.op(OP.i32_wrap_i64);
    this.write(ins.operands[0], 'i32');
    return true;
  }

  /**
   * mul.hi / mad.hi (+ c): the high half of the double-width product. 32-bit: one i64 product;
   * 64-bit: four 32×32 products of the halves (unsigned), corrected for signed operands by
   * subtracting b when a < 0 and a when b < 0.
   */
  private mulHi(ins: Instruction, cls: IntCls, signed: boolean, addend: boolean): boolean {
    const o = ins.operands;
    if (cls === 'i32') {
      for (const x of [o[1], o[2]]) {
        this.read(x, 'i32');
        this.op(signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
      }
      this.op(OP.i64_mul);
      this.i64(32n);
      this.op(OP.i64_shr_u);
      this.op(OP.i32_wrap_i64);
    } else {
      const a = this.tmp('i64', 0), b = this.tmp('i64', 1), lh = this.tmp('i64', 2), hl = this.xtmp('i64', 0);
      const M32 = 0xffffffffn;
      this.read(o[1], 'i64');
      this.set(a);
      this.read(o[2], 'i64');
      this.set(b);
      const half = (x: number, high: boolean): void => {
        this.get(x);
        if (high) {
          this.i64(32n);
          this.op(OP.i64_shr_u);
        } else {
          this.i64(M32);
          this.op(OP.i64_and);
        }
      };
      half(a, false);
      half(b, true);
      this.op(OP.i64_mul);
      this.set(lh);
      half(a, true);
      half(b, false);
      this.op(OP.i64_mul);
      this.set(hl);
      // hh + (lh >> 32) + (hl >> 32) + (((al*bl) >> 32) + (lh & M32) + (hl & M32)) >> 32
      half(a, true);
      half(b, true);
      this.op(OP.i64_mul);
      this.get(lh);
      this.i64(32n);
      this.op(OP.i64_shr_u);
      this.op(OP.i64_add);
      this.get(hl);
      this.i64(32n);
      this.op(OP.i64_shr_u);
      this.op(OP.i64_add);
      half(a, false);
      half(b, false);
      this.op(OP.i64_mul);
      this.i64(32n);
      this.op(OP.i64_shr_u);
      this.get(lh);
      this.i64(M32);
      this.op(OP.i64_and);
      this.op(OP.i64_add);
      this.get(hl);
      this.i64(M32);
      this.op(OP.i64_and);
      this.op(OP.i64_add);
      this.i64(32n);
      this.op(OP.i64_shr_u);
      this.op(OP.i64_add);
      if (signed) {
        for (const [neg, sub] of [[a, b], [b, a]] as const) {
          this.get(sub);
          this.i64(0n);
          this.get(neg);
          this.i64(0n);
          this.op(OP.i64_lt_s);
          this.op(OP.select);
          this.op(OP.i64_sub);
        }
      }
    }
    if (addend) {
      this.read(o[3], cls);
      this.op(ops(cls).add);
    }
    this.write(o[0], cls);
    return true;
  }

  /**
   * div/rem without Wasm's traps: a zero divisor gives all ones (div) or the dividend (rem), as
   * the JavaScript backend does (the ISA leaves it unspecified); INT_MIN / -1 wraps to INT_MIN.
   */
  private divRem(ins: Instruction, cls: IntCls, signed: boolean, rem: boolean): boolean {
    const I = ops(cls);
    const a = this.tmp(cls, 0), b = this.tmp(cls, 1), safe = this.tmp(cls, 2), zero = this.xtmp('i32', 1);
    this.read(ins.operands[1], cls);
    this.set(a);
    this.read(ins.operands[2], cls);
    this.set(b);
    this.get(b);
    this.op(I.eqz);
    this.set(zero);
    // the divisor Wasm sees: 1 in place of 0 (and of -1 for a signed div, computed as a negation)
    this.constOf(cls, 1);
    this.get(b);
    this.get(zero);
    if (signed && !rem) {
      this.get(b);
      this.constOf(cls, -1);
      this.op(I.eq);
      this.op(OP.i32_or);
    }
    this.op(OP.select);
    this.set(safe);
    this.get(a);
    this.get(safe);
    this.op(rem ? (signed ? I.rem_s : I.rem_u) : signed ? I.div_s : I.div_u);
    if (signed && !rem) {
      this.set(safe);
      this.constOf(cls, 0);
      this.get(a);
      this.op(I.sub);
      this.get(safe);
      this.get(b);
      this.constOf(cls, -1);
      this.op(I.eq);
      this.op(OP.select);
    }
    this.set(safe);
    if (rem) this.get(a);
    else this.constOf(cls, -1);
    this.get(safe);
    this.get(zero);
    this.op(OP.select);
    this.write(ins.operands[0], cls);
    return true;
  }

  /** min/max.f32/f64 (no .ftz): a NaN operand gives the other one; .NaN: NaN when either is (Wasm's own min/max, which also orders -0 below +0). */
  private floatMinMax(ins: Instruction, t: string, mods: string[]): boolean {
    const cls = classOf(t);
    if ((cls !== 'f32' && cls !== 'f64') || !(mods.length === 0 || mods.join() === 'NaN')) return false;
    const f32 = cls === 'f32';
    const min = ins.parts[0] === 'min';
    const code = f32 ? (min ? OP.f32_min : OP.f32_max) : min ? OP.f64_min : OP.f64_max;
    const eq = f32 ? OP.f32_ne : OP.f64_ne;
    const a = this.tmp(cls, 0), b = this.tmp(cls, 1);
    this.read(ins.operands[1], cls);
    this.set(a);
    this.read(ins.operands[2], cls);
    this.set(b);
    this.get(a);
    this.get(b);
    this.op(code);
    if (mods.length === 0) {
      // r = b != b ? a : r; r = a != a ? b : r
      this.set(this.tmp(cls, 2));
      this.get(a);
      this.get(this.tmp(cls, 2));
      this.get(b);
      this.get(b);
      this.op(eq);
      this.op(OP.select);
      this.set(this.tmp(cls, 2));
      this.get(b);
      this.get(this.tmp(cls, 2));
      this.get(a);
      this.get(a);
      this.op(eq);
      this.op(OP.select);
    }
    this.write(ins.operands[0], cls);
    return true;
  }
}
