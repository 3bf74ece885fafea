/**
 * PTX for each lifted SIMD op, lane by lane in the op's lane shape. Wasm's semantics are the
 * contract; where PTX differs, the emitted code reproduces Wasm's answer:
 * - shift counts are taken modulo the lane width (PTX clamps);
 * - min/max propagate NaN and order -0 below +0 (PTX min/max return the non-NaN operand);
 * - saturating ops clamp in 32-bit arithmetic; trunc_sat maps NaN to 0 explicitly;
 * - abs/neg of floats are bit operations (they must keep NaN payloads);
 * - a NaN result carries the NaN V8 produces on x86-64 (Wasm allows any arithmetic NaN): the first
 *   NaN operand, quieted, else the default NaN with the sign bit set (0xFFC00000 /
 *   0xFFF8000000000000). min gives that default NaN whatever the operands; max follows V8's
 *   merge sequence (`maxLikeV8`).
 */
import type { PtxBuilder, V128 } from './ptx-builder.js';
import { simdOpcode } from './simd-opcodes.js';
import type { Lifted } from './types.js';

type OpNode = Extract<Lifted, { k: 'op' }>;

const F32_DEFAULT_NAN = 0xffc00000 | 0;
const F64_DEFAULT_NAN = 0xfff8000000000000n;

function bitsOfShape(shape: string): number {
  return Number(shape.slice(1, shape.indexOf('x')));
}

