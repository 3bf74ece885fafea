import { describe, expect, it } from 'vitest';
import { CUDA_ERROR } from '../../../contract/cuda-codes.js';
import { DeviceError } from '../../../contract/device.js';
import { formatDriverVersion, mapDriverResult, toDeviceError } from './driver-errors.js';
import { driverFailureReason } from './probe.js';

function driverError(call: string, result: number, name: string, text: string, extra: Record<string, string> = {}) {
  return Object.assign(new Error(`${call} failed: ${name} (${result}): ${text}`), {
    driverCall: call,
    driverResult: result,
    driverErrorName: name,
    driverErrorString: text,
    ...extra,
  });
}

describe('driver error mapping', () => {
  it('maps results by meaning, INVALID_VALUE by the call that returned it', () => {
    expect(mapDriverResult(218, 'cuModuleLoadDataEx')).toBe('malformed_ptx');
    expect(mapDriverResult(500, 'cuModuleGetFunction')).toBe('invalid_kernel');
    expect(mapDriverResult(1, 'cuLaunchKernel')).toBe('invalid_dimensions');
    expect(mapDriverResult(1, 'cuMemcpyHtoD_v2')).toBe('internal');
    expect(mapDriverResult(12345, 'cuLaunchKernel')).toBe('internal');
  });

  it('keeps the driver words and appends the JIT log', () => {
    const e = toDeviceError(driverError('cuModuleLoadDataEx', 218, 'CUDA_ERROR_INVALID_PTX', 'a PTX JIT compilation failed', { jitLog: 'line 3; error : bad\n' }));
    expect(e).toBeInstanceOf(DeviceError);
    expect(e.cudaCode).toBe(CUDA_ERROR.malformed_ptx);
    expect(e.message).toBe('cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX (218): a PTX JIT compilation failed\nJIT log:\nline 3; error : bad');
  });

  it('explains error 222 with the PTX and driver versions', () => {
    const e = toDeviceError(driverError('cuModuleLoadDataEx', 222, 'CUDA_ERROR_UNSUPPORTED_PTX_VERSION', 'the provided PTX was compiled with an unsupported toolchain.'), {
      ptx: '//\n.version 8.8\n.target sm_90\n',
      driverVersion: 12040,
    });
    expect(e.message).toBe(
      'cuModuleLoadDataEx failed: CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222): the provided PTX was compiled with an unsupported toolchain — the PTX .version 8.8 is newer than this driver supports (driver supports CUDA 12.4); rebuild the PTX with an older toolkit or update the NVIDIA driver',
    );
  });

  it('turns a non-driver failure into internal', () => {
    expect(toDeviceError(new RangeError('host window outside memory')).cudaCode).toBe(CUDA_ERROR.internal);
    expect(formatDriverVersion(13000)).toBe('13.0');
    expect(formatDriverVersion(12020)).toBe('12.2');
  });

  it('words each probe failure as one sentence', () => {
    expect(driverFailureReason({ ok: false, stage: 'library', message: 'libcuda.so.1 could not be loaded (not found)' })).toBe(
      'the NVIDIA driver is not installed: libcuda.so.1 could not be loaded (not found).',
    );
    expect(driverFailureReason({ ok: false, stage: 'symbol', message: 'the CUDA driver library has no entry point cuMemAlloc_v2' })).toBe(
      'the NVIDIA driver is too old: the CUDA driver library has no entry point cuMemAlloc_v2.',
    );
  });
});
