/**
 * A small structural parser of the Wasm binary format: just the sections describe and the memory
 * cap need (types, imports, functions, tables, memories, globals, exports, custom sections), with
 * byte ranges so sections can be rewritten. Validation proper is V8's job (see load.ts).
 */
import type { ExternKind, GlobalType, MemoryType, TableType } from '../../contract/module.js';
import type { FunctionSignature, WasmValueType } from '../../contract/values.js';
import { BinaryReader } from './binary-reader.js';

export interface SectionRange {
  id: number;
  /** Offset of the section id byte. */
  start: number;
  payloadStart: number;
  end: number;
}

export interface ParsedImport {
  module: string;
  name: string;
  kind: ExternKind;
  typeIndex?: number;
  memory?: MemoryType;
  table?: TableType;
  global?: GlobalType;
}

export interface ParsedExport {
  name: string;
  kind: ExternKind;
  index: number;
}

export interface ParsedModule {
  sections: SectionRange[];
  /** By type index; undefined for non-function (GC) types. */
  types: (FunctionSignature | undefined)[];
  imports: ParsedImport[];
  /** Type index of each function defined in the module (function section order). */
  functionTypes: number[];
  tables: TableType[];
  memories: MemoryType[];
  globals: GlobalType[];
  exports: ParsedExport[];
  customSections: { name: string; sizeBytes: number }[];
}

const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

const SIMPLE_TYPES: Readonly<Record<number, WasmValueType>> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
  0x69: 'exnref',
  0x6e: 'anyref',
  0x6d: 'anyref', // eqref
  0x6c: 'anyref', // i31ref
  0x6b: 'anyref', // structref
  0x6a: 'anyref', // arrayref
  0x71: 'anyref', // nullref
  0x72: 'externref', // nullexternref
  0x73: 'funcref', // nullfuncref
  0x74: 'exnref', // nullexnref
};

function readValueType(r: BinaryReader): WasmValueType {
  const code = r.u8();
  const simple = SIMPLE_TYPES[code];
  if (simple) return simple;
  if (code === 0x64 || code === 0x63) {
    // (ref ht) / (ref null ht): a heap type, either an abstract code or a type index.
    const heap = r.sleb();
    if (heap === -0x10) return 'funcref';
    if (heap === -0x11) return 'externref';
    if (heap === -0x17) return 'exnref';
    if (heap >= 0) return 'funcref';
    return 'anyref';
  }
  return r.fail(`unknown value type 0x${code.toString(16)}`, r.pos - 1);
}

function readLimits(r: BinaryReader): { initial: number; maximum?: number; shared: boolean; is64: boolean } {
  const flags = r.u8();
  const initial = r.uleb();
  const maximum = flags & 0x01 ? r.uleb() : undefined;
  return { initial, ...(maximum !== undefined ? { maximum } : {}), shared: (flags & 0x02) !== 0, is64: (flags & 0x04) !== 0 };
}

function readMemoryType(r: BinaryReader): MemoryType {
  const l = readLimits(r);
  return { initialPages: l.initial, ...(l.maximum !== undefined ? { maximumPages: l.maximum } : {}), shared: l.shared, memory64: l.is64 };
}

function readTableType(r: BinaryReader): TableType {
  const element = readValueType(r);
  const l = readLimits(r);
  return { element, initial: l.initial, ...(l.maximum !== undefined ? { maximum: l.maximum } : {}) };
}

function readGlobalType(r: BinaryReader): GlobalType {
  const type = readValueType(r);
  return { type, mutable: r.u8() === 1 };
}

/** Skips a constant expression (global initialisers): the opcodes the spec allows there. */
function skipConstExpr(r: BinaryReader): void {
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x0b:
        return;
      case 0x41:
      case 0x42:
        r.sleb();
        break;
      case 0x43:
        r.skip(4);
        break;
      case 0x44:
        r.skip(8);
        break;
      case 0x23:
      case 0xd2:
        r.uleb();
        break;
      case 0xd0:
        r.sleb();
        break;
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e:
        break;
      case 0xfd:
        r.uleb(); // v128.const
        r.skip(16);
        break;
      case 0xfb: {
        // GC constant instructions: struct.new(_default), array.new(_default) take a type index,
        // array.new_fixed a type index and a count; ref.i31 and the extern/any conversions none.
        const sub = r.uleb();
        if (sub === 0 || sub === 1 || sub === 6 || sub === 7) r.uleb();
        else if (sub === 8) { r.uleb(); r.uleb(); }
        else if (sub < 26 || sub > 28) r.fail(`unsupported constant expression opcode 0xfb ${sub}`);
        break;
      }
      default:
        r.fail(`unsupported constant expression opcode 0x${op.toString(16)}`, r.pos - 1);
    }
  }
}