export function emitSimdOp(b: PtxBuilder, x: OpNode, vector: (x: Lifted) => V128, scalar: (x: Lifted) => string): V128 | string {
  const info = simdOpcode(x.sub);
  if (!info || info.refusal !== undefined) throw new Error(`no PTX for simd 0x${x.sub.toString(16)}`);
  const name = info.name;
  const [shape, op] = name.split('.') as [string, string];
  const arg = (n: number): V128 => vector(x.args[n] as Lifted);
  const sarg = (n: number): string => scalar(x.args[n] as Lifted);

  // ---- whole-vector ops ----
  if (shape === 'v128') {
    const words = (v: V128[], f: (w: string[]) => string): V128 => [0, 1, 2, 3].map((i) => f(v.map((a) => a[i] as string))) as V128;
    switch (op) {
      case 'not': return words([arg(0)], ([a]) => b.op('r', (d) => `not.b32 ${d}, ${a};`));
      case 'and': return words([arg(0), arg(1)], ([a, c]) => b.op('r', (d) => `and.b32 ${d}, ${a}, ${c};`));
      case 'or': return words([arg(0), arg(1)], ([a, c]) => b.op('r', (d) => `or.b32 ${d}, ${a}, ${c};`));
      case 'xor': return words([arg(0), arg(1)], ([a, c]) => b.op('r', (d) => `xor.b32 ${d}, ${a}, ${c};`));
      case 'andnot': return words([arg(0), arg(1)], ([a, c]) => {
        const inv = b.op('r', (d) => `not.b32 ${d}, ${c};`);
        return b.op('r', (d) => `and.b32 ${d}, ${a}, ${inv};`);
      });
      case 'bitselect': return words([arg(0), arg(1), arg(2)], ([v1, v2, c]) => {
        const t1 = b.op('r', (d) => `and.b32 ${d}, ${v1}, ${c};`);
        const inv = b.op('r', (d) => `not.b32 ${d}, ${c};`);
        const t2 = b.op('r', (d) => `and.b32 ${d}, ${v2}, ${inv};`);
        return b.op('r', (d) => `or.b32 ${d}, ${t1}, ${t2};`);
      });
    }
    throw new Error(`no PTX for ${name}`);
  }

  if (name === 'i8x16.shuffle') {
    const a = arg(0);
    const c = arg(1);
    const lanes = (x.lanes ?? []).map((i) => (i < 16 ? b.lane(a, 8, i, false) : b.lane(c, 8, i & 15, false)));
    return b.pack(8, lanes);
  }
  if (name === 'i8x16.swizzle') return swizzle(b, arg(0), arg(1));

  const bits = bitsOfShape(shape);
  const count = 128 / bits;
  const isFloat = shape.startsWith('f');

  // ---- lane access ----
  if (op === 'splat') {
    const s = sarg(0);
    if (bits === 64) return b.pack(64, [isFloat ? b.bits64(s) : s, isFloat ? b.bits64(s) : s]);
    const word = isFloat ? b.bits32(s) : s;
    return b.pack(bits, new Array<string>(count).fill(word));
  }
  if (op.startsWith('extract_lane')) {
    const v = arg(0);
    const lane = b.lane(v, bits, x.imm, op.endsWith('_s'));
    if (shape === 'f32x4') return b.f32(lane);
    if (shape === 'f64x2') return b.f64(lane);
    return lane;
  }
  if (op === 'replace_lane') {
    const v = arg(0);
    const s = sarg(1);
    const lanes = range(count).map((j) => (j === x.imm ? (isFloat ? (bits === 64 ? b.bits64(s) : b.bits32(s)) : s) : b.lane(v, bits, j, false)));
    return b.pack(bits, lanes);
  }

  if (isFloat) return floatOp(b, shape, op, bits, arg);
  return intOp(b, name, shape, op, bits, count, arg, sarg);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** i8x16.swizzle: lane j = a[s[j]] when s[j] < 16, else 0 (indices read at run time). */
function swizzle(b: PtxBuilder, a: V128, s: V128): V128 {
  const lanes = range(16).map((j) => {
    const idx = b.lane(s, 8, j, false);
    const t4 = b.op('r', (d) => `and.b32 ${d}, ${idx}, 4;`);
    const p4 = b.op('p', (d) => `setp.ne.u32 ${d}, ${t4}, 0;`);
    const w01 = b.op('r', (d) => `selp.b32 ${d}, ${a[1]}, ${a[0]}, ${p4};`);
    const w23 = b.op('r', (d) => `selp.b32 ${d}, ${a[3]}, ${a[2]}, ${p4};`);
    const t8 = b.op('r', (d) => `and.b32 ${d}, ${idx}, 8;`);
    const p8 = b.op('p', (d) => `setp.ne.u32 ${d}, ${t8}, 0;`);
    const w = b.op('r', (d) => `selp.b32 ${d}, ${w23}, ${w01}, ${p8};`);
    const byteIndex = b.op('r', (d) => `and.b32 ${d}, ${idx}, 3;`);
    const shift = b.op('r', (d) => `shl.b32 ${d}, ${byteIndex}, 3;`);
    const shifted = b.op('r', (d) => `shr.u32 ${d}, ${w}, ${shift};`);
    const byte = b.op('r', (d) => `and.b32 ${d}, ${shifted}, 255;`);
    const inRange = b.op('p', (d) => `setp.lt.u32 ${d}, ${idx}, 16;`);
    return b.op('r', (d) => `selp.b32 ${d}, ${byte}, 0, ${inRange};`);
  });
  return b.pack(8, lanes);
}

const CMP: Record<string, string> = { eq: 'eq', ne: 'ne', lt_s: 'lt', lt_u: 'lt', gt_s: 'gt', gt_u: 'gt', le_s: 'le', le_u: 'le', ge_s: 'ge', ge_u: 'ge' };

function intOp(
  b: PtxBuilder,
  name: string,
  shape: string,
  op: string,
  bits: number,
  count: number,
  arg: (n: number) => V128,
  sarg: (n: number) => string,
): V128 {
  const wide = bits === 64;
  const t = wide ? 's64' : 's32';
  const cls = wide ? 'rd' : 'r';
  const signedOp = op.endsWith('_s') || op === 'abs' || op === 'q15mulr_sat_s' || op === 'dot_i16x8_s';
  const map = (nargs: number, f: (lanes: string[], j: number) => string, signed = signedOp): V128 => {
    const vs = range(nargs).map(arg);
    return b.pack(bits, range(count).map((j) => f(vs.map((v) => b.lane(v, bits, j, signed)), j)));
  };
  const bin = (instr: string): V128 => map(2, ([a, c]) => b.op(cls, (d) => `${instr} ${d}, ${a}, ${c};`));
  const clamp = (v: string, lo: number, hi: number): string => {
    const up = b.op('r', (d) => `max.s32 ${d}, ${v}, ${lo};`);
    return b.op('r', (d) => `min.s32 ${d}, ${up}, ${hi};`);
  };
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  const umax = 2 ** bits - 1;

  if (CMP[op]) {
    const cmp = `setp.${CMP[op]}.${op.endsWith('_u') ? (wide ? 'u64' : 'u32') : t}`;
    return map(2, ([a, c]) => {
      const p = b.op('p', (d) => `${cmp} ${d}, ${a}, ${c};`);
      return wide ? b.op('rd', (d) => `selp.b64 ${d}, -1, 0, ${p};`) : b.op('r', (d) => `selp.b32 ${d}, -1, 0, ${p};`);
    });
  }
  switch (op) {
    case 'add': return bin(`add.${t}`);
    case 'sub': return bin(`sub.${t}`);
    case 'mul': return bin(`mul.lo.${t}`);
    case 'neg': return map(1, ([a]) => b.op(cls, (d) => `neg.${t} ${d}, ${a};`));
    case 'abs': return map(1, ([a]) => b.op(cls, (d) => `abs.${t} ${d}, ${a};`));
    case 'min_s': return bin('min.s32');
    case 'min_u': return bin('min.u32');
    case 'max_s': return bin('max.s32');
    case 'max_u': return bin('max.u32');
    case 'add_sat_s': return map(2, ([a, c]) => clamp(b.op('r', (d) => `add.s32 ${d}, ${a}, ${c};`), min, max));
    case 'sub_sat_s': return map(2, ([a, c]) => clamp(b.op('r', (d) => `sub.s32 ${d}, ${a}, ${c};`), min, max));
    case 'add_sat_u': return map(2, ([a, c]) => clamp(b.op('r', (d) => `add.s32 ${d}, ${a}, ${c};`), 0, umax));
    case 'sub_sat_u': return map(2, ([a, c]) => clamp(b.op('r', (d) => `sub.s32 ${d}, ${a}, ${c};`), 0, umax));
    case 'avgr_u': return map(2, ([a, c]) => {
      const s = b.op('r', (d) => `add.s32 ${d}, ${a}, ${c};`);
      const s1 = b.op('r', (d) => `add.s32 ${d}, ${s}, 1;`);
      return b.op('r', (d) => `shr.u32 ${d}, ${s1}, 1;`);
    });
    case 'popcnt': return map(1, ([a]) => b.op('r', (d) => `popc.b32 ${d}, ${a};`));
    case 'q15mulr_sat_s': return map(2, ([a, c]) => {
      const p = b.op('r', (d) => `mul.lo.s32 ${d}, ${a}, ${c};`);
      const r = b.op('r', (d) => `add.s32 ${d}, ${p}, 16384;`);
      const s = b.op('r', (d) => `shr.s32 ${d}, ${r}, 15;`);
      return b.op('r', (d) => `min.s32 ${d}, ${s}, 32767;`);
    });
    case 'shl':
    case 'shr_s':
    case 'shr_u': {
      // Wasm shifts by the count modulo the lane width; PTX clamps, so mask first.
      const amount = sarg(1);
      const masked = b.op('r', (d) => `and.b32 ${d}, ${amount}, ${bits - 1};`);
      const instr = op === 'shl' ? (wide ? 'shl.b64' : 'shl.b32') : op === 'shr_s' ? `shr.${t}` : wide ? 'shr.u64' : 'shr.u32';
      return map(1, ([a]) => b.op(cls, (d) => `${instr} ${d}, ${a}, ${masked};`), op === 'shr_s');
    }
  }
  const from = name.match(/_i(8|16|32)x\d+_?([su])?/);
  const srcBits = from ? Number(from[1]) : bits / 2;
  const srcSigned = name.endsWith('_s');
  if (op.startsWith('narrow_')) {
    const a = arg(0);
    const c = arg(1);
    const half = count / 2;
    const lanes = range(count).map((j) => {
      const src = b.lane(j < half ? a : c, srcBits, j % half, true);
      return srcSigned ? clamp(src, min, max) : clamp(src, 0, umax);
    });
    return b.pack(bits, lanes);
  }
  if (op.startsWith('extend_')) {
    const a = arg(0);
    const base = op.includes('high') ? count : 0;
    return b.pack(bits, range(count).map((j) => widen(b, b.lane(a, srcBits, base + j, srcSigned), wide, srcSigned)));
  }
  if (op.startsWith('extmul_')) {
    const a = arg(0);
    const c = arg(1);
    const base = op.includes('high') ? count : 0;
    return b.pack(bits, range(count).map((j) => {
      const l = b.lane(a, srcBits, base + j, srcSigned);
      const r = b.lane(c, srcBits, base + j, srcSigned);
      return wide ? b.op('rd', (d) => `mul.wide.${srcSigned ? 's32' : 'u32'} ${d}, ${l}, ${r};`) : b.op('r', (d) => `mul.lo.s32 ${d}, ${l}, ${r};`);
    }));
  }
  if (op.startsWith('extadd_pairwise_')) {
    const a = arg(0);
    return b.pack(bits, range(count).map((j) => {
      const l = b.lane(a, srcBits, 2 * j, srcSigned);
      const r = b.lane(a, srcBits, 2 * j + 1, srcSigned);
      return b.op('r', (d) => `add.s32 ${d}, ${l}, ${r};`);
    }));
  }
  if (op === 'dot_i16x8_s') {
    const a = arg(0);
    const c = arg(1);
    return b.pack(32, range(4).map((j) => {
      const p0 = b.op('r', (d) => `mul.lo.s32 ${d}, ${b.lane(a, 16, 2 * j, true)}, ${b.lane(c, 16, 2 * j, true)};`);
      const p1 = b.op('r', (d) => `mul.lo.s32 ${d}, ${b.lane(a, 16, 2 * j + 1, true)}, ${b.lane(c, 16, 2 * j + 1, true)};`);
      return b.op('r', (d) => `add.s32 ${d}, ${p0}, ${p1};`);
    }));
  }
  if (op.startsWith('trunc_sat_f')) return truncSat(b, name, arg(0));
  throw new Error(`no PTX for ${name} (${shape})`);
}

/** A 32-bit lane widened to 64 bits when the destination is 64-bit. */
function widen(b: PtxBuilder, lane: string, wide: boolean, signed: boolean): string {
  if (!wide) return lane;
  return b.op('rd', (d) => `cvt.${signed ? 's64.s32' : 'u64.u32'} ${d}, ${lane};`);
}

function truncSat(b: PtxBuilder, name: string, a: V128): V128 {
  const fromF64 = name.includes('f64x2');
  const dst = name.includes('_u') ? 'u32' : 's32';
  const lanes = range(fromF64 ? 2 : 4).map((j) => {
    const f = fromF64 ? b.f64(b.lane(a, 64, j, false)) : b.f32(a[j] as string);
    const src = fromF64 ? 'f64' : 'f32';
    // PTX saturates float → int conversions; NaN is mapped to 0 here, not left to the device.
    const r = b.op('r', (d) => `cvt.rzi.${dst}.${src} ${d}, ${f};`);
    const nan = b.op('p', (d) => `setp.nan.${src} ${d}, ${f}, ${f};`);
    return b.op('r', (d) => `selp.b32 ${d}, 0, ${r}, ${nan};`);
  });
  if (fromF64) lanes.push(b.imm32(0), b.imm32(0));
  return lanes as V128;
}

/** Per float width: the PTX type names, registers and the NaN constants `fixNaN` needs. */
const NAN_WIDTH = {
  32: { ft: 'f32', bt: 'b32', cls: 'r', quietBit: '4194304', defaultNaN: (b: PtxBuilder) => b.imm32(F32_DEFAULT_NAN), bits: (b: PtxBuilder, f: string) => b.bits32(f) },
  64: { ft: 'f64', bt: 'b64', cls: 'rd', quietBit: '2251799813685248', defaultNaN: (b: PtxBuilder) => b.imm64(F64_DEFAULT_NAN), bits: (b: PtxBuilder, f: string) => b.bits64(f) },
} as const;

/**
 * The NaN V8 produces on x86-64 when `result` is NaN: the first NaN input quieted, else the default
 * NaN. Returns the result's bits (a .b32 or .b64 register).
 */
function fixNaN(b: PtxBuilder, width: 32 | 64, result: string, inputs: string[]): string {
  const w = NAN_WIDTH[width];
  const pr = b.op('p', (d) => `setp.nan.${w.ft} ${d}, ${result}, ${result};`);
  let nan = w.defaultNaN(b);
  for (const input of [...inputs].reverse()) {
    const pin = b.op('p', (d) => `setp.nan.${w.ft} ${d}, ${input}, ${input};`);
    const bits = w.bits(b, input);
    const quiet = b.op(w.cls, (d) => `or.${w.bt} ${d}, ${bits}, ${w.quietBit};`);
    const prev = nan;
    nan = b.op(w.cls, (d) => `selp.${w.bt} ${d}, ${quiet}, ${prev}, ${pin};`);
  }
  const resultBits = w.bits(b, result);
  return b.op(w.cls, (d) => `selp.${w.bt} ${d}, ${nan}, ${resultBits}, ${pr};`);
}

const FCMP: Record<string, string> = { eq: 'eq', ne: 'neu', lt: 'lt', gt: 'gt', le: 'le', ge: 'ge' };
const ROUND: Record<string, string> = { ceil: 'rpi', floor: 'rmi', trunc: 'rzi', nearest: 'rni' };

function floatOp(b: PtxBuilder, shape: string, op: string, bits: number, arg: (n: number) => V128): V128 {
  const wide = bits === 64;
  const ft = wide ? 'f64' : 'f32';
  const count = wide ? 2 : 4;
  const fcls = wide ? 'fd' : 'f';
  const read = (v: V128, j: number): string => (wide ? b.f64(b.lane(v, 64, j, false)) : b.f32(v[j] as string));
  const bitsOf = (f: string): string => (wide ? b.bits64(f) : b.bits32(f));
  const fix = (result: string, inputs: string[]): string => fixNaN(b, wide ? 64 : 32, result, inputs);
  const map = (nargs: number, f: (lanes: string[]) => string): V128 => {
    const vs = range(nargs).map(arg);
    return b.pack(bits, range(count).map((j) => f(vs.map((v) => read(v, j)))));
  };

  if (op === 'abs' || op === 'neg') {
    // Bit operations on the sign: NaN payloads pass through unchanged, as Wasm requires.
    const v = arg(0);
    const signWord = (i: number): boolean => !wide || i % 2 === 1;
    return [0, 1, 2, 3].map((i) => {
      const w = v[i] as string;
      if (!signWord(i)) return w;
      return op === 'abs' ? b.op('r', (d) => `and.b32 ${d}, ${w}, 2147483647;`) : b.op('r', (d) => `xor.b32 ${d}, ${w}, -2147483648;`);
    }) as V128;
  }
  if (FCMP[op]) {
    return map(2, ([a, c]) => {
      const p = b.op('p', (d) => `setp.${FCMP[op]}.${ft} ${d}, ${a}, ${c};`);
      return wide ? b.op('rd', (d) => `selp.b64 ${d}, -1, 0, ${p};`) : b.op('r', (d) => `selp.b32 ${d}, -1, 0, ${p};`);
    });
  }
  switch (op) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return map(2, ([a, c]) => fix(b.op(fcls, (d) => `${op}.rn.${ft} ${d}, ${a}, ${c};`), [a as string, c as string]));
    case 'sqrt':
      return map(1, ([a]) => fix(b.op(fcls, (d) => `sqrt.rn.${ft} ${d}, ${a};`), [a as string]));
    case 'ceil':
    case 'floor':
    case 'trunc':
    case 'nearest':
      return map(1, ([a]) => fix(b.op(fcls, (d) => `cvt.${ROUND[op]}.${ft}.${ft} ${d}, ${a};`), [a as string]));
    case 'min':
    case 'max':
      return map(2, ([a, c]) => minMax(b, op, wide, a as string, c as string));
    case 'pmin':
    case 'pmax':
      // pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a — exact operand bits, NaN included.
      return map(2, ([a, c]) => {
        const p = op === 'pmin' ? b.op('p', (d) => `setp.lt.${ft} ${d}, ${c}, ${a};`) : b.op('p', (d) => `setp.lt.${ft} ${d}, ${a}, ${c};`);
        return b.op(wide ? 'rd' : 'r', (d) => `selp.b${bits} ${d}, ${bitsOf(c as string)}, ${bitsOf(a as string)}, ${p};`);
      });
  }
  const v = arg(0);
  if (shape === 'f32x4' && op.startsWith('convert_i32x4')) {
    const src = op.endsWith('_u') ? 'u32' : 's32';
    return range(4).map((j) => b.bits32(b.op('f', (d) => `cvt.rn.f32.${src} ${d}, ${v[j]};`))) as V128;
  }
  if (shape === 'f64x2' && op.startsWith('convert_low_i32x4')) {
    const src = op.endsWith('_u') ? 'u32' : 's32';
    return b.pack(64, range(2).map((j) => b.bits64(b.op('fd', (d) => `cvt.rn.f64.${src} ${d}, ${v[j]};`))));
  }
  if (op === 'demote_f64x2_zero') {
    const lanes = range(2).map((j) => {
      const f = b.f64(b.lane(v, 64, j, false));
      const r = b.op('f', (d) => `cvt.rn.f32.f64 ${d}, ${f};`);
      // NaN: sign, quiet bit and the top 22 payload bits, as cvtpd2ps does.
      const [lo, hi] = [v[2 * j] as string, v[2 * j + 1] as string];
      const sign = b.op('r', (d) => `and.b32 ${d}, ${hi}, -2147483648;`);
      const payloadHi = b.op('r', (d) => `and.b32 ${d}, ${hi}, 1048575;`);
      const top = b.op('r', (d) => `shl.b32 ${d}, ${payloadHi}, 3;`);
      const low3 = b.op('r', (d) => `shr.u32 ${d}, ${lo}, 29;`);
      const payload = b.op('r', (d) => `or.b32 ${d}, ${top}, ${low3};`);
      const withSign = b.op('r', (d) => `or.b32 ${d}, ${sign}, ${payload};`);
      const nanBits = b.op('r', (d) => `or.b32 ${d}, ${withSign}, 2143289344;`);
      const p = b.op('p', (d) => `setp.nan.f64 ${d}, ${f}, ${f};`);
      return b.op('r', (d) => `selp.b32 ${d}, ${nanBits}, ${b.bits32(r)}, ${p};`);
    });
    return [...lanes, b.imm32(0), b.imm32(0)] as V128;
  }
  if (op === 'promote_low_f32x4') {
    return b.pack(64, range(2).map((j) => {
      const f = b.f32(v[j] as string);
      const r = b.op('fd', (d) => `cvt.f64.f32 ${d}, ${f};`);
      // NaN: sign, quiet bit and the payload shifted up, as cvtps2pd does.
      const raw = v[j] as string;
      const sign = b.op('r', (d) => `and.b32 ${d}, ${raw}, -2147483648;`);
      const payload = b.op('r', (d) => `and.b32 ${d}, ${raw}, 4194303;`);
      const hiPayload = b.op('r', (d) => `shr.u32 ${d}, ${payload}, 3;`);
      const loPayload = b.op('r', (d) => `shl.b32 ${d}, ${payload}, 29;`);
      const hiSign = b.op('r', (d) => `or.b32 ${d}, ${sign}, ${hiPayload};`);
      const hi = b.op('r', (d) => `or.b32 ${d}, ${hiSign}, 2146959360;`);
      const nanBits = b.join64(loPayload, hi);
      const p = b.op('p', (d) => `setp.nan.f32 ${d}, ${f}, ${f};`);
      return b.op('rd', (d) => `selp.b64 ${d}, ${nanBits}, ${b.bits64(r)}, ${p};`);
    }));
  }
  throw new Error(`no PTX for ${shape}.${op}`);
}

