/**
 * The `wasi:cuda/host@0.2.0` imports (also served as `@0.1.0`, Craton TensorWasm's earlier ABI
 * name): load_ptx, launch, sync, last_error_len, last_error_copy. One host per Wasm instance; it
 * lives in the instance's worker and calls its device synchronously.
 *
 * Three kinds of failure are kept apart (wasmtime's discipline): a bad call is a negative code the
 * guest sees plus a last-error message; a limit breach (PTX > 8 MiB, > 256 kernels) ends the
 * instance through `terminate`; a host bug is `internal` (-7) and logged.
 */
import { createHash } from 'node:crypto';
import { CUDA_ERROR, CUDA_LIMITS, WASI_CUDA_MODULES, cudaErrorName } from '../../contract/cuda-codes.js';
import { DeviceError, type Device, type DeviceSelection, type KernelArg, type KernelHandle, type LaunchTiming } from '../../contract/device.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { EmitRunEvent, RunEventBody } from '../../contract/events.js';
import { getLogger, type Logger } from '../telemetry/logger.js';
import { createDevice } from '../devices/select.js';
import { CpuDevice } from '../devices/cpu/cpu-device.js';
import { DEFAULT_ENGINE_CONFIG } from '../../contract/engine.js';
import { checkKernelArgs, decodeArgv, hex, summarizeArgs } from './argv.js';
import { CudaCallError } from './call-error.js';
import { guestWindow } from './guest-memory.js';
import { hexDump } from '../telemetry/host-call-log.js';
import { KernelTable } from './kernel-table.js';
import { checkLaunchShape } from './launch-shape.js';

export { checkWasiCudaImports } from './import-check.js';

export interface WasiCudaHostOptions {
  /** The guest's linear memory bytes now (re-read on each call: memory.grow replaces the buffer). */
  memory: () => Uint8Array;
  /** The guest's WebAssembly.Memory behind `memory`, when known (the CPU device then runs kernels compiled to Wasm on it). */
  wasmMemory?: () => WebAssembly.Memory | undefined;
  /** The device is created lazily, on the first wasi:cuda call that needs one. */
  deviceSelection: DeviceSelection;
  /** launch / block-progress / sync events. */
  emit: EmitRunEvent;
  /** Ends the instance with a diagnostic (limit breaches); must not return. */
  terminate: (error: TensorWasmError) => never;
  limits?: Partial<{ maxPtxBytes: number; maxKernels: number }>;
  /**
   * The instance's max_memory_bytes (default: the engine's default): the CPU device's own memory
   * (module .global variables, a launch's .local and .shared) counts against it with the guest's.
   */
  maxMemoryBytes?: number;
  /** Creates the device (tests pass a double; default: runtime/devices/select.ts createDevice). */
  deviceFactory?: (selection: DeviceSelection) => Device;
  /** Minimum ms between block-progress events of one launch (default 50); the last block always reports. */
  progressIntervalMs?: number;
  /**
   * The run's launch numbering, shared with the offload host so `seq` stays unique within a run
   * (default: this host's own count).
   */
  nextLaunchSeq?: () => number;
}

