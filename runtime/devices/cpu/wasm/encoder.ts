/**
 * A minimal WebAssembly binary writer: one module with imported functions, an imported memory and
 * one exported function — all the PTX-to-Wasm kernel compiler needs. (binaryen would do, but it
 * takes seconds to load in every worker that compiles a kernel; this is a few hundred bytes of code.)
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64';

/** A function local's type: a value type, or a 128-bit vector (lanes-emit.ts keeps 4 threads' registers in one). */
export type LocalType = ValType | 'v128';

const VALTYPE: Record<LocalType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Opcodes used by the kernel compiler (WebAssembly core spec, section 5.4). */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, return: 0x0f, call: 0x10,
  drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  i32_load: 0x28, i64_load: 0x29, f32_load: 0x2a, f64_load: 0x2b,
  i32_load8_s: 0x2c, i32_load8_u: 0x2d, i32_load16_s: 0x2e, i32_load16_u: 0x2f,
  i32_store: 0x36, i64_store: 0x37, f32_store: 0x38, f64_store: 0x39, i32_store8: 0x3a, i32_store16: 0x3b,
  i32_const: 0x41, i64_const: 0x42, f32_const: 0x43, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55, i64_gt_u: 0x56,
  i64_le_s: 0x57, i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  f32_eq: 0x5b, f32_ne: 0x5c, f32_lt: 0x5d, f32_gt: 0x5e, f32_le: 0x5f, f32_ge: 0x60,
  f64_eq: 0x61, f64_ne: 0x62, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66,
  i32_clz: 0x67, i32_ctz: 0x68, i32_popcnt: 0x69, i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76, i32_rotl: 0x77, i32_rotr: 0x78,
  i64_clz: 0x79, i64_ctz: 0x7a, i64_popcnt: 0x7b, i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80, i64_rem_s: 0x81, i64_rem_u: 0x82,
  i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88, i64_rotl: 0x89, i64_rotr: 0x8a,
  f32_abs: 0x8b, f32_neg: 0x8c, f32_ceil: 0x8d, f32_floor: 0x8e, f32_trunc: 0x8f, f32_nearest: 0x90, f32_sqrt: 0x91,
  f32_add: 0x92, f32_sub: 0x93, f32_mul: 0x94, f32_div: 0x95, f32_min: 0x96, f32_max: 0x97, f32_copysign: 0x98,
  f64_abs: 0x99, f64_neg: 0x9a, f64_ceil: 0x9b, f64_floor: 0x9c, f64_trunc: 0x9d, f64_nearest: 0x9e, f64_sqrt: 0x9f,
  f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3, f64_min: 0xa4, f64_max: 0xa5, f64_copysign: 0xa6,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  f32_convert_i32_s: 0xb2, f32_convert_i32_u: 0xb3, f32_convert_i64_s: 0xb4, f32_convert_i64_u: 0xb5, f32_demote_f64: 0xb6,
  f64_convert_i32_s: 0xb7, f64_convert_i32_u: 0xb8, f64_convert_i64_s: 0xb9, f64_convert_i64_u: 0xba, f64_promote_f32: 0xbb,
  i32_reinterpret_f32: 0xbc, i64_reinterpret_f64: 0xbd, f32_reinterpret_i32: 0xbe, f64_reinterpret_i64: 0xbf,
} as const;

/** The 0xFC-prefixed saturating truncations: float → int, NaN → 0, clamped (PTX cvt.*i semantics). */
export const TRUNC_SAT = {
  i32_f32_s: 0, i32_f32_u: 1, i32_f64_s: 2, i32_f64_u: 3, i64_f32_s: 4, i64_f32_u: 5, i64_f64_s: 6, i64_f64_u: 7,
} as const;

