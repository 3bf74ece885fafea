/**
 * SIMD forms of the bit instructions for threads in lanes (lanes-emit.ts): brev, bfe and bfi with
 * constant fields, funnel shifts (shf) by a constant or a uniform count, shl/shr by a register
 * (uniform: one SIMD shift), and — lane by lane, the vector loads and stores and the rest staying
 * in lanes — popc, clz and shifts by each lane's own count. Each gives the scalar emitter's bits
 * (emit-int.ts, emit-alu.ts) for every input: lanes.test.ts and lanes-bits.test.ts check them
 * against the JavaScript backend on edge values.
 */
import type { Operand } from '../ast.js';
import { OP } from './encoder.js';

type Emit = () => void;

/** What these forms need of the lane emitter (its helpers, bound to it). */
export interface LaneOps {
  /** A 0xFD-prefixed (SIMD) opcode, then its immediate bytes. */
  v(code: number, ...imm: number[]): void;
  /** A v128.const of 16 bytes. */
  vconst(bytes: readonly number[]): void;
  op(code: number): void;
  i32(v: number): void;
  i64(v: bigint): void;
  f64(v: number): void;
  get(local: number): void;
  set(local: number): void;
  tee(local: number): void;
  tmpV(): number;
  tmpI32(): number;
  can32(o: Operand | undefined): boolean;
  can64(o: Operand | undefined): boolean;
  push32(o: Operand): void;
  push64(o: Operand, half: number): void;
  dest(o: Operand | undefined, w: 32 | 64): number[] | undefined;
  /** The local of a register that is the same in every lane (scalar, i32 class), else undefined. */
  uniform32(o: Operand | undefined): number | undefined;
}

/** 0xFD-prefixed opcodes these forms use. */
const V = {
  shuffle: 0x0d, swizzle: 0x0e, i8x16_splat: 0x0f, i32x4_splat: 0x11, i64x2_splat: 0x12,
  i32x4_extract: 0x1b, i32x4_replace: 0x1c, i64x2_extract: 0x1d,
  and: 0x4e, or: 0x50, bitselect: 0x52, i8x16_shr_u: 0x6d,
  i32x4_shl: 0xab, i32x4_shr_s: 0xac, i32x4_shr_u: 0xad,
  i64x2_shl: 0xcb, i64x2_shr_s: 0xcc, i64x2_shr_u: 0xcd,
} as const;

const INT32 = /^[bsu]32$/;
const INT64 = /^[bsu]64$/;

/** A 4-bit value's bits reversed. */
const rev4 = (n: number): number => ((n & 1) << 3) | ((n & 2) << 1) | ((n & 4) >> 1) | ((n & 8) >> 3);
const NIBBLE_REV = Array.from({ length: 16 }, (_, n) => rev4(n));
const NIBBLE_REV_HIGH = NIBBLE_REV.map((r) => r << 4);

/** Byte indexes reversing each 4-byte (or 8-byte) lane. */
const BYTES_REVERSED = (size: number): number[] => Array.from({ length: 16 }, (_, i) => i - (i % size) + size - 1 - (i % size));

/** The instruction's SIMD form in lanes, or undefined when this file has none. */
export function bitsForm(x: LaneOps, op: string, t: string, mods: string, o: Operand[]): Emit | undefined {
  const i32 = INT32.test(t), i64 = INT64.test(t);
  switch (op) {
    case 'popc':
    case 'clz':
      // each lane's value through the native instruction (measured faster than i8x16.popcnt's or an f32 conversion's sequence: below)
      return mods === '' && (i32 || i64) ? nativePerLane(x, o, i32, op === 'popc') : undefined;
    case 'brev': {
      if (mods !== '' || !(i32 || i64)) return undefined;
      const w = i32 ? 32 : 64;
      const d = x.dest(o[0], w);
      if (!d || !canW(x, w, o[1])) return undefined;
      return () => {
        for (const h of i32 ? [0] : [0, 1]) {
          pushW(x, w, o[1]!, h);
          brev(x, w / 8);
          x.set(d[h]!);
        }
      };
    }
    case 'bfe':
      return mods === '' && (i32 || i64) ? bfe(x, o, i32 ? 32 : 64, t.startsWith('s')) : undefined;
    case 'bfi':
      return mods === '' && (i32 || i64) ? bfi(x, o, i32 ? 32 : 64) : undefined;
    case 'shf': {
      const [dir, mode] = mods.split('.');
      if (t !== 'b32' || (dir !== 'l' && dir !== 'r') || (mode !== 'wrap' && mode !== 'clamp')) return undefined;
      return shf(x, o, dir === 'l', mode === 'clamp');
    }
    case 'shl':
    case 'shr':
      if (mods !== '' || !(i32 || i64)) return undefined;
      return shift(x, o, op === 'shl', op === 'shr' && t.startsWith('s'), i32 ? 32 : 64);
    default:
      return undefined;
  }
}

