/** Instruction selection for the WebAssembly backend: arithmetic, comparisons, conversions; memory via emit-memory.ts. */
import type { Instruction, Operand, RegDecl } from '../ast.js';
import { useDef } from '../compile/liveness.js';
import { OP, TRUNC_SAT, type ValType } from './encoder.js';
import { IMPORT, IMPORTS, NO_OPS, ROUNDING, Unsupported, bits, classOf, unsupported } from './ptx-types.js';
import { bridgeFor, type BridgeCall } from './js-bridge.js';
import { IntEmitter } from './emit-int.js';
import { rangeOf } from './ranges.js';
import { emitFma64 } from './fma64.js';
import { MIN_NORMAL_BITS_X2, TIE_BITS, TIE_MASK, emitTieFix } from './fma32.js';
import { type DirectedMode, emitFmaDirected32 } from './fma32-directed.js';
import { emitEx2Fast } from './ex2-fast.js';

/** 0xFD-prefixed SIMD opcodes of the fused f32 fma (relaxed SIMD: f32x4.relaxed_madd is 0x105). */
const SIMD_F32X4 = { splat: 0x13, extract_lane: 0x1f, relaxed_madd: 0x105 } as const;

export abstract class AluEmitter extends IntEmitter {
  /** The kernel's register declarations (for the bridge's JavaScript, js-bridge.ts). */
  protected readonly regDecls = new Map<string, RegDecl>();

  /** Instructions run as imported JavaScript functions (js-bridge.ts), in import order after IMPORTS. */
  readonly bridges: BridgeCall[] = [];

  /** Whether `fma.rn.f64` is one fused `f64x2.relaxed_madd` (fused-madd.ts) rather than fma64.ts's transformations. */
  protected fusedMadd = false;

  /** Whether `fma.rn.f32` is one fused `f32x4.relaxed_madd` first (fused-madd.ts), fma32.ts's f64 sum only for non-finite results. */
  protected fusedMadd32 = false;

  /** Bridged functions by their source, so repeats (a loop copied for its checks) share one import. */
  private readonly bridgeIndex = new Map<Instruction, number>();

  protected instruction(ins: Instruction): void {
    this.line = ins.line;
    const op = ins.parts[0]!;
    if (NO_OPS.has(op)) return;
    this.guarded = ins.guard !== undefined;
    if (ins.guard) {
      this.readPred(ins.guard.name, ins.guard.negate);
      this.open(OP.if, 'guard');
    }
    // the result's range from the operands' ranges before this instruction
    const range = rangeOf(ins, (x) => this.rangeOperand(x));
    if ((op === 'ret' || op === 'exit') && ins.guard) this.exitThread();
    else this.emitOrBridge(ins);
    if (ins.guard) this.close();
    for (const d of useDef(ins).defs) this.forgetProven(d);
    const d = ins.operands[0];
    if (range && d?.kind === 'reg') this.noteRange(d.name, range);
  }

  /**
   * Native code for the instruction, or else, for a pure arithmetic form, a call to the
   * JavaScript backend's code for it (js-bridge.ts); whatever native code was begun is dropped.
   */
  private emitOrBridge(ins: Instruction): void {
    const at = this.c.b.length, depth = this.labels.length;
    try {
      this.emit(ins);
      return;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      this.c.b.length = at;
      while (this.faultCalls.length > 0 && this.faultCalls[this.faultCalls.length - 1]! >= at) this.faultCalls.pop();
      while (this.labels.length > depth) this.dropLabel();
      const k = this.bridgeOf(ins);
      if (k === undefined) throw e;
      this.callBridge(this.bridges[k]!, IMPORTS.length + k);
    }
  }

  /** The instruction's bridge (registered on first use), or undefined when it cannot have one. */
  private bridgeOf(ins: Instruction): number | undefined {
    let k = this.bridgeIndex.get(ins);
    if (k === undefined) {
      const b = bridgeFor(ins, (n) => this.regDecls.get(n));
      if (typeof b === 'string') return undefined;
      k = this.bridges.length;
      this.bridges.push(b);
      this.bridgeIndex.set(ins, k);
    }
    return k;
  }

  /**
   * ex2.approx(.ftz).f32: native where that is provably the bridge's answer (ex2-fast.ts), the
   * bridge for the rest (NaN, ±Inf, results outside the normal range, near-midpoints).
   */
  private ex2(ins: Instruction): void {
    const k = this.bridgeOf(ins);
    if (k === undefined) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const x = this.tmp('f64', 0), f = this.tmp('f64', 1), s = this.tmp('f64', 2), res = this.tmp('f32', 0), ok = this.tmp('i32', 0);
    this.read(ins.operands[1], 'f32');
    this.op(OP.f64_promote_f32);
    this.set(x);
    emitEx2Fast(this.c, { x, f, s, res, ok });
    this.get(ok);
    this.open(OP.if, 'ex2');
    this.get(res);
    this.write(ins.operands[0], 'f32');
    this.op(OP.else);
    this.callBridge(this.bridges[k]!, IMPORTS.length + k);
    this.close();
  }

