/**
 * The `Device` interface every device implements (the CPU device runs PTX itself, the CUDA device
 * drives the driver through the native addon). Calls are synchronous: they are made from the
 * instance's worker thread while the guest is inside a wasi:cuda host call.
 */
import type { CudaErrorCode } from './cuda-codes.js';

export type DeviceKind = 'cpu' | 'cuda';
export type DeviceSelection = 'auto' | DeviceKind;

export interface DeviceInfo {
  /** `cpu`, `cuda:0`, ... */
  id: string;
  kind: DeviceKind;
  /** Human name: `CPU (PTX interpreter)`, `NVIDIA H100 80GB HBM3`. */
  name: string;
  available: boolean;
  /** When unavailable: one sentence saying why. */
  reason?: string;
  computeCapability?: string;
  totalMemoryBytes?: number;
  driverVersion?: string;
  maxThreadsPerBlock: number;
  maxSharedMemoryPerBlock: number;
}

/** A kernel parameter as the PTX `.param` list declares it. */
export interface KernelParamInfo {
  name: string;
  /** PTX type: u32, s32, b32, f32, u64, s64, b64, f64, u8, ... */
  type: string;
  sizeBytes: number;
  /** For `.align N .b8 name[M]` byte-array params. */
  align?: number;
}

export interface KernelHandle {
  /** Device-specific handle (index into the device's own table). */
  readonly handle: number;
  readonly entry: string;
  readonly ptxHash: string;
  readonly params: readonly KernelParamInfo[];
}

/** One decoded argv record, checked against memory and the kernel's `.param` list by the host. */
export type KernelArg =
  | { kind: 'scalar'; tag: 'i32' | 'i64' | 'f32' | 'f64' | 'u32' | 'u64'; /** little-endian bytes, 4 or 8 */ bytes: Uint8Array }
  | { kind: 'pointer'; /** guest linear-memory offset */ offset: number; length: number };

export type Dim3 = readonly [number, number, number];

export interface LaunchRequest {
  kernel: KernelHandle;
  grid: Dim3;
  block: Dim3;
  sharedMemBytes: number;
  args: readonly KernelArg[];
  /** The guest's linear memory as it is now (re-read after any memory.grow). */
  memory: Uint8Array;
  /**
   * The guest's WebAssembly.Memory whose buffer `memory` views, when there is one: lets the CPU
   * device run kernels compiled to WebAssembly directly on it (see runtime/devices/cpu/wasm/).
   */
  wasmMemory?: WebAssembly.Memory;
  /** Sampled per-block progress (CPU device); CUDA reports the whole grid at once. */
  onProgress?: (completedBlocks: number, totalBlocks: number) => void;
}

export interface LaunchTiming {
  /** ms since the Unix epoch, as performance.timeOrigin + performance.now(). */
  startMs: number;
  endMs: number;
  /** Kernel time as the device measured it (CUDA events on a GPU). */
  kernelMs: number;
  /** How the device ran it, where it has several ways: the CPU device's 'wasm' or 'js' backend. */
  backend?: string;
}

/** Thrown by devices; the host turns it into the guest-visible code and last error. */
export class DeviceError extends Error {
  readonly cudaCode: CudaErrorCode;
  constructor(cudaCode: CudaErrorCode, message: string) {
    super(message);
    this.name = 'DeviceError';
    this.cudaCode = cudaCode;
  }
}

export interface Device {
  readonly info: DeviceInfo;
  /** Parses/JITs the PTX and resolves the entry. Throws DeviceError (malformed_ptx, invalid_kernel). */
  loadKernel(ptx: string, ptxHash: string, entry: string): KernelHandle;
  /** Runs (CPU) or enqueues (CUDA) a launch. Throws DeviceError (launch_failed, invalid_dimensions, ...). */
  launch(request: LaunchRequest): LaunchTiming;
  /** Waits for every launch; makes results visible in guest memory. Throws DeviceError. */
  sync(memory: Uint8Array): void;
  /** Frees everything the device holds for this instance. */
  dispose(): void;
}