/** Each `size`-byte lane's bits reversed: every byte's nibbles through a reversing table (swizzle), then the bytes in reverse order. */
function brev(x: LaneOps, size: number): void {
  const a = x.tmpV();
  x.set(a);
  // the low nibble reversed, into the high one
  x.vconst(NIBBLE_REV_HIGH);
  x.get(a);
  x.i32(15);
  x.v(V.i8x16_splat);
  x.v(V.and);
  x.v(V.swizzle);
  // the high nibble reversed, into the low one
  x.vconst(NIBBLE_REV);
  x.get(a);
  x.i32(4);
  x.v(V.i8x16_shr_u);
  x.v(V.swizzle);
  x.v(V.or);
  x.tee(a);
  x.get(a);
  x.v(V.shuffle, ...BYTES_REVERSED(size));
}

/** A constant field operand (& 0xff, as the ISA reads bits 0..7), or undefined for a register. */
function field(o: Operand | undefined): number | undefined {
  return o?.kind === 'int' ? Number(o.value & 0xffn) : undefined;
}

/** Pushes a mask of the lane width as a splat. */
function splatMask(x: LaneOps, w: 32 | 64, m: bigint): void {
  if (w === 32) {
    x.i32(Number(BigInt.asIntN(32, m)));
    x.v(V.i32x4_splat);
  } else {
    x.i64(BigInt.asIntN(64, m));
    x.v(V.i64x2_splat);
  }
}

/** Per half (one for 32-bit lanes, two for 64-bit): `body(h)` leaves the half's result, stored in d. */
function halves(x: LaneOps, w: 32 | 64, d: number[], body: (h: number) => void): void {
  for (const h of w === 32 ? [0] : [0, 1]) {
    body(h);
    x.set(d[h]!);
  }
}

function pushW(x: LaneOps, w: 32 | 64, o: Operand, h: number): void {
  if (w === 32) x.push32(o);
  else x.push64(o, h);
}

function canW(x: LaneOps, w: 32 | 64, o: Operand | undefined): boolean {
  return w === 32 ? x.can32(o) : x.can64(o);
}

/**
 * bfe with constant pos and len (emit-int.ts bfe): with p = min(pos, W-1) and s = max(W - len, p),
 * ((a >> p) << s) >> s (arithmetic for .s); 0 when len is 0 or (unsigned) pos >= W.
 */
function bfe(x: LaneOps, o: Operand[], w: 32 | 64, signed: boolean): Emit | undefined {
  const pos = field(o[2]), len = field(o[3]);
  const d = x.dest(o[0], w);
  if (pos === undefined || len === undefined || !d || !canW(x, w, o[1])) return undefined;
  const zero = len === 0 || (!signed && pos >= w);
  const p = Math.min(pos, w - 1), s = Math.max(w - len, p);
  const [shl, shr_u, shr_s] = w === 32 ? [V.i32x4_shl, V.i32x4_shr_u, V.i32x4_shr_s] : [V.i64x2_shl, V.i64x2_shr_u, V.i64x2_shr_s];
  return () =>
    halves(x, w, d, (h) => {
      if (zero) return splatMask(x, w, 0n);
      pushW(x, w, o[1]!, h);
      x.i32(p);
      x.v(shr_u);
      x.i32(s);
      x.v(shl);
      x.i32(s);
      x.v(signed ? shr_s : shr_u);
    });
}

/**
 * bfi with constant pos and len (emit-int.ts bfi): b with a's low n = min(len, W - pos) bits at
 * pos, (b & ~mask) | ((a << pos) & mask); b itself when len is 0 or pos >= W.
 */
