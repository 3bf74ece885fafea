/**
 * A launch of a kernel compiled to WebAssembly on several threads: the calling thread and
 * `threads - 1` block-pool workers share one memory and claim chunks of blocks from a shared
 * counter (block-runner.ts). Blocks are independent between a launch's start and end, so any
 * order gives CUDA's results, save the order of atomics and of racing writes.
 *
 * When the guest's memory is itself shared (a guest built with threads declares a shared
 * memory), the launch runs in it in place: the threads' scratch areas go into a gap no window
 * overlaps, saved before and put back after, as one thread's is (wasm-launch.ts), and nothing
 * else is copied. Otherwise (a guest module declares an unshared memory, the usual case) the
 * launch runs in a shared WebAssembly.Memory of the device's (kept for the next launch, see
 * launchMemory): every pointer window is copied in at its guest
 * offset (device addresses, and so the kernel's code, stay the same), each thread gets a scratch
 * area (wasm-launch.ts's layout) in a gap no window overlaps, and after the launch — faulted or
 * not — the windows are copied back. The kernel reaches nothing but its windows (every access is
 * checked), so copying them is the whole of what it can read and write.
 *
 * A fault reports exactly as on one thread: the lowest faulting block's record (block-runner.ts).
 */
import { DeviceError, type LaunchRequest } from '../../../../contract/device.js';
import type { CompiledKernel } from '../compile/compile.js';
import type { LaunchEnv } from '../launch-env.js';
import { fmaF64 } from '../math.js';
import type { WasmKernel } from '../wasm/compile-wasm.js';
import { FAULT_RECORD, WRITTEN_EXPORT } from '../wasm/ptx-types.js';
import { MODVAR_BASE_WORD } from '../wasm/emit-module-data.js';
import { findScratch, guestMemoryShared, paramValues, reportFault, scratchLayout, writeFaultRecordAndTable } from '../wasm/wasm-launch.js';
import { ALL_WINDOWS, CTL, OUTCOME, THREAD_WORDS, controlWords, runChunks, storeWritten, writtenOf } from './block-runner.js';
import { pooledWarpRun, type WarpKernelInfo } from '../wasm/warp-launch.js';
import { blockPool, isDead, type PoolMember } from './block-pool.js';
import { recordCopy, recordCopyBack, recordKernelTime, worthPooling } from './pool-choice.js';
import { MAX_PAGES, sharedModuleOf } from './shared-module.js';

const PAGE = 65536;
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** How many chunks each thread takes on average: enough to even out uneven blocks, few enough that claiming costs nothing. */
const CHUNKS_PER_THREAD = 16;

/** For a kernel whose lock-step rounds span a call's block range (wasm/lockstep-range.ts): fewer, wider chunks, each one walk across its blocks' memory per round. */
const RANGE_CHUNKS_PER_THREAD = 4;

/** The last pooled launch of this thread: how many blocks each thread ran (0 is the caller). For tests and the bench. */
export let lastStats: { threads: number; blocksPerThread: number[]; trapped: number; inPlace: boolean; copiedBack: number[]; copyInMs: number; runMs: number; copyBackMs: number } | undefined;

/** The launch memory kept for this thread's next pooled launch (tests: a guest's windows after a launch must equal it). */
export function keptLaunchMemory(): WebAssembly.Memory | undefined {
  return kept;
}

let pooled = 0;

/** Launches this thread has run on the pool (the bench reports how many of its launches did). */
export function pooledLaunches(): number {
  return pooled;
}

/**
 * `callerSkips` (tests only): the caller runs no block itself, so every block runs on the pool's
 * workers. `supervisorSilenceMs`: how long a launch waits with neither a supervisor heartbeat nor
 * a finished block before it counts the supervisor, and so every worker, gone (a block running
 * that long alone is fine: the supervisor still beats; a starved supervisor beats late, not never).
 * `copyEveryWindow` (the bench's A/B): copy every window back, as before the written-windows masks.
 */
export const poolTesting = { callerSkips: false, supervisorSilenceMs: 10_000, copyEveryWindow: false };

