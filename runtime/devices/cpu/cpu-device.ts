/**
 * The CPU device: runs PTX as nvcc writes it, with CUDA's semantics, on the calling thread.
 * Launches run to completion inside launch(), so sync() has nothing to wait for: it is a no-op
 * barrier kept for the Device contract (results are already in guest memory — the device works
 * on the guest's linear memory directly, as unified memory promises).
 */
import type { Device, DeviceInfo, KernelHandle, LaunchRequest, LaunchTiming } from '../../../contract/device.js';
import { availableParallelism } from 'node:os';
import { DeviceError } from '../../../contract/device.js';
import { TensorWasmError } from '../../../contract/errors.js';
import type { CompiledKernel } from './compile/compile.js';
import { runLaunch } from './launch.js';
import { getKernel } from './ptx-cache.js';

export const CPU_DEVICE_INFO: DeviceInfo = Object.freeze({
  id: 'cpu',
  kind: 'cpu',
  name: 'CPU (PTX on the CPU)',
  available: true,
  maxThreadsPerBlock: 1024,
  maxSharedMemoryPerBlock: 48 * 1024,
});

interface Loaded {
  kernel: CompiledKernel;
  modvars: Uint8Array;
}

/**
 * The instance's memory cap, which the device's own memory counts against together with the
 * guest's linear memory: module `.global` variables (held from load to dispose) and each launch's
 * `.local`, `.shared` and barrier save areas (held while it runs).
 */
export interface DeviceMemoryCap {
  /** The instance's max_memory_bytes. */
  capBytes: number;
  /** The guest's linear memory size now. */
  guestBytes: () => number;
}

export interface CpuDeviceOptions {
  /** Default: no cap (the device's declaration limits still hold; see limits.ts). */
  memoryCap?: DeviceMemoryCap;
  /**
   * Run kernels in wasm/compile-wasm.ts's subset as WebAssembly when the launch passes the guest's
   * WebAssembly.Memory (default true); false keeps every launch on the JavaScript backend.
   */
  wasmKernels?: boolean;
  /**
   * Threads that run a Wasm launch's blocks, the calling thread included: the others are a pool of
   * worker_threads made on the first launch that uses them (pool/). Default: the
   * TENSOR_WASM_CPU_WORKERS environment variable, else os.availableParallelism(); 1 runs every
   * block on the calling thread. The JavaScript backend always runs on the calling thread.
   */
  workers?: number;
  /**
   * A launch goes to the pool only with at least two blocks and this many threads in all (default
   * POOL_MIN_THREADS): below it, handing blocks to other threads costs more than it saves.
   */
  poolMinThreads?: number;
  /**
   * Leave a launch on the calling thread when the kernel's previous launch says copying its
   * windows costs more than the pool saves (pool/pool-choice.ts; default true). Tests turn it off
   * to put every launch over poolMinThreads on the pool.
   */
  adaptivePool?: boolean;
}

/** Default poolMinThreads: a launch of fewer threads runs in well under a millisecond on one thread. */
export const POOL_MIN_THREADS = 16384;

/** TENSOR_WASM_CPU_WORKERS, or os.availableParallelism(); a value that is not a positive integer is an error naming it. */
export function defaultCpuWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[CPU_WORKERS_ENV]?.trim();
  if (raw === undefined || raw === '') return availableParallelism();
  return checkWorkers(Number(raw), `${CPU_WORKERS_ENV}=${raw.slice(0, 40)}`);
}

export const CPU_WORKERS_ENV = 'TENSOR_WASM_CPU_WORKERS';

/** The most threads a CPU device launch may use. */
export const MAX_CPU_WORKERS = 256;

function checkWorkers(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CPU_WORKERS) {
    throw new TensorWasmError('invalid_args', `${what}: the CPU device's workers must be an integer from 1 to ${MAX_CPU_WORKERS}`, { limit: 'workers' });
  }
  return n;
}

export class CpuDevice implements Device {
  readonly info: DeviceInfo = CPU_DEVICE_INFO;
  private readonly useWasm: boolean;
  /** Which backend ran the last launch: the kernel compiled to JavaScript or to WebAssembly. */
  lastBackend: 'js' | 'wasm' | undefined;
  private loaded: Loaded[] = [];
  /** The module's own .global variables, one copy per PTX per device (they persist across launches). */
  private modvars = new Map<string, Uint8Array>();
  private disposed = false;
  private memoryCap: DeviceMemoryCap | undefined;
  /** Bytes of module variables held (every loaded PTX's). */
  private heldBytes = 0;

  /** Threads a launch may run its blocks on (options.workers). */
  readonly workers: number;
  private readonly poolMinThreads: number;
  private readonly adaptivePool: boolean;

  constructor(options: CpuDeviceOptions = {}) {
    this.useWasm = options.wasmKernels ?? true;
    this.memoryCap = options.memoryCap;
    this.workers = options.workers === undefined ? defaultCpuWorkers() : checkWorkers(options.workers, `workers ${String(options.workers).slice(0, 40)}`);
    this.poolMinThreads = options.poolMinThreads ?? POOL_MIN_THREADS;
    this.adaptivePool = options.adaptivePool ?? true;
  }

  /** The host sets the instance's cap once it has made the device. */
  setMemoryCap(cap: DeviceMemoryCap | undefined): void {
    this.memoryCap = cap;
  }

