/**
 * Runs a launch with a kernel compiled to WebAssembly (compile-wasm.ts): instantiates it over the
 * guest's own WebAssembly.Memory (no copy), passes the kernel parameters as Wasm arguments, and
 * runs the grid in chunks of blocks so progress is reported as the JavaScript backend does.
 *
 * Shared memory, the threads' resume words and saved registers, the pointer-window table and the
 * fault record need memory of their own, and a Wasm module reaches only one memory here (Node 20
 * has no multi-memory): they go into a scratch area of the guest's memory that no pointer window
 * of the launch overlaps. The kernel cannot reach it through a pointer (every global access is
 * checked against the windows), the guest is stopped inside wasi_cuda_launch while the kernel
 * runs, and the area's bytes are saved before and put back after, so the guest never sees it used.
 */
import { DeviceError, type LaunchRequest } from '../../../../contract/device.js';
import { GLOBAL_BASE } from '../address-space.js';
import type { CompiledKernel } from '../compile/compile.js';
import type { LaunchEnv } from '../launch-env.js';
import { gfind, spaceFault, type Window } from '../memcheck.js';
import { fmaF64 } from '../math.js';
import { FAULT, FAULT_RECORD, type WasmKernel } from './compile-wasm.js';
import { MODVAR_BASE_WORD, modvarAddress } from './emit-module-data.js';
import { runWarpBlocks } from './warp-launch.js';
import { sharedModuleOf } from '../pool/shared-module.js';
import { recordKernelTime } from '../pool/pool-choice.js';

type RunFn = (...args: (number | bigint)[]) => void;

/**
 * One instance per kernel and guest memory, reused by every launch (instantiating costs a few µs,
 * more than a small launch); `reset` empties its window caches, which belong to one launch.
 */
const instances = new WeakMap<WebAssembly.Memory, WeakMap<WasmKernel, Instance>>();

type Instance = { run: RunFn; reset: () => void; lockstepBlocks?: () => number; lockstepRangeBlocks?: () => number; lanesBlocks?: () => number; rangeLaneGroups?: () => number; warpEntryWarps?: () => number; warpReleaseWarps?: () => number; warpExitWarps?: () => number };

/** Blocks that ran their threads in lock-step on this thread's launches (lockstep-emit.ts), for tests and stats; `rangeBlocks`: those of them in range rounds (lockstep-range.ts); `laneGroups`: groups of 4 i their walks ran in SIMD lanes (lanes-range.ts); `entryWarps`: warps that started a block with the entry pass (warp-chain.ts entryChain), `releaseWarps` after a barrier's release (releaseChain). */
export const lockstepStats = { blocks: 0, rangeBlocks: 0, laneGroups: 0, entryWarps: 0, releaseWarps: 0, exitWarps: 0 };

/** Blocks that ran their threads in SIMD lane groups on this thread's launches (lanes-emit.ts), for tests and stats. */
export const lanesStats = { blocks: 0 };

function instanceFor(kernel: WasmKernel, memory: WebAssembly.Memory): Instance {
  let perMemory = instances.get(memory);
  if (!perMemory) instances.set(memory, (perMemory = new WeakMap()));
  let inst = perMemory.get(kernel);
  if (!inst) {
    // a guest's shared memory (a guest built with threads) needs the variant that imports one
    const module = memory.buffer instanceof SharedArrayBuffer ? sharedModuleOf(kernel) : kernel.module;
    const exports = new WebAssembly.Instance(module, { env: { memory, fma64: fmaF64, ...kernel.bridges } }).exports;
    inst = { run: exports.run as RunFn, reset: exports.reset as () => void, ...(exports.lockstepBlocks ? { lockstepBlocks: exports.lockstepBlocks as () => number } : {}), ...(exports.lockstepRangeBlocks ? { lockstepRangeBlocks: exports.lockstepRangeBlocks as () => number } : {}), ...(exports.lanesBlocks ? { lanesBlocks: exports.lanesBlocks as () => number } : {}), ...(exports.rangeLaneGroups ? { rangeLaneGroups: exports.rangeLaneGroups as () => number } : {}), ...(exports.warpEntryWarps ? { warpEntryWarps: exports.warpEntryWarps as () => number } : {}), ...(exports.warpReleaseWarps ? { warpReleaseWarps: exports.warpReleaseWarps as () => number } : {}), ...(exports.warpExitWarps ? { warpExitWarps: exports.warpExitWarps as () => number } : {}) };
    perMemory.set(kernel, inst);
  }
  return inst;
}

/** Whether this launch can use the kernel's Wasm form: it has one, and the memory is the guest's Wasm memory itself (shared or not). */
export function wasmUsable(kernel: CompiledKernel, request: LaunchRequest): kernel is CompiledKernel & { wasm: WasmKernel } {
  const m = request.wasmMemory;
  return kernel.wasm !== undefined && m !== undefined && request.memory.buffer === m.buffer && request.memory.byteOffset === 0;
}

