/** Conformance cases: bit tricks, libm (precise and fast), f64, conversions, integer ops, comparisons. */
import { check, int32, randF32, randInt, type ConformanceCase } from './case.js';
import { bitsF32, dAdd, dMul, dyadic, fma64, fmaf, fr, fromF16, rint, roundToF32, toF16, toInt, ulpDiff } from './reference.js';

const U32 = (x: number): number => x >>> 0;
const popc = (x: number): number => {
  let c = 0;
  for (let v = x >>> 0; v; v >>>= 1) c += v & 1;
  return c;
};
const clz = (x: number): number => Math.clz32(x);
const brev = (x: number): number => {
  let r = 0;
  for (let i = 0; i < 32; i++) r |= ((x >>> i) & 1) << (31 - i);
  return r >>> 0;
};
const SPECIALS = [NaN, Infinity, -Infinity, 3e9, -3e9, 0.5, 1.5, 2.5, -0.5, -2.5, 0, -0, 65519, 65520, 1e-8, 2147483520, 4294967040];

/** ulp tolerance check for f32 results against a double-precision reference. */
function ulps(max: number) {
  return (g: number, w: number): boolean => {
    if (Number.isNaN(w)) return Number.isNaN(g);
    return ulpDiff(g, fr(w)) <= max;
  };
}
function close(rel: number, abs: number) {
  return (g: number, w: number): boolean => (Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= abs + rel * Math.abs(w));
}

