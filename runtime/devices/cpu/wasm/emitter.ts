/**
 * The WebAssembly backend's base emitter: the function body being written, its locals and labels,
 * and reading/writing PTX operands as Wasm values. Subclasses add memory accesses (emit-memory.ts),
 * arithmetic (emit-alu.ts) and the kernel's structure (compile-wasm.ts).
 */
import type { Operand } from '../ast.js';
import type { Layout } from '../compile/layout.js';
import { Bytes, OP, type LocalType, type ValType } from './encoder.js';
import { LAUNCH_ARGS, REINTERPRET, unsupported, valType, type Cls, type Reg } from './ptx-types.js';

/** Between integer widths and across them (low bits of a wider value; zero-extension of a narrower one). */
const WIDEN_NARROW: Record<string, number[]> = {
  'i64>i32': [OP.i32_wrap_i64], 'i32>i64': [OP.i64_extend_i32_u],
  'f64>i32': [OP.i64_reinterpret_f64, OP.i32_wrap_i64], 'f32>i64': [OP.i32_reinterpret_f32, OP.i64_extend_i32_u],
  'i64>f32': [OP.i32_wrap_i64, OP.f32_reinterpret_i32],
};

export abstract class WasmEmitter {
  protected readonly c = new Bytes();

  protected readonly locals: LocalType[] = [];

  protected readonly regs = new Map<string, Reg>();

  protected readonly labels: string[] = [];

  /** Per open label, its positions in `labels` (innermost last): depth() in O(1), not a scan of thousands of open blocks. */
  private readonly labelAt = new Map<string, number[]>();

  protected readonly params: { name: string; local: number; type: ValType; size: number }[] = [];

  protected readonly tmps = new Map<string, number>();

  // launch-shape parameters and loop counters
  // the launch arguments of `run` (see wasm-launch.ts), then the kernel parameters
  protected readonly P = { b0: 0, b1: 1, gx: 2, gy: 3, gz: 4, ntx: 5, nty: 6, ntz: 7, sh: 8, shSize: 9, resumeBase: 10, slotBase: 11, winBase: 12, nwin: 13 };

  protected L = { b: 0, t: 0, tx: 0, ty: 0, tz: 0, cx: 0, cy: 0, cz: 0, n: 0, q: 0, a: 0, idx: 0, pc: 0, seen: 0, ra: 0, sb: 0, aa: 0, w: 0, s64: 0, cur: 0, gone: 0, lo: 0, lim: 0 };

  protected line = 0;

  protected nParams = LAUNCH_ARGS;

  protected lay!: Layout;

  protected usesShared = false;

  /** The kernel reads or writes its local frame (then the launch gives each thread one). */
  protected usesLocal = false;

  protected open(kind: number, label: string): void {
    this.c.byte(kind).byte(0x40);
    const at = this.labelAt.get(label);
    if (at) at.push(this.labels.length);
    else this.labelAt.set(label, [this.labels.length]);
    this.labels.push(label);
  }

  protected close(): void {
    this.c.byte(OP.end);
    const label = this.labels.pop();
    if (label !== undefined) this.labelAt.get(label)!.pop();
  }

  /** Forgets the innermost label without closing it in the code (its code was dropped). */
  protected dropLabel(): void {
    const label = this.labels.pop();
    if (label !== undefined) this.labelAt.get(label)!.pop();
  }

  protected depth(label: string): number {
    const at = this.labelAt.get(label);
    const i = at && at.length > 0 ? at[at.length - 1]! : -1;
    if (i < 0) throw new Error(`internal: label ${label} not open`);
    return this.labels.length - 1 - i;
  }

  protected br(label: string, conditional = false): void {
    this.c.byte(conditional ? OP.br_if : OP.br).u32(this.depth(label));
  }

