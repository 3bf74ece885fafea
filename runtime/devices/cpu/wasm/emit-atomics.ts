/**
 * atom/red on .global and .shared as WebAssembly threads atomics, so a kernel whose blocks run on
 * several threads over one shared memory (pool/) still adds up every count: add, and, or, xor,
 * exch and cas map to one `*.atomic.rmw.*` instruction; min/max, inc/dec and the float adds are a
 * compare-and-swap loop over the value's bits (the PTX ISA's `atom` semantics, computed as
 * emit-memory.ts's single-threaded form did). Atomic instructions are valid on an unshared memory
 * too, so the one compiled kernel serves both the calling thread and the pool.
 *
 * Every form ptxas takes: add on 32-bit integers, u64, f32 and f64; inc/dec on u32; exch, cas,
 * and, or, xor on b32/b64; min/max on s32/u32/s64/u64.
 */
import type { Instruction } from '../ast.js';
import { OP, type ValType } from './encoder.js';
import { MemoryEmitter } from './emit-memory.js';
import { ATOMIC_QUALIFIERS, classOf, unsupported } from './ptx-types.js';

/** The threads proposal's 0xFE-prefixed opcodes used here, [i32 form, i64 form]. */
const ATOMIC = {
  load: [0x10, 0x11],
  add: [0x1e, 0x1f],
  and: [0x2c, 0x2d],
  or: [0x33, 0x34],
  xor: [0x3a, 0x3b],
  exch: [0x41, 0x42],
  cas: [0x48, 0x49],
} as const;

export abstract class AtomicEmitter extends MemoryEmitter {
  /** Two temporaries per integer width for the compare-and-swap loops, made on first use. */
  private casTemps: Partial<Record<'i32' | 'i64', [number, number]>> = {};

  /** The old value of a shared-memory read-modify-write, made on first use. */
  private sharedTemps: Partial<Record<'i32' | 'i64', [number]>> = {};

  protected override atomic(ins: Instruction): void {
    const p = ins.parts;
    const isRed = p[0] === 'red';
    const t = p[p.length - 1]!;
    const opName = p[p.length - 2]!;
    let space: 'global' | 'shared' | undefined;
    for (const m of p.slice(1, -2)) {
      if (m === 'global' || m === 'shared') space = m;
      else if (!ATOMIC_QUALIFIERS.has(m)) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    }
    const ops = isRed ? [undefined, ...ins.operands] : ins.operands;
    const [d, a, b, c] = ops;
    const cls = classOf(t);
    if (!space || a?.kind !== 'addr' || !cls || cls === 'pred') unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const isFloat = cls === 'f32' || cls === 'f64';
    if (isFloat && opName !== 'add') unsupported(`line ${ins.line}: '${ins.opcode}'`);
    if ((opName === 'inc' || opName === 'dec') && cls !== 'i32') unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const wide = cls === 'i64' || cls === 'f64';
    const w = wide ? 1 : 0;
    const align = wide ? 3 : 2;
    const addr = this.tmp('i32', 1);
    this.memAddress(space, a, wide ? 8 : 4, true);
    this.set(addr);
    const rmw = (code: number): void => {
      this.c.byte(0xfe).u32(code).u32(align).u32(0);
    };
    const direct = opName === 'add' && !isFloat ? ATOMIC.add : opName === 'and' || opName === 'or' || opName === 'xor' || opName === 'exch' || opName === 'cas' ? ATOMIC[opName] : undefined;
    if (direct && space === 'shared' && opName !== 'cas') {
      // A block's shared memory is its thread's own (each pool thread runs its blocks in its own
      // scratch area), and that thread runs the block's threads one at a time: no other thread can
      // see the word between the load and the store, so plain ones give the atomic's result without
      // its locked bus cycle (the histogram's per-byte `atom.shared.add`).
      const I: 'i32' | 'i64' = w ? 'i64' : 'i32';
      const [old] = (this.sharedTemps[I] ??= [this.localFor(I)]);
      this.get(addr);
      this.c.byte(w ? OP.i64_load : OP.i32_load).u32(align).u32(0);
      this.set(old);
      this.get(addr);
      if (opName !== 'exch') this.get(old);
      this.read(b, cls);
      if (opName !== 'exch') this.op({ add: w ? OP.i64_add : OP.i32_add, and: w ? OP.i64_and : OP.i32_and, or: w ? OP.i64_or : OP.i32_or, xor: w ? OP.i64_xor : OP.i32_xor }[opName as 'add' | 'and' | 'or' | 'xor']);
      this.c.byte(w ? OP.i64_store : OP.i32_store).u32(align).u32(0);
      this.get(old);
    } else if (direct) {
      this.get(addr);
      this.read(b, cls);
      if (opName === 'cas') this.read(c, cls);
      rmw(w ? direct[1] : direct[0]);
    } else {
      this.casLoop(opName, cls, t.startsWith('s'), addr, () => this.read(b, cls), rmw, w);
    }
    // the old value, as the integer or float the destination holds
    if (isFloat) this.op(cls === 'f32' ? OP.f32_reinterpret_i32 : OP.f64_reinterpret_i64);
    if (d) this.write(d, cls);
    else this.op(OP.drop);
  }