function readFieldType(r: BinaryReader): void {
  const code = r.bytes[r.pos];
  if (code === 0x78 || code === 0x77) r.u8();
  else readValueType(r);
  r.u8(); // mutability
}

function readCompositeType(r: BinaryReader): FunctionSignature | undefined {
  const form = r.u8();
  if (form === 0x60) {
    const params: WasmValueType[] = [];
    for (let n = r.uleb(); n > 0; n--) params.push(readValueType(r));
    const results: WasmValueType[] = [];
    for (let n = r.uleb(); n > 0; n--) results.push(readValueType(r));
    return { params, results };
  }
  if (form === 0x5f) {
    for (let n = r.uleb(); n > 0; n--) readFieldType(r);
    return undefined;
  }
  if (form === 0x5e) {
    readFieldType(r);
    return undefined;
  }
  return r.fail(`unknown type form 0x${form.toString(16)}`, r.pos - 1);
}

function readSubType(r: BinaryReader): FunctionSignature | undefined {
  const code = r.bytes[r.pos];
  if (code === 0x50 || code === 0x4f) {
    r.u8();
    for (let n = r.uleb(); n > 0; n--) r.uleb();
  }
  return readCompositeType(r);
}

function parseTypes(r: BinaryReader, out: (FunctionSignature | undefined)[]): void {
  for (let n = r.uleb(); n > 0; n--) {
    if (r.bytes[r.pos] === 0x4e) {
      r.u8();
      for (let m = r.uleb(); m > 0; m--) out.push(readSubType(r));
    } else out.push(readSubType(r));
  }
}

function readExternKind(r: BinaryReader): ExternKind {
  const k = r.u8();
  const kind = EXTERN_KINDS[k];
  if (!kind) r.fail(`unknown extern kind ${k}`, r.pos - 1);
  return kind;
}

function parseImport(r: BinaryReader): ParsedImport {
  const module = r.name();
  const name = r.name();
  const kind = readExternKind(r);
  switch (kind) {
    case 'func':
      return { module, name, kind, typeIndex: r.uleb() };
    case 'table':
      return { module, name, kind, table: readTableType(r) };
    case 'memory':
      return { module, name, kind, memory: readMemoryType(r) };
    case 'global':
      return { module, name, kind, global: readGlobalType(r) };
    case 'tag':
      r.u8();
      return { module, name, kind, typeIndex: r.uleb() };
  }
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Parses the module's structure. Throws TensorWasmError('invalid_module') with the byte offset. */
export function parseModule(bytes: Uint8Array): ParsedModule {
  const r = new BinaryReader(bytes);
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) r.fail('not a WebAssembly module (missing the \\0asm magic number)', 0);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) r.fail('unsupported WebAssembly binary version', 4);
  r.pos = 8;
  const parsed: ParsedModule = {
    sections: [], types: [], imports: [], functionTypes: [], tables: [], memories: [], globals: [], exports: [], customSections: [],
  };
  while (!r.done) {
    const start = r.pos;
    const id = r.u8();
    const size = r.uleb();
    const payloadStart = r.pos;
    const end = payloadStart + size;
    if (end > bytes.length) r.fail(`section ${id} extends past the end of the module`, start);
    parsed.sections.push({ id, start, payloadStart, end });
    const s = new BinaryReader(bytes, payloadStart, end);
    switch (id) {
      case 0: {
        const name = s.name();
        parsed.customSections.push({ name, sizeBytes: size });
        break;
      }
      case 1:
        parseTypes(s, parsed.types);
        break;
      case 2:
        for (let n = s.uleb(); n > 0; n--) parsed.imports.push(parseImport(s));
        break;
      case 3:
        for (let n = s.uleb(); n > 0; n--) parsed.functionTypes.push(s.uleb());
        break;
      case 4:
        for (let n = s.uleb(); n > 0; n--) {
          if (s.bytes[s.pos] === 0x40) {
            s.skip(2);
            parsed.tables.push(readTableType(s));
            skipConstExpr(s);
          } else parsed.tables.push(readTableType(s));
        }
        break;
      case 5:
        for (let n = s.uleb(); n > 0; n--) parsed.memories.push(readMemoryType(s));
        break;
      case 6:
        try {
          for (let n = s.uleb(); n > 0; n--) {
            parsed.globals.push(readGlobalType(s));
            skipConstExpr(s);
          }
        } catch {
          // An initialiser we do not know: V8 validated the module, so only the later globals'
          // types are lost (exports of them are described without a type).
        }
        break;
      case 7:
        for (let n = s.uleb(); n > 0; n--) parsed.exports.push({ name: s.name(), kind: readExternKind(s), index: s.uleb() });
        break;
      default:
        break;
    }
    r.pos = end;
  }
  return parsed;
}