export interface WasiCudaHost {
  /** Entries for 'wasi:cuda/host@0.2.0' and 'wasi:cuda/host@0.1.0'. */
  imports: WebAssembly.Imports;
  /** `cpu` or `cuda:0 NVIDIA H100 80GB HBM3` once a call created the device. */
  deviceLabel(): string | undefined;
  /** wasi_cuda_launch calls so far (one `launch` event each). */
  launchCount(): number;
  dispose(): void;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder();
/** One logger for every host in this thread (a child logger per instance cost a little per call). */
let hostLog: Logger | undefined;

/**
 * sha256 of recently loaded PTX, found again by comparing bytes: a memcmp is far cheaper than
 * hashing, and guests load the same PTX on every call (some several times per call). Small PTX
 * only, so the cache holds at most PTX_HASH_CACHE_BYTES × PTX_HASH_CACHE_ENTRIES.
 */
const PTX_HASH_CACHE_ENTRIES = 8;
const PTX_HASH_CACHE_BYTES = 1 << 20;
const ptxHashes: { text: Uint8Array; hash: string }[] = [];

function ptxHashOf(text: Uint8Array): string {
  for (const cached of ptxHashes) if (cached.text.length === text.length && Buffer.compare(cached.text, text) === 0) return cached.hash;
  const hash = createHash('sha256').update(text).digest('hex');
  if (text.length <= PTX_HASH_CACHE_BYTES) {
    ptxHashes.unshift({ text: text.slice(), hash });
    if (ptxHashes.length > PTX_HASH_CACHE_ENTRIES) ptxHashes.pop();
  }
  return hash;
}

const identity = (code: number): number => code;

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Drops trailing NULs (C guests often pass strlen + 1 or a NUL-terminated embedded PTX) and
 * copies out of a shared memory, which TextDecoder refuses to read.
 */
function trimNuls(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.buffer instanceof SharedArrayBuffer ? bytes.slice(0, end) : bytes.subarray(0, end);
}

export function deviceLabelOf(device: Device): string {
  return device.info.kind === 'cpu' ? device.info.id : `${device.info.id} ${device.info.name}`;
}

export function createWasiCudaHost(options: WasiCudaHostOptions): WasiCudaHost {
  const log = (hostLog ??= getLogger({ component: 'wasi-cuda' }));
  // The level is fixed per process: checked once here, so a launch builds no log arguments at `warn`.
  const debug = log.isLevelEnabled('debug');
  const trace = log.isLevelEnabled('trace');
  const maxPtxBytes = options.limits?.maxPtxBytes ?? CUDA_LIMITS.maxPtxBytes;
  const maxKernels = options.limits?.maxKernels ?? CUDA_LIMITS.maxKernelsPerInstance;
  const progressIntervalMs = options.progressIntervalMs ?? 50;
  const makeDevice = options.deviceFactory ?? createDevice;
  const table = new KernelTable();

  let device: Device | undefined;
  /** deviceLabelOf(device), made once: every launch event carries it. */
  let label: string | undefined;
  let lastError = new Uint8Array(0);
  let launches = 0;
  /** The first device-side launch failure since the last sync: sync reports it, as CUDA does. */
  let pendingLaunchFailure: CudaCallError | undefined;
  let terminated = false;

  const terminate = (error: TensorWasmError): never => {
    terminated = true;
    log.debug({ code: error.code, details: error.details }, error.message);
    options.terminate(error);
    throw error; // terminate must not return; if it does, the instance still ends here
  };

  const getDevice = (): Device => {
    if (device !== undefined) return device;
    try {
      device = makeDevice(options.deviceSelection);
    } catch (error) {
      // An explicit `cuda` on a machine without one: a configuration error the caller must see.
      if (error instanceof TensorWasmError) return terminate(error);
      if (error instanceof DeviceError) throw new CudaCallError('not_available', `the ${options.deviceSelection} device could not start: ${error.message}`);
      throw error;
    }
    if (device instanceof CpuDevice) {
      const memory = options.memory;
      device.setMemoryCap({ capBytes: options.maxMemoryBytes ?? DEFAULT_ENGINE_CONFIG.maxMemoryBytes, guestBytes: () => memory().length });
    }
    label = deviceLabelOf(device);
    log.debug({ device: label }, 'wasi:cuda device created');
    return device;
  };

  const setLastError = (message: string): void => {
    lastError = encoder.encode(message);
  };

  /**
   * Runs one import: maps failures to codes, logs the call and its result at debug. Callers pass
   * `args` only when `debug` is on (they are built for the log line alone).
   */
  const call = <T extends number | bigint>(name: string, args: Record<string, unknown> | undefined, toResult: (code: number) => T, body: () => T): T => {
    try {
      const result = body();
      if (debug) log.debug({ hostCall: `wasi:cuda/host.${name}`, args, result: String(result) }, 'host call');
      return result;
    } catch (error) {
      if (terminated) throw error;
      // a device's limit breach (declarations beyond the memory cap) ends the instance like the host's own
      if (error instanceof TensorWasmError && error.code === 'limit_exceeded') return terminate(error);
      let code: number;
      let message: string;
      if (error instanceof CudaCallError) {
        ({ code, message } = error);
      } else if (error instanceof DeviceError) {
        code = error.cudaCode;
        message = error.message;
      } else {
        code = CUDA_ERROR.internal;
        message = `internal error in the TensorWasm wasi:cuda host during ${name}: ${error instanceof Error ? error.message : String(error)} (a TensorWasm bug, not your kernel's; please report it)`;
        log.error({ hostCall: `wasi:cuda/host.${name}`, err: error }, 'wasi:cuda host failure');
      }
      setLastError(message);
      if (debug) log.debug({ hostCall: `wasi:cuda/host.${name}`, args, result: code, error: cudaErrorName(code), message }, 'host call');
      return toResult(code);
    }
  };

  const traceWindow = (what: string, ptr: number, bytes: Uint8Array): void => {
    if (trace) log.trace({ what, ptr: hex(ptr >>> 0), length: bytes.length, dump: hexDump(bytes, ptr >>> 0) }, `${what} bytes`);
  };

  function loadPtx(ptxPtr: number, ptxLen: number, entryPtr: number, entryLen: number): bigint {
    return call('wasi_cuda_load_ptx', debug ? { ptxPtr, ptxLen, entryPtr, entryLen } : undefined, BigInt, () => {
      const memory = options.memory();
      const ptxBytes = guestWindow(memory, ptxPtr, ptxLen, 'the PTX buffer');
      const entryBytes = guestWindow(memory, entryPtr, entryLen, 'the entry name');
      traceWindow('ptx', ptxPtr, ptxBytes);
      traceWindow('entry', entryPtr, entryBytes);
      if (ptxBytes.length > maxPtxBytes) {
        terminate(
          new TensorWasmError('limit_exceeded', `wasi_cuda_load_ptx was given ${ptxBytes.length} bytes of PTX; the limit max_ptx_bytes is ${maxPtxBytes} bytes per load`, {
            limit: 'max_ptx_bytes',
            limitValue: maxPtxBytes,
          }),
        );
      }
      let entry: string;
      try {
        entry = utf8.decode(trimNuls(entryBytes));
      } catch {
        throw new CudaCallError('invalid_kernel', `the entry name at ${hex(entryPtr >>> 0)} is not valid UTF-8; pass the kernel's name as it appears after .entry in the PTX`);
      }
      if (entry.length === 0) throw new CudaCallError('invalid_kernel', 'the entry name is empty; pass the kernel name as it appears after .entry in the PTX (extern "C" kernels keep their C name)');
      // Hashed without trailing NULs, so a C string and the same PTX without its NUL share a kernel.
      const text = trimNuls(ptxBytes);
      const ptxHash = ptxHashOf(text);
      const cached = table.lookup(ptxHash, entry);
      if (cached !== undefined) {
        if (debug) log.debug({ ptxHash, entry, kernelId: cached }, 'PTX cache hit');
        return BigInt(cached);
      }
      if (table.size >= maxKernels) {
        terminate(
          new TensorWasmError('limit_exceeded', `loading kernel ${entry} would make ${table.size + 1} distinct kernels in this instance; the limit max_kernels is ${maxKernels}`, {
            limit: 'max_kernels',
            limitValue: maxKernels,
          }),
        );
      }
      if (text.length === 0) throw new CudaCallError('malformed_ptx', 'the PTX buffer is empty; pass the bytes of the .ptx file nvcc -ptx wrote');
      let ptx: string;
      try {
        ptx = utf8.decode(text);
      } catch {
        throw new CudaCallError('malformed_ptx', 'the PTX is not text (not valid UTF-8); pass the .ptx file nvcc -ptx wrote, not a cubin or fatbin');
      }
      const kernel = getDevice().loadKernel(ptx, ptxHash, entry);
      const id = table.add(kernel);
      log.debug({ ptxHash, entry, kernelId: id, params: kernel.params.length }, 'kernel loaded');
      return BigInt(id);
    });
  }

  // Progress of the launch in flight; one callback for all launches rather than a closure each.
  let progressSeq = 0;
  let lastProgress = 0;
  const onProgress = (completedBlocks: number, totalBlocks: number): void => {
    const t = performance.now();
    if (completedBlocks < totalBlocks && t - lastProgress < progressIntervalMs) return;
    lastProgress = t;
    options.emit({ type: 'block-progress', launchSeq: progressSeq, completedBlocks, totalBlocks });
  };

  function launch(kernelId: bigint, gx: number, gy: number, gz: number, bx: number, by: number, bz: number, shared: number, argsPtr: number, argsLen: number): number {
    launches++;
    const seq = options.nextLaunchSeq ? options.nextLaunchSeq() : launches;
    const grid: [number, number, number] = [gx, gy, gz];
    const block: [number, number, number] = [bx, by, bz];
    let kernel: KernelHandle | undefined;
    let args: KernelArg[] | undefined;
    let timing: LaunchTiming | undefined;
    const started = nowMs();
    const result = call('wasi_cuda_launch', debug ? { kernelId: String(kernelId), grid, block, shared, argsPtr, argsLen } : undefined, identity, () => {
      kernel = table.get(kernelId);
      if (kernel === undefined) {
        throw new CudaCallError(
          'invalid_kernel',
          `kernel id ${kernelId} was not returned by wasi_cuda_load_ptx in this instance (${table.size} kernel${table.size === 1 ? '' : 's'} loaded, ids 0..${Math.max(0, table.size - 1)}); check load_ptx's result before launching`,
        );
      }
      const dev = getDevice();
      checkLaunchShape(grid, block, shared, dev.info);
      const memory = options.memory();
      const argv = guestWindow(memory, argsPtr, argsLen, 'the argv buffer');
      traceWindow('argv', argsPtr, argv);
      args = decodeArgv(argv);
      checkKernelArgs(args, kernel.params, memory.length, kernel.entry);
      if (trace) for (const arg of args) if (arg.kind === 'pointer') traceWindow('pointer arg', arg.offset, memory.subarray(arg.offset, arg.offset + arg.length));
      progressSeq = seq;
      lastProgress = 0;
      try {
        const wasmMemory = options.wasmMemory?.();
        timing = dev.launch({ kernel, grid, block, sharedMemBytes: shared, args, memory, onProgress, ...(wasmMemory ? { wasmMemory } : {}) });
      } catch (error) {
        // A kernel that failed while running is reported again by the next sync, as on a GPU
        // (where it only surfaces there); a launch the device refused up front is not.
        if (error instanceof DeviceError && error.cudaCode === CUDA_ERROR.launch_failed) pendingLaunchFailure ??= new CudaCallError('launch_failed', error.message);
        throw error;
      }
      return 0;
    });
    const ended = nowMs();
    const event: RunEventBody = {
      type: 'launch',
      seq,
      kernel: kernel?.entry ?? `<kernel id ${kernelId}>`,
      ptxHash: kernel?.ptxHash ?? '',
      grid,
      block,
      sharedMemBytes: shared,
      args: args !== undefined ? summarizeArgs(args) : `argv(${hex(argsPtr >>> 0)},${argsLen >>> 0})`,
      device: label ?? String(options.deviceSelection),
      startMs: timing?.startMs ?? started,
      endMs: timing?.endMs ?? ended,
      kernelMs: timing?.kernelMs ?? 0,
      ...(timing?.backend ? { backend: timing.backend } : {}),
    };
    if (result !== 0) event.error = { code: result, message: lossyUtf8.decode(lastError) };
    options.emit(event);
    return result;
  }

  function sync(): number {
    const started = performance.now();
    const result = call('wasi_cuda_sync', undefined, identity, () => {
      if (device !== undefined) device.sync(options.memory());
      const failure = pendingLaunchFailure;
      pendingLaunchFailure = undefined;
      if (failure !== undefined) throw failure;
      return 0;
    });
    pendingLaunchFailure = undefined;
    options.emit({ type: 'sync', durationMs: performance.now() - started, status: result });
    return result;
  }

  function lastErrorLen(): number {
    return call('wasi_cuda_last_error_len', undefined, identity, () => lastError.length);
  }

  function lastErrorCopy(ptr: number, len: number): number {
    // A bad destination is reported by the code alone: overwriting the message the guest is
    // trying to read would hide the failure it is asking about.
    const saved = lastError;
    const result = call('wasi_cuda_last_error_copy', debug ? { ptr, len } : undefined, identity, () => {
      const n = Math.min(len >>> 0, lastError.length);
      const dest = guestWindow(options.memory(), ptr, n, 'the last-error destination');
      dest.set(lastError.subarray(0, n));
      return n;
    });
    if (result < 0) lastError = saved;
    return result;
  }

  const functions = {
    wasi_cuda_load_ptx: loadPtx,
    wasi_cuda_launch: launch,
    wasi_cuda_sync: sync,
    wasi_cuda_last_error_len: lastErrorLen,
    wasi_cuda_last_error_copy: lastErrorCopy,
  };
  const imports: WebAssembly.Imports = {};
  for (const module of WASI_CUDA_MODULES) imports[module] = functions;

  return {
    imports,
    deviceLabel: () => (device !== undefined ? label : undefined),
    launchCount: () => launches,
    dispose: () => {
      table.clear();
      const d = device;
      device = undefined;
      label = undefined;
      d?.dispose();
    },
  };
}