/** Whether the launch's guest memory is itself shared (a guest built with threads): the block pool then runs in it, copying nothing (pool/pool-launch.ts). */
export function guestMemoryShared(request: LaunchRequest): boolean {
  return request.wasmMemory !== undefined && request.wasmMemory.buffer instanceof SharedArrayBuffer && request.memory.buffer === request.wasmMemory.buffer && request.memory.byteOffset === 0;
}

/** The kernel parameters as Wasm arguments, read from the parameter buffer the launch laid out. */
export function paramValues(kernel: CompiledKernel & { wasm: WasmKernel }, params: Uint8Array): (number | bigint)[] {
  const dv = new DataView(params.buffer, params.byteOffset, params.byteLength);
  return kernel.layout.params.map((p, i) => {
    switch (kernel.wasm.params[i]) {
      case 'i32':
        return dv.getInt32(p.offset, true);
      case 'i64':
        return dv.getBigInt64(p.offset, true);
      case 'f32':
        return dv.getFloat32(p.offset, true);
      default:
        return dv.getFloat64(p.offset, true);
    }
  });
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * One thread's scratch area: shared | resume words | register slots | module base word (16, with
 * module .global variables) | module .const bytes | module .global bytes | fault record (32) | window table (16 each, plus one for the module's
 * .global variables when it has some) | local frames (frameBytes per thread of the block, right
 * after the table, where the kernel finds them); offsets from its start (the block pool gives
 * each of its threads one).
 */
export function scratchLayout(kernel: CompiledKernel & { wasm: WasmKernel }, request: LaunchRequest, E: LaunchEnv): { shSize: number; shPad: number; resumeBytes: number; faultAt: number; scratchSize: number; tableEntries: number } {
  const [bx, by, bz] = request.block;
  const n = bx * by * bz;
  const shSize = kernel.wasm.usesShared ? E.shSize : 0;
  const shPad = align16(shSize);
  const resumeBytes = kernel.wasm.sync ? align16(4 * n) : 0;
  // (a kernel without barriers has slots only for its lock-step rounds: lockstep-emit.ts)
  const slotBytes = align16(n * kernel.wasm.slotBytes);
  const faultAt = shPad + resumeBytes + slotBytes + (kernel.wasm.modvarBytes > 0 ? MODVAR_BASE_WORD : 0) + kernel.wasm.constBytes + kernel.wasm.modvarBytes;
  const tableEntries = E.windows.length + (kernel.wasm.modvarBytes > 0 ? 1 : 0);
  return { shSize, shPad, resumeBytes, faultAt, scratchSize: faultAt + 32 + 16 * tableEntries + kernel.wasm.frameBytes * n, tableEntries };
}

/**
 * Clears the fault record at `record`, writes the window table (device start, end) after it —
 * with `modvar`, one more entry for the module's .global variables, [2^41, 2^41 + modvar) — and
 * zeroes the `frameBytes` of local frames after the table (local memory starts zeroed, as the
 * JavaScript backend's does).
 */
export function writeFaultRecordAndTable(dv: DataView, record: number, windows: readonly Window[], frameBytes: number, modvar = 0): void {
  new Uint8Array(dv.buffer, record, 32).fill(0);
  const table = record + 32;
  windows.forEach((w, i) => {
    dv.setBigUint64(table + 16 * i, BigInt(GLOBAL_BASE + w.offset), true);
    dv.setBigUint64(table + 16 * i + 8, BigInt(GLOBAL_BASE + w.offset + w.length), true);
  });
  let entries = windows.length;
  if (modvar > 0) {
    dv.setBigUint64(table + 16 * entries, modvarAddress(0), true);
    dv.setBigUint64(table + 16 * entries + 8, modvarAddress(modvar), true);
    entries++;
  }
  if (frameBytes > 0) new Uint8Array(dv.buffer, table + 16 * entries, frameBytes).fill(0);
}

/** The lowest 16-aligned gap of `size` bytes in [16, memorySize) that no window overlaps, or -1. */
export function findScratch(windows: readonly Window[], memorySize: number, size: number): number {
  const sorted = [...windows].sort((a, b) => a.offset - b.offset);
  let start = 16; // keep address 0 out of it
  for (const w of sorted) {
    if (w.offset >= start + size) return start;
    start = Math.max(start, align16(w.offset + w.length));
  }
  return start + size <= memorySize ? start : -1;
}

/**
 * Runs the launch; returns false (nothing done) when the guest memory has no room for the
 * scratch area, so the caller runs the JavaScript backend instead.
 */
