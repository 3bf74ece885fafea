/**
 * The shape of the native addon (native/src/addon.cc). Only this folder talks to it; everything
 * passed in has been validated in TypeScript first (the C++ side checks again before any copy).
 */

export type DriverLoadResult =
  | { ok: true; driverVersion: number; deviceCount: number }
  | {
      ok: false;
      /** library: libcuda could not be opened; symbol: an entry point is missing (driver too old);
       * init: cuInit failed; count: cuDeviceGetCount failed; platform: no CUDA driver on this OS. */
      stage: 'library' | 'symbol' | 'init' | 'count' | 'platform';
      message: string;
      result?: number;
      errorName?: string;
    };

export interface NativeDeviceInfo {
  name: string;
  totalMemoryBytes: number;
  major: number;
  minor: number;
  maxThreadsPerBlock: number;
  maxSharedMemoryPerBlock: number;
  multiprocessorCount: number;
}

/** One per CudaDevice: owns the modules, allocations and events it creates. */
export interface NativeContext {
  loadModule(ptx: string): { module: number; infoLog: string };
  getFunction(module: number, entry: string): number;
  /** Device pointer as a number (< 2^53). */
  alloc(bytes: number): number;
  free(pointer: number): void;
  copyHtoD(pointer: number, memory: Uint8Array, offset: number, length: number): void;
  copyDtoH(pointer: number, memory: Uint8Array, offset: number, length: number): void;
  copyDtoD(dst: number, src: number, length: number): void;
  /** Returns the kernel time in ms measured with CUDA events; waits for the kernel to finish. */
  launch(
    fn: number,
    gx: number, gy: number, gz: number,
    bx: number, by: number, bz: number,
    sharedBytes: number,
    params: Uint8Array,
    pointerSlots: Uint32Array,
  ): number;
  synchronize(): void;
  stats(): { allocations: number; bytes: number; modules: number; disposed: boolean };
  /** Frees everything; returns the failures as sentences instead of throwing. */
  dispose(): string[];
}

export interface CudaAddon {
  load(): DriverLoadResult;
  deviceInfo(ordinal: number): NativeDeviceInfo;
  describeResult(result: number): { name: string; text: string };
  Context: new (ordinal: number) => NativeContext;
}

/** Extra fields the addon puts on the Errors it throws. */
export interface NativeDriverError extends Error {
  driverCall?: string;
  driverResult?: number;
  driverErrorName?: string;
  driverErrorString?: string;
  jitLog?: string;
  jitInfoLog?: string;
  /** Set when the C++ argument checks rejected a call (a TypeScript-side bug if ever seen). */
  addonCheck?: boolean;
}