  /**
   * old = atomic load; loop { seen = cmpxchg(addr, old, f(old, b)); if seen != old: old = seen, again }.
   * Leaves the old value's bits (i32 or i64) on the stack.
   */
  private casLoop(opName: string, cls: ValType, signed: boolean, addr: number, readB: () => void, rmw: (code: number) => void, w: number): void {
    const I: 'i32' | 'i64' = w ? 'i64' : 'i32';
    const [old, seen] = (this.casTemps[I] ??= [this.localFor(I), this.localFor(I)]);
    const bv = this.tmp(cls, 2);
    readB();
    this.set(bv);
    const ops = w
      ? { add: OP.i64_add, sub: OP.i64_sub, ne: OP.i64_ne, eqz: OP.i64_eqz, lt_s: OP.i64_lt_s, lt_u: OP.i64_lt_u, gt_s: OP.i64_gt_s, gt_u: OP.i64_gt_u, ge_u: OP.i64_ge_u }
      : { add: OP.i32_add, sub: OP.i32_sub, ne: OP.i32_ne, eqz: OP.i32_eqz, lt_s: OP.i32_lt_s, lt_u: OP.i32_lt_u, gt_s: OP.i32_gt_s, gt_u: OP.i32_gt_u, ge_u: OP.i32_ge_u };
    const one = (): void => (w ? this.i64(1n) : this.i32(1));
    const zero = (): void => (w ? this.i64(0n) : this.i32(0));
    this.get(addr);
    rmw(w ? ATOMIC.load[1] : ATOMIC.load[0]);
    this.set(old);
    this.open(OP.loop, 'atomic_cas');
    this.get(addr);
    this.get(old);
    switch (opName) {
      case 'add': // f32 / f64: the sum of the old value and b, as bits
        this.get(old);
        this.op(cls === 'f32' ? OP.f32_reinterpret_i32 : OP.f64_reinterpret_i64);
        this.get(bv);
        this.op(cls === 'f32' ? OP.f32_add : OP.f64_add);
        this.op(cls === 'f32' ? OP.i32_reinterpret_f32 : OP.i64_reinterpret_f64);
        break;
      case 'min': case 'max':
        // select(old, b, old < b) for min; old > b for max
        this.get(old);
        this.get(bv);
        this.get(old);
        this.get(bv);
        this.op(opName === 'min' ? (signed ? ops.lt_s : ops.lt_u) : signed ? ops.gt_s : ops.gt_u);
        this.op(OP.select);
        break;
      case 'inc':
        // (old >= b) ? 0 : old + 1, unsigned
        zero();
        this.get(old);
        one();
        this.op(ops.add);
        this.get(old);
        this.get(bv);
        this.op(ops.ge_u);
        this.op(OP.select);
        break;
      case 'dec':
        // (old == 0 || old > b) ? b : old - 1, unsigned
        this.get(bv);
        this.get(old);
        one();
        this.op(ops.sub);
        this.get(old);
        this.op(ops.eqz);
        this.get(old);
        this.get(bv);
        this.op(ops.gt_u);
        this.op(OP.i32_or);
        this.op(OP.select);
        break;
      default:
        unsupported(`line ${this.line}: atomic '${opName}'`);
    }
    rmw(w ? ATOMIC.cas[1] : ATOMIC.cas[0]);
    this.c.byte(OP.local_tee).u32(seen);
    this.get(old);
    this.op(ops.ne);
    this.get(seen);
    this.set(old);
    this.br('atomic_cas', true);
    this.close();
    this.get(old);
  }
}