  /** Passes the bridge its registers, calls it, and stores what it returns. */
  private callBridge(b: BridgeCall, index: number): void {
    for (const r of b.reads) {
      const reg = this.regs.get(r.name);
      if (!reg) unsupported(`line ${this.line}: register '${r.name}'`);
      this.get(reg.local);
      if (r.kind === 'i64') {
        // (lo, hi) from the i64 local
        this.op(OP.i32_wrap_i64);
        this.get(reg.local);
        this.i64(32n);
        this.op(OP.i64_shr_u);
        this.op(OP.i32_wrap_i64);
      }
    }
    this.c.byte(OP.call).u32(index);
    for (const w of [...b.writes].reverse()) {
      const reg = this.regs.get(w.name)!;
      if (w.kind === 'i64') {
        const lo = this.tmp('i32', 0), hi = this.tmp('i32', 1);
        this.set(hi);
        this.set(lo);
        this.get(lo);
        this.op(OP.i64_extend_i32_u);
        this.get(hi);
        this.op(OP.i64_extend_i32_u);
        this.i64(32n);
        this.op(OP.i64_shl);
        this.op(OP.i64_or);
      }
      this.set(reg.local);
    }
  }

  /** The thread is done (the kernel compiler marks it so for later barrier phases). */
  protected abstract exitThread(): void;

  protected emit(ins: Instruction): void {
    const p = ins.parts;
    const op = p[0]!;
    const t = p[p.length - 1]!;
    const o = ins.operands;
    const mods = p.slice(1, -1);
    const onlyMods = (allowed: string[]): void => {
      for (const m of mods) if (!allowed.includes(m)) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    };
    if (this.intForm(ins)) return;
    switch (op) {
      case 'ex2':
        if (t !== 'f32' || !['approx', 'approx.ftz'].includes(mods.join('.'))) unsupported(`line ${ins.line}: '${ins.opcode}'`);
        return this.ex2(ins);
      case 'sqrt':
      case 'rcp': {
        const cls = classOf(t);
        if (op === 'rcp' && t === 'f32' && (mods.join('.') === 'approx' || mods.join('.') === 'approx.ftz')) return this.rcpApprox32(ins, mods.includes('ftz'));
        if ((cls !== 'f32' && cls !== 'f64') || mods.join('.') !== 'rn') unsupported(`line ${ins.line}: '${ins.opcode}'`);
        if (op === 'rcp') {
          if (cls === 'f32') this.c.byte(OP.f32_const).f32bits(0x3f800000);
          else this.c.byte(OP.f64_const).f64(1);
        }
        this.read(o[1], cls);
        this.op(op === 'rcp' ? (cls === 'f32' ? OP.f32_div : OP.f64_div) : cls === 'f32' ? OP.f32_sqrt : OP.f64_sqrt);
        this.write(o[0], cls);
        return;
      }
      case 'copysign': {
        // copysign d, a, b: b's magnitude with a's sign
        const cls = classOf(t);
        if ((cls !== 'f32' && cls !== 'f64') || mods.length > 0) unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.read(o[2], cls);
        this.read(o[1], cls);
        this.op(cls === 'f32' ? OP.f32_copysign : OP.f64_copysign);
        this.write(o[0], cls);
        return;
      }
      case 'mov': {
        onlyMods([]);
        if (o[1]?.kind === 'vec' || o[0]?.kind === 'vec') return this.movVector(ins, t);
        if (o[0]?.kind !== 'reg' || !['reg', 'int', 'f32', 'f64', 'sym'].includes(o[1]?.kind ?? '')) unsupported(`line ${ins.line}: '${ins.opcode}' form`);
        const d = this.reg(o[0]);
        this.read(o[1], d.cls);
        this.write(o[0], d.cls);
        return;
      }
      case 'cvta': {
        if (!(t === 'u64' && ((p[1] === 'to' && p[2] === 'global' && p.length === 4) || (p[1] === 'global' && p.length === 3)))) unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.read(o[1], 'i64');
        this.write(o[0], 'i64');
        return;
      }
      case 'add':
      case 'sub':
        return this.addSub(ins, op === 'sub', t, mods);
      case 'mul':
        return this.mul(ins, t, mods);
      case 'mad':
      case 'fma':
        return this.mad(ins, t, mods);
      case 'div': {
        const cls = classOf(t);
        // div.approx/div.full.f32 (no .ftz): the JavaScript backend's fround(a / b), which is f32 division
        const approx = cls === 'f32' && (mods.join('.') === 'approx' || mods.join('.') === 'full');
        if ((cls !== 'f32' && cls !== 'f64') || (mods.join('.') !== 'rn' && !approx)) unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.binary(o, cls, cls === 'f32' ? OP.f32_div : OP.f64_div);
        return;
      }
      case 'neg':
      case 'abs': {
        onlyMods([]);
        const cls = classOf(t);
        if (cls === 'f32' || cls === 'f64') {
          this.read(o[1], cls);
          this.op(cls === 'f32' ? (op === 'neg' ? OP.f32_neg : OP.f32_abs) : op === 'neg' ? OP.f64_neg : OP.f64_abs);
          this.write(o[0], cls);
          return;
        }
        if ((cls === 'i32' || cls === 'i64') && op === 'neg' && t.startsWith('s')) {
          if (cls === 'i32') this.i32(0);
          else this.i64(0n);
          this.read(o[1], cls);
          this.op(cls === 'i32' ? OP.i32_sub : OP.i64_sub);
          this.write(o[0], cls);
          return;
        }
        return unsupported(`line ${ins.line}: '${ins.opcode}'`);
      }
      case 'min':
      case 'max': {
        onlyMods([]);
        const cls = classOf(t);
        if (cls !== 'i32' && cls !== 'i64') unsupported(`line ${ins.line}: '${ins.opcode}'`);
        const signed = t.startsWith('s');
        const a = this.tmp(cls, 0), b = this.tmp(cls, 1);
        this.read(o[1], cls);
        this.set(a);
        this.read(o[2], cls);
        this.set(b);
        this.get(a);
        this.get(b);
        this.get(a);
        this.get(b);
        const lt = cls === 'i32' ? (signed ? OP.i32_lt_s : OP.i32_lt_u) : signed ? OP.i64_lt_s : OP.i64_lt_u;
        const gt = cls === 'i32' ? (signed ? OP.i32_gt_s : OP.i32_gt_u) : signed ? OP.i64_gt_s : OP.i64_gt_u;
        this.op(op === 'min' ? lt : gt);
        this.op(OP.select);
        this.write(o[0], cls);
        return;
      }
      case 'and':
      case 'or':
      case 'xor': {
        onlyMods([]);
        const cls = classOf(t);
        if (!cls || cls === 'f32' || cls === 'f64') unsupported(`line ${ins.line}: '${ins.opcode}'`);
        const is64 = cls === 'i64';
        const code = op === 'and' ? (is64 ? OP.i64_and : OP.i32_and) : op === 'or' ? (is64 ? OP.i64_or : OP.i32_or) : is64 ? OP.i64_xor : OP.i32_xor;
        this.binary(o, cls, code);
        return;
      }
      case 'not': {
        onlyMods([]);
        const cls = classOf(t);
        if (cls === 'pred') {
          this.read(o[1], 'pred');
          this.op(OP.i32_eqz);
        } else if (cls === 'i32') {
          this.read(o[1], 'i32');
          this.i32(-1);
          this.op(OP.i32_xor);
        } else if (cls === 'i64') {
          this.read(o[1], 'i64');
          this.i64(-1n);
          this.op(OP.i64_xor);
        } else unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.write(o[0], cls);
        return;
      }
      case 'shl':
      case 'shr':
        return this.shift(ins, op === 'shl', t, mods);
      case 'setp':
        return this.setp(ins, t, mods);
      case 'selp': {
        onlyMods([]);
        const cls = classOf(t);
        if (!cls || cls === 'pred') unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.read(o[1], cls);
        this.read(o[2], cls);
        this.read(o[3], 'pred');
        this.op(OP.select);
        this.write(o[0], cls);
        return;
      }
      case 'cvt':
        return this.cvt(ins);
      case 'ld':
        return this.load(ins);
      case 'st':
        return this.store(ins);
      case 'atom':
      case 'red':
        return this.atomic(ins);
      default:
        return unsupported(`line ${ins.line}: '${ins.opcode}'`);
    }
  }

