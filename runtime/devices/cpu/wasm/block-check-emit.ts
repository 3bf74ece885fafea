/**
 * The run-time half of the once-per-block checks (block-checks.ts finds the sites): code, run
 * before a block's threads, that proves every thread's address at each site lies in one window,
 * aligned — or branches to `fail` (the block then runs the checked copy of its thread loop).
 *
 * Each register on the way to an address that depends on %tid is kept as an affine function
 * c + kx·tx + ky·ty + kz·tz whose parts are exact integers in i64 locals: the register's bits are
 * that value modulo 2^32 or 2^64. Every part stays below 2^62 in magnitude (checked after each
 * sum; a product's factors must be below 2^31), so the i64 arithmetic never wraps. Where a 32-bit
 * value is widened (cvt, mul.wide), its least and greatest value over the block (at the corners:
 * it is affine) must lie in the range where widening its bits gives it back, so what the thread
 * computes is the exact value; at the access, the least and greatest address must lie in one
 * window, with c and every k multiples of the access size.
 */
import type { Instruction, Operand } from '../ast.js';
import type { BlockCheckedSite, Form } from './block-checks.js';
import { OP } from './encoder.js';
import { writesMemory } from './ptx-types.js';

/** What the proof needs of the compiler (compile-wasm.ts passes its own methods). */
export interface ProofOps {
  get(i: number): void;
  set(i: number): void;
  op(code: number): void;
  i32(v: number): void;
  i64(v: bigint): void;
  br(label: string, conditional?: boolean): void;
  localI64(): number;
  /** Emits a uniform definition as the kernel's own code (its register's local then holds its value). */
  instruction(ins: Instruction): void;
  /** The local and value class of a register. */
  reg(name: string): { local: number; cls: string };
  /** Pushes a special register (i32); false when it is not one. */
  special(name: string): boolean;
  /** The launch parameters %ntid.x, .y, .z (i32). */
  ntid: readonly [number, number, number];
  /** Branches to `fail` unless one window holds [lo, hi + size) (lo, hi: i64 locals). */
  oneWindow(lo: number, hi: number, size: number, fail: string, write: boolean): void;
}

/** An affine value's parts: i64 locals (a missing k is 0). */
export interface Lin {
  c: number;
  k: (number | undefined)[];
}

const DIM = { '%tid.x': 0, '%tid.y': 1, '%tid.z': 2 } as Record<string, number>;
const P62 = 1n << 62n;
const P31 = 1n << 31n;
/** |k| bound before k·(ntid - 1), ntid <= 2^16: spans under 2^60, so c plus three of them stays under 2^63. */
const P44 = 1n << 44n;

export class BlockProof {
  private readonly lins = new Map<string, Lin>();

  private readonly done = new Set<Instruction>();

  private readonly last: number[] = [];

  constructor(private readonly e: ProofOps, private readonly fail: string) {}

  /** Once, before the sites: 1 <= ntid.d <= 2^16 in each dimension (spans then stay small, above). */
  start(): void {
    const { e } = this;
    for (const n of e.ntid) {
      e.get(n);
      e.i32(1);
      e.op(OP.i32_sub);
      e.i32(0xffff);
      e.op(OP.i32_gt_u);
      e.br(this.fail, true);
      // ntid.d - 1 as i64, for the spans
      const l = e.localI64();
      e.get(n);
      e.i32(1);
      e.op(OP.i32_sub);
      e.op(OP.i64_extend_i32_u);
      e.set(l);
      this.last.push(l);
    }
  }

