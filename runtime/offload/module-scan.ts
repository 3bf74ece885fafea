/**
 * A light read of a module's structure for the loop analyser: function types, imports, local
 * types, code bodies (with their byte offsets) and function names. Everything the analyser does not
 * need is skipped by section size, which is what keeps analysis fast on multi-megabyte modules.
 */
import { OffloadDecodeError, WasmReader } from './wasm-reader.js';

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'ref';

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface CodeBody {
  /** Function index in the module's function index space (imports first). */
  funcIndex: number;
  /** Byte offset of the body (its locals vector), just after the size field. */
  start: number;
  end: number;
}

export interface ModuleScan {
  types: (FuncType | undefined)[];
  importedFuncCount: number;
  importedFuncNames: string[];
  /** Type index of each defined function. */
  funcTypes: number[];
  bodies: CodeBody[];
  names: Map<number, string>;
  /** Bytes of code (sum of body sizes): the denominator of the analysis-speed figure. */
  codeBytes: number;
  memory64: boolean;
}

const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_MEMORY = 5;
const SECTION_CODE = 10;
const SECTION_CUSTOM = 0;

export function readValType(r: WasmReader): ValType {
  const b = r.u8();
  switch (b) {
    case 0x7f: return 'i32';
    case 0x7e: return 'i64';
    case 0x7d: return 'f32';
    case 0x7c: return 'f64';
    case 0x7b: return 'v128';
    case 0x63:
    case 0x64:
      r.s33();
      return 'ref';
    default:
      if (b >= 0x69 && b <= 0x74) return 'ref';
      throw new OffloadDecodeError(`unknown value type 0x${b.toString(16)}`, r.pos - 1);
  }
}

function readLimits(r: WasmReader): { memory64: boolean } {
  const flags = r.u8();
  const memory64 = (flags & 0x04) !== 0;
  if (memory64) r.u64();
  else r.u32();
  if (flags & 0x01) {
    if (memory64) r.u64();
    else r.u32();
  }
  if (flags & 0x08) r.u32(); // custom page size
  return { memory64 };
}

function readCompositeType(r: WasmReader, form: number): FuncType | undefined {
  switch (form) {
    case 0x60: {
      const params: ValType[] = [];
      for (let n = r.u32(); n > 0; n--) params.push(readValType(r));
      const results: ValType[] = [];
      for (let n = r.u32(); n > 0; n--) results.push(readValType(r));
      return { params, results };
    }
    case 0x5f: // struct
      for (let n = r.u32(); n > 0; n--) {
        readStorageType(r);
        r.u8();
      }
      return undefined;
    case 0x5e: // array
      readStorageType(r);
      r.u8();
      return undefined;
    default:
      throw new OffloadDecodeError(`unknown type form 0x${form.toString(16)}`, r.pos - 1);
  }
}

function readStorageType(r: WasmReader): void {
  const b = r.bytes[r.pos];
  if (b === 0x78 || b === 0x77) r.u8();
  else readValType(r);
}

function readSubType(r: WasmReader, types: (FuncType | undefined)[]): void {
  const form = r.u8();
  if (form === 0x50 || form === 0x4f) {
    for (let n = r.u32(); n > 0; n--) r.u32();
    types.push(readCompositeType(r, r.u8()));
  } else {
    types.push(readCompositeType(r, form));
  }
}

export function scanModule(bytes: Uint8Array): ModuleScan {
  const r = new WasmReader(bytes);
  if (bytes.length < 8 || r.u8() !== 0x00 || r.u8() !== 0x61 || r.u8() !== 0x73 || r.u8() !== 0x6d) {
    throw new OffloadDecodeError('not a WebAssembly module (bad magic)', 0);
  }
  const version = r.u8() | (r.u8() << 8) | (r.u8() << 16) | (r.u8() << 24);
  if (version !== 1) throw new OffloadDecodeError(`unsupported module version ${version}`, 4);

  const scan: ModuleScan = {
    types: [],
    importedFuncCount: 0,
    importedFuncNames: [],
    funcTypes: [],
    bodies: [],
    names: new Map(),
    codeBytes: 0,
    memory64: false,
  };
  while (!r.atEnd()) {
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    if (end > bytes.length) throw new OffloadDecodeError(`section ${id} runs past the end of the module`, start);
    const s = new WasmReader(bytes, start, end);
    switch (id) {
      case SECTION_TYPE:
        for (let n = s.u32(); n > 0; n--) {
          if (s.bytes[s.pos] === 0x4e) {
            s.u8();
            for (let m = s.u32(); m > 0; m--) readSubType(s, scan.types);
          } else {
            readSubType(s, scan.types);
          }
        }
        break;
      case SECTION_IMPORT:
        for (let n = s.u32(); n > 0; n--) {
          const module = s.name();
          const name = s.name();
          const kind = s.u8();
          if (kind === 0) {
            s.u32();
            scan.importedFuncCount++;
            scan.importedFuncNames.push(`${module}.${name}`);
          } else if (kind === 1) {
            readValType(s);
            readLimits(s);
          } else if (kind === 2) {
            if (readLimits(s).memory64) scan.memory64 = true;
          } else if (kind === 3) {
            readValType(s);
            s.u8();
          } else if (kind === 4) {
            s.u8();
            s.u32();
          } else {
            throw new OffloadDecodeError(`unknown import kind ${kind}`, s.pos - 1);
          }
        }
        break;
      case SECTION_FUNCTION:
        for (let n = s.u32(); n > 0; n--) scan.funcTypes.push(s.u32());
        break;
      case SECTION_MEMORY:
        for (let n = s.u32(); n > 0; n--) if (readLimits(s).memory64) scan.memory64 = true;
        break;
      case SECTION_CODE: {
        const count = s.u32();
        for (let i = 0; i < count; i++) {
          const bodySize = s.u32();
          const bodyStart = s.pos;
          s.skip(bodySize);
          scan.bodies.push({ funcIndex: scan.importedFuncCount + i, start: bodyStart, end: bodyStart + bodySize });
          scan.codeBytes += bodySize;
        }
        break;
      }
      case SECTION_CUSTOM:
        readCustom(s, scan);
        break;
      default:
        break;
    }
    r.pos = end;
  }
  return scan;
}

function readCustom(s: WasmReader, scan: ModuleScan): void {
  let name: string;
  try {
    name = s.name();
  } catch {
    return;
  }
  if (name !== 'name') return;
  // A broken name section only costs us names, never the analysis.
  try {
    while (!s.atEnd()) {
      const sub = s.u8();
      const size = s.u32();
      const end = s.pos + size;
      if (sub === 1) {
        const inner = new WasmReader(s.bytes, s.pos, end);
        for (let n = inner.u32(); n > 0; n--) {
          const index = inner.u32();
          scan.names.set(index, inner.name());
        }
      }
      s.pos = end;
    }
  } catch {
    /* names are optional */
  }
}