export const MATH_CASES: ConformanceCase[] = [
  {
    name: 'bit_tricks',
    entry: 'bit_tricks',
    run({ mem, random, run }) {
      const n = 200;
      const x = Array.from({ length: n }, (_, i) => (i < 3 ? [0, -1, 1][i]! : int32(random)));
      const y = x.map((v, i) => (i < 2 ? BigInt(i) : (BigInt(U32(v)) << 32n) | BigInt(U32(int32(random)))));
      const X = mem.i32(x), Y = mem.u64(y), O = mem.alloc(n * 48);
      run([2, 1, 1], [128, 1, 1], [X, Y, O, ['i32', n]]);
      const want: number[] = [];
      x.forEach((v, i) => {
        const u = U32(v);
        const yy = y[i]!;
        const b = U32(Math.imul(u, 2654435761));
        const sel = 0x5140 + (i & 7);
        const bytes = [u & 255, (u >>> 8) & 255, (u >>> 16) & 255, u >>> 24, b & 255, (b >>> 8) & 255, (b >>> 16) & 255, b >>> 24];
        let perm = 0;
        for (let k = 0; k < 4; k++) perm |= bytes[(sel >>> (4 * k)) & 7]! << (8 * k);
        const hi = U32(u ^ 0xdeadbeef);
        const sh = i & 31;
        const funnel = sh === 0 ? hi : U32((hi << sh) | (u >>> (32 - sh)));
        let brevll = 0n;
        for (let k = 0n; k < 64n; k++) brevll |= ((yy >> k) & 1n) << (63n - k);
        const popcll = yy.toString(2).split('').filter((c) => c === '1').length;
        const clzll = yy === 0n ? 64 : 64 - yy.toString(2).length;
        want.push(
          popc(u), clz(u), brev(u), (u >>> 7) & 0x1f, U32(perm), u === 0 ? 0 : 32 - Math.clz32(u & -u),
          funnel, popcll, clzll, Number((brevll >> 17n) & 0xffffffffn),
          U32((v >> (i & 31)) ^ (u << 3) ^ (~u | 0x0f0f0f0f)),
          U32(Number((yy >> 13n) & 0x3fffn) | (Number((yy >> 40n) & 0xffffffn) << 14)),
        );
      });
      check('bits', mem.readU32(O), want, undefined, (k) => `x=${x[Math.floor(k / 12)]} output ${k % 12}`);
    },
  },
  {
    name: 'math_precise',
    entry: 'math_precise',
    run({ mem, random, run }) {
      const n = 512;
      const x = Array.from({ length: n }, () => randF32(random, -10, 10));
      const y = Array.from({ length: n }, () => randF32(random, -5, 5) || 1);
      const X = mem.f32(x), Y = mem.f32(y), O = mem.alloc(n * 32);
      run([4, 1, 1], [128, 1, 1], [X, Y, O, ['i32', n]]);
      const got = mem.readF32(O);
      const tol = [2, 1, 2, 2, 0, 2, 0, 2]; // CUDA's documented max ulp errors
      const names = ['expf', 'logf', 'sinf', 'cosf', 'sqrtf', 'rsqrtf', 'div', 'tanhf'];
      for (let k = 0; k < 8; k++) {
        const want = x.map((a, i) => {
          const b = y[i]!;
          switch (k) {
            case 0: return Math.exp(a);
            case 1: return Math.log(fr(Math.abs(a) + fr(1e-3)));
            case 2: return Math.sin(fr(a * 10));
            case 3: return Math.cos(fr(a * 10));
            case 4: return Math.sqrt(Math.abs(a));
            case 5: return 1 / Math.sqrt(fr(Math.abs(b) + 0.5));
            case 6: return a / b;
            default: return Math.tanh(a);
          }
        });
        check(names[k]!, got.filter((_, j) => j % 8 === k), want, ulps(tol[k]!), (i) => `x=${x[i]} y=${y[i]}`);
      }
    },
  },
  {
    name: 'math_fast',
    entry: 'math_fast',
    run({ mem, random, run }) {
      const n = 512;
      const x = Array.from({ length: n }, () => randF32(random, -3, 3));
      const y = Array.from({ length: n }, () => randF32(random, -5, 5) || 1);
      const X = mem.f32(x), Y = mem.f32(y), O = mem.alloc(n * 40);
      run([4, 1, 1], [128, 1, 1], [X, Y, O, ['i32', n]]);
      const got = mem.readF32(O);
      const col = (k: number): number[] => got.filter((_, j) => j % 10 === k);
      const d = (i: number): string => `x=${x[i]} y=${y[i]}`;
      check('__expf', col(0), x.map((a) => Math.exp(a)), close(2e-6, 0), d);
      check('__logf', col(1), x.map((a) => Math.log(fr(Math.abs(a) + fr(1e-3)))), close(2e-6, 2e-6), d);
      check('__sinf', col(2), x.map((a) => Math.sin(a)), close(0, 2e-6), d);
      check('__cosf', col(3), x.map((a) => Math.cos(a)), close(0, 2e-6), d);
      check('__fdividef', col(4), x.map((a, i) => a / y[i]!), close(4e-7, 0), d);
      check('__frsqrt_rn', col(5), y.map((b) => 1 / Math.sqrt(fr(Math.abs(b) + 0.5))), ulps(0), d);
      check('__fsqrt_rn', col(6), x.map((a) => Math.sqrt(Math.abs(a))), ulps(0), d);
      check('__frcp_rn', col(7), y.map((b) => 1 / b), ulps(0), d);
      check('__fmaf_rz', col(8), x.map((a, i) => fmaf(a, y[i]!, 1, 'rz')), undefined, d);
      const addRd = (a: number, b: number): number => roundToF32(dAdd(dyadic(a), dyadic(b)), 'rm');
      const mulRu = (a: number, b: number): number => roundToF32(dMul(dyadic(a), dyadic(b)), 'rp');
      check('__fadd_rd + __fmul_ru', col(9), x.map((a, i) => fr(addRd(a, y[i]!) + mulRu(a, y[i]!))), undefined, d);
    },
  },
  {
    name: 'f64',
    entry: 'f64_ops',
    run({ mem, random, run }) {
      const n = 300;
      const x = Array.from({ length: n }, () => (random() - 0.5) * 40);
      const y = Array.from({ length: n }, () => (random() - 0.5) * 40 || 1);
      const X = mem.f64(x), Y = mem.f64(y), O = mem.alloc(n * 64);
      run([3, 1, 1], [128, 1, 1], [X, Y, O, ['i32', n]]);
      const got = mem.readF64(O);
      const col = (k: number): number[] => got.filter((_, j) => j % 8 === k);
      const d = (i: number): string => `x=${x[i]} y=${y[i]}`;
      check('a*b+a', col(0), x.map((a, i) => fma64(a, y[i]!, a)), undefined, d);
      check('fma', col(1), x.map((a, i) => fma64(a, y[i]!, -1)), undefined, d);
      check('div', col(2), x.map((a, i) => a / y[i]!), undefined, d);
      check('sqrt', col(3), x.map((a) => Math.sqrt(Math.abs(a))), undefined, d);
      check('fmin-fmax', col(4), x.map((a, i) => Math.min(a, y[i]!) - Math.max(a, y[i]!)), undefined, d);
      check('exp', col(5), x.map((a) => Math.exp(a * 0.5)), (g, w) => Math.abs(g - w) <= 4.5e-16 * Math.abs(w), d);
      check('conversions', col(6), x.map((a, i) => Math.trunc(a * 1e6) + Math.trunc(Math.abs(y[i]!) * 1000)), undefined, d);
      check('rounding', col(7), x.map((a, i) => Math.floor(a * 3) + Math.ceil(y[i]! * 3) + Math.trunc(a - y[i]!) + rint(a + y[i]!)), undefined, d);
    },
  },
  {
    name: 'conversions',
    entry: 'conversions',
    run({ mem, random, run }) {
      const n = 256;
      const x = Array.from({ length: n }, (_, i) => (i < SPECIALS.length ? fr(SPECIALS[i]!) : randF32(random, -400, 400)));
      const k = Array.from({ length: n }, () => int32(random));
      const X = mem.f32(x), K = mem.i32(k), O = mem.alloc(n * 40), F = mem.alloc(n * 24);
      run([2, 1, 1], [128, 1, 1], [X, K, O, F, ['i32', n]]);
      const I32 = [-2147483648, 2147483647] as const;
      const want: number[] = [];
      const fwant: number[] = [];
      x.forEach((a, i) => {
        const v = k[i]!;
        const big = fr(a * 3e9);
        const abs = big >= 0 ? big : fr(-big);
        const s64 = Number.isNaN(abs) ? 0n : abs >= 9223372036854775807 ? 9223372036854775807n : BigInt(Math.trunc(abs));
        const sat = Number.isNaN(a) ? 0 : Math.min(Math.max(a, 0), 1);
        want.push(
          toInt(Math.trunc(a), ...I32), toInt(rint(a), ...I32), toInt(Math.floor(a), ...I32), toInt(Math.ceil(a), 0, 4294967295) | 0,
          (v << 24) >> 24, v & 0xffff, Number(BigInt.asIntN(32, s64)) >> 3, toF16(a),
          toInt(rint(fr(fr(sat) * 255)), 0, 4294967295) & 255,
          toInt(Math.trunc(fromF16(toF16(fr(a * 100), 'rz'))), ...I32),
        );
        fwant.push(sat, fr(v), fr(U32(v)), fr(v * 1000003), fr(a * 1.0000001), fr(fromF16(toF16(fromF16(toF16(a)) + 1.5))));
      });
      check('ints', mem.readI32(O), want, undefined, (j) => `x=${x[Math.floor(j / 10)]} k=${k[Math.floor(j / 10)]} output ${j % 10}`);
      check('floats', mem.readF32(F), fwant, undefined, (j) => `x=${x[Math.floor(j / 6)]} k=${k[Math.floor(j / 6)]} output ${j % 6}`);
    },
  },
  {
    name: 'int_arith',
    entry: 'int_arith',
    run({ mem, random, run }) {
      const n = 300;
      const gen = (): number => {
        const r = random();
        return r < 0.1 ? 0 : r < 0.3 ? randInt(random, -100, 100) : int32(random) || 1;
      };
      const a = Array.from({ length: n }, () => Math.max(gen(), -2147483647));
      const b = Array.from({ length: n }, () => Math.max(gen(), -2147483647));
      const A = mem.i32(a), B = mem.i32(b), O = mem.alloc(n * 96);
      run([3, 1, 1], [128, 1, 1], [A, B, O, ['i32', n]]);
      const M64 = (v: bigint): bigint => BigInt.asIntN(64, v);
      const want: bigint[] = [];
      a.forEach((x, i) => {
        const y = b[i]!;
        const ux = BigInt(U32(x)), uy = BigInt(U32(y));
        const X = BigInt(x) * 0x12345n + BigInt(y), Y = BigInt(y) | 1n;
        const umul64hi = (BigInt.asUintN(64, X) * 0x9e3779b97f4a7c15n) >> 64n;
        const u32a = BigInt(U32(Math.max(x, y) - Number(ux < uy ? ux : uy) + Math.abs(x)));
        const sad = BigInt(U32(Math.abs(x - y) + 7 + Number(ux > uy ? ux - uy : uy - ux) + 1));
        want.push(
          y ? BigInt(Math.trunc(x / y)) : 0n, y ? BigInt(x % y) : 0n,
          uy ? ux / uy : 0n, uy ? ux % uy : 0n,
          BigInt((BigInt(x) * BigInt(y)) >> 32n), (ux * uy) >> 32n,
          BigInt(x) * BigInt(y), X / Y, X % Y,
          M64(BigInt.asUintN(64, X) / BigInt.asUintN(64, (Y & 0xffffffn) | 1n)),
          M64(u32a + M64(umul64hi)),
          M64(sad + (X < 0n ? -X : X) - (X < Y ? X : Y)),
        );
      });
      check('ints', mem.readI64(O), want, undefined, (j) => `a=${a[Math.floor(j / 12)]} b=${b[Math.floor(j / 12)]} output ${j % 12}`);
    },
  },
  {
    name: 'compare_select',
    entry: 'compare_select',
    run({ mem, random, run }) {
      const n = 256;
      const pick = (): number => {
        const r = random();
        return r < 0.1 ? NaN : r < 0.15 ? Infinity : r < 0.2 ? -Infinity : r < 0.4 ? randInt(random, -2, 2) : randF32(random, -10, 10);
      };
      const x = Array.from({ length: n }, pick);
      const y = Array.from({ length: n }, pick);
      const X = mem.f32(x), Y = mem.f32(y), O = mem.alloc(n * 8);
      run([2, 1, 1], [128, 1, 1], [X, Y, O, ['i32', n]]);
      const got = mem.readU32(O);
      const fmax = (p: number, q: number): number => (Number.isNaN(p) ? q : Number.isNaN(q) ? p : Math.max(p, q));
      const fmin = (p: number, q: number): number => (Number.isNaN(p) ? q : Number.isNaN(q) ? p : Math.min(p, q));
      const wantBits = x.map((a, i) => {
        const b = y[i]!;
        const f = [a < b, a <= b, a > b, a >= b, a === b, a !== b, !(a < b), !(a >= b), Number.isNaN(a), Math.abs(b) === Infinity, i < 7, i > -3 && i <= 100];
        return f.reduce((s, v, k) => s | ((v ? 1 : 0) << k), 0);
      });
      check('flags', got.filter((_, j) => j % 2 === 0), wantBits, undefined, (i) => `x=${x[i]} y=${y[i]}`);
      const vals = x.map((a, i) => {
        const b = y[i]!;
        return a > b ? fr(a - b) : fr(fmax(a, b) + fmin(a, b));
      });
      const bits = got.filter((_, j) => j % 2 === 1);
      check('select', bits, vals.map(bitsF32), (g, w, i) => g === w || (Number.isNaN(vals[i]!) && (g & 0x7f800000) === 0x7f800000 && (g & 0x7fffff) !== 0), (i) => `x=${x[i]} y=${y[i]}`);
    },
  },
];
