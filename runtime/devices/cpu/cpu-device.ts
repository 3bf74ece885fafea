/**
 * The CPU device: runs PTX as nvcc writes it, with CUDA's semantics, on the calling thread.
 * Launches run to completion inside launch(), so sync() has nothing to wait for: it is a no-op
 * barrier kept for the Device contract (results are already in guest memory — the device works
 * on the guest's linear memory directly, as unified memory promises).
 */
import type { Device, DeviceInfo, KernelHandle, LaunchRequest, LaunchTiming } from '../../../contract/device.js';
import { DeviceError } from '../../../contract/device.js';
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

export interface CpuDeviceOptions {
  /**
   * Run kernels in wasm/compile-wasm.ts's subset as WebAssembly when the launch passes the guest's
   * WebAssembly.Memory (default true); false keeps every launch on the JavaScript backend.
   */
  wasmKernels?: boolean;
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

  constructor(options: CpuDeviceOptions = {}) {
    this.useWasm = options.wasmKernels ?? true;
  }

  loadKernel(ptx: string, ptxHash: string, entry: string): KernelHandle {
    this.check();
    const kernel = getKernel(ptx, ptxHash, entry);
    let mv = this.modvars.get(ptxHash);
    if (!mv) {
      mv = kernel.layout.modvarInit.slice();
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
    const startMs = performance.timeOrigin + performance.now();
    const t0 = performance.now();
    this.lastBackend = runLaunch({ kernel: loaded.kernel, request, modvars: loaded.modvars, useWasm: this.useWasm });
    const kernelMs = performance.now() - t0;
    return { startMs, endMs: startMs + kernelMs, kernelMs, backend: this.lastBackend! };
  }

  /** Launches complete inside launch(); nothing is pending. */
  sync(_memory: Uint8Array): void {
    this.check();
  }

  dispose(): void {
    this.disposed = true;
    this.loaded = [];
    this.modvars.clear();
  }

  private check(): void {
    if (this.disposed) throw new DeviceError(-1, 'the CPU device was disposed');
  }
}

function sizeOfType(type: string): number {
  const m = /(\d+)/.exec(type);
  return type === 'pred' ? 1 : m ? Number(m[1]) / 8 : 4;
}
