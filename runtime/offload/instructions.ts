/**
 * Decodes one function body into flat typed arrays (opcode, byte offset, two immediates per
 * instruction). Flat arrays instead of objects keep the analyser near the speed of a plain scan.
 * Opcodes: single-byte ops as is; prefixed ops as prefix * 0x1000 + sub-opcode (0xFD00B is
 * v128.store).
 */
import { readValType, type ValType } from './module-scan.js';
import { OffloadDecodeError, WasmReader } from './wasm-reader.js';

export const PREFIX_GC = 0xfb;
export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;
export const PREFIX_ATOMIC = 0xfe;

export const simd = (sub: number): number => PREFIX_SIMD * 0x1000 + sub;
export const misc = (sub: number): number => PREFIX_MISC * 0x1000 + sub;
export const isSimd = (op: number): boolean => op >= PREFIX_SIMD * 0x1000 && op < (PREFIX_SIMD + 1) * 0x1000;

export const OP = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, try: 0x06, catch: 0x07,
  throw: 0x08, rethrow: 0x09, throwRef: 0x0a, end: 0x0b, br: 0x0c, brIf: 0x0d, brTable: 0x0e, return: 0x0f,
  call: 0x10, callIndirect: 0x11, returnCall: 0x12, returnCallIndirect: 0x13, callRef: 0x14, returnCallRef: 0x15,
  delegate: 0x18, catchAll: 0x19, drop: 0x1a, select: 0x1b, selectT: 0x1c, tryTable: 0x1f,
  localGet: 0x20, localSet: 0x21, localTee: 0x22, globalGet: 0x23, globalSet: 0x24, tableGet: 0x25, tableSet: 0x26,
  memorySize: 0x3f, memoryGrow: 0x40, i32Const: 0x41, i64Const: 0x42, f32Const: 0x43, f64Const: 0x44,
  refNull: 0xd0, refIsNull: 0xd1, refFunc: 0xd2, refEq: 0xd3, refAsNonNull: 0xd4, brOnNull: 0xd5, brOnNonNull: 0xd6,
} as const;

export interface LocalRun {
  count: number;
  type: ValType;
}

/** One decoded function body. Arrays are views valid until the next decode with the same buffers. */
export interface DecodedBody {
  count: number;
  op: Int32Array;
  off: Uint32Array;
  a: Float64Array;
  b: Float64Array;
  /** Parameters and declared locals, as runs. */
  locals: LocalRun[];
  localCount: number;
  paramCount: number;
}

export function localType(body: DecodedBody, index: number): ValType | undefined {
  let base = 0;
  for (const run of body.locals) {
    if (index < base + run.count) return run.type;
    base += run.count;
  }
  return undefined;
}

/** Reusable buffers: grown on demand, shared across bodies (the analyser is synchronous). */
class Buffers {
  op = new Int32Array(1024);
  off = new Uint32Array(1024);
  a = new Float64Array(1024);
  b = new Float64Array(1024);
  ensure(n: number): void {
    if (n <= this.op.length) return;
    let size = this.op.length;
    while (size < n) size *= 2;
    this.op = new Int32Array(size);
    this.off = new Uint32Array(size);
    this.a = new Float64Array(size);
    this.b = new Float64Array(size);
  }
}

const f32View = new DataView(new ArrayBuffer(8));

/** Memory index of the last memarg read (a module variable, so no object per memory access). */
let memargMem = 0;

/** Reads a memarg; returns its offset and leaves its memory index in `memargMem`. */
function readMemarg(r: WasmReader, memory64: boolean): number {
  const align = r.u32();
  memargMem = align & 0x40 ? r.u32() : 0;
  return memory64 ? r.u64() : r.u32();
}

/** SIMD sub-opcodes with a memarg (loads, stores). */
function simdHasMemarg(sub: number): boolean {
  return sub <= 0x0b || sub === 0x5c || sub === 0x5d;
}

