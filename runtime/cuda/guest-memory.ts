/**
 * Bounds-checked access to the guest's linear memory for the wasi:cuda imports. Guest pointers
 * and lengths are wasm32 i32s: read as unsigned, and the end computed exactly (no 32-bit wrap).
 */
import { CudaCallError } from './call-error.js';
import { hex } from './argv.js';

/** The window [ptr, ptr+len) of memory, or CudaCallError('invalid_pointer') naming what it was for. */
export function guestWindow(memory: Uint8Array, ptr: number, len: number, what: string): Uint8Array {
  const offset = ptr >>> 0;
  const length = len >>> 0;
  const end = offset + length;
  if (end > memory.length) {
    throw new CudaCallError(
      'invalid_pointer',
      `${what} [${hex(offset)}, ${hex(end)}) (${length} bytes at ${hex(offset)}) lies outside linear memory (${memory.length} bytes); pass a guest address and a byte length inside memory`,
    );
  }
  return memory.subarray(offset, end);
}
