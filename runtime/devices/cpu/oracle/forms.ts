/**
 * The instruction-form table: every ALU instruction form of the PTX ISA grammar this oracle
 * enumerates (opcode × modifiers × type), each with its semantics written in C from the ISA text.
 * The C is compiled by gcc at test time (oracle-c.ts); nothing here calls the device's own math.
 *
 * A form's C snippet sees its operands as typed locals `a`, `b`, `c` (see C_TYPE) and assigns `r`.
 * Rounding modes use fesetround (RND(...) in oracle-prelude.c); `.ftz` flushes subnormal inputs
 * and results to sign-preserving zero; `.sat` clamps to [0, 1] with NaN → +0.
 */

/** Operand/result types as the test kernel holds them in registers. */
export type OpType = 'pred' | 'b8' | 'b16' | 'b32' | 'b64' | 'f16' | 'f16x2' | 'f32' | 'f64';

export type Compare =
  | { kind: 'exact' }
  /** The C result is a double-precision reference; the device's value must be within the bound. */
  | { kind: 'approx'; rel?: number; abs?: number; ulps?: number; /** C condition on a, b under which the bound applies. */ domain?: string; bound: string };

export interface Form {
  /** The PTX opcode as written: `add.rn.ftz.f32`. */
  id: string;
  /** The first part of the opcode (what SUPPORTED_OPCODES lists). */
  opcode: string;
  /** Table section in docs/PTX-COVERAGE.md. */
  family: string;
  ins: OpType[];
  out: OpType;
  /** The instruction with {d} {a} {b} {c} placeholders. */
  ptx: string;
  /** C statements assigning `r` from a, b, c. */
  c: string;
  compare: Compare;
  /** For integer ops: the operand type's width, to pick edge classes (INT_MIN/-1, shift ≥ width). */
  intBits?: number;
  /** .ftz forms: subnormal results may flush. */
  ftz?: boolean;
  /** C condition on a, b, c under which the ISA leaves the result unspecified: such cases are not compared. */
  unspecified?: string;
}

const EXACT: Compare = { kind: 'exact' };
const ROUNDINGS = ['rn', 'rz', 'rm', 'rp'] as const;
const FE: Record<string, string> = { rn: 'FE_TONEAREST', rz: 'FE_TOWARDZERO', rm: 'FE_DOWNWARD', rp: 'FE_UPWARD', '': 'FE_TONEAREST' };
const IRND: Record<string, string> = { rni: 'FE_TONEAREST', rzi: 'FE_TOWARDZERO', rmi: 'FE_DOWNWARD', rpi: 'FE_UPWARD' };

/** C type of an operand local. */
export const C_TYPE: Record<OpType, string> = {
  pred: 'int', b8: 'uint8_t', b16: 'uint16_t', b32: 'uint32_t', b64: 'uint64_t', f16: '_Float16', f16x2: 'uint32_t', f32: 'float', f64: 'double',
};

const forms: Form[] = [];
function add(f: Omit<Form, 'opcode'> & { opcode?: string }): void {
  forms.push({ ...f, opcode: f.opcode ?? f.id.split('.')[0]! });
}
const join = (...p: (string | false | undefined)[]): string => p.filter((x) => x).join('.');