  /** What the cap leaves for the device now, and the words that say why (Infinity without a cap). */
  private available(): { bytes: number; why: string } {
    const cap = this.memoryCap;
    if (!cap) return { bytes: Infinity, why: '' };
    const guest = cap.guestBytes();
    return {
      bytes: cap.capBytes - guest - this.heldBytes,
      why: `max_memory_bytes is ${cap.capBytes} bytes, of which the guest's memory takes ${guest} and module .global variables ${this.heldBytes}`,
    };
  }

  loadKernel(ptx: string, ptxHash: string, entry: string): KernelHandle {
    this.check();
    const kernel = getKernel(ptx, ptxHash, entry);
    let mv = this.modvars.get(ptxHash);
    if (!mv) {
      const size = align16(kernel.layout.modvarSize);
      const left = this.available();
      if (size > left.bytes) {
        // A declaration that can never fit ends the instance, as an initial memory above the cap does.
        throw new TensorWasmError('limit_exceeded', `the module-scope .global variables of this PTX take ${size} bytes, more than the instance has left: ${left.why}`, {
          limit: 'max_memory_bytes',
          limitValue: this.memoryCap!.capBytes,
        });
      }
      mv = new Uint8Array(size);
      for (const [offset, bytes] of kernel.layout.modvarParts) mv.set(bytes.subarray(0, mv.length - offset), offset);
      this.heldBytes += size;
      this.modvars.set(ptxHash, mv);
    }
    const handle = this.loaded.length;
    this.loaded.push({ kernel, modvars: mv });
    return {
      handle,
      entry,
      ptxHash,
      params: kernel.layout.params.map((p) => ({ name: p.name, type: p.type, sizeBytes: p.sizeBytes, ...(p.sizeBytes !== sizeOfType(p.type) ? { align: p.align } : {}) })),
    };
  }

  launch(request: LaunchRequest): LaunchTiming {
    this.check();
    const loaded = this.loaded[request.kernel.handle];
    if (!loaded || loaded.kernel.entry !== request.kernel.entry) throw new DeviceError(-3, `unknown kernel handle ${request.kernel.handle}`);
    const [gx, gy, gz] = request.grid;
    const [bx, by, bz] = request.block;
    for (const v of [gx, gy, gz, bx, by, bz]) {
      if (!Number.isInteger(v) || v < 1) throw new DeviceError(-8, `grid and block dimensions must be positive integers, got grid (${gx},${gy},${gz}) block (${bx},${by},${bz})`);
    }
    if (bx * by * bz > this.info.maxThreadsPerBlock) throw new DeviceError(-8, `${bx * by * bz} threads per block exceeds ${this.info.maxThreadsPerBlock}`);
    const shared = loaded.kernel.layout.dynamicSharedOffset + request.sharedMemBytes;
    if (request.sharedMemBytes < 0 || shared > this.info.maxSharedMemoryPerBlock) {
      throw new DeviceError(-8, `shared memory ${shared} bytes (static ${loaded.kernel.layout.sharedStatic} + dynamic ${request.sharedMemBytes}) exceeds ${this.info.maxSharedMemoryPerBlock}`);
    }
    const left = this.checkLaunchMemory(loaded.kernel, bx * by * bz, shared);
    const startMs = performance.timeOrigin + performance.now();
    const t0 = performance.now();
    // the pool's window copies and scratch areas must fit in what the cap leaves beside one thread's needs
    const pool = this.workers > 1 ? { threads: this.workers, budgetBytes: left, minThreads: this.poolMinThreads, adaptive: this.adaptivePool } : undefined;
    this.lastBackend = runLaunch({ kernel: loaded.kernel, request, modvars: loaded.modvars, useWasm: this.useWasm, pool });
    const kernelMs = performance.now() - t0;
    return { startMs, endMs: startMs + kernelMs, kernelMs, backend: this.lastBackend! };
  }

  /**
   * A launch's own memory — .local frames and barrier save areas per thread, shared memory —
   * against what the cap leaves: -6 (a resource the device manages ran out); a smaller block fits.
   * Returns the bytes still left (Infinity without a cap).
   */
  private checkLaunchMemory(kernel: CompiledKernel, threads: number, shared: number): number {
    const perThread = kernel.layout.frameSize + (kernel.hasSync ? 4 * kernel.saveInts + 8 * kernel.saveFloats + PER_THREAD_SYNC_BYTES : 0);
    const need = perThread * threads + align16(shared);
    const left = this.available();
    if (need <= left.bytes) return left.bytes - need;
    throw new DeviceError(
      -6,
      `launching '${kernel.entry}' with ${threads} threads per block needs ${need} bytes of device memory (${perThread} per thread: .local ${kernel.layout.frameSize}, barrier saves ${perThread - kernel.layout.frameSize}; shared ${shared}) but ${Math.max(0, left.bytes)} are left: ${left.why}`,
    );
  }

  /** Launches complete inside launch(); nothing is pending. */
  sync(_memory: Uint8Array): void {
    this.check();
  }

  dispose(): void {
    this.disposed = true;
    this.loaded = [];
    this.modvars.clear();
    this.heldBytes = 0;
  }

  private check(): void {
    if (this.disposed) throw new DeviceError(-1, 'the CPU device was disposed');
  }
}

/** The scheduler's per-thread words of a kernel with sync sites (launch-env.ts: wa … siteOf). */
const PER_THREAD_SYNC_BYTES = 32;

const align16 = (n: number): number => Math.max(16, Math.ceil(n / 16) * 16);

function sizeOfType(type: string): number {
  const m = /(\d+)/.exec(type);
  return type === 'pred' ? 1 : m ? Number(m[1]) / 8 : 4;
}
