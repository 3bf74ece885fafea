/**
 * The tagged argv codec of `wasi_cuda_launch`: flat little-endian records, no padding, each a tag
 * byte then its value — 0x01 i32, 0x02 i64, 0x03 f32, 0x04 f64, 0x05 u32, 0x06 u64, 0x07 pointer
 * (u32 guest offset + u32 byte length). The same bytes as Craton TensorWasm, so its guests run
 * unchanged. Pure code: bytes in, records or a CudaCallError out; never a silent truncation.
 */
import { ARGV_TAG, CUDA_LIMITS, type ArgvTagName } from '../../contract/cuda-codes.js';
import type { KernelArg, KernelParamInfo } from '../../contract/device.js';
import { CudaCallError } from './call-error.js';

/** A value to encode; the encoder's input and the readable form of a decoded record. */
export type ArgvValue =
  | { tag: 'i32' | 'u32' | 'f32' | 'f64'; value: number }
  | { tag: 'i64' | 'u64'; value: bigint }
  | { tag: 'pointer'; offset: number; length: number };

type ScalarTag = Exclude<ArgvTagName, 'pointer'>;

/** Value bytes after the tag byte, per tag. */
export const ARGV_VALUE_BYTES: Readonly<Record<ArgvTagName, number>> = {
  i32: 4,
  i64: 8,
  f32: 4,
  f64: 8,
  u32: 4,
  u64: 8,
  pointer: 8,
};

const TAG_BY_BYTE = new Map<number, ArgvTagName>(Object.entries(ARGV_TAG).map(([name, byte]) => [byte, name as ArgvTagName]));

const TAG_TABLE = '0x01 i32, 0x02 i64, 0x03 f32, 0x04 f64, 0x05 u32, 0x06 u64, 0x07 pointer';

function hexByte(value: number): string {
  return '0x' + value.toString(16).padStart(2, '0');
}

/** Bytes one record of this tag takes, tag byte included. */
export function recordBytes(tag: ArgvTagName): number {
  return 1 + ARGV_VALUE_BYTES[tag];
}

/**
 * Encodes values as argv bytes. Throws RangeError for a value its tag cannot hold exactly (the
 * encoder never wraps or rounds integers) or when the result would exceed the argv limits.
 */
