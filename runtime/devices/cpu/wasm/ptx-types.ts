/** PTX types, tables and helpers shared by the WebAssembly backend's emitters (compile-wasm.ts). */
import type { Instruction } from '../ast.js';
import { OP, type ValType } from './encoder.js';
import type { WarpSiteForm } from './warp-sites.js';

/**
 * Arguments of the exported `run` before the kernel parameters: blocks [b0, b1), grid and block
 * dimensions, and the launch's scratch area in guest memory (wasm-launch.ts): shared memory base
 * and size, per-thread resume words, per-thread register slots, the pointer windows (16 bytes
 * each: start and end device address) and their count. The 32 bytes before the windows hold a
 * fault record: a memcheck fault writes it and traps, and the launch turns it into the report.
 */
export const LAUNCH_ARGS = 14;

/** Imported helpers, by function index (see wasm-launch.ts for their JavaScript side). */
export const IMPORT = { fma64: 0 } as const;
export const IMPORTS: { name: string; params: ValType[]; results: ValType[] }[] = [
  { name: 'fma64', params: ['f64', 'f64', 'f64'], results: ['f64'] },
];

/** The fault record's fields: byte offsets in the 32 bytes just before the window table. */
/** The export that returns an instance's written-windows mask (emit-memory.ts markWritten): bit min(i, 63) for window i. */
export const WRITTEN_EXPORT = 'written';

/** Whether a global access site may change memory: anything but a load (st, atom, red) counts. */
export const writesMemory = (ins: Instruction): boolean => ins.parts[0] !== 'ld' && ins.parts[0] !== 'ldu';

export const FAULT_RECORD = { address: 0, size: 8, thread: 12, line: 16, write: 20, block: 24, kind: 28 } as const;
export const FAULT = { global: 1, shared: 2, local: 3, const: 4 } as const;

export class Unsupported extends Error {}

export function unsupported(message: string): never {
  throw new Unsupported(message);
}

export const NO_OPS = new Set(['membar', 'fence', 'prefetch', 'prefetchu', 'nanosleep', 'pmevent', 'griddepcontrol', 'applypriority', 'discard', 'createpolicy']);
export const ROUNDING = new Set(['rn', 'rz', 'rm', 'rp', 'rni', 'rzi', 'rmi', 'rpi']);
/** Pure instructions whose single definition can be recomputed after a barrier (see findRemat). */
export const REMAT_OPS = new Set(['mov', 'add', 'sub', 'mul', 'mad', 'shl', 'shr', 'and', 'or', 'xor', 'cvt', 'cvta', 'ld']);
export const SPECIAL = /^%(tid|ntid|ctaid|nctaid)\.[xyz]$/;
export const ATOMIC_QUALIFIERS = new Set(['relaxed', 'acquire', 'release', 'acq_rel', 'sem', 'cta', 'gpu', 'sys', 'noftz']);
export const CACHE_QUALIFIERS = new Set(['nc', 'ca', 'cg', 'cs', 'lu', 'cv', 'wb', 'wt', 'volatile', 'relaxed', 'weak', 'L1::no_allocate', 'L2::64B', 'L2::128B', 'L2::256B']);

export type Cls = ValType | 'pred' | 'i16';

/** The Wasm class of a PTX type (8-bit and half types are not taken). */
export function classOf(type: string): ValType | 'pred' | undefined {
  if (type === 'pred') return 'pred';
  if (type === 'f32') return 'f32';
  if (type === 'f64') return 'f64';
  if (/^[bus]32$/.test(type)) return 'i32';
  if (/^[bus]64$/.test(type)) return 'i64';
  return undefined;
}

/** Bit casts between same-width classes (mov.b32 between an f32 and a b32 register, and such). */
export const REINTERPRET: Record<string, number> = { 'i32>f32': OP.f32_reinterpret_i32, 'f32>i32': OP.i32_reinterpret_f32, 'i64>f64': OP.f64_reinterpret_i64, 'f64>i64': OP.i64_reinterpret_f64 };

/**
 * A register's class: 16-bit registers live in an i32 local holding their zero-extended bit pattern
 * (only loads, stores, moves, cvt and mul.wide.{u,s}16 touch them; other 16-bit arithmetic is not taken).
 */
export function regClassOf(type: string): Cls | undefined {
  return /^[bus]16$/.test(type) ? 'i16' : classOf(type);
}

export const valType = (c: Cls): ValType => (c === 'pred' || c === 'i16' ? 'i32' : c);
export const bits = (t: string): number => Number(/(\d+)$/.exec(t)?.[1] ?? 0);

export interface Reg {
  local: number;
  cls: Cls;
}

export interface BasicBlock {
  instrs: Instruction[];
  /** How it ends: a branch, the thread's exit, or a barrier (`yield`: the thread stops until the block's threads all arrive). */
  term?: { kind: 'bra'; target: string; guard?: { name: string; negate: boolean } } | { kind: 'ret' } | { kind: 'yield'; resume: number; site?: number; form?: WarpSiteForm; guard?: { name: string; negate: boolean } };
  /** Entered only when a thread resumes after a barrier: restores the thread's saved registers. */
  resume?: boolean;
  /** A warp-level site's resume block: it reads the site's results first (warp-sites.ts). */
  warp?: WarpSiteForm;
}

export const STORE_OF: Record<ValType, number> = { i32: OP.i32_store, i64: OP.i64_store, f32: OP.f32_store, f64: OP.f64_store };
export const LOAD_OF: Record<ValType, number> = { i32: OP.i32_load, i64: OP.i64_load, f32: OP.f32_load, f64: OP.f64_load };

export const LOADS: Record<string, { size: number; cls: ValType; load: number; store: number }> = {
  u8: { size: 1, cls: 'i32', load: OP.i32_load8_u, store: OP.i32_store8 },
  b8: { size: 1, cls: 'i32', load: OP.i32_load8_u, store: OP.i32_store8 },
  s8: { size: 1, cls: 'i32', load: OP.i32_load8_s, store: OP.i32_store8 },
  u16: { size: 2, cls: 'i32', load: OP.i32_load16_u, store: OP.i32_store16 },
  b16: { size: 2, cls: 'i32', load: OP.i32_load16_u, store: OP.i32_store16 },
  s16: { size: 2, cls: 'i32', load: OP.i32_load16_s, store: OP.i32_store16 },
  u32: { size: 4, cls: 'i32', load: OP.i32_load, store: OP.i32_store },
  s32: { size: 4, cls: 'i32', load: OP.i32_load, store: OP.i32_store },
  b32: { size: 4, cls: 'i32', load: OP.i32_load, store: OP.i32_store },
  f32: { size: 4, cls: 'f32', load: OP.f32_load, store: OP.f32_store },
  u64: { size: 8, cls: 'i64', load: OP.i64_load, store: OP.i64_store },
  s64: { size: 8, cls: 'i64', load: OP.i64_load, store: OP.i64_store },
  b64: { size: 8, cls: 'i64', load: OP.i64_load, store: OP.i64_store },
  f64: { size: 8, cls: 'f64', load: OP.f64_load, store: OP.f64_store },
};