  /**
   * Proves one site (its definitions are emitted once, for every site after it too); returns its
   * address's affine parts and least and greatest value (i64 locals, set once the proof passed).
   */
  site(s: BlockCheckedSite): { lin: Lin; lo: number; hi: number } {
    const { e } = this;
    for (const d of s.defs) {
      if (this.done.has(d)) continue;
      this.done.add(d);
      const dest = d.operands[0];
      if (dest?.kind !== 'reg') throw new Error('internal: a block-checked definition without a destination register');
      const f = s.forms.get(dest.name)!;
      if (f.uniform) e.instruction(d);
      else this.lins.set(dest.name, this.affine(d, f));
    }
    let a = this.lin({ kind: 'reg', name: s.base } as Operand, 64, 's');
    if (s.offset !== 0) a = this.sum(a, this.constant(BigInt(s.offset)), false);
    if (s.size > 1) {
      // c and every k multiples of the size: every thread's address aligned
      e.get(a.c);
      for (const k of a.k) {
        if (k === undefined) continue;
        e.get(k);
        e.op(OP.i64_or);
      }
      e.i64(BigInt(s.size - 1));
      e.op(OP.i64_and);
      e.op(OP.i64_eqz);
      e.op(OP.i32_eqz);
      e.br(this.fail, true);
    }
    const { lo, hi } = this.box(a);
    e.oneWindow(lo, hi, s.size, this.fail, writesMemory(s.ins));
    return { lin: a, lo, hi };
  }

  /** The affine parts of one definition's result. */
  private affine(d: Instruction, f: Extract<Form, { uniform: false }>): Lin {
    const p = d.parts;
    const o = d.operands;
    switch (p[0]) {
      case 'mov':
      case 'cvta':
        return this.lin(o[1]!, f.bits, 's');
      case 'add':
      case 'sub':
        return this.sum(this.lin(o[1]!, f.bits, 's'), this.lin(o[2]!, f.bits, 's'), p[0] === 'sub');
      case 'mul':
      case 'mad': {
        const wide = p[1] === 'wide';
        const ext = wide && p[2]!.startsWith('u') ? 'u' : 's';
        const src = wide ? 32 : f.bits;
        const factor = (x: Operand): Lin => (wide ? this.widened(x, ext) : this.lin(x, src, 's'));
        const m = this.product(factor(o[1]!), factor(o[2]!));
        return p[0] === 'mul' ? m : this.sum(m, this.lin(o[3]!, f.bits, 's'), false);
      }
      case 'shl': {
        const s = o[2]!;
        if (s.kind !== 'int') throw new Error('internal: block-checked shl by a register');
        return this.product(this.lin(o[1]!, f.bits, 's'), this.constant(1n << s.value));
      }
      case 'cvt':
        return this.widened(o[1]!, p[2]!.startsWith('s') ? 's' : 'u');
      default:
        throw new Error(`internal: '${d.opcode}' in a block-checked address`);
    }
  }

  /** A 32-bit operand as the 64-bit value a widening (signed or not) makes of its bits, proven exact. */
  private widened(o: Operand, ext: 's' | 'u'): Lin {
    const v = this.lin(o, 32, ext);
    if (v.k.every((k) => k === undefined)) return v; // uniform: already the widened bits
    const { lo, hi } = this.box(v);
    const [min, max] = ext === 's' ? [-(1n << 31n), (1n << 31n) - 1n] : [0n, (1n << 32n) - 1n];
    const { e } = this;
    e.get(lo);
    e.i64(min);
    e.op(OP.i64_lt_s);
    e.br(this.fail, true);
    e.get(hi);
    e.i64(max);
    e.op(OP.i64_gt_s);
    e.br(this.fail, true);
    return v;
  }