export interface PoolPlan {
  /** Threads to run the blocks on, the caller included (≥ 2 to use the pool). */
  threads: number;
  /** Bytes the instance's memory cap leaves for the launch's copies and scratch areas (Infinity without a cap). */
  budgetBytes: number;
  /** Leave a launch on one thread when the kernel's last time says the copies cost more than the pool saves (pool-choice.ts). */
  adaptive: boolean;
}

/**
 * The launch memory kept from the last pooled launch of this thread (none under a memory cap).
 * A fresh shared memory pays a page fault for every page a window fills on its first launch —
 * measured at 0.4–0.6 s for 32 MiB on the 2-core development machine, more than the kernel —
 * so it is kept and grown rather than made again.
 */
let kept: WebAssembly.Memory | undefined;

function launchMemory(pages: number, keep: boolean): WebAssembly.Memory | undefined {
  try {
    if (kept) {
      const have = kept.buffer.byteLength / PAGE;
      if (have < pages) kept.grow(pages - have);
      const m = kept;
      if (!keep) kept = undefined;
      return m;
    }
    const m = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    if (keep) kept = m;
    return m;
  } catch {
    kept = undefined;
    return undefined;
  }
}

/** Bytes a pooled launch holds besides what one thread needs: window copies and one scratch area per thread. */
export function pooledBytes(windowBytes: number, scratchSize: number, threads: number): number {
  return windowBytes + threads * align16(scratchSize);
}

/**
 * Runs the launch on the pool; false (nothing done) when it cannot — fewer than two blocks, the
 * cap leaves too little, or the launch memory would pass 4 GiB — and the caller runs it as today.
 */