function bfi(x: LaneOps, o: Operand[], w: 32 | 64): Emit | undefined {
  const pos = field(o[3]), len = field(o[4]);
  const d = x.dest(o[0], w);
  if (pos === undefined || len === undefined || !d || !canW(x, w, o[1]) || !canW(x, w, o[2])) return undefined;
  const W = BigInt(w);
  const keep = len === 0 || pos >= w;
  const n = BigInt(Math.min(len, w - pos));
  const mask = keep ? 0n : (((1n << n) - 1n) << BigInt(pos)) & ((1n << W) - 1n);
  const shl = w === 32 ? V.i32x4_shl : V.i64x2_shl;
  return () =>
    halves(x, w, d, (h) => {
      if (keep) return pushW(x, w, o[2]!, h);
      // bitselect(a << pos, b, mask): a's bits where the mask is set
      pushW(x, w, o[1]!, h);
      x.i32(pos);
      x.v(shl);
      pushW(x, w, o[2]!, h);
      splatMask(x, w, mask);
      x.v(V.bitselect);
    });
}

/**
 * shf.{l,r}.{wrap,clamp}.b32 d, a, b, c: the funnel shift of {b, a} by n (c & 31, or min(c, 32)).
 * Left: (b << n) | (a >> (32 - n)); right: (a >> n) | (b << (32 - n)); n = 0 gives b (left) or a
 * (right), n = 32 the other. A constant c gives the shifts at compile time; a uniform one (wrap
 * only) shifts by n and 31 - n with a's extra bit shifted out first, so n = 0 needs no case.
 */
function shf(x: LaneOps, o: Operand[], left: boolean, clamp: boolean): Emit | undefined {
  const d = x.dest(o[0], 32);
  if (!d || !x.can32(o[1]) || !x.can32(o[2])) return undefined;
  // b's bits move up, a's down, in both directions
  const up = o[2]!, down = o[1]!;
  const c = o[3];
  if (c?.kind === 'int') {
    const raw = Number(BigInt.asUintN(32, c.value));
    const n = clamp ? Math.min(raw, 32) : raw & 31;
    return () => {
      if (n === 0) x.push32(left ? o[2]! : o[1]!);
      else if (n === 32) x.push32(left ? o[1]! : o[2]!);
      else {
        // left: b << n | a >> (32 - n); right: a >> n | b << (32 - n)
        x.push32(up);
        x.i32(left ? n : 32 - n);
        x.v(V.i32x4_shl);
        x.push32(down);
        x.i32(left ? 32 - n : n);
        x.v(V.i32x4_shr_u);
        x.v(V.or);
      }
      x.set(d[0]!);
    };
  }
  const cnt = x.uniform32(c);
  if (cnt === undefined || clamp) return undefined;
  return () => {
    const n = x.tmpI32();
    x.get(cnt);
    x.i32(31);
    x.op(OP.i32_and);
    x.set(n);
    // left: b << n | (a >> 1) >> (31 - n); right: a >> n | (b << 1) << (31 - n) — the same
    // steps with the words and the shift directions swapped
    const [near, far] = left ? [up, down] : [down, up];
    const [toward, away] = left ? [V.i32x4_shl, V.i32x4_shr_u] : [V.i32x4_shr_u, V.i32x4_shl];
    x.push32(near);
    x.get(n);
    x.v(toward);
    x.push32(far);
    x.i32(1);
    x.v(away);
    x.i32(31);
    x.get(n);
    x.op(OP.i32_sub);
    x.v(away);
    x.v(V.or);
    x.set(d[0]!);
  };
}

/**
 * shl/shr (emit-alu.ts shift): a count of W or more gives 0, or the sign for shr.s (a count of
 * W-1). A constant count: one SIMD shift (or the zero); a uniform register: one SIMD shift by it
 * (mod W, as SIMD shifts count), masked or clamped on the count; a varying one (32-bit only):
 * each lane's value shifted by its own count, put back in its lane.
 */