// ---------------------------------------------------------------- f32 / f64 arithmetic
for (const op of ['add', 'sub', 'mul'] as const) {
  const sym = op === 'add' ? '+' : op === 'sub' ? '-' : '*';
  for (const rnd of ['', ...ROUNDINGS]) {
    for (const ftz of [false, true]) {
      for (const sat of [false, true]) {
        const A = ftz ? 'ftzf(a)' : 'a', B = ftz ? 'ftzf(b)' : 'b';
        let e = `RND(${FE[rnd]}, float, ${A} ${sym} ${B})`;
        if (ftz) e = `ftzf(${e})`;
        if (sat) e = `satf(${e})`;
        add({ id: join(op, rnd, ftz && 'ftz', sat && 'sat', 'f32'), family: 'f32 arithmetic', ins: ['f32', 'f32'], out: 'f32', ptx: `${join(op, rnd, ftz && 'ftz', sat && 'sat', 'f32')} {d}, {a}, {b};`, c: `r = ${e};`, compare: EXACT, ftz });
      }
    }
    add({ id: join(op, rnd, 'f64'), family: 'f64 arithmetic', ins: ['f64', 'f64'], out: 'f64', ptx: `${join(op, rnd, 'f64')} {d}, {a}, {b};`, c: `r = RND(${FE[rnd]}, double, a ${sym} b);`, compare: EXACT });
  }
}
for (const op of ['fma', 'mad'] as const) {
  for (const rnd of ROUNDINGS) {
    for (const ftz of [false, true]) {
      for (const sat of [false, true]) {
        const A = ftz ? 'ftzf(a)' : 'a', B = ftz ? 'ftzf(b)' : 'b', C = ftz ? 'ftzf(c)' : 'c';
        let e = `RND(${FE[rnd]}, float, fmaf(${A}, ${B}, ${C}))`;
        if (ftz) e = `ftzf(${e})`;
        if (sat) e = `satf(${e})`;
        const id = join(op, rnd, ftz && 'ftz', sat && 'sat', 'f32');
        add({ id, family: 'f32 arithmetic', ins: ['f32', 'f32', 'f32'], out: 'f32', ptx: `${id} {d}, {a}, {b}, {c};`, c: `r = ${e};`, compare: EXACT, ftz });
      }
    }
    const id = join(op, rnd, 'f64');
    add({ id, family: 'f64 arithmetic', ins: ['f64', 'f64', 'f64'], out: 'f64', ptx: `${id} {d}, {a}, {b}, {c};`, c: `r = RND(${FE[rnd]}, double, fma(a, b, c));`, compare: EXACT });
  }
}
for (const ftz of [false, true]) {
  const A = ftz ? 'ftzf(a)' : 'a', B = ftz ? 'ftzf(b)' : 'b';
  for (const rnd of ROUNDINGS) {
    const id = join('div', rnd, ftz && 'ftz', 'f32');
    add({ id, family: 'f32 arithmetic', ins: ['f32', 'f32'], out: 'f32', ptx: `${id} {d}, {a}, {b};`, c: `r = ${ftz ? 'ftzf' : ''}(RND(${FE[rnd]}, float, ${A} / ${B}));`, compare: EXACT, ftz });
    const rid = join('rcp', rnd, ftz && 'ftz', 'f32');
    add({ id: rid, family: 'f32 arithmetic', ins: ['f32'], out: 'f32', ptx: `${rid} {d}, {a};`, c: `r = ${ftz ? 'ftzf' : ''}(RND(${FE[rnd]}, float, 1.0f / ${A}));`, compare: EXACT, ftz });
    const sid = join('sqrt', rnd, ftz && 'ftz', 'f32');
    add({ id: sid, family: 'f32 arithmetic', ins: ['f32'], out: 'f32', ptx: `${sid} {d}, {a};`, c: `r = ${ftz ? 'ftzf' : ''}(RND(${FE[rnd]}, float, sqrtf(${A})));`, compare: EXACT, ftz });
  }
  // ISA: div.approx.f32 has a maximum error of 2 ulp for 2^-126 <= |b| <= 2^126; div.full.f32 2 ulp over the full range.
  for (const kind of ['approx', 'full'] as const) {
    const id = join('div', kind, ftz && 'ftz', 'f32');
    add({
      id, family: 'f32 approximate', ins: ['f32', 'f32'], out: 'f32', ptx: `${id} {d}, {a}, {b};`, c: `r = (double)${A} / (double)${B};`, ftz,
      compare: { kind: 'approx', ulps: 2, domain: kind === 'approx' ? `fabsf(${B}) >= 0x1p-126f && fabsf(${B}) <= 0x1p126f` : `fabsf(${B}) <= 0x1p126f`, bound: '2 ulp' + (kind === 'approx' ? ' for 2^-126 ≤ |b| ≤ 2^126' : ' for |b| ≤ 2^126') },
    });
  }
  const approx: [string, string, Compare][] = [
    ['rcp', '1.0 / (double)A', { kind: 'approx', ulps: 1, bound: '1 ulp' }],
    ['sqrt', 'sqrt((double)A)', { kind: 'approx', rel: 2 ** -23, bound: 'relative 2^-23' }],
    ['rsqrt', '1.0 / sqrt((double)A)', { kind: 'approx', rel: 2 ** -22.9, bound: 'relative 2^-22.9' }],
    ['sin', 'sin((double)A)', { kind: 'approx', abs: 2 ** -20.5, domain: 'fabsf(A) <= 100.0f * 3.14159265f', bound: 'absolute 2^-20.5 for |a| ≤ 100π' }],
    ['cos', 'cos((double)A)', { kind: 'approx', abs: 2 ** -20.5, domain: 'fabsf(A) <= 100.0f * 3.14159265f', bound: 'absolute 2^-20.5 for |a| ≤ 100π' }],
    ['ex2', 'exp2((double)A)', { kind: 'approx', ulps: 2, bound: '2 ulp' }],
    ['lg2', 'log2((double)A)', { kind: 'approx', abs: 2 ** -22.6, rel: 2 ** -22, bound: 'absolute 2^-22.6 or relative 2^-22' }],
  ];
  for (const [op, expr, compare] of approx) {
    const id = join(op, 'approx', ftz && 'ftz', 'f32');
    const cmp = compare.kind === 'approx' && compare.domain ? { ...compare, domain: compare.domain.replaceAll('A', A) } : compare;
    add({ id, family: 'f32 approximate', ins: ['f32'], out: 'f32', ptx: `${id} {d}, {a};`, c: `r = ${expr.replaceAll('A', A)};`, compare: cmp, ftz });
  }
}
add({ id: 'tanh.approx.f32', family: 'f32 approximate', ins: ['f32'], out: 'f32', ptx: 'tanh.approx.f32 {d}, {a};', c: 'r = tanh((double)a);', compare: { kind: 'approx', rel: 2 ** -10.987, abs: 2 ** -126, bound: 'relative 2^-10.987' } });
for (const rnd of ROUNDINGS) {
  add({ id: `div.${rnd}.f64`, family: 'f64 arithmetic', ins: ['f64', 'f64'], out: 'f64', ptx: `div.${rnd}.f64 {d}, {a}, {b};`, c: `r = RND(${FE[rnd]}, double, a / b);`, compare: EXACT });
  add({ id: `rcp.${rnd}.f64`, family: 'f64 arithmetic', ins: ['f64'], out: 'f64', ptx: `rcp.${rnd}.f64 {d}, {a};`, c: `r = RND(${FE[rnd]}, double, 1.0 / a);`, compare: EXACT });
  add({ id: `sqrt.${rnd}.f64`, family: 'f64 arithmetic', ins: ['f64'], out: 'f64', ptx: `sqrt.${rnd}.f64 {d}, {a};`, c: `r = RND(${FE[rnd]}, double, sqrt(a));`, compare: EXACT });
}
// The ISA gives no error bound for these two f64 approximations; 2^-50 relative is this table's assumption.
add({ id: 'rsqrt.approx.f64', family: 'f64 arithmetic', ins: ['f64'], out: 'f64', ptx: 'rsqrt.approx.f64 {d}, {a};', c: 'r = 1.0 / sqrtl(a);', compare: { kind: 'approx', rel: 2 ** -50, bound: 'relative 2^-50 (assumed)' } });
add({ id: 'rcp.approx.ftz.f64', family: 'f64 arithmetic', ins: ['f64'], out: 'f64', ptx: 'rcp.approx.ftz.f64 {d}, {a};', c: 'r = 1.0L / (long double)ftzd(a);', compare: { kind: 'approx', rel: 2 ** -50, bound: 'relative 2^-50 (assumed)' }, ftz: true });