export function runPooledLaunch(kernel: CompiledKernel & { wasm: WasmKernel }, request: LaunchRequest, E: LaunchEnv, params: Uint8Array, progressEvery: number, plan: PoolPlan): boolean {
  const [gx, gy, gz] = request.grid;
  const [bx, by, bz] = request.block;
  const total = gx * gy * gz;
  const threads = Math.min(plan.threads, total);
  // A kernel with bridged instructions runs here too: the workers rebuild the bridges from their
  // sources (block-worker.ts). A kernel of a module with .global or .const variables too: each
  // thread reads its own copy of the const bytes, and all share one copy of the .global
  // variables (emit-module-data.ts: the module base word). A kernel with warp-level sites runs here too (each thread finishes a block
  // whose lanes diverge with its own scheduler, warp-launch.ts pooledWarpRun), unless some result
  // depends on the launch's one warpOp history (WasmKernel.warp.fast false).
  if (threads < 2 || total >= 2 ** 30 || (kernel.wasm.warp && !kernel.wasm.warp.fast)) return false;
  const { modvarBytes, constBytes } = kernel.wasm;
  // the module's .global bytes as this launch holds them (cpu-device.ts pads them to 16, as the kernel was compiled for)
  if (modvarBytes > 0 && E.mv.u8.length !== modvarBytes) return false;
  const { shSize, shPad, resumeBytes, faultAt, scratchSize, tableEntries } = scratchLayout(kernel, request, E);
  const windows = E.windows;
  // a guest memory that is itself shared is the launch memory: nothing to copy in or out
  const inPlace = guestMemoryShared(request);
  const windowBytes = inPlace ? 0 : windows.reduce((s, w) => s + w.length, 0);
  if (pooledBytes(windowBytes, scratchSize, threads) + modvarBytes > plan.budgetBytes) return false;
  if (plan.adaptive && !worthPooling(kernel.wasm, total, threads, windowBytes)) return false;
  const stride = align16(scratchSize);
  // the threads' scratch areas, then the one copy of the module's .global variables they all share
  const area = threads * stride + modvarBytes;
  const room = inPlace ? request.wasmMemory!.buffer.byteLength : MAX_PAGES * PAGE;
  const scratch = findScratch(windows, room, area);
  const sharedModvars = scratch + threads * stride;
  const end = Math.max(scratch + area, ...windows.map((w) => w.offset + w.length));
  if (scratch < 0 || end > room) return false;
  const pages = Math.ceil(end / PAGE);
  // under a cap the launch memory counts as the device's for the launch and is not kept after it
  const capped = plan.budgetBytes !== Infinity;
  if (!inPlace && capped && pooledBytes(pages * PAGE, 0, 0) > plan.budgetBytes) return false;
  const memory = inPlace ? request.wasmMemory! : launchMemory(pages, !capped);
  if (!memory) return false; // the process could not reserve it: one thread, in the guest's memory
  const bytes = new Uint8Array(memory.buffer);
  const guest = request.memory;
  // in place, the scratch areas lie in a gap of the guest's memory that no window overlaps: saved here, put back after
  const saved = inPlace ? bytes.slice(scratch, scratch + area) : undefined;
  let copyInMs = 0;
  if (!inPlace) {
    const c0 = performance.now();
    for (const w of windows) bytes.set(guest.subarray(w.offset, w.offset + w.length), w.offset);
    copyInMs = performance.now() - c0;
    recordCopy(windowBytes, copyInMs);
  }
  const dv = new DataView(memory.buffer);
  const args = paramValues(kernel, params);
  if (modvarBytes > 0) bytes.set(E.mv.u8, sharedModvars);
  const rest = (k: number): (number | bigint)[] => {
    const at = scratch + k * stride;
    writeFaultRecordAndTable(dv, at + faultAt, windows, kernel.wasm.frameBytes * bx * by * bz, modvarBytes);
    // each thread's own copy of the (read-only) const bytes; its module base word points at the shared .global copy
    const constAt = at + faultAt - modvarBytes - constBytes;
    if (constBytes > 0) bytes.set(kernel.layout.constInit.subarray(0, constBytes), constAt);
    if (modvarBytes > 0) dv.setInt32(constAt - MODVAR_BASE_WORD, sharedModvars, true);
    return [gx, gy, gz, bx, by, bz, at, shSize, at + shPad, at + shPad + resumeBytes, at + faultAt + 32, tableEntries, ...args];
  };
  const ctl = new Int32Array(new SharedArrayBuffer(4 * controlWords(threads)));
  ctl[CTL.limit] = total;
  const perThread = kernel.wasm.lockstepRange ? RANGE_CHUNKS_PER_THREAD : CHUNKS_PER_THREAD;
  const chunk = Math.max(1, Math.min(progressEvery, Math.floor(total / (threads * perThread))));
  const module = sharedModuleOf(kernel.wasm);
  const pool = blockPool();
  const members = pool.take(threads - 1);
  for (const m of members) pool.failures(m); // stale reports of an earlier launch
  pooled++;
  const warp: WarpKernelInfo | undefined = kernel.wasm.warp ? { warp: kernel.wasm.warp, slotBytes: kernel.wasm.slotBytes } : undefined;
  const k0 = performance.now();
  members.forEach((m, i) => pool.post(m, { type: 'run', ctl: ctl.buffer as SharedArrayBuffer, slot: i + 1, module, memory, rest: rest(i + 1), total, chunk, bridgeSources: kernel.wasm.bridgeSources, ...(warp ? { warp } : {}) }));
  let reported = 0;
  const progress = (): void => {
    if (!request.onProgress) return;
    const done = Atomics.load(ctl, CTL.done);
    if (done - reported >= progressEvery || (done === total && reported < total)) {
      reported = done;
      request.onProgress(done, total);
    }
  };
  let own: unknown;
  const stop = (error: unknown): void => {
    // the caller's own failure (instantiation, a progress callback): no further chunk starts anywhere
    own ??= error;
    Atomics.store(ctl, CTL.limit, 0);
    if (Atomics.load(ctl, CTL.threads) === OUTCOME.posted || Atomics.load(ctl, CTL.threads) === OUTCOME.ok) {
      ctl[CTL.threads + 1] = -1;
      Atomics.store(ctl, CTL.threads, OUTCOME.error);
    }
  };
  // the caller's written windows, as a worker's (block-runner.ts storeWritten): all until its instance says
  storeWritten(ctl, 0, ALL_WINDOWS);
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory, fma64: fmaF64, ...kernel.wasm.bridges } }).exports;
    const exported = exports.run as (...a: (number | bigint)[]) => void;
    const run = warp ? pooledWarpRun(warp, exported, memory) : exported;
    const mine = rest(0);
    try {
      if (!poolTesting.callerSkips) own = runChunks(run, mine, ctl, 0, total, chunk, progress);
    } finally {
      const written = exports[WRITTEN_EXPORT];
      if (typeof written === 'function') storeWritten(ctl, 0, BigInt.asUintN(64, (written as () => bigint)()));
    }
  } catch (error) {
    stop(error);
  }
  // workers that have not started yet have nothing left to do: take their tasks back
  let waitFor = members.length;
  for (let k = 1; k < threads && !poolTesting.callerSkips; k++) {
    if (Atomics.compareExchange(ctl, CTL.threads + THREAD_WORDS * k, OUTCOME.posted, OUTCOME.skipped) === OUTCOME.posted) waitFor--;
  }
  // the others' part: woken by each one that finishes, and every 50 ms to report progress
  let lastDone = -1;
  let progressAt = performance.now();
  for (let f = Atomics.load(ctl, CTL.finished); f < waitFor; f = Atomics.load(ctl, CTL.finished)) {
    Atomics.wait(ctl, CTL.finished, f, 50);
    const now = performance.now();
    const done = Atomics.load(ctl, CTL.done);
    if (done !== lastDone) [lastDone, progressAt] = [done, now];
    const silence = poolTesting.supervisorSilenceMs;
    if (pool.supervisorSilentFor(now) > silence && now - progressAt > silence) pool.supervisorLost();
    reapDead(ctl, members);
    try {
      progress();
    } catch (error) {
      stop(error);
    }
  }
  const k1 = performance.now();
  const back = inPlace ? [] : poolTesting.copyEveryWindow ? windows.map((_, i) => i) : windowsToCopyBack(ctl, threads, windows.length);
  if (!inPlace) {
    let backBytes = 0;
    for (const i of back) {
      const w = windows[i]!;
      guest.set(bytes.subarray(w.offset, w.offset + w.length), w.offset);
      backBytes += w.length;
    }
    recordCopy(backBytes, performance.now() - k1);
    recordCopyBack(kernel.wasm, windowBytes, backBytes);
  }
  const copyBackMs = performance.now() - k1;
  lastStats = {
    threads,
    blocksPerThread: Array.from({ length: threads }, (_, k) => ctl[CTL.threads + THREAD_WORDS * k + 2]!),
    trapped: Array.from({ length: threads }, (_, k) => ctl[CTL.threads + THREAD_WORDS * k]).filter((o) => o === OUTCOME.trapped).length,
    inPlace,
    copiedBack: back,
    copyInMs,
    runMs: k1 - k0,
    copyBackMs,
  };
  // per block, as the threads that ran blocks spent it (a worker that never started did not)
  if (own === undefined && Atomics.load(ctl, CTL.limit) === total) recordKernelTime(kernel.wasm, k1 - k0, total, Math.max(1, lastStats.blocksPerThread.filter((b) => b > 0).length));
  // a worker that stopped in this launch is replaced by the next one's take()
  members.forEach((m, i) => {
    if (Atomics.load(ctl, CTL.threads + THREAD_WORDS * (i + 1)) === OUTCOME.died) pool.retire(m);
  });
  try {
    // what the kernel wrote to the module's variables stays, a fault or not (as on one thread)
    if (modvarBytes > 0) E.mv.u8.set(bytes.subarray(sharedModvars, sharedModvars + modvarBytes));
    settle(kernel, E, dv, ctl, threads, own, members.map((m) => pool.failures(m)), (k) => scratch + k * stride + faultAt, gx, gy);
  } finally {
    if (saved) bytes.set(saved, scratch);
  }
  if (request.onProgress && reported < total) request.onProgress(total, total);
  return true;
}

