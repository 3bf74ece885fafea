import { CUDA_ERROR, CUDA_LIMITS } from '../../../contract/cuda-codes.js';
import {
  DeviceError,
  type Device,
  type DeviceInfo,
  type KernelArg,
  type KernelHandle,
  type LaunchRequest,
  type LaunchTiming,
} from '../../../contract/device.js';
import { getLogger } from '../../telemetry/logger.js';
import type { CudaAddon, NativeContext } from './addon-types.js';
import { toDeviceError } from './driver-errors.js';
import { loadCudaAddon } from './load-addon.js';
import { packParams } from './param-buffer.js';
import { probeCuda } from './probe.js';
import { parseEntryParams } from './ptx-params.js';
import { DEFAULT_POOL_LIMIT_BYTES, Residency, type ResidencyStats } from './residency.js';

export interface CudaDeviceOptions {
  /** Device ordinal (`cuda:N`); 0 unless given. */
  ordinal?: number;
  /** Bytes of device buffers kept for reuse between syncs. */
  poolLimitBytes?: number;
}

interface LoadedKernel {
  handle: KernelHandle;
  fn: number;
}

const MAX_DIM = 0x7fff_ffff;
const SCALAR_TAGS = new Set(['i32', 'i64', 'f32', 'f64', 'u32', 'u64']);
const ENTRY_NAME = /^[A-Za-z_$%][A-Za-z0-9_$%]*$/;

function now(): number {
  return performance.timeOrigin + performance.now();
}

function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * A CUDA GPU driven through the native addon. One instance per guest instance: it owns the primary
 * context reference, the modules, the device buffers and the timing events, and frees them in
 * `dispose`. Every argument is validated here before it reaches C++.
 */
export class CudaDevice implements Device {
  readonly info: DeviceInfo;
  private readonly addon: CudaAddon;
  private readonly context: NativeContext;
  private readonly residency: Residency;
  private readonly driverVersion: number;
  private readonly modules = new Map<string, number>();
  private readonly kernels: LoadedKernel[] = [];
  private disposed = false;
  private readonly log = getLogger({ component: 'cuda-device' });

  constructor(options: CudaDeviceOptions = {}) {
    const ordinal = options.ordinal ?? 0;
    if (!isIndex(ordinal)) throw new DeviceError(CUDA_ERROR.not_available, `cuda:${String(ordinal)} is not a device ordinal`);
    const loaded = loadCudaAddon();
    if (!loaded.addon) throw new DeviceError(CUDA_ERROR.not_available, loaded.reason);
    const probe = probeCuda();
    const info = probe.devices[ordinal];
    if (!info) throw new DeviceError(CUDA_ERROR.not_available, probe.reason ?? `there is no CUDA device cuda:${ordinal}.`);
    if (!info.available) throw new DeviceError(CUDA_ERROR.not_available, `${info.id} is unavailable: ${info.reason ?? ''}`.trim());
    this.addon = loaded.addon;
    this.info = { ...info };
    const load = this.addon.load();
    this.driverVersion = load.ok ? load.driverVersion : 0;
    try {
      this.context = new this.addon.Context(ordinal);
    } catch (error) {
      throw toDeviceError(error);
    }
    this.residency = new Residency(this.context, options.poolLimitBytes ?? DEFAULT_POOL_LIMIT_BYTES);
  }

  /** `cuda:0 NVIDIA H100 80GB HBM3`: how launch events and logs name this device. */
  get label(): string {
    return `${this.info.id} ${this.info.name}`;
  }

  loadKernel(ptx: string, ptxHash: string, entry: string): KernelHandle {
    this.assertOpen();
    if (typeof ptx !== 'string' || ptx.length === 0) throw new DeviceError(CUDA_ERROR.malformed_ptx, 'the PTX is empty');
    if (ptx.includes('\0')) throw new DeviceError(CUDA_ERROR.malformed_ptx, 'the PTX contains a NUL byte');
    if (Buffer.byteLength(ptx) > CUDA_LIMITS.maxPtxBytes) {
      throw new DeviceError(CUDA_ERROR.malformed_ptx, `the PTX is larger than ${CUDA_LIMITS.maxPtxBytes} bytes`);
    }
    if (typeof entry !== 'string' || !ENTRY_NAME.test(entry)) {
      throw new DeviceError(CUDA_ERROR.invalid_kernel, `"${String(entry)}" is not a PTX entry name`);
    }
    const existing = this.kernels.find((k) => k.handle.ptxHash === ptxHash && k.handle.entry === entry);
    if (existing) return existing.handle;
    let module = this.modules.get(ptxHash);
    try {
      if (module === undefined) {
        module = this.context.loadModule(ptx).module;
        this.modules.set(ptxHash, module);
      }
      const fn = this.context.getFunction(module, entry);
      const params = parseEntryParams(ptx, entry);
      if (!params) throw new DeviceError(CUDA_ERROR.invalid_kernel, `the driver found entry ${entry} but its .param list could not be read from the PTX`);
      const handle: KernelHandle = { handle: this.kernels.length, entry, ptxHash, params };
      this.kernels.push({ handle, fn });
      return handle;
    } catch (error) {
      throw toDeviceError(error, { ptx, driverVersion: this.driverVersion });
    }
  }