function shift(x: LaneOps, o: Operand[], left: boolean, signed: boolean, w: 32 | 64): Emit | undefined {
  const d = x.dest(o[0], w);
  const c = o[2];
  if (!d || !canW(x, w, o[1])) return undefined;
  const code = w === 32 ? (left ? V.i32x4_shl : signed ? V.i32x4_shr_s : V.i32x4_shr_u) : left ? V.i64x2_shl : signed ? V.i64x2_shr_s : V.i64x2_shr_u;
  if (c?.kind === 'int') {
    // (the count is read as 32 bits, unsigned)
    const n = Number(BigInt.asUintN(32, c.value));
    return () =>
      halves(x, w, d, (h) => {
        if (n >= w && !signed) return splatMask(x, w, 0n);
        pushW(x, w, o[1]!, h);
        x.i32(Math.min(n, w - 1));
        x.v(code);
      });
  }
  const cnt = x.uniform32(c);
  if (cnt !== undefined) {
    return () =>
      halves(x, w, d, (h) => {
        pushW(x, w, o[1]!, h);
        if (signed) {
          // min(n, W-1)
          x.get(cnt);
          x.i32(w - 1);
          x.get(cnt);
          x.i32(w - 1);
          x.op(OP.i32_lt_u);
          x.op(OP.select);
          x.v(code);
          return;
        }
        x.get(cnt);
        x.v(code);
        // all ones while n < W, else 0
        x.i32(0);
        x.get(cnt);
        x.i32(w);
        x.op(OP.i32_lt_u);
        x.op(OP.i32_sub);
        if (w === 32) x.v(V.i32x4_splat);
        else {
          x.op(OP.i64_extend_i32_s);
          x.v(V.i64x2_splat);
        }
        x.v(V.and);
      });
  }
  if (w !== 32 || !x.can32(c)) return undefined;
  return () => {
    const a = x.tmpV(), n = x.tmpV(), k = x.tmpI32(), r = x.tmpV();
    x.push32(o[1]!);
    x.tee(a);
    x.set(r);
    x.push32(c!);
    x.set(n);
    for (let l = 0; l < 4; l++) {
      x.get(n);
      x.v(V.i32x4_extract, l);
      x.set(k);
      x.get(r);
      x.get(a);
      x.v(V.i32x4_extract, l);
      if (signed) {
        x.get(k);
        x.i32(31);
        x.get(k);
        x.i32(31);
        x.op(OP.i32_lt_u);
        x.op(OP.select);
        x.op(OP.i32_shr_s);
      } else {
        x.get(k);
        x.op(left ? OP.i32_shl : OP.i32_shr_u);
        x.i32(0);
        x.get(k);
        x.i32(32);
        x.op(OP.i32_lt_u);
        x.op(OP.select);
      }
      x.v(V.i32x4_replace, l);
      x.set(r);
    }
    x.get(r);
    x.set(d[0]!);
  };
}

/**
 * popc or clz (32- or 64-bit source, 32-bit result) lane by lane: each lane's value extracted,
 * the scalar instruction (x86 popcnt/lzcnt), put back in its lane. SIMD sequences exist (popc:
 * i8x16.popcnt and two pairwise additions; clz: a & ~(a >> 1) converted to f32, whose exponent is
 * then exact) but V8 lowers those to about ten SSE/AVX2 instructions each, and bit operations ran
 * about 14% faster this way (docs/CPU-DEVICE.md).
 */
function nativePerLane(x: LaneOps, o: Operand[], i32: boolean, popc: boolean): Emit | undefined {
  const d = x.dest(o[0], 32);
  if (!d || !(i32 ? x.can32(o[1]) : x.can64(o[1]))) return undefined;
  return () => {
    const r = x.tmpV();
    x.i32(0);
    x.v(V.i32x4_splat);
    x.set(r);
    for (let l = 0; l < 4; l++) {
      x.get(r);
      if (i32) {
        x.push32(o[1]!);
        x.v(V.i32x4_extract, l);
        x.op(popc ? OP.i32_popcnt : OP.i32_clz);
      } else {
        x.push64(o[1]!, l >> 1);
        x.v(V.i64x2_extract, l & 1);
        x.op(popc ? OP.i64_popcnt : OP.i64_clz);
        x.op(OP.i32_wrap_i64);
      }
      x.v(V.i32x4_replace, l);
      x.set(r);
    }
    x.get(r);
    x.set(d[0]!);
  };
}