for (const op of ['abs', 'neg'] as const) {
  for (const ftz of [false, true]) {
    const id = join(op, ftz && 'ftz', 'f32');
    const A = ftz ? 'ftzf(a)' : 'a';
    add({ id, family: 'f32 arithmetic', ins: ['f32'], out: 'f32', ptx: `${id} {d}, {a};`, c: `r = ${op === 'abs' ? `fabsf(${A})` : `-(${A})`};`, compare: EXACT, ftz });
  }
  add({ id: `${op}.f64`, family: 'f64 arithmetic', ins: ['f64'], out: 'f64', ptx: `${op}.f64 {d}, {a};`, c: `r = ${op === 'abs' ? 'fabs(a)' : '-a'};`, compare: EXACT });
}
// min/max: a NaN operand yields the other operand; both NaN yield NaN; .NaN yields NaN when either is; -0 < +0.
for (const op of ['min', 'max'] as const) {
  for (const ftz of [false, true]) {
    for (const nan of [false, true]) {
      const id = join(op, ftz && 'ftz', nan && 'NaN', 'f32');
      const A = ftz ? 'ftzf(a)' : 'a', B = ftz ? 'ftzf(b)' : 'b';
      add({ id, family: 'f32 min/max', ins: ['f32', 'f32'], out: 'f32', ptx: `${id} {d}, {a}, {b};`, c: `r = ${op}f_ptx(${A}, ${B}, ${nan ? 1 : 0});`, compare: EXACT, ftz });
    }
  }
  add({ id: `${op}.f64`, family: 'f32 min/max', ins: ['f64', 'f64'], out: 'f64', ptx: `${op}.f64 {d}, {a}, {b};`, c: `r = ${op}d_ptx(a, b);`, compare: EXACT });
}
for (const t of ['f32', 'f64'] as const) {
  add({ id: `copysign.${t}`, family: 'float bits', ins: [t, t], out: t, ptx: `copysign.${t} {d}, {a}, {b};`, c: `r = copysign${t === 'f32' ? 'f' : ''}(b, a);`, compare: EXACT });
  for (const what of ['finite', 'infinite', 'number', 'notanumber', 'normal', 'subnormal']) {
    const cls = { finite: 'isfinite(a)', infinite: 'isinf(a)', number: '!isnan(a)', notanumber: 'isnan(a)', normal: 'isnormal(a)', subnormal: 'fpclassify(a) == FP_SUBNORMAL' }[what];
    add({ id: `testp.${what}.${t}`, family: 'float bits', ins: [t], out: 'pred', ptx: `testp.${what}.${t} {d}, {a};`, c: `r = (${cls}) ? 1 : 0;`, compare: EXACT });
  }
}

// ---------------------------------------------------------------- f16
{
  const h = (x: string): string => `(float)${x}`;
  for (const op of ['add', 'sub', 'mul'] as const) {
    const sym = op === 'add' ? '+' : op === 'sub' ? '-' : '*';
    for (const rnd of ['', 'rn']) {
      const id = join(op, rnd, 'f16');
      add({ id, family: 'f16', ins: ['f16', 'f16'], out: 'f16', ptx: `${id} {d}, {a}, {b};`, c: `r = (_Float16)(${h('a')} ${sym} ${h('b')});`, compare: EXACT });
    }
  }
  add({ id: 'fma.rn.f16', family: 'f16', ins: ['f16', 'f16', 'f16'], out: 'f16', ptx: 'fma.rn.f16 {d}, {a}, {b}, {c};', c: 'r = (_Float16)((__float128)a * (__float128)b + (__float128)c);', compare: EXACT });
  add({ id: 'neg.f16', family: 'f16', ins: ['f16'], out: 'f16', ptx: 'neg.f16 {d}, {a};', c: 'r = -a;', compare: EXACT });
  add({ id: 'abs.f16', family: 'f16', ins: ['f16'], out: 'f16', ptx: 'abs.f16 {d}, {a};', c: 'r = (_Float16)fabsf((float)a);', compare: EXACT });
  add({ id: 'min.f16', family: 'f16', ins: ['f16', 'f16'], out: 'f16', ptx: 'min.f16 {d}, {a}, {b};', c: 'r = (_Float16)minf_ptx((float)a, (float)b, 0);', compare: EXACT });
  add({ id: 'max.f16', family: 'f16', ins: ['f16', 'f16'], out: 'f16', ptx: 'max.f16 {d}, {a}, {b};', c: 'r = (_Float16)maxf_ptx((float)a, (float)b, 0);', compare: EXACT });
  for (const op of ['add', 'sub', 'mul'] as const) {
    const sym = op === 'add' ? '+' : op === 'sub' ? '-' : '*';
    const id = `${op}.rn.f16x2`;
    add({ id, family: 'f16', ins: ['f16x2', 'f16x2'], out: 'f16x2', ptx: `${id} {d}, {a}, {b};`, c: `r = h2_pack((_Float16)((float)h2_lo(a) ${sym} (float)h2_lo(b)), (_Float16)((float)h2_hi(a) ${sym} (float)h2_hi(b)));`, compare: EXACT });
  }
  add({ id: 'fma.rn.f16x2', family: 'f16', ins: ['f16x2', 'f16x2', 'f16x2'], out: 'f16x2', ptx: 'fma.rn.f16x2 {d}, {a}, {b}, {c};', c: 'r = h2_pack((_Float16)((__float128)h2_lo(a) * (__float128)h2_lo(b) + (__float128)h2_lo(c)), (_Float16)((__float128)h2_hi(a) * (__float128)h2_hi(b) + (__float128)h2_hi(c)));', compare: EXACT });
}

// ---------------------------------------------------------------- integer arithmetic
const INT_TYPES = ['s16', 'u16', 's32', 'u32', 's64', 'u64'] as const;
const reg = (t: string): OpType => (t.endsWith('64') ? 'b64' : t.endsWith('32') ? 'b32' : t.endsWith('16') ? 'b16' : 'b8');
const ctype = (t: string): string => `${t.startsWith('s') ? 'int' : 'uint'}${t.slice(1)}_t`;
const bitsOf = (t: string): number => Number(t.replace(/\D/g, ''));
const wider = (t: string): string => `${t[0]}${bitsOf(t) * 2}`;

