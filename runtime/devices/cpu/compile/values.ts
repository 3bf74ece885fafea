/**
 * How PTX values live in generated JavaScript: every register is a JS local of one storage kind
 * (pred → boolean, 8/16/32-bit integers → int32, f32 → fround'ed number, f64 → number,
 * 64-bit integers → an (lo, hi) pair of int32 locals). `read`/`write` convert between a
 * register's storage and the class an instruction wants, reinterpreting bits like the hardware.
 */
import type { Operand, RegDecl } from '../ast.js';
import { DeviceError } from '../../../../contract/device.js';
import { GLOBAL_BASE } from '../address-space.js';

export type Cls = 'pred' | 'i32' | 'i64' | 'f32' | 'f64';

export interface RegInfo {
  name: string;
  kind: Cls;
  /** Width of an integer register: 8, 16, 32 or 64. */
  bits: number;
  js: string;
  /** High word of a 64-bit register. */
  jsHi: string;
  /** A 64-bit integer register kept as one exact JS number (see num64.ts). */
  num: boolean;
  /** A number register holding `value - 2^40` (see biasedRegisters in num64.ts). */
  biased: boolean;
}

/** 2^40 as JS source: the bias of biased number registers. */
const BIAS = String(GLOBAL_BASE);

/** The exact value of a number register as a JS expression. */
export function numValue(r: RegInfo): string {
  return r.biased ? `(${r.js} + ${BIAS})` : r.js;
}

export function typeBits(type: string): number {
  const m = /(\d+)/.exec(type);
  if (type === 'pred') return 1;
  return m ? Number(m[1]) : 32;
}

export function clsOf(type: string): Cls {
  if (type === 'pred') return 'pred';
  if (type === 'f32') return 'f32';
  if (type === 'f64') return 'f64';
  if (typeBits(type) === 64) return 'i64';
  return 'i32';
}

