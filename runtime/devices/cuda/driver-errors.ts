import { CUDA_ERROR, type CudaErrorName } from '../../../contract/cuda-codes.js';
import { DeviceError } from '../../../contract/device.js';
import type { NativeDriverError } from './addon-types.js';

/**
 * CUresult values (cuda.h) mapped to the guest-visible codes. What is not listed is `internal`:
 * a driver result we do not expect from the calls we make.
 */
export const DRIVER_ERROR_MAP: Readonly<Record<number, CudaErrorName>> = {
  2: 'quota_exceeded', // CUDA_ERROR_OUT_OF_MEMORY: device memory is exhausted
  3: 'not_available', // CUDA_ERROR_NOT_INITIALIZED
  4: 'not_available', // CUDA_ERROR_DEINITIALIZED
  34: 'not_available', // CUDA_ERROR_STUB_LIBRARY (the toolkit's stub libcuda, no driver)
  35: 'not_available', // CUDA_ERROR_INSUFFICIENT_DRIVER
  46: 'not_available', // CUDA_ERROR_DEVICE_UNAVAILABLE (exclusive-process mode, busy)
  100: 'not_available', // CUDA_ERROR_NO_DEVICE
  101: 'not_available', // CUDA_ERROR_INVALID_DEVICE
  201: 'not_available', // CUDA_ERROR_INVALID_CONTEXT
  200: 'malformed_ptx', // CUDA_ERROR_INVALID_IMAGE
  209: 'malformed_ptx', // CUDA_ERROR_NO_BINARY_FOR_GPU (PTX .target newer than the GPU)
  218: 'malformed_ptx', // CUDA_ERROR_INVALID_PTX
  221: 'malformed_ptx', // CUDA_ERROR_JIT_COMPILER_NOT_FOUND
  222: 'malformed_ptx', // CUDA_ERROR_UNSUPPORTED_PTX_VERSION
  223: 'malformed_ptx', // CUDA_ERROR_JIT_COMPILATION_DISABLED
  400: 'invalid_kernel', // CUDA_ERROR_INVALID_HANDLE
  500: 'invalid_kernel', // CUDA_ERROR_NOT_FOUND (no such .entry)
  700: 'invalid_pointer', // CUDA_ERROR_ILLEGAL_ADDRESS
  716: 'invalid_pointer', // CUDA_ERROR_MISALIGNED_ADDRESS
  717: 'invalid_pointer', // CUDA_ERROR_INVALID_ADDRESS_SPACE
  701: 'invalid_dimensions', // CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (block too large for the kernel's registers)
  702: 'launch_failed', // CUDA_ERROR_LAUNCH_TIMEOUT
  710: 'launch_failed', // CUDA_ERROR_ASSERT
  714: 'launch_failed', // CUDA_ERROR_HARDWARE_STACK_ERROR
  715: 'launch_failed', // CUDA_ERROR_ILLEGAL_INSTRUCTION
  718: 'launch_failed', // CUDA_ERROR_INVALID_PC
  719: 'launch_failed', // CUDA_ERROR_LAUNCH_FAILED
  720: 'invalid_dimensions', // CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE
};

/** CUDA_ERROR_INVALID_VALUE from cuLaunchKernel means the grid/block/shared sizes were refused. */
const INVALID_VALUE = 1;
export const UNSUPPORTED_PTX_VERSION = 222;

export function mapDriverResult(result: number, call: string): CudaErrorName {
  if (result === INVALID_VALUE && call === 'cuLaunchKernel') return 'invalid_dimensions';
  return DRIVER_ERROR_MAP[result] ?? 'internal';
}

function ptxVersionOf(ptx: string | undefined): string | undefined {
  return ptx?.match(/^\s*\.version\s+(\d+\.\d+)/m)?.[1];
}

/** `13000` → `13.0`. */
export function formatDriverVersion(version: number): string {
  return `${Math.floor(version / 1000)}.${Math.floor((version % 1000) / 10)}`;
}

/**
 * Turns an error the addon threw into a DeviceError whose message is the driver's own words
 * (`cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED (719): unspecified launch failure`), with
 * the JIT log appended for PTX failures and error 222 explained.
 */
export function toDeviceError(error: unknown, context: { ptx?: string; driverVersion?: number } = {}): DeviceError {
  if (error instanceof DeviceError) return error;
  const e = error as NativeDriverError;
  if (typeof e?.driverResult !== 'number') {
    const message = e instanceof Error ? e.message : String(error);
    return new DeviceError(CUDA_ERROR.internal, `CUDA device: ${message}`);
  }
  const name = mapDriverResult(e.driverResult, e.driverCall ?? '');
  let message = e.message;
  if (e.driverResult === UNSUPPORTED_PTX_VERSION) {
    const version = ptxVersionOf(context.ptx);
    const driver = context.driverVersion ? ` (driver supports CUDA ${formatDriverVersion(context.driverVersion)})` : '';
    message = `${message.replace(/\.$/, '')} — the PTX .version${version ? ` ${version}` : ''} is newer than this driver supports${driver}; rebuild the PTX with an older toolkit or update the NVIDIA driver`;
  }
  const log = e.jitLog?.trim();
  if (log) message += `\nJIT log:\n${log}`;
  return new DeviceError(CUDA_ERROR[name], message);
}
