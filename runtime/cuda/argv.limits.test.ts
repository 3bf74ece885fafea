/**
 * The argv codec at the exact edges of its limits, and the words of its errors: what Stryker's
 * `npm run mutate -- argv` found unguarded (docs/CPU-DEVICE.md, Mutation testing). Each case is one
 * value either side of a bound the tag's range or the guide's limits set (u32 < 2^32, u64 < 2^64,
 * a pointer's u32 offset and length, 4096 argv bytes), or an error text a user acts on.
 */
import { describe, expect, it } from 'vitest';
import { CUDA_ERROR } from '../../contract/cuda-codes.js';
import type { KernelArg, KernelParamInfo } from '../../contract/device.js';
import { checkKernelArgs, decodeArgv, encodeArgv, type ArgvValue } from './argv.js';
import { CudaCallError } from './call-error.js';

function failure(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof CudaCallError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a CudaCallError');
}
/** The RangeError message encodeArgv gives, or a failure naming what it threw instead. */
function rangeError(values: ArgvValue[]): string {
  try {
    encodeArgv(values);
  } catch (error) {
    if (error instanceof RangeError) return error.message;
    throw new Error(`expected a RangeError, got ${String(error)}`);
  }
  throw new Error('expected a RangeError, got none');
}
const scalar = (v: ArgvValue): KernelArg => decodeArgv(encodeArgv([v]))[0]!;

describe('encodeArgv at the ends of each range', () => {
  it('takes 2^32 − 1 and refuses 2^32 for u32, a pointer offset and a pointer length', () => {
    expect(Array.from(encodeArgv([{ tag: 'u32', value: 2 ** 32 - 1 }]))).toEqual([0x05, 0xff, 0xff, 0xff, 0xff]);
    expect(rangeError([{ tag: 'u32', value: 2 ** 32 }])).toContain('u32 must be an integer in [0, 4294967295], got 4294967296');
    expect(encodeArgv([{ tag: 'pointer', offset: 2 ** 32 - 1, length: 2 ** 32 - 1 }]).length).toBe(9);
    expect(rangeError([{ tag: 'pointer', offset: 2 ** 32, length: 0 }])).toContain('argv record 0: pointer offset must be an integer in [0, 4294967295]');
    expect(rangeError([{ tag: 'pointer', offset: 0, length: 2 ** 32 }])).toContain('argv record 0: pointer length must be an integer in [0, 4294967295], got 4294967296');
  });

  it('takes 2^64 − 1 and refuses 2^64 for u64', () => {
    expect(encodeArgv([{ tag: 'u64', value: 2n ** 64n - 1n }]).subarray(1)).toEqual(new Uint8Array(8).fill(0xff));
    expect(rangeError([{ tag: 'u64', value: 2n ** 64n }])).toContain('u64 must be a bigint in [0, 18446744073709551615], got 18446744073709551616');
  });

  it('refuses a value of the wrong JavaScript type with a RangeError naming the record, never a TypeError or a coercion', () => {
    const wrong = (v: unknown, tag: string): ArgvValue => ({ tag, value: v }) as unknown as ArgvValue;
    expect(rangeError([{ tag: 'i32', value: 1 }, wrong('1.5', 'f32')])).toBe('argv record 1: f32 value must be a number');
    expect(rangeError([wrong(2n, 'f64')])).toBe('argv record 0: f64 value must be a number');
    expect(rangeError([wrong(3n, 'i32')])).toContain('argv record 0: i32 must be an integer');
    expect(rangeError([wrong(4, 'i64')])).toContain('argv record 0: i64 must be a bigint');
  });
});

describe('decodeArgv at 4096 bytes', () => {
  it('an argv of exactly 4096 bytes is within the byte limit: it fails on its 129th record, not on its size', () => {
    // 455 u64 records and one byte: 4096 bytes, more records than the 128 allowed.
    const bytes = new Uint8Array(4096);
    bytes.set(encodeArgv(Array.from({ length: 128 }, () => ({ tag: 'u64' as const, value: 0n }))));
    for (let at = 128 * 9; at + 9 <= 4096; at += 9) bytes[at] = 0x06;
    const r = failure(() => decodeArgv(bytes));
    expect(r.code).toBe(CUDA_ERROR.kernel_args_unsupported);
    expect(r.message).toContain('more than 128 records');
    expect(failure(() => decodeArgv(new Uint8Array(4097))).message).toContain('argv is 4097 bytes');
  });

  it('a scalar record decodes as kind "scalar"; an unknown tag error lists the tag table', () => {
    expect(scalar({ tag: 'f32', value: 1 }).kind).toBe('scalar');
    expect(failure(() => decodeArgv(new Uint8Array([0x09]))).message).toContain('tags are 0x01 i32, 0x02 i64, 0x03 f32, 0x04 f64, 0x05 u32, 0x06 u64, 0x07 pointer');
  });
});

describe('checkKernelArgs messages say what to change', () => {
  const u32: KernelParamInfo = { name: 'n', type: 'u32', sizeBytes: 4 };
  const u64: KernelParamInfo = { name: 'p', type: 'u64', sizeBytes: 8 };

  it('names the parameter list and counts in the singular and the plural', () => {
    expect(failure(() => checkKernelArgs([], [u32], 64, 'k')).message).toBe(
      'kernel k takes 1 parameter (.u32) but the argv has 0 records; pass one record per parameter, in order',
    );
    const two = [scalar({ tag: 'u32', value: 1 }), scalar({ tag: 'u32', value: 2 })];
    expect(failure(() => checkKernelArgs(two.slice(0, 1), [u32, u64], 64, 'k')).message).toContain('takes 2 parameters (.u32, .u64) but the argv has 1 record;');
  });

  it('names the record kinds that fit a 4-byte and an 8-byte parameter, and labels a pointer record as one', () => {
    const into4 = failure(() => checkKernelArgs([{ kind: 'pointer', offset: 0, length: 4 }], [u32], 64, 'k')).message;
    expect(into4).toContain('argument 0 is pointer (8 bytes)');
    expect(into4).toContain('use an i32, u32 or f32 record');
    const into8 = failure(() => checkKernelArgs([scalar({ tag: 'i32', value: 0 })], [u64], 64, 'k')).message;
    expect(into8).toContain('argument 0 is i32 (4 bytes)');
    expect(into8).toContain('(.u64 p) is 8 bytes; use an i64, u64, f64 or pointer record');
  });

  it('labels a byte-array parameter by its .align declaration', () => {
    const pair: KernelParamInfo = { name: 'pair', type: 'b8', sizeBytes: 16, align: 8 };
    expect(failure(() => checkKernelArgs([scalar({ tag: 'u32', value: 1 })], [pair], 64, 'k')).message).toContain('(.align 8 .b8 pair[16]) is 16 bytes');
  });
});
