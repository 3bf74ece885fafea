/// <reference path="../types/webassembly.d.ts" />
/**
 * Instantiating one guest: imports (WASI, wasi:cuda, imported memories with the cap), the
 * instance, WASI bound to its memory, a reactor's `_initialize`. Everything that decides what a
 * guest is linked against lives in `instantiateGuest`, so the offload transform (issue 5) hooks in
 * here with a small edit.
 */
import type { DeviceSelection } from '../../contract/device.js';
import type { OffloadSettings } from '../../contract/engine.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { EmitRunEvent } from '../../contract/events.js';
import { capPagesFor, memoryLimitError } from '../module/memory-cap.js';
import { WASI_POINTER_ARGS, wrapImportsForLogging } from '../telemetry/host-call-log.js';
import type { Logger } from '../telemetry/logger.js';
import { createGuestWasi, type GuestWasi } from '../wasi/guest-wasi.js';
import { createGuestOffload } from '../offload/instance-hook.js';
import type { OffloadHost } from '../offload/offload-host.js';
import type { WasiCudaHost } from './cuda-bridge.js';
import type { ModuleInfo, WasiConfig } from './protocol.js';

export type CudaBridge = typeof import('./cuda-bridge.js');

export interface GuestContext {
  module: WebAssembly.Module;
  info: ModuleInfo;
  maxMemoryBytes: number;
  device: DeviceSelection;
  offload: OffloadSettings;
  wasi: WasiConfig;
  emit: EmitRunEvent;
  onStdout: (text: string) => void;
  onStderr: (text: string) => void;
  /** Ends the instance with a diagnostic (a host's limit breach); never returns. */
  terminate: (error: TensorWasmError) => never;
  /** Loaded by the worker when the module imports wasi:cuda. */
  cuda?: CudaBridge;
  logger: Logger;
}

export interface Guest {
  instance: WebAssembly.Instance;
  memory: WebAssembly.Memory | undefined;
  wasi?: GuestWasi;
  cudaHost?: WasiCudaHost;
  offloadHost?: OffloadHost;
  dispose(): void;
}

/** Imported memories are created here, with the cap as their maximum. */
function importedMemory(info: ModuleInfo, maxMemoryBytes: number, module: string, name: string): WebAssembly.Memory {
  const desc = info.imports.find((i) => i.kind === 'memory' && i.module === module && i.name === name)!.memory!;
  const capPages = capPagesFor(maxMemoryBytes);
  if (desc.initialPages > capPages) throw memoryLimitError(desc.initialPages, maxMemoryBytes);
  const maximum = Math.min(desc.maximumPages ?? capPages, capPages);
  return new WebAssembly.Memory({ initial: desc.initialPages, maximum, ...(desc.shared ? { shared: true } : {}) } as WebAssembly.MemoryDescriptor);
}

const NO_IMPORTS: WebAssembly.Imports = Object.freeze({}) as WebAssembly.Imports;
const noop = (): void => undefined;

export function instantiateGuest(ctx: GuestContext): Guest {
  const { info } = ctx;
  // Fast path (the bench's add): nothing to link, so no WASI, host or memory set-up at all.
  if (info.imports.length === 0 && !info.offloadPlans?.length) {
    const instance = new WebAssembly.Instance(ctx.module, NO_IMPORTS);
    const exported = instance.exports.memory;
    const init = instance.exports._initialize;
    if (info.kind === 'reactor' && typeof init === 'function') (init as () => void)();
    return { instance, memory: exported instanceof WebAssembly.Memory ? exported : undefined, dispose: noop };
  }
  // Offload hook (issue 5): the engine sent the rewritten variant; its guards call these imports.
  const module = ctx.module;
  const imports: Record<string, Record<string, unknown>> = {};
  let memory: WebAssembly.Memory | undefined;
  const memoryBytes = () => (memory ? new Uint8Array(memory.buffer) : undefined);
  // One launch numbering for the guest's wasi:cuda launches and the offloaded loops' kernels.
  let launchSeq = 0;
  const nextLaunchSeq = (): number => ++launchSeq;
  const offloadHost = info.offloadPlans?.length
    ? createGuestOffload({ moduleKey: info.key, plans: info.offloadPlans, settings: ctx.offload, deviceSelection: ctx.device, memory: () => memoryBytes() ?? new Uint8Array(0), wasmMemory: () => memory, emit: ctx.emit, nextLaunchSeq })
    : undefined;
  if (offloadHost) Object.assign(imports, offloadHost.imports);

  for (const imp of info.imports) {
    if (imp.kind !== 'memory') continue;
    const created = importedMemory(info, ctx.maxMemoryBytes, imp.module, imp.name);
    (imports[imp.module] ??= {})[imp.name] = created;
    memory ??= created;
  }

  let wasi: GuestWasi | undefined;
  if (info.usesWasi) {
    const version = info.imports.some((i) => i.module === 'wasi_snapshot_preview1') ? 'preview1' : 'unstable';
    wasi = createGuestWasi({
      programName: info.name ?? 'module.wasm',
      args: ctx.wasi.args,
      env: ctx.wasi.env,
      preopens: ctx.wasi.preopens,
      version,
      onStdout: ctx.onStdout,
      onStderr: ctx.onStderr,
    });
    const namespace = version === 'preview1' ? 'wasi_snapshot_preview1' : 'wasi_unstable';
    imports[namespace] = { ...wrapImportsForLogging(namespace, wasi.imports, ctx.logger, memoryBytes, WASI_POINTER_ARGS), ...imports[namespace] };
  }

  let cudaHost: WasiCudaHost | undefined;
  if (info.usesWasiCuda) {
    if (!ctx.cuda) throw new TensorWasmError('internal', 'the wasi:cuda host is not loaded');
    cudaHost = ctx.cuda.createWasiCudaHost({
      memory: () => memoryBytes() ?? new Uint8Array(0),
      wasmMemory: () => memory,
      deviceSelection: ctx.device,
      emit: ctx.emit,
      terminate: ctx.terminate,
      maxMemoryBytes: ctx.maxMemoryBytes,
      nextLaunchSeq,
    });
    for (const [ns, fns] of Object.entries(cudaHost.imports)) imports[ns] = { ...(imports[ns] ?? {}), ...(fns as Record<string, unknown>) };
  }

  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  } catch (error) {
    cudaHost?.dispose();
    offloadHost?.dispose();
    throw error;
  }
  const exported = instance.exports.memory;
  if (exported instanceof WebAssembly.Memory) memory = exported;
  if (wasi && memory) wasi.bind(memory);
  const guest: Guest = {
    instance,
    memory,
    ...(wasi ? { wasi } : {}),
    ...(cudaHost ? { cudaHost } : {}),
    ...(offloadHost ? { offloadHost } : {}),
    dispose: () => {
      cudaHost?.dispose();
      offloadHost?.dispose();
    },
  };
  // A reactor is initialised once per instance, before any export is called.
  const init = instance.exports._initialize;
  if (info.kind === 'reactor' && typeof init === 'function') (init as () => void)();
  return guest;
}

/** Raw instantiation with no imports: the bench's baseline for warm instantiation. */
export function instantiateRaw(module: WebAssembly.Module): WebAssembly.Instance {
  return new WebAssembly.Instance(module, {});
}
