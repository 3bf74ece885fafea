/**
 * One launch on the CPU device: builds the parameter buffer from the argv (pointer windows become
 * device addresses 2^40 + guest offset), maps guest memory, runs every block and reports progress.
 */
import { DeviceError, type KernelArg, type LaunchRequest } from '../../../contract/device.js';
import { GLOBAL_BASE, regionOf, type Region } from './address-space.js';
import type { CompiledKernel } from './compile/compile.js';
import { createEnv } from './launch-env.js';
import type { Window } from './memcheck.js';
import { longEnoughToPool } from './pool/pool-choice.js';
import { runPooledLaunch, type PoolPlan } from './pool/pool-launch.js';
import { runBlock } from './scheduler.js';
import { runWasmLaunch, wasmUsable } from './wasm/wasm-launch.js';

/** At most this many progress callbacks per launch (plus the final one). */
const PROGRESS_SAMPLES = 64;

/**
 * For a kernel whose lock-step rounds span each call's whole block range (wasm/lockstep-range.ts):
 * fewer, wider calls, as one round walks memory across the range (the wider, the closer to one
 * linear walk). Progress then comes at most this many times.
 */
const RANGE_PROGRESS_SAMPLES = 8;

export function buildParams(kernel: CompiledKernel, args: readonly KernelArg[]): { bytes: Uint8Array; windows: Window[] } {
  const params = kernel.layout.params;
  if (args.length !== params.length) {
    throw new DeviceError(-9, `kernel '${kernel.entry}' takes ${params.length} parameters but ${args.length} arguments were passed`);
  }
  const bytes = new Uint8Array(Math.max(kernel.layout.paramSize, 8));
  const dv = new DataView(bytes.buffer);
  const windows: Window[] = [];
  args.forEach((a, i) => {
    const p = params[i]!;
    if (a.kind === 'pointer') {
      if (p.sizeBytes !== 8) throw new DeviceError(-9, `argument ${i}: a pointer needs a 64-bit parameter, '${p.name}' is ${p.sizeBytes} bytes`);
      dv.setBigUint64(p.offset, BigInt(GLOBAL_BASE + a.offset), true);
      windows.push({ arg: i, offset: a.offset, length: a.length });
      return;
    }
    if (a.bytes.length !== p.sizeBytes) {
      throw new DeviceError(-9, `argument ${i}: ${a.tag} is ${a.bytes.length} bytes but parameter '${p.name}' (.${p.type}) is ${p.sizeBytes}`);
    }
    bytes.set(a.bytes, p.offset);
  });
  return { bytes, windows };
}

/** Typed views over guest memory; copies when the bytes are not 8-byte aligned in their buffer. */
function guestRegion(memory: Uint8Array): { region: Region; copyBack?: () => void } {
  if (memory.byteOffset % 8 === 0 && memory.byteLength % 8 === 0) return { region: regionOf(memory) };
  const copy = new Uint8Array(Math.ceil(memory.byteLength / 8) * 8);
  copy.set(memory);
  return { region: regionOf(copy), copyBack: () => memory.set(copy.subarray(0, memory.byteLength)) };
}

export interface LaunchInput {
  kernel: CompiledKernel;
  request: LaunchRequest;
  modvars: Uint8Array;
  /** Run the kernel's WebAssembly form when the launch allows it (CpuDevice option wasmKernels). */
  useWasm: boolean;
  /**
   * Run a Wasm launch's blocks on this many threads (CpuDevice option workers) when it has at
   * least two blocks and `minThreads` threads in all, or the kernel's last launch says it is long
   * (pool-choice.ts longEnoughToPool); absent: on the calling thread only.
   */
  pool?: PoolPlan & { minThreads: number };
}

/** Number registers are exact below 2^52: any larger 64-bit scalar argument needs the pairs variant. */
function variantFor(kernel: CompiledKernel, args: readonly KernelArg[]): CompiledKernel {
  if (!kernel.numbers || !kernel.pairsVariant) return kernel;
  for (const a of args) {
    if (a.kind !== 'scalar' || a.bytes.length !== 8) continue;
    const v = new DataView(a.bytes.buffer, a.bytes.byteOffset, 8).getBigInt64(0, true);
    if (v >= 2n ** 52n || v <= -(2n ** 52n)) return kernel.pairsVariant();
  }
  return kernel;
}

export function runLaunch(input: LaunchInput): 'js' | 'wasm' {
  const { request, modvars } = input;
  const kernel = variantFor(input.kernel, request.args);
  const { grid, block } = request;
  const lay = kernel.layout;
  const { bytes, windows } = buildParams(kernel, request.args);
  for (const w of windows) {
    if (w.offset < 0 || w.length < 0 || w.offset + w.length > request.memory.byteLength) {
      throw new DeviceError(-2, `argument ${w.arg}: window [${w.offset}, ${w.offset + w.length}) is outside guest memory (${request.memory.byteLength} bytes)`);
    }
  }
  const { region, copyBack } = guestRegion(request.memory);
  const dyn = request.sharedMemBytes;
  const sharedBytes = lay.dynamicSharedOffset > lay.sharedStatic || dyn > 0 ? lay.dynamicSharedOffset + dyn : lay.sharedStatic;
  const E = createEnv({
    kernelName: kernel.entry,
    guest: region,
    windows,
    grid,
    block,
    sharedBytes,
    dynShared: dyn,
    frameSize: lay.frameSize,
    constMem: lay.constInit,
    params: bytes,
    modvars,
    saveInts: kernel.saveInts,
    saveFloats: kernel.saveFloats,
    sync: kernel.hasSync,
    cacheSites: kernel.cacheSites,
  });
  const nThreads = block[0] * block[1] * block[2];
  const total = grid[0] * grid[1] * grid[2];
  const every = Math.max(1, Math.ceil(total / PROGRESS_SAMPLES));
  if (input.useWasm && wasmUsable(input.kernel, request)) {
    const pool = input.pool;
    const wasmEvery = input.kernel.wasm.lockstepRange ? Math.max(1, Math.ceil(total / RANGE_PROGRESS_SAMPLES)) : every;
    if (pool && pool.threads > 1 && total >= 2 && (total * nThreads >= pool.minThreads || longEnoughToPool(input.kernel.wasm, total)) && runPooledLaunch(input.kernel, request, E, bytes, wasmEvery, pool)) return 'wasm';
    if (runWasmLaunch(input.kernel, request, E, bytes, wasmEvery)) return 'wasm';
  }
  const clearShared = sharedBytes > 0;
  let done = 0;
  try {
    for (let z = 0; z < grid[2]; z++) {
      for (let y = 0; y < grid[1]; y++) {
        for (let x = 0; x < grid[0]; x++) {
          E.cx = x;
          E.cy = y;
          E.cz = z;
          if (clearShared) E.sh.u8.fill(0);
          runBlock(kernel, E, nThreads);
          done++;
          if (request.onProgress && (done % every === 0 || done === total)) request.onProgress(done, total);
        }
      }
    }
  } catch (e) {
    if (e instanceof DeviceError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new DeviceError(-7, `internal error running kernel '${kernel.entry}' in block (${E.cx},${E.cy},${E.cz}): ${msg}`);
  } finally {
    copyBack?.();
  }
  return 'js';
}