for (const t of INT_TYPES) {
  const R = reg(t), T = ctype(t), n = bitsOf(t), S = `int${n}_t`;
  const U = `uint${n}_t`;
  const bin = (op: string, expr: string, family = 'integer arithmetic', id = `${op}.${t}`): void =>
    add({
      id, family, ins: [R, R], out: R, ptx: `${id} {d}, {a}, {b};`, c: `{ ${T} x = (${T})a, y = (${T})b; r = (${U})(${expr}); }`, compare: EXACT, intBits: n,
      // ISA: "Division by zero yields an unspecified, machine-specific value."
      ...(op === 'div' || op === 'rem' ? { unspecified: `(${U})b == 0` } : {}),
    });
  bin('add', `(${U})x + (${U})y`);
  bin('sub', `(${U})x - (${U})y`);
  bin('mul', `(${U})x * (${U})y`, 'integer arithmetic', `mul.lo.${t}`);
  const W = n === 64 ? (t.startsWith('s') ? '__int128' : 'unsigned __int128') : ctype(wider(t));
  bin('mul', `(${U})(((${W})x * (${W})y) >> ${n})`, 'integer arithmetic', `mul.hi.${t}`);
  // division by zero is unspecified by the ISA: such cases are not compared (see DIV_BY_ZERO below)
  bin('div', `y == 0 ? 0 : (${t.startsWith('s') ? `(x == (${T})((${U})1 << ${n - 1}) && y == -1) ? x : x / y` : 'x / y'})`);
  bin('rem', `y == 0 ? 0 : (${t.startsWith('s') ? `(y == -1) ? 0 : x % y` : 'x % y'})`);
  bin('min', 'x < y ? x : y');
  bin('max', 'x > y ? x : y');
  add({ id: `sad.${t}`, family: 'integer arithmetic', ins: [R, R, R], out: R, ptx: `sad.${t} {d}, {a}, {b}, {c};`, c: `{ ${T} x = (${T})a, y = (${T})b; r = (${U})((${U})c + (x < y ? (${U})y - (${U})x : (${U})x - (${U})y)); }`, compare: EXACT, intBits: n });
  for (const mode of ['lo', 'hi'] as const) {
    const prod = mode === 'lo' ? `(${U})((${U})x * (${U})y)` : `(${U})(((${W})x * (${W})y) >> ${n})`;
    add({ id: `mad.${mode}.${t}`, family: 'integer arithmetic', ins: [R, R, R], out: R, ptx: `mad.${mode}.${t} {d}, {a}, {b}, {c};`, c: `{ ${T} x = (${T})a, y = (${T})b; r = (${U})(${prod} + (${U})c); }`, compare: EXACT, intBits: n });
  }
  if (n < 64) {
    const WR = reg(wider(t)), WT = ctype(wider(t)), WU = `uint${n * 2}_t`;
    add({ id: `mul.wide.${t}`, family: 'integer arithmetic', ins: [R, R], out: WR, ptx: `mul.wide.${t} {d}, {a}, {b};`, c: `{ ${T} x = (${T})a, y = (${T})b; r = (${WU})((${WT})x * (${WT})y); }`, compare: EXACT, intBits: n });
    add({ id: `mad.wide.${t}`, family: 'integer arithmetic', ins: [R, R, WR], out: WR, ptx: `mad.wide.${t} {d}, {a}, {b}, {c};`, c: `{ ${T} x = (${T})a, y = (${T})b; r = (${WU})((${WU})((${WT})x * (${WT})y) + c); }`, compare: EXACT, intBits: n });
  }
  if (t.startsWith('s')) {
    add({ id: `abs.${t}`, family: 'integer arithmetic', ins: [R], out: R, ptx: `abs.${t} {d}, {a};`, c: `{ ${T} x = (${T})a; r = x < 0 ? (${U})0 - (${U})x : (${U})x; }`, compare: EXACT, intBits: n });
    add({ id: `neg.${t}`, family: 'integer arithmetic', ins: [R], out: R, ptx: `neg.${t} {d}, {a};`, c: `r = (${U})((${U})0 - (${U})a);`, compare: EXACT, intBits: n });
  }
  void S;
}
// saturating forms: the ISA's .sat limits the result to MININT..MAXINT of the type (s32 only)
add({ id: 'add.sat.s32', family: 'integer arithmetic', ins: ['b32', 'b32'], out: 'b32', ptx: 'add.sat.s32 {d}, {a}, {b};', c: 'r = (uint32_t)sat_s32((int64_t)(int32_t)a + (int64_t)(int32_t)b);', compare: EXACT, intBits: 32 });
add({ id: 'sub.sat.s32', family: 'integer arithmetic', ins: ['b32', 'b32'], out: 'b32', ptx: 'sub.sat.s32 {d}, {a}, {b};', c: 'r = (uint32_t)sat_s32((int64_t)(int32_t)a - (int64_t)(int32_t)b);', compare: EXACT, intBits: 32 });
add({ id: 'mad.hi.sat.s32', family: 'integer arithmetic', ins: ['b32', 'b32', 'b32'], out: 'b32', ptx: 'mad.hi.sat.s32 {d}, {a}, {b}, {c};', c: 'r = (uint32_t)sat_s32((((int64_t)(int32_t)a * (int64_t)(int32_t)b) >> 32) + (int64_t)(int32_t)c);', compare: EXACT, intBits: 32 });
for (const t of ['s32', 'u32'] as const) {
  const ext = t === 's32' ? '(int64_t)(((int32_t)(x << 8)) >> 8)' : '(int64_t)(x & 0xffffff)';
  for (const mode of ['lo', 'hi'] as const) {
    const pick = mode === 'lo' ? '(uint32_t)p' : '(uint32_t)((uint64_t)p >> 16)';
    add({ id: `mul24.${mode}.${t}`, family: 'integer arithmetic', ins: ['b32', 'b32'], out: 'b32', ptx: `mul24.${mode}.${t} {d}, {a}, {b};`, c: `{ uint32_t x; x = a; int64_t pa = ${ext}; x = b; int64_t pb = ${ext}; int64_t p = pa * pb; r = ${pick}; }`, compare: EXACT, intBits: 32 });
  }
}