/**
 * Wasm max, with V8's NaN on x86-64: V8 computes maxps both ways and merges them (xor, or, a
 * subtraction, then clears the payload of NaN lanes), so a NaN result keeps the sign that
 * subtraction gives. The same steps here give the same bits; ordered results are Wasm's max.
 */
function maxLikeV8(b: PtxBuilder, wide: boolean, a: string, c: string): string {
  const ft = wide ? 'f64' : 'f32';
  const bt = wide ? 'b64' : 'b32';
  const cls = wide ? 'rd' : 'r';
  const bitsOf = (f: string): string => (wide ? b.bits64(f) : b.bits32(f));
  const ab = bitsOf(a);
  const cb = bitsOf(c);
  // maxps(x, y) = x > y ? x : y (the second operand when unordered or equal).
  const pScratch = b.op('p', (d) => `setp.gt.${ft} ${d}, ${c}, ${a};`);
  const scratch = b.op(cls, (d) => `selp.${bt} ${d}, ${cb}, ${ab}, ${pScratch};`);
  const pDst = b.op('p', (d) => `setp.gt.${ft} ${d}, ${a}, ${c};`);
  const dst = b.op(cls, (d) => `selp.${bt} ${d}, ${ab}, ${cb}, ${pDst};`);
  const x = b.op(cls, (d) => `xor.${bt} ${d}, ${dst}, ${scratch};`);
  const merged = b.op(cls, (d) => `or.${bt} ${d}, ${scratch}, ${x};`);
  const mergedF = wide ? b.f64(merged) : b.f32(merged);
  const xF = wide ? b.f64(x) : b.f32(x);
  const diff = b.op(wide ? 'fd' : 'f', (d) => `sub.rn.${ft} ${d}, ${mergedF}, ${xF};`);
  const diffBits = fixNaN(b, wide ? 64 : 32, diff, [mergedF, xF]);
  const diffF = wide ? b.f64(diffBits) : b.f32(diffBits);
  const unordered = b.op('p', (d) => `setp.nan.${ft} ${d}, ${xF}, ${diffF};`);
  const mask = wide ? b.imm64(0x0007ffffffffffffn) : b.imm32(0x003fffff);
  const cleared = b.op(cls, (d) => `not.${bt} ${d}, ${mask};`);
  const payloadCleared = b.op(cls, (d) => `and.${bt} ${d}, ${diffBits}, ${cleared};`);
  return b.op(cls, (d) => `selp.${bt} ${d}, ${payloadCleared}, ${diffBits}, ${unordered};`);
}

