/**
 * The device address space. Every address fits in 53 bits so 64-bit registers can be turned
 * into JS numbers for address arithmetic. The high word of a generic address names its space:
 * guest memory (the launch's pointer windows) lives at 2^40 + guest offset, so null and small
 * addresses never reach guest memory.
 */
export const GLOBAL_HI = 256; // 2^40: guest linear memory, global == generic
export const MODVAR_HI = 512; // 2^41: the module's own .global variables
export const SHARED_HI = 4096; // generic window onto shared memory
export const LOCAL_HI = 8192; // generic window onto the thread's local memory
export const CONST_HI = 16384; // generic window onto .const memory
export const PARAM_HI = 32768; // generic window onto the kernel parameter buffer

export const GLOBAL_BASE = GLOBAL_HI * 2 ** 32;

export type SpaceName = 'global' | 'shared' | 'local' | 'const' | 'param' | 'generic';

export function spaceOfHi(hi: number): SpaceName | 'modvar' | undefined {
  switch (hi) {
    case GLOBAL_HI: return 'global';
    case MODVAR_HI: return 'modvar';
    case SHARED_HI: return 'shared';
    case LOCAL_HI: return 'local';
    case CONST_HI: return 'const';
    case PARAM_HI: return 'param';
    default: return undefined;
  }
}

export function hex(addr: number): string {
  return '0x' + addr.toString(16).padStart(12, '0');
}

/** Typed views over one memory region, shared by the generated code's fast and slow paths. */
export interface Region {
  u8: Uint8Array;
  s8: Int8Array;
  u16: Uint16Array;
  s16: Int16Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
}

export function regionOf(bytes: Uint8Array): Region {
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  const len = bytes.byteLength;
  if (off % 8 !== 0) throw new Error('region must be 8-byte aligned');
  // Element counts by division, not `len >> k`: a guest memory may hold up to 4 GiB, and a shift
  // of a length of 2 GiB or more is negative (a RangeError here crashed such a guest's launches).
  const count = (bytesPer: number): number => Math.floor(len / bytesPer);
  return {
    u8: bytes,
    s8: new Int8Array(buf, off, len),
    u16: new Uint16Array(buf, off, count(2)),
    s16: new Int16Array(buf, off, count(2)),
    i32: new Int32Array(buf, off, count(4)),
    f32: new Float32Array(buf, off, count(4)),
    f64: new Float64Array(buf, off, count(8)),
  };
}