/**
 * The windows (indices) a launch's threads may have written, to copy back to the guest: those
 * some thread's written-windows mask names (every check that admits a store, atom or red into a
 * window marks it: wasm/emit-memory.ts markWritten), windows 63 and up when bit 63 is set, and
 * every window when a thread died (its mask may be incomplete). A window no check admitted a
 * write into holds the bytes copied in, so the guest's copy is already the same.
 */
export function windowsToCopyBack(ctl: Int32Array, threads: number, count: number): number[] {
  let mask = 0n;
  for (let k = 0; k < threads; k++) {
    if (Atomics.load(ctl, CTL.threads + THREAD_WORDS * k) === OUTCOME.died) return Array.from({ length: count }, (_, i) => i);
    mask |= writtenOf(ctl, k);
  }
  return Array.from({ length: count }, (_, i) => i).filter((i) => (mask >> BigInt(Math.min(i, 63))) & 1n);
}

/**
 * Counts as finished, with outcome `died`, each worker that stopped without finishing its part —
 * out of memory, terminated, a native abort: its own exit handler did not run, so only its
 * supervisor's `dead` word tells — and stops the launch there (no further chunk starts anywhere).
 * The state word's compare-exchange counts a worker once, whoever reports it: the worker's exit
 * handler, when it ran, has already stored `died`.
 */
