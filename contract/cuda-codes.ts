/**
 * Error codes returned to guests by the `wasi:cuda/host` imports. Numbered as Craton TensorWasm
 * numbers them, so guests written for it read them the same.
 */
export const CUDA_ERROR = {
  not_available: -1,
  invalid_pointer: -2,
  invalid_kernel: -3,
  malformed_ptx: -4,
  launch_failed: -5,
  quota_exceeded: -6,
  internal: -7,
  invalid_dimensions: -8,
  invalid_args: -9,
  kernel_args_unsupported: -10,
} as const;

export type CudaErrorName = keyof typeof CUDA_ERROR;
export type CudaErrorCode = (typeof CUDA_ERROR)[CudaErrorName];

export function cudaErrorName(code: number): CudaErrorName | undefined {
  for (const [name, value] of Object.entries(CUDA_ERROR)) if (value === code) return name as CudaErrorName;
  return undefined;
}

/** argv record tags (little-endian, no padding): tag byte, then the value. */
export const ARGV_TAG = {
  i32: 0x01,
  i64: 0x02,
  f32: 0x03,
  f64: 0x04,
  u32: 0x05,
  u64: 0x06,
  pointer: 0x07,
} as const;

export type ArgvTagName = keyof typeof ARGV_TAG;

/** The guide's §7 and the argv limits. Each carries its reason. */
export const CUDA_LIMITS = {
  /** Per wasi_cuda_load_ptx call (guide §7): bounds host parsing/JIT work per call. */
  maxPtxBytes: 8 * 1024 * 1024,
  /** Across an instance's lifetime (guide §7): bounds the kernel table and device modules. */
  maxKernelsPerInstance: 256,
  /** argv records per launch: CUDA's own parameter space is 4 KiB on sm_7x. */
  maxArgs: 128,
  maxArgvBytes: 4096,
} as const;

/** The import module names a guest may use; 0.1.0 is Craton TensorWasm's earlier ABI. */
export const WASI_CUDA_MODULES = ['wasi:cuda/host@0.2.0', 'wasi:cuda/host@0.1.0'] as const;