// ---------------------------------------------------------------- logic, shifts, bit fields
for (const t of ['b16', 'b32', 'b64'] as const) {
  const n = bitsOf(t), U = `uint${n}_t`;
  for (const [op, sym] of [['and', '&'], ['or', '|'], ['xor', '^']] as const) {
    add({ id: `${op}.${t}`, family: 'logic and shifts', ins: [t, t], out: t, ptx: `${op}.${t} {d}, {a}, {b};`, c: `r = (${U})(a ${sym} b);`, compare: EXACT, intBits: n });
  }
  add({ id: `not.${t}`, family: 'logic and shifts', ins: [t], out: t, ptx: `not.${t} {d}, {a};`, c: `r = (${U})~a;`, compare: EXACT, intBits: n });
  add({ id: `cnot.${t}`, family: 'logic and shifts', ins: [t], out: t, ptx: `cnot.${t} {d}, {a};`, c: 'r = a == 0 ? 1 : 0;', compare: EXACT, intBits: n });
  // shift amounts are unsigned 32-bit and larger than the width clamp to it
  add({ id: `shl.${t}`, family: 'logic and shifts', ins: [t, 'b32'], out: t, ptx: `shl.${t} {d}, {a}, {b};`, c: `r = b >= ${n} ? 0 : (${U})(a << b);`, compare: EXACT, intBits: n });
  for (const s of [`b${n}`, `u${n}`, `s${n}`]) {
    const sh = s.startsWith('s') ? `(${U})((int${n}_t)a >> (b >= ${n} ? ${n - 1} : b))` : `b >= ${n} ? 0 : (${U})(a >> b)`;
    add({ id: `shr.${s}`, family: 'logic and shifts', ins: [t, 'b32'], out: t, ptx: `shr.${s} {d}, {a}, {b};`, c: `r = ${sh};`, compare: EXACT, intBits: n });
  }
}
for (const op of ['and', 'or', 'xor'] as const) {
  const sym = op === 'and' ? '&&' : op === 'or' ? '||' : '!=';
  add({ id: `${op}.pred`, family: 'logic and shifts', ins: ['pred', 'pred'], out: 'pred', ptx: `${op}.pred {d}, {a}, {b};`, c: `r = (a ${sym} b) ? 1 : 0;`, compare: EXACT });
}
add({ id: 'not.pred', family: 'logic and shifts', ins: ['pred'], out: 'pred', ptx: 'not.pred {d}, {a};', c: 'r = !a;', compare: EXACT });
for (const t of ['b32', 'b64'] as const) {
  const n = bitsOf(t);
  add({ id: `popc.${t}`, family: 'bit fields', ins: [t], out: 'b32', ptx: `popc.${t} {d}, {a};`, c: 'r = popc64(a);', compare: EXACT, intBits: n });
  add({ id: `clz.${t}`, family: 'bit fields', ins: [t], out: 'b32', ptx: `clz.${t} {d}, {a};`, c: `r = clz_n(a, ${n});`, compare: EXACT, intBits: n });
  add({ id: `brev.${t}`, family: 'bit fields', ins: [t], out: t, ptx: `brev.${t} {d}, {a};`, c: `r = brev_n(a, ${n});`, compare: EXACT, intBits: n });
  add({ id: `bfi.${t}`, family: 'bit fields', ins: [t, t, 'b32', 'b32'], out: t, ptx: `bfi.${t} {d}, {a}, {b}, {c}, {e};`, c: `r = bfi_n(a, b, c, e, ${n});`, compare: EXACT, intBits: n });
  for (const s of ['u', 's']) {
    add({ id: `bfe.${s}${n}`, family: 'bit fields', ins: [t, 'b32', 'b32'], out: t, ptx: `bfe.${s}${n} {d}, {a}, {b}, {c};`, c: `r = bfe_n(a, b, c, ${n}, ${s === 's' ? 1 : 0});`, compare: EXACT, intBits: n });
    for (const amt of [false, true]) {
      const id = join('bfind', amt && 'shiftamt', `${s}${n}`);
      add({ id, family: 'bit fields', ins: [t], out: 'b32', ptx: `${id} {d}, {a};`, c: `r = bfind_n(a, ${n}, ${s === 's' ? 1 : 0}, ${amt ? 1 : 0});`, compare: EXACT, intBits: n });
    }
  }
}
for (const mode of ['', 'f4e', 'b4e', 'rc8', 'ecl', 'ecr', 'rc16']) {
  const id = join('prmt', 'b32', mode);
  add({ id, family: 'bit fields', ins: ['b32', 'b32', 'b32'], out: 'b32', ptx: `${id} {d}, {a}, {b}, {c};`, c: `r = prmt(a, b, c, "${mode}");`, compare: EXACT, intBits: 32 });
}
for (const dir of ['l', 'r'] as const) {
  for (const mode of ['wrap', 'clamp'] as const) {
    const id = `shf.${dir}.${mode}.b32`;
    add({ id, family: 'bit fields', ins: ['b32', 'b32', 'b32'], out: 'b32', ptx: `${id} {d}, {a}, {b}, {c};`, c: `r = shf(a, b, c, ${dir === 'l' ? 1 : 0}, ${mode === 'clamp' ? 1 : 0});`, compare: EXACT, intBits: 32 });
  }
}

// ---------------------------------------------------------------- comparison and selection
const FCMP = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'equ', 'neu', 'ltu', 'leu', 'gtu', 'geu', 'num', 'nan'];
const ICMP = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const UCMP = ['lo', 'ls', 'hi', 'hs'];
for (const t of ['f32', 'f64'] as const) {
  for (const cmp of FCMP) {
    for (const ftz of t === 'f32' ? [false, true] : [false]) {
      const id = join('setp', cmp, ftz && 'ftz', t);
      const [A, B] = ftz ? ['ftzf(a)', 'ftzf(b)'] : ['a', 'b'];
      add({ id, family: 'comparison', ins: [t, t], out: 'pred', ptx: `${id} {d}, {a}, {b};`, c: `r = fcmp_${cmp}(${A}, ${B});`, compare: EXACT, ftz });
    }
  }
}
for (const t of ['s16', 'u16', 'b16', 's32', 'u32', 'b32', 's64', 'u64', 'b64']) {
  const n = bitsOf(t), R = reg(t);
  const cmps = t.startsWith('b') ? ['eq', 'ne'] : t.startsWith('u') ? [...ICMP, ...UCMP] : [...ICMP, ...UCMP];
  for (const cmp of cmps) {
    const signed = t.startsWith('s') && !UCMP.includes(cmp);
    const T = signed ? `int${n}_t` : `uint${n}_t`;
    const rel = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=', lo: '<', ls: '<=', hi: '>', hs: '>=' }[cmp];
    add({ id: `setp.${cmp}.${t}`, family: 'comparison', ins: [R, R], out: 'pred', ptx: `setp.${cmp}.${t} {d}, {a}, {b};`, c: `r = ((${T})a ${rel} (${T})b) ? 1 : 0;`, compare: EXACT, intBits: n });
  }
}
for (const bop of ['and', 'or', 'xor']) {
  const sym = bop === 'and' ? '&&' : bop === 'or' ? '||' : '!=';
  // p = cmp BOP c, q = !cmp BOP c: stored as p | q << 1
  add({ id: `setp.lt.${bop}.s32`, family: 'comparison', ins: ['b32', 'b32', 'pred'], out: 'b32', ptx: `setp.lt.${bop}.s32 {p}|{q}, {a}, {b}, {c};\n  selp.u32 {d}, 1, 0, {p};\n  @{q} or.b32 {d}, {d}, 2;`, c: `{ int t = (int32_t)a < (int32_t)b; r = ((t ${sym} c) ? 1 : 0) | ((!t ${sym} c) ? 2 : 0); }`, compare: EXACT, intBits: 32 });
  add({ id: `setp.gtu.${bop}.f32`, family: 'comparison', ins: ['f32', 'f32', 'pred'], out: 'b32', ptx: `setp.gtu.${bop}.f32 {p}|{q}, {a}, {b}, {c};\n  selp.u32 {d}, 1, 0, {p};\n  @{q} or.b32 {d}, {d}, 2;`, c: `{ int t = fcmp_gtu(a, b); r = ((t ${sym} c) ? 1 : 0) | ((!t ${sym} c) ? 2 : 0); }`, compare: EXACT });
}
for (const cmp of ['eq', 'lt', 'gtu', 'nan']) {
  add({ id: `set.${cmp}.u32.f32`, family: 'comparison', ins: ['f32', 'f32'], out: 'b32', ptx: `set.${cmp}.u32.f32 {d}, {a}, {b};`, c: `r = fcmp_${cmp}(a, b) ? 0xffffffffu : 0;`, compare: EXACT });
  add({ id: `set.${cmp}.f32.f32`, family: 'comparison', ins: ['f32', 'f32'], out: 'f32', ptx: `set.${cmp}.f32.f32 {d}, {a}, {b};`, c: `r = fcmp_${cmp}(a, b) ? 1.0f : 0.0f;`, compare: EXACT });
}
for (const cmp of ['lt', 'hi', 'ge']) {
  add({ id: `set.${cmp}.s32.s32`, family: 'comparison', ins: ['b32', 'b32'], out: 'b32', ptx: `set.${cmp}.s32.s32 {d}, {a}, {b};`, c: `r = (${cmp === 'hi' ? '(uint32_t)a > (uint32_t)b' : `(int32_t)a ${cmp === 'lt' ? '<' : '>='} (int32_t)b`}) ? 0xffffffffu : 0;`, compare: EXACT, intBits: 32 });
}
for (const t of ['b16', 'b32', 'b64', 'u32', 's32', 'f32', 'f64'] as const) {
  const R: OpType = t === 'f32' || t === 'f64' ? t : reg(t);
  add({ id: `selp.${t}`, family: 'comparison', ins: [R, R, 'pred'], out: R, ptx: `selp.${t} {d}, {a}, {b}, {c};`, c: 'r = c ? a : b;', compare: EXACT });
}
for (const dt of ['b32', 'u32', 's32', 'f32', 'b64', 'f64'] as const) {
  const R: OpType = dt === 'f32' || dt === 'f64' ? dt : reg(dt);
  add({ id: `slct.${dt}.s32`, family: 'comparison', ins: [R, R, 'b32'], out: R, ptx: `slct.${dt}.s32 {d}, {a}, {b}, {c};`, c: 'r = (int32_t)c >= 0 ? a : b;', compare: EXACT });
  for (const ftz of [false, true]) {
    const id = join('slct', ftz && 'ftz', dt, 'f32');
    add({ id, family: 'comparison', ins: [R, R, 'f32'], out: R, ptx: `${id} {d}, {a}, {b}, {c};`, c: `r = ${ftz ? 'ftzf(c)' : 'c'} >= 0.0f ? a : b;`, compare: EXACT });
  }
}
for (const t of ['b16', 'b32', 'b64', 'u32', 's64', 'f32', 'f64', 'pred'] as const) {
  const R: OpType = t === 'f32' || t === 'f64' || t === 'pred' ? t : reg(t);
  add({ id: `mov.${t}`, family: 'moves', ins: [R], out: R, ptx: `mov.${t} {d}, {a};`, c: 'r = a;', compare: EXACT });
}