  /** cx, cy, cz of the block whose linear index is in local or parameter `b`: b = cx + gx · (cy + gy · cz). */
  protected blockCoordinates(b: number): void {
    const { P, L } = this;
    this.get(b);
    this.get(P.gx);
    this.op(OP.i32_rem_u);
    this.set(L.cx);
    this.get(b);
    this.get(P.gx);
    this.op(OP.i32_div_u);
    this.set(L.q);
    this.get(L.q);
    this.get(P.gy);
    this.op(OP.i32_rem_u);
    this.set(L.cy);
    this.get(L.q);
    this.get(P.gy);
    this.op(OP.i32_div_u);
    this.set(L.cz);
  }

  protected get(i: number): void {
    this.c.byte(OP.local_get).u32(i);
  }

  protected set(i: number): void {
    this.c.byte(OP.local_set).u32(i);
  }

  protected i32(v: number): void {
    this.c.byte(OP.i32_const).s32(v);
  }

  protected i64(v: bigint): void {
    this.c.byte(OP.i64_const).s64(v);
  }

  protected op(code: number): void {
    this.c.byte(code);
  }

  protected tmp(t: ValType, k = 0): number {
    return this.tmps.get(`${t}${k}`)!;
  }

  /** counter++; on reaching `limit` it wraps to 0 and `next` runs (the next coordinate's increment). */
  protected carry(counter: number, limit: number, next: () => void): void {
    this.inc(counter);
    this.get(counter);
    this.get(limit);
    this.op(OP.i32_eq);
    this.open(OP.if, 'carry');
    this.i32(0);
    this.set(counter);
    next();
    this.close();
  }

  protected inc(local: number): void {
    this.get(local);
    this.i32(1);
    this.op(OP.i32_add);
    this.set(local);
  }

  protected reg(o: Operand | undefined): Reg {
    if (!o || o.kind !== 'reg') unsupported(`line ${this.line}: expected a register`);
    const r = this.regs.get(o.name);
    if (!r) unsupported(`line ${this.line}: special or undeclared register '${o.name}' as a destination or value`);
    return r;
  }

  protected readPred(name: string, negate: boolean): void {
    const r = this.regs.get(name);
    if (!r || r.cls !== 'pred') unsupported(`line ${this.line}: guard '${name}' is not a predicate`);
    this.get(r.local);
    if (negate) this.op(OP.i32_eqz);
  }

  protected special(name: string): boolean {
    const { L, P } = this;
    const map: Record<string, number> = {
      '%tid.x': L.tx, '%tid.y': L.ty, '%tid.z': L.tz, '%ntid.x': P.ntx, '%ntid.y': P.nty, '%ntid.z': P.ntz,
      '%ctaid.x': L.cx, '%ctaid.y': L.cy, '%ctaid.z': L.cz, '%nctaid.x': P.gx, '%nctaid.y': P.gy, '%nctaid.z': P.gz,
    };
    if (name in map) {
      this.get(map[name]!);
      return true;
    }
    if (name === '%laneid' || name === '%warpid') {
      this.get(L.t);
      if (name === '%laneid') {
        this.i32(31);
        this.op(OP.i32_and);
      } else {
        this.i32(5);
        this.op(OP.i32_shr_u);
      }
      return true;
    }
    return false;
  }