/** Wasm min/max: NaN if either operand is NaN, and -0 < +0. */
function minMax(b: PtxBuilder, op: string, wide: boolean, a: string, c: string): string {
  if (op === 'max') return maxLikeV8(b, wide, a, c);
  const ft = wide ? 'f64' : 'f32';
  const bt = wide ? 'b64' : 'b32';
  const cls = wide ? 'rd' : 'r';
  const bitsOf = (f: string): string => (wide ? b.bits64(f) : b.bits32(f));
  const ab = bitsOf(a);
  const cb = bitsOf(c);
  const pick = b.op('p', (d) => `setp.${op === 'min' ? 'lt' : 'gt'}.${ft} ${d}, ${a}, ${c};`);
  const chosen = b.op(cls, (d) => `selp.${bt} ${d}, ${ab}, ${cb}, ${pick};`);
  // Equal operands (±0 included): min ORs the sign bits in, max ANDs them.
  const merged = b.op(cls, (d) => `${op === 'min' ? 'or' : 'and'}.${bt} ${d}, ${ab}, ${cb};`);
  const equal = b.op('p', (d) => `setp.eq.${ft} ${d}, ${a}, ${c};`);
  const ordered = b.op(cls, (d) => `selp.${bt} ${d}, ${merged}, ${chosen}, ${equal};`);
  const nan = b.op('p', (d) => `setp.nan.${ft} ${d}, ${a}, ${c};`);
  const defaultNaN = wide ? b.imm64(F64_DEFAULT_NAN) : b.imm32(F32_DEFAULT_NAN);
  return b.op(cls, (d) => `selp.${bt} ${d}, ${defaultNaN}, ${ordered}, ${nan};`);
}
