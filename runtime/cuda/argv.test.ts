import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CUDA_ERROR } from '../../contract/cuda-codes.js';
import type { KernelArg, KernelParamInfo } from '../../contract/device.js';
import { argValue, checkKernelArgs, decodeArgv, encodeArgv, summarizeArgs, type ArgvValue } from './argv.js';
import { CudaCallError } from './call-error.js';

function codeOf(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof CudaCallError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a CudaCallError');
}

const u64 = (name: string): KernelParamInfo => ({ name, type: 'u64', sizeBytes: 8 });
const u32 = (name: string): KernelParamInfo => ({ name, type: 'u32', sizeBytes: 4 });

describe('encodeArgv', () => {
  it('writes the guide example byte for byte: three pointers and a u32', () => {
    const bytes = encodeArgv([
      { tag: 'pointer', offset: 0x1000, length: 16 },
      { tag: 'pointer', offset: 0x2000, length: 16 },
      { tag: 'pointer', offset: 0x3000, length: 16 },
      { tag: 'u32', value: 4 },
    ]);
    expect(Array.from(bytes)).toEqual([
      0x07, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
      0x07, 0x00, 0x20, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
      0x07, 0x00, 0x30, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
      0x05, 0x04, 0x00, 0x00, 0x00,
    ]);
  });

  it('encodes every tag little-endian with no padding', () => {
    const bytes = encodeArgv([
      { tag: 'i32', value: -2 },
      { tag: 'i64', value: -3n },
      { tag: 'f32', value: 1.5 },
      { tag: 'f64', value: -0.25 },
      { tag: 'u32', value: 0xdeadbeef },
      { tag: 'u64', value: 0x0102030405060708n },
    ]);
    expect(bytes.length).toBe(5 + 9 + 5 + 9 + 5 + 9);
    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x01, 0xfe, 0xff, 0xff, 0xff]);
    expect(Array.from(bytes.subarray(5, 14))).toEqual([0x02, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(Array.from(bytes.subarray(14, 19))).toEqual([0x03, 0x00, 0x00, 0xc0, 0x3f]);
    expect(Array.from(bytes.subarray(19, 28))).toEqual([0x04, 0, 0, 0, 0, 0, 0, 0xd0, 0xbf]);
    expect(Array.from(bytes.subarray(28, 33))).toEqual([0x05, 0xef, 0xbe, 0xad, 0xde]);
    expect(Array.from(bytes.subarray(33, 42))).toEqual([0x06, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('refuses values a tag cannot hold exactly', () => {
    expect(() => encodeArgv([{ tag: 'i32', value: 2 ** 31 }])).toThrow(RangeError);
    expect(() => encodeArgv([{ tag: 'i32', value: 1.5 }])).toThrow(RangeError);
    expect(() => encodeArgv([{ tag: 'u32', value: -1 }])).toThrow(RangeError);
    expect(() => encodeArgv([{ tag: 'u64', value: -1n }])).toThrow(RangeError);
    expect(() => encodeArgv([{ tag: 'i64', value: 2n ** 63n }])).toThrow(RangeError);
    expect(() => encodeArgv([{ tag: 'pointer', offset: 2 ** 32, length: 0 }])).toThrow(RangeError);
    expect(() => encodeArgv([{ tag: 'pointer', offset: 0, length: -1 }])).toThrow(RangeError);
  });

  it('refuses more than 128 records or 4 KiB', () => {
    expect(() => encodeArgv(Array.from({ length: 129 }, () => ({ tag: 'i32' as const, value: 0 })))).toThrow(/128/);
    expect(encodeArgv(Array.from({ length: 128 }, () => ({ tag: 'u64' as const, value: 1n }))).length).toBe(128 * 9);
  });
});

describe('decodeArgv', () => {
  it('round-trips every tag, including extreme values', () => {
    const values: ArgvValue[] = [
      { tag: 'i32', value: -(2 ** 31) },
      { tag: 'i32', value: 2 ** 31 - 1 },
      { tag: 'u32', value: 2 ** 32 - 1 },
      { tag: 'i64', value: -(2n ** 63n) },
      { tag: 'u64', value: 2n ** 64n - 1n },
      { tag: 'f32', value: Math.fround(3.14159) },
      { tag: 'f32', value: Number.NEGATIVE_INFINITY },
      { tag: 'f64', value: Math.PI },
      { tag: 'f64', value: Number.NaN },
      { tag: 'pointer', offset: 0xffff_fff0, length: 0x10 },
    ];
    const decoded = decodeArgv(encodeArgv(values));
    expect(decoded.map(argValue)).toEqual(values);
  });

  it('decodes an empty argv as no arguments', () => {
    expect(decodeArgv(new Uint8Array(0))).toEqual([]);
  });

  it('decodes from a view into a larger buffer (guest memory)', () => {
    const memory = new Uint8Array(64);
    memory.set(encodeArgv([{ tag: 'u32', value: 7 }]), 10);
    const args = decodeArgv(memory.subarray(10, 15));
    expect(args.map(argValue)).toEqual([{ tag: 'u32', value: 7 }]);
  });

  it('copies scalar bytes so later guest writes do not change a launch', () => {
    const bytes = encodeArgv([{ tag: 'u32', value: 7 }]);
    const args = decodeArgv(bytes);
    bytes[1] = 99;
    expect(argValue(args[0]!)).toEqual({ tag: 'u32', value: 7 });
  });

  it.each([0x00, 0x08, 0x7f, 0xff])('rejects unknown tag 0x%s with invalid_args naming the byte and the record', (tag) => {
    const bytes = new Uint8Array([...encodeArgv([{ tag: 'u32', value: 1 }]), tag, 0, 0, 0, 0]);
    const { code, message } = codeOf(() => decodeArgv(bytes));
    expect(code).toBe(CUDA_ERROR.invalid_args);
    expect(message).toContain('record 1 at byte 5');
    expect(message).toContain(`0x${tag.toString(16).padStart(2, '0')}`);
  });

  it.each([
    ['i32', 0x01, 4],
    ['i64', 0x02, 8],
    ['f32', 0x03, 4],
    ['f64', 0x04, 8],
    ['u32', 0x05, 4],
    ['u64', 0x06, 8],
    ['pointer', 0x07, 8],
  ] as const)('rejects a truncated %s value with invalid_args', (name, tag, size) => {
    for (let have = 0; have < size; have++) {
      const bytes = new Uint8Array(1 + have);
      bytes[0] = tag;
      const { code, message } = codeOf(() => decodeArgv(bytes));
      expect(code).toBe(CUDA_ERROR.invalid_args);
      expect(message).toContain(`(${name}, tag at byte 0) is truncated`);
      expect(message).toContain(`needs ${size} value bytes`);
    }
  });

  it('rejects more than 4096 bytes with kernel_args_unsupported', () => {
    const bytes = new Uint8Array(4097).fill(0x01);
    const { code, message } = codeOf(() => decodeArgv(bytes));
    expect(code).toBe(CUDA_ERROR.kernel_args_unsupported);
    expect(message).toContain('4097 bytes');
  });

  it('accepts exactly 128 records and rejects the 129th with kernel_args_unsupported', () => {
    const ok = encodeArgv(Array.from({ length: 128 }, (_, i) => ({ tag: 'i32' as const, value: i })));
    expect(decodeArgv(ok)).toHaveLength(128);
    const tooMany = new Uint8Array([...ok, 0x01, 0, 0, 0, 0]);
    expect(tooMany.length).toBeLessThanOrEqual(4096);
    const { code, message } = codeOf(() => decodeArgv(tooMany));
    expect(code).toBe(CUDA_ERROR.kernel_args_unsupported);
    expect(message).toContain('more than 128 records');
  });
});

describe('checkKernelArgs', () => {
  const params = [u64('a'), u64('b'), u64('out'), u32('n')];
  const good = (): KernelArg[] =>
    decodeArgv(
      encodeArgv([
        { tag: 'pointer', offset: 0, length: 16 },
        { tag: 'pointer', offset: 16, length: 16 },
        { tag: 'pointer', offset: 32, length: 16 },
        { tag: 'u32', value: 4 },
      ]),
    );

  it('accepts records that match the .param list and lie inside memory', () => {
    expect(() => checkKernelArgs(good(), params, 48, 'vector_add')).not.toThrow();
  });

  it('rejects too few and too many records with invalid_args naming both counts', () => {
    const few = codeOf(() => checkKernelArgs(good().slice(0, 3), params, 48, 'vector_add'));
    expect(few.code).toBe(CUDA_ERROR.invalid_args);
    expect(few.message).toContain('takes 4 parameters');
    expect(few.message).toContain('has 3 records');
    const many = codeOf(() => checkKernelArgs([...good(), ...good()], params, 48, 'vector_add'));
    expect(many.code).toBe(CUDA_ERROR.invalid_args);
    expect(many.message).toContain('has 8 records');
  });

  it('rejects a size mismatch with invalid_args naming the argument and the fix', () => {
    const args = good();
    args[3] = decodeArgv(encodeArgv([{ tag: 'u64', value: 4n }]))[0]!;
    const r = codeOf(() => checkKernelArgs(args, params, 48, 'vector_add'));
    expect(r.code).toBe(CUDA_ERROR.invalid_args);
    expect(r.message).toContain('argument 3 is u64 (8 bytes)');
    expect(r.message).toContain('is 4 bytes');
    const ptrInto32 = good();
    ptrInto32[3] = { kind: 'pointer', offset: 0, length: 4 };
    expect(codeOf(() => checkKernelArgs(ptrInto32, params, 48, 'vector_add')).code).toBe(CUDA_ERROR.invalid_args);
    const i32IntoPtr = good();
    i32IntoPtr[0] = decodeArgv(encodeArgv([{ tag: 'i32', value: 0 }]))[0]!;
    expect(codeOf(() => checkKernelArgs(i32IntoPtr, params, 48, 'vector_add')).message).toContain('argument 0 is i32 (4 bytes)');
  });

  it('rejects parameters argv cannot express (u8, u16, byte arrays) with kernel_args_unsupported', () => {
    for (const param of [
      { name: 'flag', type: 'u8', sizeBytes: 1 },
      { name: 'half', type: 'u16', sizeBytes: 2 },
      { name: 'pair', type: 'b8', sizeBytes: 16, align: 8 },
    ]) {
      const r = codeOf(() => checkKernelArgs(decodeArgv(encodeArgv([{ tag: 'u32', value: 1 }])), [param], 48, 'k'));
      expect(r.code).toBe(CUDA_ERROR.kernel_args_unsupported);
      expect(r.message).toContain(`is ${param.sizeBytes} bytes`);
    }
  });

  it('rejects a pointer window past the end of memory with invalid_pointer', () => {
    const args = good();
    args[2] = { kind: 'pointer', offset: 40, length: 16 };
    const r = codeOf(() => checkKernelArgs(args, params, 48, 'vector_add'));
    expect(r.code).toBe(CUDA_ERROR.invalid_pointer);
    expect(r.message).toContain('argument 2');
    expect(r.message).toContain('[0x28, 0x38)');
  });

  it('computes offset + length without 32-bit overflow', () => {
    const args = good();
    // 0xffffff00 + 0x200 wraps to 0x100 in 32 bits, which would wrongly lie inside memory.
    args[0] = { kind: 'pointer', offset: 0xffff_ff00, length: 0x200 };
    expect(codeOf(() => checkKernelArgs(args, params, 4096, 'vector_add')).code).toBe(CUDA_ERROR.invalid_pointer);
  });

  it('allows a zero-length window exactly at the end of memory as "no buffer", and not one past it', () => {
    const args = good();
    args[1] = { kind: 'pointer', offset: 48, length: 0 };
    expect(() => checkKernelArgs(args, params, 48, 'vector_add')).not.toThrow();
    args[1] = { kind: 'pointer', offset: 49, length: 0 };
    expect(codeOf(() => checkKernelArgs(args, params, 48, 'vector_add')).code).toBe(CUDA_ERROR.invalid_pointer);
  });

  it('allows a window ending exactly at the end of memory', () => {
    const args = good();
    args[2] = { kind: 'pointer', offset: 32, length: 16 };
    expect(() => checkKernelArgs(args, params, 48, 'vector_add')).not.toThrow();
  });
});

describe('summarizeArgs', () => {
  it('prints pointers as ptr(offset,length) and scalars as tag(value)', () => {
    const args = decodeArgv(
      encodeArgv([
        { tag: 'pointer', offset: 0x1000, length: 4096 },
        { tag: 'u32', value: 1024 },
        { tag: 'f32', value: 2.5 },
        { tag: 'i64', value: -7n },
      ]),
    );
    expect(summarizeArgs(args)).toBe('ptr(0x1000,4096) u32(1024) f32(2.5) i64(-7)');
  });
});

/** Any value an argv record holds exactly (NaN left out: its payload is not part of the contract). */
const ARGV_VALUE: fc.Arbitrary<ArgvValue> = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => ({ tag: 'i32' as const, value })),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((value) => ({ tag: 'u32' as const, value })),
  fc.float({ noNaN: true }).map((value) => ({ tag: 'f32' as const, value })),
  fc.double({ noNaN: true }).map((value) => ({ tag: 'f64' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ tag: 'i64' as const, value })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ tag: 'u64' as const, value })),
  fc.record({ offset: fc.integer({ min: 0, max: 2 ** 32 - 1 }), length: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }).map((p) => ({ tag: 'pointer' as const, ...p })),
);
const SIZE: Record<ArgvValue['tag'], number> = { i32: 5, u32: 5, f32: 5, f64: 9, i64: 9, u64: 9, pointer: 9 };