// ---------------------------------------------------------------- cvt
const CVT_INTS = ['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64'] as const;
const CVT_FLOATS = ['f16', 'f32', 'f64'] as const;
const cvtReg = (t: string): OpType => (t === 'f16' ? 'f16' : t === 'f32' ? 'f32' : t === 'f64' ? 'f64' : t.endsWith('8') ? 'b8' : reg(t));
function intRangeC(t: string): [string, string] {
  const n = bitsOf(t);
  if (t.startsWith('s')) return [`-0x1p${n - 1}`, `0x1p${n - 1}`];
  return ['0.0', `0x1p${n}`];
}
// float → integer: round with the .irnd mode, clamp to the destination's range. NaN (ISA, cvt):
// 0, unless the source is .f64 or the destination is 64-bit, where it is 1 << (width - 1).
for (const st of CVT_FLOATS) {
  for (const dt of CVT_INTS) {
    for (const irnd of ['rni', 'rzi', 'rmi', 'rpi']) {
      for (const ftz of st === 'f32' ? [false, true] : [false]) {
        const id = join('cvt', irnd, ftz && 'ftz', dt, st);
        const n = bitsOf(dt);
        const [lo, hi] = intRangeC(dt);
        const nan = st === 'f64' || n === 64 ? `(uint64_t)1 << ${n - 1}` : '0';
        const src = st === 'f16' ? '(double)a' : ftz ? '(double)ftzf(a)' : '(double)a';
        const T = ctype(dt);
        add({
          id, family: 'cvt float → integer', ins: [cvtReg(st)], out: cvtReg(dt), ptx: `${id} {d}, {a};`, ftz,
          c: `r = (${T})f2i(${src}, ${IRND[irnd]}, ${lo}, ${hi}, ${t64min(dt)}, ${t64max(dt)}, ${nan});`,
          compare: EXACT, intBits: n,
        });
      }
    }
  }
}
function t64min(dt: string): string {
  const n = bitsOf(dt);
  if (dt.startsWith('u')) return '0';
  return n === 64 ? '(uint64_t)INT64_MIN' : `(uint64_t)(int64_t)(-(1ll << ${n - 1}))`;
}
function t64max(dt: string): string {
  const n = bitsOf(dt);
  if (dt.startsWith('s')) return n === 64 ? 'INT64_MAX' : `(${ctype(dt)})((1ull << ${n - 1}) - 1)`;
  return n === 64 ? 'UINT64_MAX' : `(${ctype(dt)})((1ull << ${n}) - 1)`;
}
// integer → float: rounds with the .rnd mode (all four are required forms)
for (const st of CVT_INTS) {
  for (const dt of CVT_FLOATS) {
    for (const rnd of ROUNDINGS) {
      const id = `cvt.${rnd}.${dt}.${st}`;
      const T = ctype(st);
      const cdt = dt === 'f16' ? '_Float16' : dt === 'f32' ? 'float' : 'double';
      add({ id, family: 'cvt integer → float', ins: [cvtReg(st)], out: cvtReg(dt), ptx: `${id} {d}, {a};`, c: `r = RND(${FE[rnd]}, ${cdt}, (${T})a);`, compare: EXACT, intBits: bitsOf(st) });
    }
  }
}
// integer → integer: truncate or extend; .sat clamps the source value to the destination range
for (const st of CVT_INTS) {
  for (const dt of CVT_INTS) {
    for (const sat of [false, true]) {
      const id = join('cvt', sat && 'sat', dt, st);
      const S = ctype(st), D = ctype(dt);
      const n = bitsOf(dt);
      const dmin = dt.startsWith('s') ? (n === 64 ? 'INT64_MIN' : `-(1ll << ${n - 1})`) : '0';
      const dmax = t64max(dt);
      const cExpr = sat
        ? `{ ${S} x = (${S})a; ${st.startsWith('s') ? `if (x < 0) r = ${dt.startsWith('s') ? `((__int128)x < (__int128)${dmin} ? (${D})${dmin} : (${D})x)` : '0'}; else` : ''} r = ((unsigned __int128)x > (unsigned __int128)${dmax} ? (${D})${dmax} : (${D})x); }`
        : `r = (${D})(${S})a;`;
      add({ id, family: 'cvt integer → integer', ins: [cvtReg(st)], out: cvtReg(dt), ptx: `${id} {d}, {a};`, c: cExpr, compare: EXACT, intBits: bitsOf(st) });
    }
  }
}
// float → float
for (const [dt, st] of [['f32', 'f64'], ['f16', 'f32'], ['f16', 'f64']] as const) {
  for (const rnd of ROUNDINGS) {
    for (const ftz of dt === 'f32' ? [false, true] : [false]) {
      for (const sat of dt === 'f32' ? [false, true] : [false]) {
        const id = join('cvt', rnd, ftz && 'ftz', sat && 'sat', dt, st);
        let e = `RND(${FE[rnd]}, ${dt === 'f16' ? '_Float16' : 'float'}, a)`;
        if (ftz) e = `ftzf(${e})`;
        if (sat) e = `satf(${e})`;
        add({ id, family: 'cvt float → float', ins: [cvtReg(st)], out: cvtReg(dt), ptx: `${id} {d}, {a};`, c: `r = ${e};`, compare: EXACT, ftz });
      }
    }
  }
}
for (const [dt, st] of [['f64', 'f32'], ['f32', 'f16'], ['f64', 'f16']] as const) {
  for (const ftz of st === 'f32' ? [false, true] : [false]) {
    const id = join('cvt', ftz && 'ftz', dt, st);
    add({ id, family: 'cvt float → float', ins: [cvtReg(st)], out: cvtReg(dt), ptx: `${id} {d}, {a};`, c: `r = ${ftz ? 'ftzf(a)' : 'a'};`, compare: EXACT, ftz });
  }
}
for (const t of ['f32', 'f64'] as const) {
  for (const irnd of ['rni', 'rzi', 'rmi', 'rpi']) {
    for (const ftz of t === 'f32' ? [false, true] : [false]) {
      for (const sat of [false, true]) {
        const id = join('cvt', irnd, ftz && 'ftz', sat && 'sat', t, t);
        let e = t === 'f32' ? `(float)RNDI(${IRND[irnd]}, (double)${ftz ? 'ftzf(a)' : 'a'})` : `RNDI(${IRND[irnd]}, a)`;
        if (ftz) e = `ftzf(${e})`;
        if (sat) e = t === 'f32' ? `satf(${e})` : `satd(${e})`;
        add({ id, family: 'cvt float → float', ins: [t], out: t, ptx: `${id} {d}, {a};`, c: `r = ${e};`, compare: EXACT, ftz });
      }
    }
  }
}

