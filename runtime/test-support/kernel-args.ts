/** Kernel arguments for tests that launch a device directly (the argv codec's records, decoded). */
import type { KernelArg } from '../../contract/device.js';

/** A pointer argument: a window of guest memory. */
export const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });

/** A .u32 scalar; a negative number is taken as its 32-bit two's complement. */
export function u32(v: number): KernelArg {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, v >>> 0, true);
  return { kind: 'scalar', tag: 'u32', bytes };
}