export function decodeBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  params: readonly ValType[],
  memory64: boolean,
  buffers: Buffers = sharedBuffers,
): DecodedBody {
  const r = new WasmReader(bytes, start, end);
  const locals: LocalRun[] = [];
  let localCount = params.length;
  for (const p of params) locals.push({ count: 1, type: p });
  for (let groups = r.u32(); groups > 0; groups--) {
    const count = r.u32();
    const type = readValType(r);
    localCount += count;
    if (localCount > 50_000) throw new OffloadDecodeError('too many locals', r.pos);
    locals.push({ count, type });
  }
  // An instruction takes at least one byte, so the body size bounds the count.
  buffers.ensure(end - r.pos + 1);
  const { op, off, a, b } = buffers;
  let n = 0;
  let depth = 1;
  while (depth > 0) {
    const at = r.pos;
    let code = r.u8();
    let ia = 0;
    let ib = 0;
    switch (code) {
      case 0x02: case 0x03: case 0x04: case 0x06:
        ia = r.s33();
        depth++;
        break;
      case 0x1f: {
        ia = r.s33();
        for (let k = r.u32(); k > 0; k--) {
          const kind = r.u8();
          if (kind === 0x00 || kind === 0x01) r.u32();
          r.u32();
        }
        depth++;
        break;
      }
      case 0x0b:
        depth--;
        break;
      case 0x07: case 0x08: case 0x09: case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x14: case 0x15:
      case 0x18: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
      case 0x3f: case 0x40: case 0xd2: case 0xd5: case 0xd6:
        ia = r.u32();
        if (code === 0x18) depth--; // delegate ends a try
        break;
      case 0x0e: {
        let max = 0;
        let min = Infinity;
        for (let k = r.u32() + 1; k > 0; k--) {
          const t = r.u32();
          if (t > max) max = t;
          if (t < min) min = t;
        }
        ia = max;
        ib = min;
        break;
      }
      case 0x11: case 0x13:
        ia = r.u32();
        ib = r.u32();
        break;
      case 0x1c:
        for (let k = r.u32(); k > 0; k--) readValType(r);
        break;
      case 0x41:
        ia = r.s32();
        break;
      case 0x42: {
        const v = r.s64();
        ia = Number(v);
        ib = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? 1 : 0;
        break;
      }
      case 0x43:
        if (r.pos + 4 > r.end) throw new OffloadDecodeError('truncated f32.const', at);
        for (let k = 0; k < 4; k++) f32View.setUint8(k, bytes[r.pos + k] as number);
        ia = f32View.getFloat32(0, true);
        r.pos += 4;
        break;
      case 0x44:
        if (r.pos + 8 > r.end) throw new OffloadDecodeError('truncated f64.const', at);
        for (let k = 0; k < 8; k++) f32View.setUint8(k, bytes[r.pos + k] as number);
        ia = f32View.getFloat64(0, true);
        r.pos += 8;
        break;
      case 0xd0:
        r.s33();
        break;
      case PREFIX_MISC: {
        const sub = r.u32();
        if (sub > 0x13) throw new OffloadDecodeError(`unknown 0xfc opcode ${sub}`, at);
        if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
          ia = r.u32();
          ib = r.u32();
        } else if (sub >= 9) {
          ia = r.u32();
        }
        code = misc(sub);
        break;
      }
      case PREFIX_SIMD: {
        const sub = r.u32();
        if (sub > 0x113) throw new OffloadDecodeError(`unknown 0xfd opcode ${sub}`, at);
        if (simdHasMemarg(sub)) {
          ia = readMemarg(r, memory64);
          ib = memargMem;
        } else if (sub >= 0x54 && sub <= 0x5b) {
          ia = readMemarg(r, memory64);
          ib = r.u8();
        } else if (sub === 0x0c || sub === 0x0d) {
          ia = r.pos;
          r.skip(16);
        } else if (sub >= 0x15 && sub <= 0x22) {
          ia = r.u8();
        }
        code = simd(sub);
        break;
      }
      case PREFIX_ATOMIC: {
        const sub = r.u32();
        if (sub === 0x03) r.u8();
        else if (sub <= 0x4e) ia = readMemarg(r, memory64);
        else throw new OffloadDecodeError(`unknown 0xfe opcode ${sub}`, at);
        code = PREFIX_ATOMIC * 0x1000 + sub;
        break;
      }
      case PREFIX_GC:
        throw new OffloadDecodeError('GC instructions are not analysed', at);
      default:
        if (code >= 0x28 && code <= 0x3e) {
          ia = readMemarg(r, memory64);
          ib = memargMem;
        } else if (
          !(code <= 0x01 || code === 0x05 || code === 0x0a || code === 0x0f || code === 0x19 || code === 0x1a ||
            code === 0x1b || (code >= 0x45 && code <= 0xc4) || code === 0xd1 || code === 0xd3 || code === 0xd4)
        ) {
          throw new OffloadDecodeError(`unknown opcode 0x${code.toString(16)}`, at);
        }
    }
    op[n] = code;
    off[n] = at;
    a[n] = ia;
    b[n] = ib;
    n++;
  }
  if (r.pos !== end) throw new OffloadDecodeError('function body has bytes after its final end', r.pos);
  return { count: n, op, off, a, b, locals, localCount, paramCount: params.length };
}

const sharedBuffers = new Buffers();
export { Buffers as DecodeBuffers };