export function runWasmLaunch(kernel: CompiledKernel & { wasm: WasmKernel }, request: LaunchRequest, E: LaunchEnv, params: Uint8Array, progressEvery: number): boolean {
  const [gx, gy, gz] = request.grid;
  const [bx, by, bz] = request.block;
  const { shSize, shPad, resumeBytes, faultAt, scratchSize, tableEntries } = scratchLayout(kernel, request, E);
  const windows = E.windows;
  const memory = request.wasmMemory!;
  const bytes = new Uint8Array(memory.buffer);
  const { modvarBytes, constBytes } = kernel.wasm;
  // the module's .global bytes as this launch holds them (cpu-device.ts pads them to 16, as the kernel was compiled for)
  if (modvarBytes > 0 && E.mv.u8.length !== modvarBytes) return false;
  const scratch = findScratch(windows, bytes.length, scratchSize);
  if (scratch < 0) return false;
  const { run, reset, lockstepBlocks, lockstepRangeBlocks, lanesBlocks, rangeLaneGroups, warpEntryWarps, warpReleaseWarps, warpExitWarps } = instanceFor(kernel.wasm, memory);
  reset();
  // i64 parameters pass as BigInt; pointers are already device addresses (2^40 + offset) in `params`
  const args = paramValues(kernel, params);
  const saved = bytes.slice(scratch, scratch + scratchSize);
  const dv = new DataView(memory.buffer);
  const record = scratch + faultAt, table = record + 32;
  const modvarAt = record - modvarBytes, constAt = modvarAt - constBytes;
  writeFaultRecordAndTable(dv, record, windows, kernel.wasm.frameBytes * bx * by * bz, modvarBytes);
  if (constBytes > 0) bytes.set(kernel.layout.constInit.subarray(0, constBytes), constAt);
  if (modvarBytes > 0) {
    bytes.set(E.mv.u8, modvarAt);
    dv.setInt32(constAt - MODVAR_BASE_WORD, modvarAt, true); // this thread's own copy (emit-module-data.ts)
  }
  const total = gx * gy * gz;
  // the blocks' time alone (not the instance's making): what pool-choice.ts extrapolates from
  const t0 = performance.now();
  try {
    for (let b = 0; b < total; b += progressEvery) {
      const end = Math.min(total, b + progressEvery);
      if (kernel.wasm.warp) runWarpBlocks(kernel.wasm, run, memory, E, { gx, gy, gz, bx, by, bz, sh: scratch, shSize, resumeBase: scratch + shPad, slotBase: scratch + shPad + resumeBytes, table, nwin: tableEntries, params: args }, b, end);
      else run(b, end, gx, gy, gz, bx, by, bz, scratch, shSize, scratch + shPad, scratch + shPad + resumeBytes, table, tableEntries, ...args);
      request.onProgress?.(end, total);
    }
    recordKernelTime(kernel.wasm, performance.now() - t0, total, 1);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) reportFault(kernel, E, dv, record, gx, gy);
    throw error;
  } finally {
    // what the kernel wrote to the module's variables stays, a fault or not (as on the JavaScript backend)
    if (modvarBytes > 0) E.mv.u8.set(new Uint8Array(memory.buffer, modvarAt, modvarBytes));
    new Uint8Array(memory.buffer).set(saved, scratch);
    if (lockstepBlocks) lockstepStats.blocks += lockstepBlocks();
    if (lockstepRangeBlocks) lockstepStats.rangeBlocks += lockstepRangeBlocks();
    if (lanesBlocks) lanesStats.blocks += lanesBlocks();
    if (rangeLaneGroups) lockstepStats.laneGroups += rangeLaneGroups();
    if (warpEntryWarps) lockstepStats.entryWarps += warpEntryWarps();
    if (warpReleaseWarps) lockstepStats.releaseWarps += warpReleaseWarps();
    if (warpExitWarps) lockstepStats.exitWarps += warpExitWarps();
  }
  return true;
}

/** Turns the fault record a trapping kernel left into memcheck's report (the JavaScript backend's words). */
export function reportFault(kernel: CompiledKernel, E: LaunchEnv, dv: DataView, record: number, gx: number, gy: number): never {
  const kind = dv.getInt32(record + FAULT_RECORD.kind, true);
  const address = dv.getBigUint64(record + FAULT_RECORD.address, true);
  const size = dv.getInt32(record + FAULT_RECORD.size, true);
  const t = dv.getInt32(record + FAULT_RECORD.thread, true);
  const line = dv.getInt32(record + FAULT_RECORD.line, true);
  const write = dv.getInt32(record + FAULT_RECORD.write, true) !== 0;
  const b = dv.getInt32(record + FAULT_RECORD.block, true);
  E.cx = b % gx;
  E.cy = Math.floor(b / gx) % gy;
  E.cz = Math.floor(b / (gx * gy));
  if (kind === FAULT.shared) spaceFault(E, 'shared', Number(BigInt.asIntN(32, address)), size, t, line, write);
  if (kind === FAULT.local) spaceFault(E, 'local', Number(BigInt.asIntN(32, address)), size, t, line, write);
  // a const offset is the register's low word plus the immediate, unwrapped (emit-module-data.ts)
  if (kind === FAULT.const) spaceFault(E, 'const', Number(BigInt.asIntN(64, address)), size, t, line, write);
  if (kind === FAULT.global) {
    const hi = Number(address >> 32n) | 0, lo = Number(address & 0xffffffffn);
    gfind(E, hi, lo, size, t, line, 1, write); // throws the report
  }
  throw new DeviceError(-7, `internal: kernel '${kernel.entry}' (compiled to WebAssembly) trapped at an unknown point`);
}