  /**
   * An operand's value: an affine register's parts, %tid.d, or a uniform value — a 32-bit one
   * widened by `ext` (for a 32-bit operation any widening is the same value modulo 2^32).
   */
  private lin(o: Operand, bits: 32 | 64, ext: 's' | 'u'): Lin {
    const { e } = this;
    if (o.kind === 'int') {
      const v = bits === 64 ? BigInt.asIntN(64, o.value) : ext === 's' ? BigInt.asIntN(32, o.value) : BigInt.asUintN(32, o.value);
      return this.constant(v);
    }
    if (o.kind !== 'reg') throw new Error('internal: a block-checked operand that is not a register or an immediate');
    const known = this.lins.get(o.name);
    if (known) return known;
    const d = DIM[o.name];
    if (d !== undefined) {
      const k: (number | undefined)[] = [undefined, undefined, undefined];
      k[d] = this.constant(1n).c;
      return { c: this.constant(0n).c, k };
    }
    const c = e.localI64();
    if (e.special(o.name)) {
      e.op(ext === 's' ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
      e.set(c);
      return { c, k: [] };
    }
    const r = e.reg(o.name);
    e.get(r.local);
    if (r.cls === 'i32') e.op(ext === 's' ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
    else if (r.cls !== 'i64') throw new Error(`internal: a block-checked ${r.cls} register`);
    e.set(c);
    if (r.cls === 'i64') this.bound(c, P62);
    return { c, k: [] };
  }

  private constant(v: bigint): Lin {
    const c = this.e.localI64();
    this.e.i64(v);
    this.e.set(c);
    if (v >= P62 || v <= -P62) {
      this.e.br(this.fail);
      // (the rest of this proof is unreachable; Wasm validates it all the same)
    }
    return { c, k: [] };
  }

  /** Branches to fail unless |x| < b (x below 2^62 in magnitude or any i64: x + b - 1 then never wraps past 2^64). */
  private bound(x: number, b: bigint): void {
    const { e } = this;
    e.get(x);
    e.i64(b - 1n);
    e.op(OP.i64_add);
    e.i64(2n * (b - 1n));
    e.op(OP.i64_gt_u);
    e.br(this.fail, true);
  }

  private binary(x: number, y: number, code: number): number {
    const { e } = this;
    const r = e.localI64();
    e.get(x);
    e.get(y);
    e.op(code);
    e.set(r);
    return r;
  }

  /** a ± b, every part checked below 2^62 (its operands are, so the i64 sum itself is exact). */
  private sum(a: Lin, b: Lin, negate: boolean): Lin {
    const code = negate ? OP.i64_sub : OP.i64_add;
    const c = this.binary(a.c, b.c, code);
    this.bound(c, P62);
    const k: (number | undefined)[] = [];
    for (let d = 0; d < 3; d++) {
      const x = a.k[d], y = b.k[d];
      if (x === undefined && y === undefined) k.push(undefined);
      else if (y === undefined) k.push(x);
      else {
        const r = this.binary(x ?? this.constant(0n).c, y, code);
        this.bound(r, P62);
        k.push(r);
      }
    }
    return { c, k };
  }

  /** a · b, one of them uniform (block-checks.ts); every factor below 2^31, so each product is exact. */
  private product(a: Lin, b: Lin): Lin {
    const uniform = (x: Lin): boolean => x.k.every((k) => k === undefined);
    if (!uniform(a) && !uniform(b)) throw new Error('internal: a block-checked product of two affine values');
    const [v, u] = uniform(b) ? [a, b] : [b, a];
    this.bound(u.c, P31);
    this.bound(v.c, P31);
    for (const k of v.k) if (k !== undefined) this.bound(k, P31);
    return { c: this.binary(v.c, u.c, OP.i64_mul), k: v.k.map((k) => (k === undefined ? undefined : this.binary(k, u.c, OP.i64_mul))) };
  }

  /** The least and greatest value of `v` over the block's threads (i64 locals): at its corners. */
  private box(v: Lin): { lo: number; hi: number } {
    const { e } = this;
    const lo = e.localI64(), hi = e.localI64();
    e.get(v.c);
    e.set(lo);
    e.get(v.c);
    e.set(hi);
    v.k.forEach((k, d) => {
      if (k === undefined) return;
      this.bound(k, P44);
      const span = this.binary(k, this.last[d]!, OP.i64_mul);
      for (const [acc, cmp] of [[lo, OP.i64_lt_s], [hi, OP.i64_gt_s]] as const) {
        e.get(acc);
        e.get(span);
        e.i64(0n);
        e.get(span);
        e.i64(0n);
        e.op(cmp);
        e.op(OP.select);
        e.op(OP.i64_add);
        e.set(acc);
      }
    });
    return { lo, hi };
  }
}