  /** Pushes the operand as a value of type `want` (bit-reinterpreting between same-width classes). */
  protected read(o: Operand | undefined, want: Cls): void {
    if (!o) unsupported(`line ${this.line}: missing operand`);
    const w = valType(want);
    switch (o.kind) {
      case 'reg': {
        const r = this.regs.get(o.name);
        if (!r) {
          if (w === 'i32' && this.special(o.name)) return;
          unsupported(`line ${this.line}: register '${o.name}'`);
        }
        if ((r.cls === 'pred') !== (want === 'pred')) unsupported(`line ${this.line}: predicate/value mix for '${o.name}'`);
        this.get(r.local);
        const have = valType(r.cls);
        if (have === w) return;
        // a wider register read at a narrower type gives its low bits, a narrower one is
        // zero-extended (the JavaScript backend's values.ts does the same)
        const steps = WIDEN_NARROW[`${have}>${w}`] ?? [REINTERPRET[`${have}>${w}`]];
        if (steps.some((x) => x === undefined)) unsupported(`line ${this.line}: '${o.name}' (${have}) read as ${w}`);
        for (const x of steps) this.op(x!);
        return;
      }
      case 'not': {
        this.readPred(o.name, true);
        return;
      }
      case 'sym': {
        const sym = this.lay.symbols.get(o.name);
        // a local variable's address is its offset in the thread's frame (mov.u64 %SPL, __local_depot0)
        if (sym?.space === 'local' && (w === 'i32' || w === 'i64')) return w === 'i32' ? this.i32(sym.offset) : this.i64(BigInt(sym.offset));
        // a shared variable's address is its offset in the block's shared space (32-bit, as PTX's mov.u32 gives it)
        if (!sym || sym.space !== 'shared' || w !== 'i32') unsupported(`line ${this.line}: symbol '${o.name}'`);
        this.usesShared = true;
        return this.i32(sym.offset);
      }
      case 'int': {
        if (w === 'i32') return this.i32(Number(BigInt.asIntN(32, o.value)));
        if (w === 'i64') return this.i64(BigInt.asIntN(64, o.value));
        return unsupported(`line ${this.line}: integer immediate as ${w}`);
      }
      case 'f32': {
        if (w === 'f32') {
          this.c.byte(OP.f32_const).f32bits(o.bits);
          return;
        }
        if (w === 'i32') return this.i32(o.bits | 0);
        return unsupported(`line ${this.line}: f32 immediate as ${w}`);
      }
      case 'f64': {
        if (w === 'f64') {
          this.c.byte(OP.f64_const).f64(o.value);
          return;
        }
        if (w === 'i64') {
          const dv = new DataView(new ArrayBuffer(8));
          dv.setFloat64(0, o.value, true);
          return this.i64(dv.getBigInt64(0, true));
        }
        return unsupported(`line ${this.line}: f64 immediate as ${w}`);
      }
      default:
        return unsupported(`line ${this.line}: operand kind '${o.kind}'`);
    }
  }

  /**
   * Pops a value into the destination register, which must be of class `cls`; `narrow`: the value
   * is known to fit in 16 bits, zero-extended (a u8/u16 load), so a 16-bit register needs no mask.
   */
  protected write(o: Operand | undefined, cls: Cls, narrow = false): void {
    if (o?.kind === 'sink') {
      this.op(OP.drop);
      return;
    }
    const r = this.reg(o);
    if (r.cls === 'i16' && (cls === 'i32' || cls === 'i16') && narrow) {
      this.set(r.local);
      return;
    }
    if (r.cls === 'i16' && (cls === 'i32' || cls === 'i16')) {
      // a 16-bit register keeps its zero-extended bit pattern
      this.i32(0xffff);
      this.op(OP.i32_and);
    } else if (r.cls !== cls) {
      const have = valType(cls as Cls), want = valType(r.cls);
      const steps = r.cls === 'pred' || cls === 'pred' ? undefined : (WIDEN_NARROW[`${have}>${want}`] ?? [REINTERPRET[`${have}>${want}`]]);
      if (!steps || steps.some((x) => x === undefined)) unsupported(`line ${this.line}: destination ${(o as { name: string }).name} is ${r.cls}, not ${cls}`);
      for (const x of steps) this.op(x!);
      if (r.cls === 'i16') {
        this.i32(0xffff);
        this.op(OP.i32_and);
      }
    }
    this.set(r.local);
  }

  // ---- instructions -------------------------------------------------------------------------

  protected localFor(t: LocalType): number {
    this.locals.push(t);
    return this.nParams + this.locals.length - 1;
  }
}