  /**
   * mov.b64 d, {lo, hi} and mov.b32 d, {lo16, hi16} pack halves; mov.b64 {lo, hi}, a and
   * mov.b32 {lo16, hi16}, a unpack them (the halves' registers take their low bits).
   */
  private movVector(ins: Instruction, t: string): void {
    const o = ins.operands;
    const wide = bits(t) === 64;
    const packing = o[1]?.kind === 'vec';
    const items = packing ? (o[1] as { items: Operand[] }).items : o[0]?.kind === 'vec' ? o[0].items : [];
    if (items.length !== 2 || (bits(t) !== 64 && bits(t) !== 32)) unsupported(`line ${ins.line}: vector form of '${ins.opcode}'`);
    if (packing) {
      const [lo, hi] = items;
      if (wide) {
        this.read(hi, 'i32');
        this.op(OP.i64_extend_i32_u);
        this.i64(32n);
        this.op(OP.i64_shl);
        this.read(lo, 'i32');
        this.op(OP.i64_extend_i32_u);
        this.op(OP.i64_or);
      } else {
        this.read(hi, 'i32');
        this.i32(16);
        this.op(OP.i32_shl);
        this.read(lo, 'i32');
        this.i32(0xffff);
        this.op(OP.i32_and);
        this.op(OP.i32_or);
      }
      const d = this.reg(o[0]);
      if (wide && d.cls === 'f64') this.op(OP.f64_reinterpret_i64);
      else if (!wide && d.cls === 'f32') this.op(OP.f32_reinterpret_i32);
      this.write(o[0], d.cls);
      return;
    }
    const x = this.tmp(wide ? 'i64' : 'i32', 0);
    this.read(o[1], wide ? 'i64' : 'i32');
    this.set(x);
    items.forEach((item, i) => {
      if (item.kind === 'sink') return;
      this.get(x);
      if (i === 1) {
        if (wide) this.i64(32n);
        else this.i32(16);
        this.op(wide ? OP.i64_shr_u : OP.i32_shr_u);
      }
      if (wide) this.op(OP.i32_wrap_i64);
      else if (i === 0) {
        this.i32(0xffff);
        this.op(OP.i32_and);
      }
      const r = this.reg(item);
      if (r.cls === 'f32') this.op(OP.f32_reinterpret_i32);
      this.write(item, r.cls === 'f32' ? 'f32' : 'i32');
    });
  }