export function encodeArgv(values: readonly ArgvValue[]): Uint8Array {
  if (values.length > CUDA_LIMITS.maxArgs) {
    throw new RangeError(`argv has ${values.length} records; at most ${CUDA_LIMITS.maxArgs} are supported`);
  }
  const size = values.reduce((sum, v) => sum + recordBytes(v.tag), 0);
  if (size > CUDA_LIMITS.maxArgvBytes) {
    throw new RangeError(`argv would be ${size} bytes; at most ${CUDA_LIMITS.maxArgvBytes} are supported`);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let pos = 0;
  values.forEach((v, index) => {
    out[pos] = ARGV_TAG[v.tag];
    const at = pos + 1;
    switch (v.tag) {
      case 'i32':
        requireInteger(v.value, -(2 ** 31), 2 ** 31 - 1, index, v.tag);
        view.setInt32(at, v.value, true);
        break;
      case 'u32':
        requireInteger(v.value, 0, 2 ** 32 - 1, index, v.tag);
        view.setUint32(at, v.value, true);
        break;
      case 'f32':
        if (typeof v.value !== 'number') throw new RangeError(`argv record ${index}: f32 value must be a number`);
        view.setFloat32(at, v.value, true);
        break;
      case 'f64':
        if (typeof v.value !== 'number') throw new RangeError(`argv record ${index}: f64 value must be a number`);
        view.setFloat64(at, v.value, true);
        break;
      case 'i64':
        requireBigInt(v.value, -(2n ** 63n), 2n ** 63n - 1n, index, v.tag);
        view.setBigInt64(at, v.value, true);
        break;
      case 'u64':
        requireBigInt(v.value, 0n, 2n ** 64n - 1n, index, v.tag);
        view.setBigUint64(at, v.value, true);
        break;
      case 'pointer':
        requireInteger(v.offset, 0, 2 ** 32 - 1, index, 'pointer offset');
        requireInteger(v.length, 0, 2 ** 32 - 1, index, 'pointer length');
        view.setUint32(at, v.offset, true);
        view.setUint32(at + 4, v.length, true);
        break;
    }
    pos += recordBytes(v.tag);
  });
  return out;
}

function requireInteger(value: number, min: number, max: number, index: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`argv record ${index}: ${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

function requireBigInt(value: bigint, min: bigint, max: bigint, index: number, what: string): void {
  if (typeof value !== 'bigint' || value < min || value > max) {
    throw new RangeError(`argv record ${index}: ${what} must be a bigint in [${min}, ${max}], got ${String(value)}`);
  }
}

/**
 * Decodes argv bytes into records. Throws CudaCallError: kernel_args_unsupported for more than
 * 4 KiB or 128 records, invalid_args for an unknown tag or a truncated value.
 */
export function decodeArgv(bytes: Uint8Array): KernelArg[] {
  if (bytes.length > CUDA_LIMITS.maxArgvBytes) {
    throw new CudaCallError(
      'kernel_args_unsupported',
      `argv is ${bytes.length} bytes; at most ${CUDA_LIMITS.maxArgvBytes} bytes (${CUDA_LIMITS.maxArgs} records) are supported — pass large data through a pointer record instead`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const args: KernelArg[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (args.length === CUDA_LIMITS.maxArgs) {
      throw new CudaCallError(
        'kernel_args_unsupported',
        `argv has more than ${CUDA_LIMITS.maxArgs} records (record ${args.length} starts at byte ${pos}); at most ${CUDA_LIMITS.maxArgs} kernel arguments are supported`,
      );
    }
    const tagByte = bytes[pos]!;
    const tag = TAG_BY_BYTE.get(tagByte);
    if (tag === undefined) {
      throw new CudaCallError(
        'invalid_args',
        `argv record ${args.length} at byte ${pos} has unknown tag ${hexByte(tagByte)}; tags are ${TAG_TABLE} (records are packed with no padding)`,
      );
    }
    const need = ARGV_VALUE_BYTES[tag];
    const have = bytes.length - pos - 1;
    if (have < need) {
      throw new CudaCallError(
        'invalid_args',
        `argv record ${args.length} (${tag}, tag at byte ${pos}) is truncated: it needs ${need} value bytes but the argv ends after ${have} — check args_len`,
      );
    }
    const at = pos + 1;
    if (tag === 'pointer') {
      args.push({ kind: 'pointer', offset: view.getUint32(at, true), length: view.getUint32(at + 4, true) });
    } else {
      args.push({ kind: 'scalar', tag, bytes: bytes.slice(at, at + need) });
    }
    pos = at + need;
  }
  return args;
}

/** The readable value of a decoded record (what the encoder would take to produce it). */
export function argValue(arg: KernelArg): ArgvValue {
  if (arg.kind === 'pointer') return { tag: 'pointer', offset: arg.offset, length: arg.length };
  const view = new DataView(arg.bytes.buffer, arg.bytes.byteOffset, arg.bytes.byteLength);
  const tag: ScalarTag = arg.tag;
  switch (tag) {
    case 'i32':
      return { tag, value: view.getInt32(0, true) };
    case 'u32':
      return { tag, value: view.getUint32(0, true) };
    case 'f32':
      return { tag, value: view.getFloat32(0, true) };
    case 'f64':
      return { tag, value: view.getFloat64(0, true) };
    case 'i64':
      return { tag, value: view.getBigInt64(0, true) };
    case 'u64':
      return { tag, value: view.getBigUint64(0, true) };
  }
}

function argBytes(arg: KernelArg): number {
  return arg.kind === 'pointer' ? 8 : arg.bytes.length;
}

function argLabel(arg: KernelArg): string {
  return arg.kind === 'pointer' ? 'pointer' : arg.tag;
}

function paramLabel(param: KernelParamInfo): string {
  return param.align !== undefined ? `.align ${param.align} .b8 ${param.name}[${param.sizeBytes}]` : `.${param.type} ${param.name}`;
}

/**
 * Checks decoded records against the kernel's `.param` list and linear memory: the count, each
 * record's size against its parameter's, and each pointer window inside memory (offset + length
 * computed exactly; a zero-length window exactly at the end of memory is the "no buffer" sentinel).
 * Throws CudaCallError: invalid_args, kernel_args_unsupported or invalid_pointer.
 */
export function checkKernelArgs(args: readonly KernelArg[], params: readonly KernelParamInfo[], memoryBytes: number, entry: string): void {
  if (args.length !== params.length) {
    const list = params.map((p) => `.${p.type}`).join(', ');
    throw new CudaCallError(
      'invalid_args',
      `kernel ${entry} takes ${params.length} parameter${params.length === 1 ? '' : 's'} (${list}) but the argv has ${args.length} record${args.length === 1 ? '' : 's'}; pass one record per parameter, in order`,
    );
  }
  args.forEach((arg, i) => {
    const param = params[i]!;
    if (param.sizeBytes !== 4 && param.sizeBytes !== 8) {
      throw new CudaCallError(
        'kernel_args_unsupported',
        `parameter ${i} of kernel ${entry} (${paramLabel(param)}) is ${param.sizeBytes} bytes; argv records carry 4- or 8-byte values — declare it as a 32/64-bit integer, float, double or pointer (pass structs through a pointer)`,
      );
    }
    const size = argBytes(arg);
    if (size !== param.sizeBytes) {
      const fix = param.sizeBytes === 4 ? 'an i32, u32 or f32 record' : 'an i64, u64, f64 or pointer record';
      throw new CudaCallError(
        'invalid_args',
        `argument ${i} is ${argLabel(arg)} (${size} bytes) but parameter ${i} of kernel ${entry} (${paramLabel(param)}) is ${param.sizeBytes} bytes; use ${fix}`,
      );
    }
    if (arg.kind === 'pointer') {
      const end = arg.offset + arg.length; // exact in a double: both are < 2^32
      if (end > memoryBytes) {
        throw new CudaCallError(
          'invalid_pointer',
          `argument ${i} is a pointer window [${hex(arg.offset)}, ${hex(end)}) of ${arg.length} bytes that ends past linear memory (${memoryBytes} bytes); pass the buffer's guest address and its size in bytes`,
        );
      }
    }
  });
}

export function hex(value: number): string {
  return '0x' + value.toString(16);
}

/** `ptr(0x1000,4096) ptr(0x2000,4096) u32(1024)` — what launch events and logs show. */
export function summarizeArgs(args: readonly KernelArg[]): string {
  return args
    .map((arg) => {
      const v = argValue(arg);
      return v.tag === 'pointer' ? `ptr(${hex(v.offset)},${v.length})` : `${v.tag}(${String(v.value)})`;
    })
    .join(' ');
}