describe('argv properties (fast-check)', () => {
  test.prop([fc.array(ARGV_VALUE, { maxLength: 128 })])('decode(encode(v)) gives v back, in 1 + value bytes per record', (values) => {
    const bytes = encodeArgv(values);
    expect(bytes.length).toBe(values.reduce((n, v) => n + SIZE[v.tag], 0));
    expect(decodeArgv(bytes).map(argValue)).toEqual(values);
  });

  test.prop([fc.array(ARGV_VALUE, { minLength: 1, maxLength: 20 }), fc.nat()])('an argv cut inside a record is invalid_args; cut at a record boundary it decodes the records before', (values, cutSeed) => {
    const bytes = encodeArgv(values);
    const cut = cutSeed % bytes.length;
    const boundaries = new Set<number>();
    values.reduce((at, v) => (boundaries.add(at), at + SIZE[v.tag]), 0);
    if (boundaries.has(cut)) expect(decodeArgv(bytes.slice(0, cut)).length).toBe([...boundaries].filter((b) => b < cut).length);
    else expect(codeOf(() => decodeArgv(bytes.slice(0, cut))).code).toBe(CUDA_ERROR.invalid_args);
  });

  test.prop([fc.integer({ min: 0, max: 255 }).filter((b) => b < 1 || b > 7), fc.array(ARGV_VALUE, { maxLength: 5 })])('an unknown tag byte is invalid_args naming it', (tag, before) => {
    const head = encodeArgv(before);
    const bytes = new Uint8Array([...head, tag, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = codeOf(() => decodeArgv(bytes));
    expect(r.code).toBe(CUDA_ERROR.invalid_args);
    expect(r.message).toContain(`record ${before.length} at byte ${head.length} has unknown tag 0x${tag.toString(16).padStart(2, '0')}`);
  });

  test.prop([fc.integer({ min: 129, max: 819 })])('more than 128 records (in at most 4 KiB) is kernel_args_unsupported; 128 decode', (n) => {
    const u32s = Array.from({ length: n }, () => ({ tag: 'u32' as const, value: 1 }));
    const bytes = new Uint8Array(n * 5);
    for (let i = 0; i < n; i++) bytes[i * 5] = 0x05;
    expect(codeOf(() => decodeArgv(bytes)).code).toBe(CUDA_ERROR.kernel_args_unsupported);
    expect(decodeArgv(bytes.slice(0, 128 * 5)).length).toBe(128);
    expect(() => encodeArgv(u32s)).toThrow(RangeError);
    expect(() => encodeArgv(u32s.slice(0, 128))).not.toThrow();
  });

  test.prop([fc.integer({ min: 4097, max: 9000 })])('more than 4096 bytes is kernel_args_unsupported, whatever they hold', (n) => {
    expect(codeOf(() => decodeArgv(new Uint8Array(n))).code).toBe(CUDA_ERROR.kernel_args_unsupported);
  });

  test.prop([fc.constantFrom('i32', 'u32'), fc.oneof(fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), fc.double({ noNaN: true }))])('the encoder refuses a 32-bit value it cannot hold exactly, and takes every one it can', (tag, value) => {
    const [lo, hi] = tag === 'i32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
    const fits = Number.isInteger(value) && value >= lo && value <= hi;
    // (-0 is an integer in range: it encodes as 0)
    if (fits) expect(argValue(decodeArgv(encodeArgv([{ tag, value }]))[0]!)).toEqual({ tag, value: value + 0 });
    else expect(() => encodeArgv([{ tag, value }])).toThrow(RangeError);
  });

  test.prop([fc.constantFrom('i64', 'u64'), fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n })])('the encoder refuses a 64-bit value it cannot hold, and takes every one it can', (tag, value) => {
    const [lo, hi] = tag === 'i64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
    if (value >= lo && value <= hi) expect(argValue(decodeArgv(encodeArgv([{ tag, value }]))[0]!)).toEqual({ tag, value });
    else expect(() => encodeArgv([{ tag, value }])).toThrow(RangeError);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 })])(
    'a pointer window is refused with invalid_pointer exactly when offset + length passes the end of memory',
    (offset, length, memory) => {
      const args = [{ kind: 'pointer' as const, offset, length }];
      const check = (): void => checkKernelArgs(args, [u64('p')], memory, 'k');
      if (offset + length <= memory) expect(check).not.toThrow();
      else expect(codeOf(check).code).toBe(CUDA_ERROR.invalid_pointer);
    },
  );

  test.prop([fc.integer({ min: 0, max: 4096 }), fc.integer({ min: -2, max: 2 })])('a window ending one byte either side of the end of memory (off-by-one)', (memory, delta) => {
    const length = Math.max(0, memory + delta);
    const check = (): void => checkKernelArgs([{ kind: 'pointer', offset: 0, length }], [u64('p')], memory, 'k');
    if (length <= memory) expect(check).not.toThrow();
    else expect(codeOf(check).code).toBe(CUDA_ERROR.invalid_pointer);
  });

  test.prop([fc.array(fc.constantFrom(4, 8), { maxLength: 6 }), fc.array(fc.constantFrom(4, 8), { maxLength: 6 })])('count and size mismatches are invalid_args; matching lists pass', (argSizes, paramSizes) => {
    const args = argSizes.map((s) => decodeArgv(encodeArgv([s === 4 ? { tag: 'u32', value: 1 } : { tag: 'u64', value: 1n }]))[0]!);
    const params = paramSizes.map((s, i) => (s === 4 ? u32(`p${i}`) : u64(`p${i}`)));
    const check = (): void => checkKernelArgs(args, params, 64, 'k');
    const same = argSizes.length === paramSizes.length && argSizes.every((s, i) => s === paramSizes[i]);
    if (same) expect(check).not.toThrow();
    else expect(codeOf(check).code).toBe(CUDA_ERROR.invalid_args);
  });
});