// ---------------------------------------------------------------- carry chains (extended precision)
// ISA: add.cc/sub.cc/mad.cc write the carry (borrow) out to CC.CF; addc adds CC.CF, subc computes
// a - (b + CC.CF), madc adds it to the product half and c. A row sets the flag in from an operand
// (c or e != 0: `add.cc.u32 _, x, 0xffffffff` carries, `sub.cc.u32 _, 0, x` borrows, exactly when
// x != 0), runs the form, and reads the flag out with `addc.u32 _, 0, 0` (`subc.u32 _, 0, 0` gives
// -borrow): the b64 result is {value, flag word} for 32-bit forms, the flag word alone for 64-bit.
{
  const CIN_ADD = (x: string): string => `add.cc.u32 %t32, ${x}, 0xffffffff;\n  `;
  const CIN_SUB = (x: string): string => `sub.cc.u32 %t32, 0, ${x};\n  `;
  // the flag word in %d32 (free: these forms' result is the b64 %d64; %e32 may be an input)
  const pack = (flagOp: string): string => `\n  ${flagOp} %d32, 0, 0;\n  mov.b64 {d}, {%t32, %d32};`;
  for (const t of ['u32', 's32'] as const) {
    // add.cc / addc(.cc)
    add({ id: `add.cc.${t}`, family: 'carry chains', ins: ['b32', 'b32'], out: 'b64', ptx: `add.cc.${t} %t32, {a}, {b};${pack('addc.u32')}`, c: 'uint64_t w = (uint64_t)a + b; r = (uint32_t)w | ((w >> 32) << 32);', compare: EXACT, intBits: 32 });
    add({ id: `addc.cc.${t}`, family: 'carry chains', ins: ['b32', 'b32', 'b32'], out: 'b64', ptx: `${CIN_ADD('{c}')}addc.cc.${t} %t32, {a}, {b};${pack('addc.u32')}`, c: 'uint64_t w = (uint64_t)a + b + (c != 0); r = (uint32_t)w | ((w >> 32) << 32);', compare: EXACT, intBits: 32 });
    add({ id: `addc.${t}`, family: 'carry chains', ins: ['b32', 'b32', 'b32'], out: 'b32', ptx: `${CIN_ADD('{c}')}addc.${t} {d}, {a}, {b};`, c: 'r = a + b + (c != 0);', compare: EXACT, intBits: 32 });
    // sub.cc / subc(.cc): the flag word is 0 - borrow
    add({ id: `sub.cc.${t}`, family: 'carry chains', ins: ['b32', 'b32'], out: 'b64', ptx: `sub.cc.${t} %t32, {a}, {b};${pack('subc.u32')}`, c: 'r = (uint32_t)(a - b) | ((uint64_t)(uint32_t)(0u - (a < b)) << 32);', compare: EXACT, intBits: 32 });
    add({ id: `subc.cc.${t}`, family: 'carry chains', ins: ['b32', 'b32', 'b32'], out: 'b64', ptx: `${CIN_SUB('{c}')}subc.cc.${t} %t32, {a}, {b};${pack('subc.u32')}`, c: 'int64_t w = (int64_t)a - (int64_t)b - (c != 0); r = (uint32_t)w | ((uint64_t)(uint32_t)(w < 0 ? 0xffffffffu : 0) << 32);', compare: EXACT, intBits: 32 });
    add({ id: `subc.${t}`, family: 'carry chains', ins: ['b32', 'b32', 'b32'], out: 'b32', ptx: `${CIN_SUB('{c}')}subc.${t} {d}, {a}, {b};`, c: 'r = a - b - (c != 0);', compare: EXACT, intBits: 32 });
    // mad{c}.{lo,hi}{.cc}: the product half (signed for .s32 .hi) plus c (plus the flag)
    const S = t === 's32' ? 'int64_t' : 'uint64_t', X = t === 's32' ? 'int32_t' : 'uint32_t';
    for (const half of ['lo', 'hi'] as const) {
      const prod = half === 'lo' ? '(uint64_t)(uint32_t)(a * b)' : `(uint64_t)(uint32_t)((uint64_t)((${S})(${X})a * (${S})(${X})b) >> 32)`;
      add({ id: `mad.${half}.cc.${t}`, family: 'carry chains', ins: ['b32', 'b32', 'b32'], out: 'b64', ptx: `mad.${half}.cc.${t} %t32, {a}, {b}, {c};${pack('addc.u32')}`, c: `uint64_t w = ${prod} + c; r = (uint32_t)w | ((w >> 32) << 32);`, compare: EXACT, intBits: 32 });
      add({ id: `madc.${half}.cc.${t}`, family: 'carry chains', ins: ['b32', 'b32', 'b32', 'b32'], out: 'b64', ptx: `${CIN_ADD('{e}')}madc.${half}.cc.${t} %t32, {a}, {b}, {c};${pack('addc.u32')}`, c: `uint64_t w = ${prod} + c + (e != 0); r = (uint32_t)w | ((w >> 32) << 32);`, compare: EXACT, intBits: 32 });
      add({ id: `madc.${half}.${t}`, family: 'carry chains', ins: ['b32', 'b32', 'b32', 'b32'], out: 'b32', ptx: `${CIN_ADD('{e}')}madc.${half}.${t} {d}, {a}, {b}, {c};`, c: `r = (uint32_t)(${prod} + c + (e != 0));`, compare: EXACT, intBits: 32 });
    }
  }
  for (const t of ['u64', 's64'] as const) {
    const U = 'unsigned __int128';
    add({ id: `add.cc.${t}`, family: 'carry chains', ins: ['b64', 'b64'], out: 'b64', ptx: `add.cc.${t} {d}, {a}, {b};`, c: 'r = a + b;', compare: EXACT, intBits: 64 });
    add({ id: `add.cc.${t} (carry)`, opcode: 'add', family: 'carry chains', ins: ['b64', 'b64'], out: 'b32', ptx: `add.cc.${t} %st, {a}, {b};\n  addc.u32 {d}, 0, 0;`, c: `r = (uint32_t)((((${U})a + b) >> 64));`, compare: EXACT, intBits: 64 });
    add({ id: `addc.cc.${t}`, family: 'carry chains', ins: ['b32', 'b64', 'b64'], out: 'b64', ptx: `${CIN_ADD('{a}')}addc.cc.${t} {d}, {b}, {c};`, c: 'r = b + c + (a != 0);', compare: EXACT, intBits: 64 });
    add({ id: `addc.cc.${t} (carry)`, opcode: 'addc', family: 'carry chains', ins: ['b32', 'b64', 'b64'], out: 'b32', ptx: `${CIN_ADD('{a}')}addc.cc.${t} %st, {b}, {c};\n  addc.u32 {d}, 0, 0;`, c: `r = (uint32_t)((((${U})b + c + (a != 0)) >> 64));`, compare: EXACT, intBits: 64 });
    add({ id: `sub.cc.${t} (borrow)`, opcode: 'sub', family: 'carry chains', ins: ['b64', 'b64'], out: 'b32', ptx: `sub.cc.${t} %st, {a}, {b};\n  subc.u32 {d}, 0, 0;`, c: 'r = 0u - (a < b);', compare: EXACT, intBits: 64 });
    add({ id: `subc.cc.${t}`, family: 'carry chains', ins: ['b32', 'b64', 'b64'], out: 'b64', ptx: `${CIN_SUB('{a}')}subc.cc.${t} {d}, {b}, {c};`, c: 'r = b - c - (a != 0);', compare: EXACT, intBits: 64 });
    add({ id: `subc.cc.${t} (borrow)`, opcode: 'subc', family: 'carry chains', ins: ['b32', 'b64', 'b64'], out: 'b32', ptx: `${CIN_SUB('{a}')}subc.cc.${t} %st, {b}, {c};\n  subc.u32 {d}, 0, 0;`, c: `r = 0u - (uint32_t)((${U})b < (${U})c + (a != 0));`, compare: EXACT, intBits: 64 });
  }
}