function reapDead(ctl: Int32Array, members: readonly PoolMember[]): void {
  members.forEach((m, i) => {
    if (!isDead(m)) return;
    const word = CTL.threads + THREAD_WORDS * (i + 1);
    for (const from of [OUTCOME.posted, OUTCOME.started]) {
      if (Atomics.compareExchange(ctl, word, from, OUTCOME.died) !== from) continue;
      Atomics.store(ctl, CTL.limit, 0);
      Atomics.add(ctl, CTL.finished, 1);
      return;
    }
  });
}

/**
 * The thread whose failure one thread running the blocks in order would have met first: the
 * lowest block — a trap's recorded faulting block (`faultBlock`; undefined when the trap recorded
 * none), else the start of the chunk the thread stopped in.
 */
export function lowestFailure(ctl: Int32Array, threads: number, faultBlock: (k: number) => number | undefined): { k: number; block: number; outcome: number } | undefined {
  let first: { k: number; block: number; outcome: number } | undefined;
  for (let k = 0; k < threads; k++) {
    const outcome = Atomics.load(ctl, CTL.threads + THREAD_WORDS * k);
    if (outcome !== OUTCOME.trapped && outcome !== OUTCOME.error) continue;
    const block = (outcome === OUTCOME.trapped ? faultBlock(k) : undefined) ?? ctl[CTL.threads + THREAD_WORDS * k + 1]!;
    if (!first || block < first.block) first = { k, block, outcome };
  }
  return first;
}

/** Throws what one thread running the blocks in order would have: the lowest failing block's error. */
function settle(kernel: CompiledKernel, E: LaunchEnv, dv: DataView, ctl: Int32Array, threads: number, own: unknown, failures: { message: string }[][], recordOf: (k: number) => number, gx: number, gy: number): void {
  if (Array.from({ length: threads }, (_, k) => ctl[CTL.threads + THREAD_WORDS * k]).includes(OUTCOME.died)) {
    throw new DeviceError(-7, `internal: a CPU device worker thread stopped while it ran blocks of kernel '${kernel.entry}'; guest memory in the kernel's windows is incomplete`);
  }
  const first = lowestFailure(ctl, threads, (k) => (dv.getInt32(recordOf(k) + FAULT_RECORD.kind, true) !== 0 ? dv.getInt32(recordOf(k) + FAULT_RECORD.block, true) : undefined));
  if (!first) return;
  if (first.k === 0 && own !== undefined && !(own instanceof WebAssembly.RuntimeError)) throw own;
  if (first.outcome === OUTCOME.trapped) {
    reportFault(kernel, E, dv, recordOf(first.k), gx, gy); // throws memcheck's report
  }
  const message = failures[first.k - 1]?.[0]?.message ?? 'unknown failure';
  throw new DeviceError(-7, `internal error running kernel '${kernel.entry}' on a CPU device worker thread: ${message.slice(0, 200)}`);
}
