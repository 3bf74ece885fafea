/**
 * The CPU device's declaration limits (docs/LIMITS.md, "The CPU device"). CUDA's own limits where
 * CUDA has one (constant bank, shared memory per block, local memory per thread, parameter space);
 * elsewhere bounds far above what nvcc writes, that keep one load from taking the worker's memory
 * or time. Each breach at load is -4 naming the limit, before anything is allocated for it.
 */
import { DeviceError } from '../../../contract/device.js';

export const PTX_LIMITS = {
  /** CUDA's constant bank: 64 KiB of `.const` per module. */
  maxConstBytes: 64 * 1024,
  /** CUDA's default per-block shared memory: static `.shared` plus the launch's dynamic bytes. */
  maxSharedBytes: 48 * 1024,
  /** CUDA's local memory per thread (`.local` variables and call-site `.param` frames): 512 KiB. */
  maxLocalBytesPerThread: 512 * 1024,
  /** CUDA 12.1+'s kernel parameter space: 32,764 bytes. */
  maxParamBytes: 32_764,
  /** Module-scope `.global` bytes of one PTX (the device addresses them with 32-bit offsets). */
  maxGlobalBytes: 2 ** 31,
  /** Registers declared per function (`.reg .b32 %r<N>` counts N) and per kernel after inlining. */
  maxRegisters: 1 << 18,
  /**
   * Barriers and warp-level operations (`bar.sync`, `shfl.sync`, `vote`, …) per kernel after
   * inlining: each splits the kernel into phases that are compiled and saved separately, so they
   * bound a load's time and memory.
   */
  maxSyncSites: 8192,
  /** `{ }` scopes inside a function body. */
  maxScopeDepth: 64,
  /** `.align N`: a power of two up to this. */
  maxAlign: 1 << 16,
} as const;

export type PtxLimitName = keyof typeof PTX_LIMITS;

/** The limit's name as the docs and messages write it: maxConstBytes → max_const_bytes. */
export function limitLabel(name: PtxLimitName): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function limitError(line: number, what: string, name: PtxLimitName): DeviceError {
  const value = PTX_LIMITS[name];
  return new DeviceError(-4, `line ${line}: ${what}; the limit ${limitLabel(name)} is ${value.toLocaleString('en-US')}${name.endsWith('Bytes') || name === 'maxLocalBytesPerThread' ? ' bytes' : ''}`);
}

/** Throws when `value` exceeds the limit `name`. */
export function checkLimit(value: number, name: PtxLimitName, line: number, what: (value: number) => string): void {
  if (!(value <= PTX_LIMITS[name])) throw limitError(line, what(value), name);
}