  protected binary(o: Operand[], cls: ValType | 'pred', code: number): void {
    this.read(o[1], cls);
    this.read(o[2], cls);
    this.op(code);
    this.write(o[0], cls);
  }

  protected addSub(ins: Instruction, sub: boolean, t: string, mods: string[]): void {
    const cls = classOf(t);
    if (cls === 'f32' || cls === 'f64') {
      if (mods.some((m) => m !== 'rn')) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      this.binary(ins.operands, cls, cls === 'f32' ? (sub ? OP.f32_sub : OP.f32_add) : sub ? OP.f64_sub : OP.f64_add);
      return;
    }
    if ((cls !== 'i32' && cls !== 'i64') || mods.length > 0) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    this.binary(ins.operands, cls, cls === 'i32' ? (sub ? OP.i32_sub : OP.i32_add) : sub ? OP.i64_sub : OP.i64_add);
  }

  /** Reads a 32-bit operand widened to i64 by the type's signedness (mul.wide, mad.wide). */
  protected readWide(o: Operand | undefined, t: string): void {
    this.read(o, 'i32');
    this.op(t.startsWith('s') ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
  }

  protected mul(ins: Instruction, t: string, mods: string[]): void {
    const o = ins.operands;
    const cls = classOf(t);
    if (cls === 'f32' || cls === 'f64') {
      if (mods.some((m) => m !== 'rn')) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      this.binary(o, cls, cls === 'f32' ? OP.f32_mul : OP.f64_mul);
      return;
    }
    const mode = mods.join('.');
    if (mode === 'wide' && cls === 'i32') {
      this.readWide(o[1], t);
      this.readWide(o[2], t);
      this.op(OP.i64_mul);
      this.write(o[0], 'i64');
      return;
    }
    if (mode === 'wide' && (t === 'u16' || t === 's16')) {
      // 16 × 16 → 32 bits: exact in an i32 product
      for (const x of [o[1], o[2]]) {
        this.read(x, 'i32');
        if (t === 's16') {
          this.i32(16);
          this.op(OP.i32_shl);
          this.i32(16);
          this.op(OP.i32_shr_s);
        } else {
          this.i32(0xffff);
          this.op(OP.i32_and);
        }
      }
      this.op(OP.i32_mul);
      this.write(o[0], 'i32');
      return;
    }
    if ((mode === 'lo' || mode === '') && (cls === 'i32' || cls === 'i64')) {
      this.binary(o, cls, cls === 'i32' ? OP.i32_mul : OP.i64_mul);
      return;
    }
    unsupported(`line ${ins.line}: '${ins.opcode}'`);
  }

  protected mad(ins: Instruction, t: string, mods: string[]): void {
    const o = ins.operands;
    const cls = classOf(t);
    const mode = mods.join('.');
    if (cls === 'f32') {
      if (mode === 'rz' || mode === 'rm' || mode === 'rp') return this.fma32(o, mode);
      if (mode !== 'rn' && mode !== '') unsupported(`line ${ins.line}: '${ins.opcode}'`);
      return this.fma32(o);
    }
    if (cls === 'f64') {
      if (mode !== 'rn') unsupported(`line ${ins.line}: '${ins.opcode}'`);
      // native (fma64.ts), the imported exact fma only outside the range where that is exact
      const l = {
        a: this.tmp('f64', 0), b: this.tmp('f64', 1), c: this.tmp('f64', 2), p: this.xtmp('f64', 0), e: this.xtmp('f64', 1), s: this.xtmp('f64', 2),
        t: this.xtmp('f64', 3), v: this.xtmp('f64', 4), ve: this.xtmp('f64', 5), hi: this.xtmp('f64', 6), bits: this.tmp('i64', 0),
      };
      this.read(o[1], 'f64');
      this.set(l.a);
      this.read(o[2], 'f64');
      this.set(l.b);
      this.read(o[3], 'f64');
      this.set(l.c);
      emitFma64(this.c, l, IMPORT.fma64, this.fusedMadd);
      this.write(o[0], 'f64');
      return;
    }
    if (ins.parts[0] !== 'mad') unsupported(`line ${ins.line}: '${ins.opcode}'`);
    if (mode === 'wide' && cls === 'i32') {
      this.readWide(o[1], t);
      this.readWide(o[2], t);
      this.op(OP.i64_mul);
      this.read(o[3], 'i64');
      this.op(OP.i64_add);
      this.write(o[0], 'i64');
      return;
    }
    if (mode === 'lo' && (cls === 'i32' || cls === 'i64')) {
      this.read(o[1], cls);
      this.read(o[2], cls);
      this.op(cls === 'i32' ? OP.i32_mul : OP.i64_mul);
      this.read(o[3], cls);
      this.op(cls === 'i32' ? OP.i32_add : OP.i64_add);
      this.write(o[0], cls);
      return;
    }
    unsupported(`line ${ins.line}: '${ins.opcode}'`);
  }

  /**
   * rcp.approx(.ftz).f32 as the JavaScript backend computes it: fround(1 / a), which is f32
   * division (an f64 quotient rounded to f32 is the correctly rounded f32 one), with .ftz's
   * subnormal source and result as zeros of their sign (math.ts ftz).
   */
  private rcpApprox32(ins: Instruction, ftz: boolean): void {
    const o = ins.operands;
    this.c.byte(OP.f32_const).f32bits(0x3f800000);
    this.read(o[1], 'f32');
    if (ftz) this.ftz32();
    this.op(OP.f32_div);
    if (ftz) this.ftz32();
    this.write(o[0], 'f32');
  }

  /** The f32 on the stack, a subnormal replaced by the zero of its sign (.ftz). */
  private ftz32(): void {
    const x = this.tmp('f32', 1);
    this.set(x);
    this.c.byte(OP.f32_const).f32bits(0);
    this.get(x);
    this.op(OP.f32_copysign);
    this.get(x);
    this.get(x);
    this.op(OP.f32_abs);
    this.c.byte(OP.f32_const).f32bits(0x00800000); // 2^-126, the least normal f32
    this.op(OP.f32_lt);
    this.op(OP.select);
  }

  /**
   * fma.rn.f32 exactly (fma32.ts): the f64 sum a*b + c rounded to f32; only when the sum's bits
   * say it may be a tie does the exact error of the sum decide between the two neighbours. Two
   * branches (not one on an or of both tests): fewer instructions on the path every fma takes.
   * A directed mode (.rz/.rm/.rp) steps from the same sum instead (fma32-directed.ts).
   */
  protected fma32(o: Operand[], directed?: DirectedMode): void {
    const res = this.tmp('f32', 0);
    if (directed || !this.fusedMadd32) {
      this.fma32Exact(o, directed);
    } else {
      // one hardware fused multiply-add (lane 0 of splats); a non-finite result (overflow, NaN,
      // infinities) goes the f64 way below, so its bits are what they always were
      this.open(OP.block, 'fma_fused');
      for (const k of [1, 2, 3]) {
        this.read(o[k], 'f32');
        this.c.byte(0xfd).u32(SIMD_F32X4.splat);
      }
      this.c.byte(0xfd).u32(SIMD_F32X4.relaxed_madd);
      this.c.byte(0xfd).u32(SIMD_F32X4.extract_lane).byte(0);
      this.c.byte(OP.local_tee).u32(res);
      this.op(OP.f32_abs);
      this.c.byte(OP.f32_const).f32bits(0x7f800000);
      this.op(OP.f32_lt);
      this.br('fma_fused', true);
      this.fma32Exact(o);
      this.close();
    }
    this.get(res);
    this.write(o[0], 'f32');
  }

  /** fma.rn.f32 (or a directed mode) from the f64 sum, left in the f32 temporary 0. */
  private fma32Exact(o: Operand[], directed?: DirectedMode): void {
    const c32 = this.tmp('f32', 2), res = this.tmp('f32', 0), sbits = this.tmp('i64', 0);
    const sum = this.tmp('f64', 0), prod = this.tmp('f64', 1), err = this.tmp('f64', 2);
    this.read(o[1], 'f32');
    this.op(OP.f64_promote_f32);
    this.read(o[2], 'f32');
    this.op(OP.f64_promote_f32);
    this.op(OP.f64_mul);
    this.c.byte(OP.local_tee).u32(prod);
    this.read(o[3], 'f32');
    this.c.byte(OP.local_tee).u32(c32);
    this.op(OP.f64_promote_f32);
    this.op(OP.f64_add);
    this.c.byte(OP.local_tee).u32(sum);
    this.op(OP.f32_demote_f64);
    this.set(res);
    if (directed) {
      emitFmaDirected32(this.c, { sum, prod, c32, res, err }, directed);
      return;
    }
    this.open(OP.block, 'fma_done');
    this.open(OP.block, 'fma_tie');
    // maybe a tie: in the normal range, low 29 mantissa bits 1 then zeros ((x - TIE_BITS) & TIE_MASK
    // is zero: V8 makes it a lea and a test)
    this.get(sum);
    this.op(OP.i64_reinterpret_f64);
    this.c.byte(OP.local_tee).u32(sbits);
    this.op(OP.i32_wrap_i64);
    this.i32(TIE_BITS);
    this.op(OP.i32_sub);
    this.i32(TIE_MASK);
    this.op(OP.i32_and);
    this.op(OP.i32_eqz);
    this.br('fma_tie', true);
    // … or anywhere below 2^-126 (the f32 subnormal range, where the f32 grid is 2^-149)
    this.get(sbits);
    this.i64(1n);
    this.op(OP.i64_shl);
    this.i64(MIN_NORMAL_BITS_X2);
    this.op(OP.i64_lt_u);
    this.br('fma_tie', true);
    this.br('fma_done');
    this.close();
    emitTieFix(this.c, { sum, prod, c32, res, err });
    this.close();
  }

  /** PTX shifts clamp: an amount ≥ the width gives 0 (or the sign for shr.s), unlike Wasm's modulo. */
  protected shift(ins: Instruction, left: boolean, t: string, mods: string[]): void {
    const o = ins.operands;
    const cls = classOf(t);
    if ((cls !== 'i32' && cls !== 'i64') || mods.length > 0) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const width = cls === 'i32' ? 32 : 64;
    const signed = !left && t.startsWith('s');
    const code = cls === 'i32' ? (left ? OP.i32_shl : signed ? OP.i32_shr_s : OP.i32_shr_u) : left ? OP.i64_shl : signed ? OP.i64_shr_s : OP.i64_shr_u;
    const amount = o[2];
    if (amount?.kind === 'int' && amount.value >= 0n && amount.value < BigInt(width)) {
      this.read(o[1], cls);
      if (cls === 'i32') this.i32(Number(amount.value));
      else this.i64(amount.value);
      this.op(code);
      this.write(o[0], cls);
      return;
    }
    const n = this.tmp('i32', 0);
    this.read(amount, 'i32');
    this.set(n);
    // signed right shifts clamp the amount to width-1; the others give 0 past the width
    this.read(o[1], cls);
    if (signed) {
      this.get(n);
      this.i32(width - 1);
      this.get(n);
      this.i32(width - 1);
      this.op(OP.i32_lt_u);
      this.op(OP.select);
    } else this.get(n);
    if (cls === 'i64') this.op(OP.i64_extend_i32_u);
    this.op(code);
    if (!signed) {
      if (cls === 'i32') this.i32(0);
      else this.i64(0n);
      this.get(n);
      this.i32(width);
      this.op(OP.i32_lt_u);
      this.op(OP.select);
    }
    this.write(o[0], cls);
  }

  protected setp(ins: Instruction, t: string, mods: string[]): void {
    const o = ins.operands;
    if (o.length !== 3 || o[0]?.kind !== 'reg' || mods.length !== 1) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const cmp = mods[0]!;
    const cls = classOf(t);
    if (!cls || cls === 'pred') unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const a = this.tmp(cls, 0), b = this.tmp(cls, 1);
    this.read(o[1], cls);
    this.set(a);
    this.read(o[2], cls);
    this.set(b);
    const pair = (x: number): void => {
      this.get(a);
      this.get(b);
      this.op(x);
    };
    if (cls === 'i32' || cls === 'i64') {
      const signed = t.startsWith('s');
      const I = cls === 'i32'
        ? { eq: OP.i32_eq, ne: OP.i32_ne, lts: OP.i32_lt_s, ltu: OP.i32_lt_u, les: OP.i32_le_s, leu: OP.i32_le_u, gts: OP.i32_gt_s, gtu: OP.i32_gt_u, ges: OP.i32_ge_s, geu: OP.i32_ge_u }
        : { eq: OP.i64_eq, ne: OP.i64_ne, lts: OP.i64_lt_s, ltu: OP.i64_lt_u, les: OP.i64_le_s, leu: OP.i64_le_u, gts: OP.i64_gt_s, gtu: OP.i64_gt_u, ges: OP.i64_ge_s, geu: OP.i64_ge_u };
      const table: Record<string, number> = {
        eq: I.eq, ne: I.ne, lt: signed ? I.lts : I.ltu, le: signed ? I.les : I.leu, gt: signed ? I.gts : I.gtu, ge: signed ? I.ges : I.geu,
        lo: I.ltu, ls: I.leu, hi: I.gtu, hs: I.geu,
      };
      const code = table[cmp];
      if (code === undefined) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      pair(code);
      this.write(o[0], 'pred');
      return;
    }
    const F = cls === 'f32'
      ? { eq: OP.f32_eq, ne: OP.f32_ne, lt: OP.f32_lt, le: OP.f32_le, gt: OP.f32_gt, ge: OP.f32_ge }
      : { eq: OP.f64_eq, ne: OP.f64_ne, lt: OP.f64_lt, le: OP.f64_le, gt: OP.f64_gt, ge: OP.f64_ge };
    const orderedNe = (): void => {
      pair(F.lt);
      pair(F.gt);
      this.op(OP.i32_or);
    };
    const num = (): void => {
      this.get(a);
      this.get(a);
      this.op(F.eq);
      this.get(b);
      this.get(b);
      this.op(F.eq);
      this.op(OP.i32_and);
    };
    switch (cmp) {
      case 'eq': case 'lt': case 'le': case 'gt': case 'ge': pair(F[cmp]); break;
      case 'ne': orderedNe(); break;
      case 'neu': pair(F.ne); break;
      case 'equ': orderedNe(); this.op(OP.i32_eqz); break;
      case 'ltu': pair(F.ge); this.op(OP.i32_eqz); break;
      case 'leu': pair(F.gt); this.op(OP.i32_eqz); break;
      case 'gtu': pair(F.le); this.op(OP.i32_eqz); break;
      case 'geu': pair(F.lt); this.op(OP.i32_eqz); break;
      case 'num': num(); break;
      case 'nan': num(); this.op(OP.i32_eqz); break;
      default: unsupported(`line ${ins.line}: '${ins.opcode}'`);
    }
    this.write(o[0], 'pred');
  }

  protected cvt(ins: Instruction): void {
    const p = ins.parts;
    const o = ins.operands;
    const dt = p[p.length - 2]!, st = p[p.length - 1]!;
    const mods = p.slice(1, -2);
    const round = mods.filter((m) => ROUNDING.has(m));
    const other = mods.filter((m) => !ROUNDING.has(m));
    const isInt = (x: string): boolean => /^[bus](8|16|32|64)$/.test(x);
    const isFloat = (x: string): boolean => x === 'f32' || x === 'f64';
    const dBits = bits(dt), sBits = bits(st);
    if (isInt(dt) && isInt(st)) {
      if (mods.length > 0 || dBits < 16) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      this.read(o[1], sBits === 64 ? 'i64' : 'i32');
      if (sBits < 32) {
        if (st.startsWith('s')) {
          this.i32(32 - sBits);
          this.op(OP.i32_shl);
          this.i32(32 - sBits);
          this.op(OP.i32_shr_s);
        } else {
          this.i32(sBits === 8 ? 0xff : 0xffff);
          this.op(OP.i32_and);
        }
      }
      if (dBits === 64 && sBits < 64) this.op(st.startsWith('s') ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
      if (dBits <= 32 && sBits === 64) this.op(OP.i32_wrap_i64);
      if (dBits === 16 && this.reg(o[0]).cls !== 'i16') unsupported(`line ${ins.line}: '${ins.opcode}' into a wider register`);
      this.write(o[0], dBits === 64 ? 'i64' : 'i32');
      return;
    }
    if (isFloat(dt) && isInt(st)) {
      const mode = round[0] ?? 'rn';
      if (other.length > 0 || round.length > 1 || !['rn', 'rz', 'rm', 'rp'].includes(mode) || sBits < 32) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      const signed = st.startsWith('s');
      this.read(o[1], sBits === 64 ? 'i64' : 'i32');
      // .rn is Wasm's own conversion; so is any mode where the value is exact (32 bits into f64)
      if (mode === 'rn' || (dt === 'f64' && sBits === 32)) {
        const table: Record<string, number> = {
          'f32 32 s': OP.f32_convert_i32_s, 'f32 32 u': OP.f32_convert_i32_u, 'f32 64 s': OP.f32_convert_i64_s, 'f32 64 u': OP.f32_convert_i64_u,
          'f64 32 s': OP.f64_convert_i32_s, 'f64 32 u': OP.f64_convert_i32_u, 'f64 64 s': OP.f64_convert_i64_s, 'f64 64 u': OP.f64_convert_i64_u,
        };
        this.op(table[`${dt} ${sBits} ${signed ? 's' : 'u'}`]!);
      } else {
        if (sBits === 32) this.op(signed ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
        this.directedIntToFloat(dt as 'f32' | 'f64', signed, mode as 'rz' | 'rm' | 'rp');
      }
      this.write(o[0], dt as ValType);
      return;
    }
    const roundOp = (cls: 'f32' | 'f64', r: string | undefined): void => {
      const code = { rni: cls === 'f32' ? OP.f32_nearest : OP.f64_nearest, rzi: cls === 'f32' ? OP.f32_trunc : OP.f64_trunc, rmi: cls === 'f32' ? OP.f32_floor : OP.f64_floor, rpi: cls === 'f32' ? OP.f32_ceil : OP.f64_ceil }[r ?? ''];
      if (code === undefined) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      this.op(code);
    };
    if (isInt(dt) && isFloat(st)) {
      // float → integer saturates like trunc_sat
      if (other.some((m) => m !== 'ftz') || round.length !== 1 || dBits < 32) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      const cls = st as 'f32' | 'f64';
      const x = this.tmp(cls, 0);
      this.read(o[1], cls);
      this.set(x);
      if (cls === 'f32' && other.includes('ftz')) {
        // .ftz: a subnormal source is sign-preserving zero first (.rpi of 2^-140 is 0, not 1):
        // select(x * 0, x, |x| < 2^-126)
        this.get(x);
        this.c.byte(OP.f32_const).f32bits(0);
        this.op(OP.f32_mul);
        this.get(x);
        this.get(x);
        this.op(OP.f32_abs);
        this.c.byte(OP.f32_const).f32bits(0x00800000);
        this.op(OP.f32_lt);
        this.op(OP.select);
        this.set(x);
      }
      this.get(x);
      roundOp(cls, round[0]);
      const key = `i${dBits}_${cls}_${dt.startsWith('s') ? 's' : 'u'}` as keyof typeof TRUNC_SAT;
      this.c.byte(0xfc).u32(TRUNC_SAT[key]);
      // NaN, per the ISA's cvt Integer Notes: "Zero if source is not .f64 and destination is not
      // .s64, .u64. Otherwise 1 << (BitWidth(dst) - 1)"; trunc_sat gives 0, so only the second case
      if (cls === 'f64' || dBits === 64) {
        if (dBits === 64) this.i64(-(2n ** 63n));
        else this.i32(-0x80000000);
        this.get(x);
        this.get(x);
        this.op(cls === 'f32' ? OP.f32_eq : OP.f64_eq);
        this.op(OP.select);
      }
      this.write(o[0], dBits === 64 ? 'i64' : 'i32');
      return;
    }
    if (isFloat(dt) && isFloat(st)) {
      const sat = other.length === 1 && other[0] === 'sat';
      if (other.length > 0 && !sat) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      const cls = st as 'f32' | 'f64';
      this.read(o[1], cls);
      if (dt === st) {
        // cvt.sat.f32.f32 (nvcc's __saturatef, in every expf) has no rounding: the value itself
        if (round.length !== 1 && !(sat && round.length === 0)) unsupported(`line ${ins.line}: '${ins.opcode}'`);
        if (round.length === 1) roundOp(cls, round[0]);
      } else if (dt === 'f64') {
        if (round.length > 0) unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.op(OP.f64_promote_f32);
      } else {
        if (round.join() !== 'rn') unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.op(OP.f32_demote_f64);
      }
      if (sat) this.saturate(dt as 'f32' | 'f64');
      this.write(o[0], dt as ValType);
      return;
    }
    unsupported(`line ${ins.line}: '${ins.opcode}'`);
  }

  /**
   * .sat on the float on the stack, as the JavaScript backend's M.sat: NaN → +0, below 0 → +0,
   * above 1 → 1, else itself (−0 stays −0): select(select(1, x, x > 1), 0, x >= 0).
   */
  private saturate(cls: 'f32' | 'f64'): void {
    const x = this.tmp(cls, 0);
    const konst = (v: number): void => {
      if (cls === 'f32') this.c.byte(OP.f32_const).f32bits(v === 1 ? 0x3f800000 : 0);
      else this.c.byte(OP.f64_const).f64(v);
    };
    this.set(x);
    konst(1);
    this.get(x);
    this.get(x);
    konst(1);
    this.op(cls === 'f32' ? OP.f32_gt : OP.f64_gt);
    this.op(OP.select);
    konst(0);
    this.get(x);
    konst(0);
    this.op(cls === 'f32' ? OP.f32_ge : OP.f64_ge);
    this.op(OP.select);
  }

  /**
   * An i64 on the stack (s64 or u64, `signed`) to f32/f64 rounded toward zero (.rz), −∞ (.rm) or
   * +∞ (.rp), with one rounding: the magnitude converts to nearest (Wasm's own, exact IEEE), the
   * result is compared with the magnitude exactly (as an integer: a rounded value is integral, at
   * most 2^64), and moved one unit toward zero when it came out above and the mode rounds toward
   * zero for this sign, or away from zero when it came out below and the mode rounds away.
   */
  private directedIntToFloat(dt: 'f32' | 'f64', signed: boolean, mode: 'rz' | 'rm' | 'rp'): void {
    const f32 = dt === 'f32';
    const mag = this.tmp('i64', 0), neg = this.tmp('i32', 0), r = this.tmp(dt, 0), above = this.tmp('i32', 1), below = this.tmp('i32', 2);
    if (signed) {
      // neg = v < 0; mag = neg ? 0 - v : v (|INT64_MIN| is 2^63 as a u64)
      this.c.byte(OP.local_tee).u32(mag);
      this.i64(0n);
      this.op(OP.i64_lt_s);
      this.set(neg);
      this.i64(0n);
      this.get(mag);
      this.op(OP.i64_sub);
      this.get(mag);
      this.get(neg);
      this.op(OP.select);
    }
    this.c.byte(OP.local_tee).u32(mag);
    this.op(f32 ? OP.f32_convert_i64_u : OP.f64_convert_i64_u);
    this.c.byte(OP.local_tee).u32(r);
    // above = r >= 2^64 || trunc(r) > mag; below = trunc(r) < mag (trunc exact: r is integral)
    if (f32) this.c.byte(OP.f32_const).f32bits(0x5f800000);
    else this.c.byte(OP.f64_const).f64(2 ** 64);
    this.op(f32 ? OP.f32_ge : OP.f64_ge);
    this.get(r);
    this.c.byte(0xfc).u32(f32 ? TRUNC_SAT.i64_f32_u : TRUNC_SAT.i64_f64_u);
    this.get(mag);
    this.op(OP.i64_gt_u);
    this.op(OP.i32_or);
    this.set(above);
    this.get(r);
    this.c.byte(0xfc).u32(f32 ? TRUNC_SAT.i64_f32_u : TRUNC_SAT.i64_f64_u);
    this.get(mag);
    this.op(OP.i64_lt_u);
    this.set(below);
    // the magnitude's bits, one step toward zero (−above) or away from it (+below)
    this.get(r);
    this.op(f32 ? OP.i32_reinterpret_f32 : OP.i64_reinterpret_f64);
    this.i32(0);
    this.get(above);
    this.op(OP.i32_sub);
    this.get(below);
    // toward zero: .rz always; .rm for a positive value; .rp for a negative one
    if (mode === 'rz') this.i32(1);
    else if (!signed) this.i32(mode === 'rm' ? 1 : 0);
    else {
      this.get(neg);
      if (mode === 'rm') this.op(OP.i32_eqz);
    }
    this.op(OP.select);
    if (!f32) this.op(OP.i64_extend_i32_s);
    this.op(f32 ? OP.i32_add : OP.i64_add);
    this.op(f32 ? OP.f32_reinterpret_i32 : OP.f64_reinterpret_i64);
    if (signed) {
      this.c.byte(OP.local_tee).u32(r);
      this.op(f32 ? OP.f32_neg : OP.f64_neg);
      this.get(r);
      this.get(neg);
      this.op(OP.select);
    }
  }
}
