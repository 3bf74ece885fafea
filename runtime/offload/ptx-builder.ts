/**
 * Register allocation and lane access for the offload code generator. A v128 lives in four .b32
 * registers (little-endian words); a lane of any shape is read out of them into a register of its
 * compute type and lanes are packed back. Registers are never written twice, so a value can be
 * shared by several uses.
 */
import type { LaneType } from './types.js';

export type V128 = [string, string, string, string];
export type RegClass = 'p' | 'r' | 'rd' | 'f' | 'fd';

const DECL: Record<RegClass, string> = { p: '.pred', r: '.b32', rd: '.b64', f: '.f32', fd: '.f64' };

export class PtxBuilder {
  readonly lines: string[] = [];
  private counts = new Map<RegClass, number>();
  private imms = new Map<string, string>();

  reg(cls: RegClass): string {
    const n = (this.counts.get(cls) ?? 0) + 1;
    this.counts.set(cls, n);
    return `%${cls}${n}`;
  }

  emit(line: string): void {
    this.lines.push(`\t${line}`);
  }

  declarations(): string[] {
    return [...this.counts].map(([cls, n]) => `\t.reg ${DECL[cls]} %${cls}<${n + 1}>;`);
  }

  /** A .b32 register holding the constant (one per distinct value). */
  imm32(value: number): string {
    const text = String(value | 0);
    const key = `r${text}`;
    const known = this.imms.get(key);
    if (known) return known;
    const reg = this.reg('r');
    this.emit(`mov.b32 ${reg}, ${text};`);
    this.imms.set(key, reg);
    return reg;
  }

  /** A .b64 register holding the constant (one per distinct value). */
  imm64(value: bigint): string {
    const text = BigInt.asIntN(64, value).toString();
    const key = `rd${text}`;
    const known = this.imms.get(key);
    if (known) return known;
    const reg = this.reg('rd');
    this.emit(`mov.b64 ${reg}, ${text};`);
    this.imms.set(key, reg);
    return reg;
  }

  /** A scalar constant in a register of its type. */
  immOf(type: LaneType, value: number | bigint): string {
    const view = new DataView(new ArrayBuffer(8));
    switch (type) {
      case 'i32':
        return this.imm32(Number(value));
      case 'i64':
        return this.imm64(BigInt(value));
      case 'f32': {
        view.setFloat32(0, Number(value));
        return this.f32(this.imm32(view.getInt32(0)));
      }
      case 'f64': {
        view.setFloat64(0, Number(value));
        return this.f64(this.imm64(view.getBigInt64(0)));
      }
    }
  }

  op(cls: RegClass, text: (d: string) => string): string {
    const d = this.reg(cls);
    this.emit(text(d));
    return d;
  }

  // ---- moves between the bit and float views ----
  // A float register made from bits gives those same bits back instead of a move out of the float
  // register: a lane moved by extract_lane/replace_lane/splat must keep a signalling NaN's bits
  // (Wasm moves are bit-exact), and a device that holds f64 registers as host doubles (the CPU
  // device's JavaScript backend; V8 in Node 26 quiets an sNaN there) need not carry them.
  private bitsOf = new Map<string, string>();
  f32(bits: string): string {
    const f = this.op('f', (d) => `mov.b32 ${d}, ${bits};`);
    this.bitsOf.set(f, bits);
    return f;
  }
  bits32(f: string): string {
    return this.bitsOf.get(f) ?? this.op('r', (d) => `mov.b32 ${d}, ${f};`);
  }
  f64(bits: string): string {
    const f = this.op('fd', (d) => `mov.b64 ${d}, ${bits};`);
    this.bitsOf.set(f, bits);
    return f;
  }
  bits64(f: string): string {
    return this.bitsOf.get(f) ?? this.op('rd', (d) => `mov.b64 ${d}, ${f};`);
  }
  join64(lo: string, hi: string): string {
    return this.op('rd', (d) => `mov.b64 ${d}, {${lo}, ${hi}};`);
  }
  split64(x: string): [string, string] {
    const lo = this.reg('r');
    const hi = this.reg('r');
    this.emit(`mov.b64 {${lo}, ${hi}}, ${x};`);
    return [lo, hi];
  }

  /**
   * Lane j of a vector viewed as `bits`-bit lanes, in a .b32 register sign- or zero-extended to
   * 32 bits (bits ≤ 32) or a .b64 register (bits = 64).
   */
  lane(v: V128, bits: number, j: number, signed: boolean): string {
    if (bits === 64) return this.join64(v[2 * j] as string, v[2 * j + 1] as string);
    if (bits === 32) return v[j] as string;
    const perWord = 32 / bits;
    const word = v[Math.floor(j / perWord)] as string;
    const shift = bits * (j % perWord);
    if (signed) {
      const up = 32 - bits - shift;
      const t = up === 0 ? word : this.op('r', (d) => `shl.b32 ${d}, ${word}, ${up};`);
      return this.op('r', (d) => `shr.s32 ${d}, ${t}, ${32 - bits};`);
    }
    const t = shift === 0 ? word : this.op('r', (d) => `shr.u32 ${d}, ${word}, ${shift};`);
    if (shift + bits === 32) return t;
    return this.op('r', (d) => `and.b32 ${d}, ${t}, ${(1 << bits) - 1};`);
  }

  /** Packs lanes (.b32 registers whose low `bits` bits count, or .b64 for bits = 64) into a vector. */
  pack(bits: number, lanes: string[]): V128 {
    if (bits === 64) return [...this.split64(lanes[0] as string), ...this.split64(lanes[1] as string)] as V128;
    if (bits === 32) return lanes.slice(0, 4) as V128;
    const perWord = 32 / bits;
    const words: string[] = [];
    for (let w = 0; w < 4; w++) {
      let acc = '';
      for (let i = 0; i < perWord; i++) {
        const lane = lanes[w * perWord + i] as string;
        const shift = bits * i;
        let part = shift + bits === 32 ? lane : this.op('r', (d) => `and.b32 ${d}, ${lane}, ${(1 << bits) - 1};`);
        if (shift > 0) {
          const p = part;
          part = this.op('r', (d) => `shl.b32 ${d}, ${p}, ${shift};`);
        }
        if (acc === '') acc = part;
        else {
          const a = acc;
          acc = this.op('r', (d) => `or.b32 ${d}, ${a}, ${part};`);
        }
      }
      words.push(acc);
    }
    return words as V128;
  }
}
