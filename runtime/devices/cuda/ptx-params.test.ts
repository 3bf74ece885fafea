import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packParams, paramLayout } from './param-buffer.js';
import { parseEntryParams } from './ptx-params.js';
import { f32, f64, i32, i64, ptr, u32, u64 } from './testing/args.js';
import { DeviceError } from '../../../contract/device.js';
import { CUDA_ERROR } from '../../../contract/cuda-codes.js';

const PTX = readFileSync(join(import.meta.dirname, '../../../native/kernels/test-kernels.ptx'), 'utf8');

describe('parseEntryParams', () => {
  it('reads the .param lists nvcc emits', () => {
    expect(parseEntryParams(PTX, 'saxpy')).toEqual([
      { name: 'saxpy_param_0', type: 'f32', sizeBytes: 4 },
      { name: 'saxpy_param_1', type: 'u64', sizeBytes: 8 },
      { name: 'saxpy_param_2', type: 'u64', sizeBytes: 8 },
      { name: 'saxpy_param_3', type: 'u32', sizeBytes: 4 },
    ]);
    expect(parseEntryParams(PTX, 'pack_all')!.map((p) => p.type)).toEqual(['u32', 'u64', 'f32', 'f64', 'u32', 'u64', 'u64']);
    expect(parseEntryParams(PTX, 'missing')).toBeUndefined();
  });

  it('handles by-value arrays, pointer attributes, comments and empty lists', () => {
    const ptx = `.visible .entry k( // first
      .param .align 8 .b8 k_s[24], /* struct */
      .param .u64 .ptr .global .align 4 k_p
    ) { ret; }
    .visible .entry e() { ret; }
    .visible .entry bare { ret; }`;
    expect(parseEntryParams(ptx, 'k')).toEqual([
      { name: 'k_s', type: 'b8', sizeBytes: 24, align: 8 },
      { name: 'k_p', type: 'u64', sizeBytes: 8, align: 4 },
    ]);
    expect(parseEntryParams(ptx, 'e')).toEqual([]);
    expect(parseEntryParams(ptx, 'bare')).toEqual([]);
  });
});

describe('packParams', () => {
  it('lays every argv tag out at its natural alignment and marks the pointer slots', () => {
    const params = parseEntryParams(PTX, 'pack_all')!;
    expect(paramLayout(params)).toEqual({ offsets: [0, 8, 16, 24, 32, 40, 48], size: 56 });
    const packed = packParams('pack_all', params, [i32(-1), i64(2n), f32(3), f64(4), u32(5), u64(6n), ptr(0, 8)], () => 0x7f00_1234_5678);
    const view = new DataView(packed.buffer.buffer);
    expect(view.getInt32(0, true)).toBe(-1);
    expect(view.getBigInt64(8, true)).toBe(2n);
    expect(view.getFloat32(16, true)).toBe(3);
    expect(view.getFloat64(24, true)).toBe(4);
    expect(view.getUint32(32, true)).toBe(5);
    expect(view.getBigUint64(40, true)).toBe(6n);
    expect(view.getBigUint64(48, true)).toBe(0x7f00_1234_5678n);
    expect([...packed.pointerSlots]).toEqual([48]);
    expect([...packed.buffer.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
  });

  it('refuses a size mismatch, a wrong count and a pointer in an unaligned byte array', () => {
    const params = parseEntryParams(PTX, 'vector_add')!;
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as DeviceError).cudaCode;
      }
      return 0;
    };
    expect(code(() => packParams('vector_add', params, [ptr(0, 4), ptr(0, 4), ptr(0, 4)], () => 0))).toBe(CUDA_ERROR.invalid_args);
    expect(code(() => packParams('vector_add', params, [ptr(0, 4), ptr(0, 4), ptr(0, 4), u64(1n)], () => 0))).toBe(CUDA_ERROR.invalid_args);
    const unaligned = [{ name: 'a', type: 'u32', sizeBytes: 4 }, { name: 's', type: 'b8', sizeBytes: 8, align: 4 }];
    expect(code(() => packParams('k', unaligned, [u32(1), ptr(0, 4)], () => 0))).toBe(CUDA_ERROR.kernel_args_unsupported);
  });
});