/** Every form in the table, in table order. */
export const FORMS: readonly Form[] = forms;

/**
 * Opcodes the device accepts whose semantics are checked elsewhere, with where: memory, control
 * flow and warp/block collectives need many threads and memory, which the host-compiled CUDA
 * oracle (fixtures/host-cuda) and the conformance suite exercise.
 */
export const OTHER_ORACLES: Record<string, string> = {
  ld: 'host-compiled CUDA oracle (every kernel); module .global/.const variables: wasm/module-data.test.ts', ldu: 'conformance suite', st: 'host-compiled CUDA oracle (every kernel)',
  atom: 'host-compiled CUDA oracle (atomics_*)', red: 'host-compiled CUDA oracle (atomics_*)', cvta: 'host-compiled CUDA oracle (every kernel)',
  isspacep: 'conformance suite (generic memory)', bra: 'host-compiled CUDA oracle (loops, branches)', call: 'conformance suite (device functions)',
  ret: 'every kernel', exit: 'conformance suite', trap: 'cpu-device tests', bar: 'host-compiled CUDA oracle (__syncthreads kernels)',
  barrier: 'conformance suite',
  // warp-level sites: the conformance suite on both backends, and the WebAssembly backend against the JavaScript one
  shfl: 'conformance suite (reduce_warp, shfl_modes); JavaScript vs WebAssembly (wasm/warp-sites.test.ts: all modes, c, divergence)',
  vote: 'conformance suite (vote); JavaScript vs WebAssembly (wasm/warp-sites.test.ts)',
  activemask: 'conformance suite; JavaScript vs WebAssembly (wasm/warp-sites.test.ts)',
  redux: 'conformance suite; JavaScript vs WebAssembly (wasm/warp-sites.test.ts)',
  match: 'conformance suite (.b32 only); JavaScript vs WebAssembly (wasm/warp-sites.test.ts)', membar: 'no-op (single-threaded device)', fence: 'no-op (single-threaded device)',
  prefetch: 'no-op', prefetchu: 'no-op', brkpt: 'no-op', nanosleep: 'no-op', pmevent: 'no-op', griddepcontrol: 'no-op', applypriority: 'no-op',
  discard: 'no-op', createpolicy: 'no-op', mad24: 'not accepted (load error)',
};