export function num(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${String(x)})` : String(x);
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const w32 = new Int32Array(f64.buffer);

export interface SymbolAddress {
  /** 64-bit device address of the symbol in its own space (for mov of a symbol), as lo/hi. */
  lo: number;
  hi: number;
}

/** Special registers: their JS expression (32-bit). */
export type SpecialResolver = (name: string) => string | undefined;

export class Values {
  readonly regs = new Map<string, RegInfo>();
  private counter = 0;

  constructor(
    decls: RegDecl[],
    private readonly symbols: (name: string) => SymbolAddress | undefined,
    private readonly special: SpecialResolver,
    private readonly line: () => number,
    numRegs: Set<string> = new Set(),
    biasedRegs: Set<string> = new Set(),
  ) {
    for (const d of decls) {
      const kind = clsOf(d.type);
      const id = this.counter++;
      const num = kind === 'i64' && numRegs.has(d.name);
      const prefix = kind === 'pred' ? 'p' : kind === 'f32' ? 'f' : kind === 'f64' ? 'd' : num ? 'n' : kind === 'i64' ? 'q' : 'r';
      this.regs.set(d.name, { name: d.name, kind, bits: typeBits(d.type), js: kind === 'i64' && !num ? `${prefix}${id}l` : `${prefix}${id}`, jsHi: `${prefix}${id}h`, num, biased: num && biasedRegs.has(d.name) });
    }
  }

  /** The operand as one exact JS number when it is a number register, a small immediate or a symbol. */
  num64(op: Operand): string | undefined {
    const r = this.reg(op);
    if (r) return r.num ? numValue(r) : undefined;
    if (op.kind === 'int' && op.value > -(2n ** 52n) && op.value < 2n ** 52n) return num(Number(op.value));
    if (op.kind === 'sym') {
      const a = this.symbols(op.name);
      if (a) return num(a.hi * 4294967296 + (a.lo >>> 0));
    }
    return undefined;
  }

  /**
   * The operand as a number expression in its register's own representation: `biased` says the
   * expression is `value - 2^40`. Lets address arithmetic stay in small integers.
   */
  num64Raw(op: Operand): { expr: string; biased: boolean } | undefined {
    const r = this.reg(op);
    if (r) return r.num ? { expr: r.js, biased: r.biased } : undefined;
    const v = this.num64(op);
    return v === undefined ? undefined : { expr: v, biased: false };
  }

  /**
   * A statement storing an exact number into a number register, guarded at 2^52. `exprBiased`
   * says `expr` is `value - 2^40`; it is converted to the register's representation.
   */
  writeNum(op: Operand, expr: string, guard: boolean, exprBiased = false): string {
    const r = this.reg(op)!;
    const v = r.biased === exprBiased ? expr : r.biased ? `(${expr}) - ${BIAS}` : `(${expr}) + ${BIAS}`;
    if (!guard) return `${r.js} = ${v};`;
    // the guard is on the exact value: |value| <= 2^52
    const check = r.biased ? `_v > 4502500115742720 || _v < -4504699138998272` : `Math.abs(_v) > 4503599627370496`;
    return `{ const _v = ${v}; if (${check}) M.numRange(${this.line()}); ${r.js} = _v; }`;
  }

  isNum(op: Operand): boolean {
    return this.reg(op)?.num === true;
  }

  fail(message: string): never {
    throw new DeviceError(-4, `line ${this.line()}: ${message}`);
  }

  reg(op: Operand): RegInfo | undefined {
    if (op.kind === 'reg' || op.kind === 'sym') return this.regs.get(op.name);
    return undefined;
  }

  /** A JS expression for the operand as class `cls` (not i64: use read64). */
  read(op: Operand, cls: Cls): string {
    if (cls === 'i64') return this.fail('internal: read i64 with read()');
    const r = this.reg(op);
    if (r) return convert(r, cls);
    switch (op.kind) {
      case 'reg': {
        const s = this.special(op.name);
        if (s === undefined) return this.fail(`undeclared register '${op.name}'`);
        if (cls === 'f32' || cls === 'f64') return `(${s})`;
        if (cls === 'pred') return `((${s}) !== 0)`;
        return s;
      }
      case 'int': {
        if (cls === 'pred') return op.value !== 0n ? 'true' : 'false';
        if (cls === 'f32') return num(Math.fround(Number(op.value)));
        if (cls === 'f64') return num(Number(op.value));
        return num(Number(BigInt.asIntN(32, op.value)));
      }
      case 'f32': {
        i32[0] = op.bits;
        if (cls === 'i32') return num(op.bits | 0);
        return num(f32[0]!);
      }
      case 'f64': {
        if (cls === 'f32') return num(Math.fround(op.value));
        if (cls === 'i32') {
          f64[0] = op.value;
          return num(w32[0]!);
        }
        return num(op.value);
      }
      case 'sym': {
        const a = this.symbols(op.name);
        if (!a) return this.fail(`unknown symbol '${op.name}'`);
        return num(a.lo | 0);
      }
      case 'not':
        return `!${this.read({ kind: 'reg', name: op.name }, 'pred')}`;
      default:
        return this.fail(`unexpected operand (${op.kind})`);
    }
  }

  /** [lo, hi] expressions for a 64-bit integer view of the operand. */
  read64(op: Operand, signExtend32 = false): [string, string] {
    const r = this.reg(op);
    if (r) {
      if (r.num) {
        const n = numValue(r);
        return [`(${n} | 0)`, `(Math.floor(${n} * 2.3283064365386963e-10) | 0)`];
      }
      if (r.kind === 'i64') return [r.js, r.jsHi];
      if (r.kind === 'f64') return [`M.f64lo(${r.js})`, `M.f64hi(${r.js})`];
      const lo = convert(r, 'i32');
      return [lo, signExtend32 ? `(${lo} >> 31)` : '0'];
    }
    switch (op.kind) {
      case 'int': {
        const v = BigInt.asUintN(64, op.value);
        return [num(Number(BigInt.asIntN(32, v))), num(Number(BigInt.asIntN(32, v >> 32n)))];
      }
      case 'f64': {
        f64[0] = op.value;
        return [num(w32[0]!), num(w32[1]!)];
      }
      case 'sym': {
        const a = this.symbols(op.name);
        if (!a) return this.fail(`unknown symbol '${op.name}'`);
        return [num(a.lo | 0), num(a.hi | 0)];
      }
      case 'reg': {
        if (op.name === '%clock64' || op.name === '%globaltimer') return ['M.clockLo()', 'M.clockHi()'];
        const s = this.special(op.name);
        if (s === undefined) return this.fail(`undeclared register '${op.name}'`);
        return [s, '0'];
      }
      default:
        return this.fail(`unexpected 64-bit operand (${op.kind})`);
    }
  }

  /** A statement writing `expr` (of class `cls`) to the destination operand. */
  write(op: Operand, cls: Cls, expr: string): string {
    if (op.kind === 'sink') return '';
    const r = this.reg(op);
    if (!r) return this.fail(op.kind === 'reg' ? `undeclared register '${op.name}'` : `destination must be a register`);
    if (cls === 'i64') return this.fail('internal: write i64 with write()');
    switch (r.kind) {
      case 'pred':
        return `${r.js} = ${cls === 'pred' ? expr : `(${expr}) !== 0`};`;
      case 'i32': {
        const v = cls === 'i32' ? expr : cls === 'f32' ? `M.f2i(${expr})` : cls === 'pred' ? `((${expr}) ? 1 : 0)` : `M.f64lo(${expr})`;
        if (r.bits === 16) return `${r.js} = (${v}) & 65535;`;
        if (r.bits === 8) return `${r.js} = (${v}) & 255;`;
        return `${r.js} = ${v};`;
      }
      case 'f32':
        return `${r.js} = ${cls === 'f32' ? expr : cls === 'i32' ? `M.i2f(${expr})` : `Math.fround(${expr})`};`;
      case 'f64':
        return `${r.js} = ${cls === 'f64' || cls === 'f32' ? expr : `M.i2f(${expr})`};`;
      case 'i64':
        if (r.num) {
          const n = cls === 'f64' ? `M.n64(M.f64lo(${expr}), M.f64hi(${expr}))` : `(${cls === 'f32' ? `M.f2i(${expr})` : expr}) >>> 0`;
          return `${r.js} = ${r.biased ? `${n} - ${BIAS}` : n};`;
        }
        if (cls === 'f64') return `{ const _v = ${expr}; ${r.js} = M.f64lo(_v); ${r.jsHi} = M.f64hi(_v); }`;
        return `${r.js} = ${cls === 'f32' ? `M.f2i(${expr})` : expr}; ${r.jsHi} = 0;`;
    }
  }

  write64(op: Operand, lo: string, hi: string): string {
    if (op.kind === 'sink') return '';
    const r = this.reg(op);
    if (!r) return this.fail(op.kind === 'reg' ? `undeclared register '${op.name}'` : 'destination must be a register');
    if (r.num) return `${r.js} = M.n64(${lo}, ${hi})${r.biased ? ` - ${BIAS}` : ''};`;
    if (r.kind === 'i64') return `{ const _l = ${lo}, _h = ${hi}; ${r.js} = _l; ${r.jsHi} = _h; }`;
    if (r.kind === 'f64') return `${r.js} = M.pairToF64(${lo}, ${hi});`;
    return this.write(op, 'i32', lo);
  }

  /** Declarations of every register local, zero-initialised. */
  declarations(): string {
    const names: string[] = [];
    for (const r of this.regs.values()) {
      if (r.kind === 'pred') names.push(`${r.js} = false`);
      else if (r.kind === 'i64' && !r.num) names.push(`${r.js} = 0`, `${r.jsHi} = 0`);
      else names.push(`${r.js} = 0`);
    }
    return names.length ? `let ${names.join(', ')};` : '';
  }
}

function convert(r: RegInfo, cls: Cls): string {
  if (r.num) {
    const n = numValue(r);
    const lo = `(${n} | 0)`;
    const hi = `(Math.floor(${n} * 2.3283064365386963e-10) | 0)`;
    return cls === 'i32' ? lo : cls === 'f32' ? `M.i2f(${lo})` : cls === 'f64' ? `M.pairToF64(${lo}, ${hi})` : `(${n} !== 0)`;
  }
  if (r.kind === cls) return r.js;
  switch (cls) {
    case 'i32':
      return r.kind === 'i64' ? r.js : r.kind === 'f32' ? `M.f2i(${r.js})` : r.kind === 'f64' ? `M.f64lo(${r.js})` : `(${r.js} ? 1 : 0)`;
    case 'f32':
      return r.kind === 'i32' ? `M.i2f(${r.js})` : r.kind === 'i64' ? `M.i2f(${r.js})` : `Math.fround(${r.js})`;
    case 'f64':
      return r.kind === 'i64' ? `M.pairToF64(${r.js}, ${r.jsHi})` : r.kind === 'f32' ? r.js : `M.i2f(${r.js})`;
    case 'pred':
      return r.kind === 'i64' ? `((${r.js} | ${r.jsHi}) !== 0)` : `(${r.js} !== 0)`;
    default:
      return r.js;
  }
}