  launch(request: LaunchRequest): LaunchTiming {
    this.assertOpen();
    const { kernel, grid, block, sharedMemBytes, args, memory } = request;
    const loaded = this.kernels[kernel?.handle];
    if (!loaded || loaded.handle !== kernel) throw new DeviceError(CUDA_ERROR.invalid_kernel, 'the kernel handle was not loaded by this device');
    if (!(memory instanceof Uint8Array)) throw new DeviceError(CUDA_ERROR.internal, 'the launch has no guest memory');
    for (const [name, dims] of [['grid', grid], ['block', block]] as const) {
      if (!Array.isArray(dims) || dims.length !== 3 || !dims.every((d) => isIndex(d) && d >= 1 && d <= MAX_DIM)) {
        throw new DeviceError(CUDA_ERROR.invalid_dimensions, `${name} must be three integers between 1 and ${MAX_DIM}`);
      }
    }
    if (!isIndex(sharedMemBytes) || sharedMemBytes > this.info.maxSharedMemoryPerBlock) {
      throw new DeviceError(CUDA_ERROR.invalid_dimensions, `shared memory of ${String(sharedMemBytes)} bytes exceeds the ${this.info.maxSharedMemoryPerBlock} bytes per block of ${this.label}`);
    }
    if (!Array.isArray(args) || args.length > CUDA_LIMITS.maxArgs) throw new DeviceError(CUDA_ERROR.invalid_args, `a launch takes at most ${CUDA_LIMITS.maxArgs} arguments`);
    args.forEach((arg, i) => checkArg(arg, i, memory.byteLength));

    const startMs = now();
    try {
      const packed = packParams(kernel.entry, kernel.params, args, (i) => {
        const arg = args[i] as Extract<KernelArg, { kind: 'pointer' }>;
        return this.residency.place(arg.offset, arg.length, memory);
      });
      const kernelMs = this.context.launch(loaded.fn, grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedMemBytes, packed.buffer, packed.pointerSlots);
      const totalBlocks = grid[0] * grid[1] * grid[2];
      request.onProgress?.(totalBlocks, totalBlocks);
      return { startMs, endMs: now(), kernelMs };
    } catch (error) {
      throw toDeviceError(error);
    }
  }

  sync(memory: Uint8Array): void {
    this.assertOpen();
    if (!(memory instanceof Uint8Array)) throw new DeviceError(CUDA_ERROR.internal, 'sync has no guest memory');
    try {
      this.context.synchronize();
    } catch (error) {
      this.residency.discard();
      throw toDeviceError(error);
    }
    try {
      this.residency.flush(memory);
    } catch (error) {
      throw toDeviceError(error);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const failures = [...this.residency.dispose(), ...this.context.dispose()];
    if (failures.length > 0) this.log.warn({ device: this.label, failures }, 'CUDA device teardown reported failures');
  }

  /** Copy and allocation counters (tests, benchmarks). */
  stats(): ResidencyStats & { allocations: number; allocatedBytes: number; modules: number } {
    const native = this.context.stats();
    return { ...this.residency.stats(), allocations: native.allocations, allocatedBytes: native.bytes, modules: native.modules };
  }

  private assertOpen(): void {
    if (this.disposed) throw new DeviceError(CUDA_ERROR.not_available, `${this.label} was disposed`);
  }
}

function checkArg(arg: KernelArg, index: number, memoryBytes: number): void {
  if (arg?.kind === 'pointer') {
    if (!isIndex(arg.offset) || !isIndex(arg.length) || arg.offset > 0xffff_ffff || arg.length > 0xffff_ffff) {
      throw new DeviceError(CUDA_ERROR.invalid_pointer, `argument ${index}: pointer window offset and length must be u32 values`);
    }
    if (arg.offset + arg.length > memoryBytes) {
      throw new DeviceError(
        CUDA_ERROR.invalid_pointer,
        `argument ${index}: window [${arg.offset}, ${arg.offset + arg.length}) is outside the guest's ${memoryBytes}-byte memory`,
      );
    }
    return;
  }
  if (arg?.kind === 'scalar') {
    if (!SCALAR_TAGS.has(arg.tag)) throw new DeviceError(CUDA_ERROR.invalid_args, `argument ${index}: unknown scalar tag ${String(arg.tag)}`);
    const expected = arg.tag === 'i32' || arg.tag === 'u32' || arg.tag === 'f32' ? 4 : 8;
    if (!(arg.bytes instanceof Uint8Array) || arg.bytes.length !== expected) {
      throw new DeviceError(CUDA_ERROR.invalid_args, `argument ${index}: ${String(arg.tag)} must be ${expected} bytes`);
    }
    return;
  }
  throw new DeviceError(CUDA_ERROR.invalid_args, `argument ${index} is neither a scalar nor a pointer`);
}