/** A growable byte sink with the LEB128 and IEEE encodings the binary format uses. */
export class Bytes {
  readonly b: number[] = [];
  byte(x: number): this {
    this.b.push(x & 0xff);
    return this;
  }
  u32(x: number): this {
    let v = x >>> 0;
    do {
      let byte = v & 0x7f;
      v >>>= 7;
      if (v !== 0) byte |= 0x80;
      this.b.push(byte);
    } while (v !== 0);
    return this;
  }
  /** A u32 in five LEB128 bytes (valid, not minimal): a slot `patchU32` fills in later. */
  u32Slot(): number {
    const at = this.b.length;
    this.b.push(0x80, 0x80, 0x80, 0x80, 0x00);
    return at;
  }
  patchU32(at: number, x: number): void {
    for (let i = 0; i < 5; i++) this.b[at + i] = ((x >>> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0);
  }
  s64(x: bigint): this {
    let v = BigInt.asIntN(64, x);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
      this.b.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }
  s32(x: number): this {
    return this.s64(BigInt(x | 0));
  }
  f32bits(bits: number): this {
    for (let i = 0; i < 4; i++) this.b.push((bits >>> (8 * i)) & 0xff);
    return this;
  }
  f64(x: number): this {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, x, true);
    for (let i = 0; i < 8; i++) this.b.push(dv.getUint8(i));
    return this;
  }
  name(s: string): this {
    const bytes = new TextEncoder().encode(s);
    this.u32(bytes.length);
    for (const x of bytes) this.b.push(x);
    return this;
  }
  append(other: Bytes | number[]): this {
    const src = Array.isArray(other) ? other : other.b;
    // in chunks: one push per byte made appending a kernel of thousands of barriers take seconds
    for (let i = 0; i < src.length; i += 8192) this.b.push(...src.slice(i, i + 8192));
    return this;
  }
}

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface FuncSpec {
  type: FuncType;
  /** Extra locals after the parameters. */
  locals: LocalType[];
  /** The body, without the final `end`. */
  body: Bytes;
  /** Exported under this name, when set. */
  exportName?: string;
}

export interface ModuleSpec {
  /** Imported functions, in index order (function indices 0..n-1). */
  imports: { module: string; name: string; type: FuncType }[];
  /** The imported memory (module, name). */
  memory: { module: string; name: string };
  /** Mutable globals of these types, zero-initialised. */
  globals: ValType[];
  /** Defined functions: indices imports.length, imports.length + 1, … */
  funcs: FuncSpec[];
}

function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id).u32(content.b.length).append(content);
}

function funcType(b: Bytes, t: FuncType): void {
  b.byte(0x60).u32(t.params.length);
  for (const p of t.params) b.byte(VALTYPE[p]);
  b.u32(t.results.length);
  for (const r of t.results) b.byte(VALTYPE[r]);
}

function code(f: FuncSpec): Bytes {
  // locals as runs of one type
  const runs: [number, LocalType][] = [];
  for (const l of f.locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === l) last[0]++;
    else runs.push([1, l]);
  }
  const body = new Bytes().u32(runs.length);
  for (const [n, t] of runs) body.u32(n).byte(VALTYPE[t]);
  return body.append(f.body).byte(OP.end);
}

export function encodeModule(spec: ModuleSpec): Uint8Array {
  const out = new Bytes().append([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const nImports = spec.imports.length;
  // one type per function, imports first
  const types = new Bytes().u32(nImports + spec.funcs.length);
  for (const imp of spec.imports) funcType(types, imp.type);
  for (const f of spec.funcs) funcType(types, f.type);
  section(out, 1, types);
  const imports = new Bytes().u32(nImports + 1);
  spec.imports.forEach((imp, i) => imports.name(imp.module).name(imp.name).byte(0x00).u32(i));
  // memory import: no maximum, so any guest memory (whatever its limits) satisfies it
  imports.name(spec.memory.module).name(spec.memory.name).byte(0x02).byte(0x00).u32(0);
  section(out, 2, imports);
  const funcs = new Bytes().u32(spec.funcs.length);
  spec.funcs.forEach((_, i) => funcs.u32(nImports + i));
  section(out, 3, funcs);
  if (spec.globals.length > 0) {
    const globals = new Bytes().u32(spec.globals.length);
    for (const t of spec.globals) {
      globals.byte(VALTYPE[t]).byte(0x01);
      if (t === 'i32') globals.byte(OP.i32_const).s32(0);
      else if (t === 'i64') globals.byte(OP.i64_const).s64(0n);
      else if (t === 'f32') globals.byte(OP.f32_const).f32bits(0);
      else globals.byte(OP.f64_const).f64(0);
      globals.byte(OP.end);
    }
    section(out, 6, globals);
  }
  const exported = spec.funcs.map((f, i) => [f.exportName, i] as const).filter(([n]) => n !== undefined);
  const exports = new Bytes().u32(exported.length);
  for (const [name, i] of exported) exports.name(name!).byte(0x00).u32(nImports + i);
  section(out, 7, exports);
  const codes = new Bytes().u32(spec.funcs.length);
  for (const f of spec.funcs) {
    const c = code(f);
    codes.u32(c.b.length).append(c);
  }
  section(out, 10, codes);
  return Uint8Array.from(out.b);
}
