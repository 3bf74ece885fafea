/**
 * The engine: loads modules (validated, described, compiled once per memory cap, cached by hash)
 * and runs them in pooled instance workers (or, for a short export that changes nothing, on the
 * calling thread: callInline) under the guide's JSON contract, with a deadline and a
 * memory cap. Every face (CLI, server, Electron) goes through `Engine`.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { DeviceInfo, DeviceSelection } from '../contract/device.js';
import {
  DEFAULT_ENGINE_CONFIG,
  type CallOptions,
  type EngineApi,
  type EngineConfig,
  type InvokeResult,
  type ModuleRef,
  type OffloadSettings,
  type RunResult,
} from '../contract/engine.js';
import { TensorWasmError } from '../contract/errors.js';
import type { ModuleDescription } from '../contract/module.js';
import { resultsToJson, type ResultValue, type WasmValueType } from '../contract/values.js';
import { checkWasiCudaImports } from './cuda/import-check.js';
import { EngineRun } from './engine-run.js';
import { guestErrorInfo } from './instance/guest-error.js';
import { cancelledError, deadlineError, InstancePool, type PoolJob } from './instance/pool.js';
import type { DoneMessage, ModuleInfo, WasiConfig } from './instance/protocol.js';
import { classifyArgs } from './marshal/classify.js';
import { checkArgs, checkResultTypes, type WasmArg } from './marshal/check.js';
import { mapResults } from './marshal/results.js';
import { ModuleCache, type CompiledVariant, type LoadedModule } from './module/cache.js';
import { callableExports } from './module/describe.js';
import { unlinkedImportsError } from './module/host-imports.js';
import { quoteInput } from './marshal/quote.js';
import { recordChildSpan, setupTracingFromEnv } from './telemetry/tracing.js';
import type { offloadVariant as OffloadVariantFn } from './offload/engine-variant.js';

/** The offload rewriter (binaryen, analysis, PTX codegen) loads on the first call that enables offload, never at start-up. */
let offloadVariantFn: Promise<typeof OffloadVariantFn> | undefined;
function loadOffloadVariant(): Promise<typeof OffloadVariantFn> {
  offloadVariantFn ??= import('./offload/engine-variant.js').then((m) => m.offloadVariant);
  return offloadVariantFn;
}

const DEVICE_SELECTIONS: readonly string[] = ['auto', 'cpu', 'cuda'];
const EMPTY_WASI: WasiConfig = Object.freeze({ args: [], env: {}, preopens: {} }) as WasiConfig;

/** Node's timers hold at most 2^31 − 1 ms; a longer deadline would fire at once (TimeoutOverflowWarning). */
export const MAX_DEADLINE_MS = 2 ** 31 - 1;

function deadline(value: number): number {
  positive('deadlineMs', value);
  if (value > MAX_DEADLINE_MS) throw new TensorWasmError('invalid_args', `deadlineMs must be at most ${MAX_DEADLINE_MS} (about 24.8 days), got ${value}`);
  return value;
}

function positive(name: string, value: number, integer = false): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new TensorWasmError('invalid_args', `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}

/** Flag / per-call option > TENSOR_WASM_DEVICE > engine config (runtime/devices/select.ts documents it). */
function selectDevice(explicit: DeviceSelection | undefined, configured: DeviceSelection): DeviceSelection {
  if (explicit) return explicit;
  const env = process.env.TENSOR_WASM_DEVICE?.trim().toLowerCase();
  if (env) {
    if (!DEVICE_SELECTIONS.includes(env)) throw new TensorWasmError('device_unavailable', `TENSOR_WASM_DEVICE=${env} is not a device; use auto, cpu or cuda`);
    return env as DeviceSelection;
  }
  return configured;
}

/** Host directory → guest path (the contract's shape) becomes guest → host for WASI, checked. */
function wasiConfig(options: CallOptions): WasiConfig {
  if (!options.args && !options.env && !options.preopens) return EMPTY_WASI;
  const preopens: Record<string, string> = {};
  for (const [host, guest] of Object.entries(options.preopens ?? {})) {
    let isDir = false;
    try {
      isDir = statSync(host).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) throw new TensorWasmError('invalid_args', `preopen host directory does not exist or is not a directory: ${quoteInput(host)}`);
    if (guest === '') throw new TensorWasmError('invalid_args', `preopen guest path for ${quoteInput(host)} is empty`);
    preopens[guest] = resolve(host);
  }
  return { args: [...(options.args ?? [])], env: { ...(options.env ?? {}) }, preopens };
}

interface Execution {
  entry: LoadedModule;
  mode: 'invoke' | 'run';
  exportName: string;
  args: WasmArg[];
  resultTypes: WasmValueType[];
  options: CallOptions;
}

export class Engine implements EngineApi {
  readonly config: EngineConfig;
  private readonly cache = new ModuleCache();
  private readonly pool: InstancePool;
  private readonly infos = new Map<string, ModuleInfo>();
  /** Device label per selection, resolved once (the CUDA probe opens the driver). */
  private readonly deviceLabels = new Map<DeviceSelection, Promise<string>>();
  /** The same labels once resolved, so a run's `started` event can name the device synchronously. */
  private readonly resolvedDeviceLabels = new Map<DeviceSelection, string>();
  /** The same labels once resolved, so a call need not await (one microtask hop less per call). */
  private readonly resolvedLabels = new Map<DeviceSelection, string>();
  /** The one instance of a compiled module that inline calls run in (callInline). */
  private readonly recycled = new WeakMap<WebAssembly.Module, WebAssembly.Instance>();
  /** Per loaded module: the `invalid_module` error for imports no one provides, or null (host-imports.ts). */
  private readonly linkErrors = new WeakMap<LoadedModule, TensorWasmError | null>();

  constructor(config: Partial<EngineConfig> = {}) {
    this.config = {
      ...DEFAULT_ENGINE_CONFIG,
      ...config,
      offload: { ...DEFAULT_ENGINE_CONFIG.offload, ...(config.offload ?? {}) },
    };
    deadline(this.config.deadlineMs);
    positive('maxMemoryBytes', this.config.maxMemoryBytes);
    positive('poolSize', this.config.poolSize, true);
    if (!Number.isInteger(this.config.maxQueue) || this.config.maxQueue < 0) throw new TensorWasmError('invalid_args', `maxQueue must be a non-negative integer, got ${this.config.maxQueue}`);
    const spinUs = this.config.workerSpinUs;
    if (spinUs !== undefined && !(Number.isFinite(spinUs) && spinUs >= 0)) throw new TensorWasmError('invalid_args', `workerSpinUs must be a non-negative number, got ${spinUs}`);
    this.pool = new InstancePool({ size: this.config.poolSize, maxQueue: this.config.maxQueue, ...(spinUs !== undefined ? { spinUs } : {}) });
    void setupTracingFromEnv();
  }

  /** Starts every pooled worker now rather than on first use. */
  warm(): void {
    this.pool.warm();
  }

  get poolStats(): { workers: number; busy: number; queued: number } {
    return this.pool.stats;
  }

  async load(source: string | Uint8Array, name?: string): Promise<{ ref: ModuleRef; description: ModuleDescription }> {
    const entry = await this.cache.load(source, name ?? (typeof source === 'string' ? basename(source) : undefined));
    if (entry.description.usesWasiCuda) checkWasiCudaImports(entry.description.imports);
    const ref: ModuleRef = entry.name !== undefined ? { hash: entry.hash, name: entry.name } : { hash: entry.hash };
    return { ref, description: entry.description };
  }

  describe(ref: ModuleRef): ModuleDescription {
    return this.entry(ref).description;
  }

  /** The compiled module for a cap (compiling once): the bench's warm-instantiation input. */
  compiled(ref: ModuleRef, maxMemoryBytes = this.config.maxMemoryBytes): Promise<CompiledVariant> {
    return this.cache.compile(this.entry(ref), maxMemoryBytes);
  }

  async invoke(ref: ModuleRef, exportName: string, argsJson: string, options: CallOptions = {}): Promise<InvokeResult> {
    const entry = this.entry(ref);
    const run = this.begin(entry, exportName, options);
    try {
      const exp = entry.exportsByName.get(exportName);
      if (!exp || exp.kind !== 'func' || !exp.signature) throw unknownExport(entry, exportName, exp?.kind);
      checkResultTypes(exportName, exp.signature);
      const args = checkArgs(exportName, exp.signature, classifyArgs(argsJson));
      const done = await this.execute(run, { entry, mode: 'invoke', exportName, args, resultTypes: exp.signature.results, options });
      const results = done.results ?? [];
      run.finish(results, undefined);
      const r = run.common(done) as InvokeResult;
      r.results = results;
      r.resultsJson = resultsToJson(results);
      return r;
    } catch (error) {
      throw run.fail(error);
    }
  }

  async run(ref: ModuleRef, options: CallOptions = {}): Promise<RunResult> {
    const entry = this.entry(ref);
    const run = this.begin(entry, '_start', options);
    try {
      if (entry.description.kind !== 'command') {
        throw new TensorWasmError('unknown_export', `${entry.name !== undefined ? quoteInput(entry.name) : 'the module'} has no _start export (it is a ${entry.description.kind}); call an export instead. Callable exports: ${callableExports(entry.description).join(', ') || 'none'}`, {
          callable: callableExports(entry.description),
        });
      }
      const done = await this.execute(run, { entry, mode: 'run', exportName: '_start', args: [], resultTypes: [], options });
      const exitCode = done.exitCode ?? 0;
      run.finish(undefined, exitCode);
      const r = run.common(done) as RunResult;
      r.exitCode = exitCode;
      return r;
    } catch (error) {
      throw run.fail(error);
    }
  }

  async devices(): Promise<DeviceInfo[]> {
    const { listDevices } = await import('./devices/select.js');
    return listDevices();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private entry(ref: ModuleRef): LoadedModule {
    const entry = this.cache.get(ref.hash);
    if (!entry) throw new TensorWasmError('not_found', `no module with hash ${ref.hash} is loaded`);
    return entry;
  }

  private info(entry: LoadedModule, variant: CompiledVariant, maxMemoryBytes: number): ModuleInfo {
    let info = this.infos.get(variant.key);
    if (!info) {
      const d = entry.description;
      const results: Record<string, WasmValueType[]> = {};
      for (const e of d.exports) if (e.kind === 'func' && e.signature) results[e.name] = e.signature.results;
      info = { key: variant.key, maxMemoryBytes, results, hash: entry.hash, imports: d.imports, kind: d.kind, usesWasi: d.usesWasi, usesWasiCuda: d.usesWasiCuda, ...(entry.inlineCalls.stateFree ? { stateFree: true } : {}), ...(entry.name !== undefined ? { name: entry.name } : {}) };
      this.infos.set(variant.key, info);
    }
    return info;
  }

  /** Event bookkeeping and spans for one engine call. */
  private begin(entry: LoadedModule, exportName: string, options: CallOptions): EngineRun {
    const selection = options.device ?? this.config.device;
    const device = this.resolvedDeviceLabels.get(selection) ?? selection;
    return new EngineRun(options.runId ?? randomUUID(), options, entry.hash, entry.name, exportName, device);
  }

  private deviceLabel(selection: DeviceSelection): Promise<string> {
    let label = this.deviceLabels.get(selection);
    if (!label) {
      label = deviceLabelFor(selection).then((resolved) => {
        this.resolvedLabels.set(selection, resolved);
        return resolved;
      });
      this.deviceLabels.set(selection, label);
    }
    return label;
  }

  private async execute(run: EngineRun, x: Execution): Promise<DoneMessage> {
    const { entry, options } = x;
    // A module that cannot be linked runs nowhere, not even inline (whose placeholders would hide it).
    let linkError = this.linkErrors.get(entry);
    if (linkError === undefined) {
      linkError = unlinkedImportsError(entry.description.imports, entry.name) ?? null;
      this.linkErrors.set(entry, linkError);
    }
    if (linkError) throw TensorWasmError.from(linkError.toJSON());
    const maxMemoryBytes = positive('maxMemoryBytes', options.maxMemoryBytes ?? this.config.maxMemoryBytes);
    const deadlineMs = deadline(options.deadlineMs ?? this.config.deadlineMs);
    const wasi = wasiConfig(options);
    const base = this.cache.compiledSync(entry, maxMemoryBytes) ?? (await this.cache.compile(entry, maxMemoryBytes));
    const offload = options.offload ? { ...this.config.offload, ...options.offload } : this.config.offload;
    // Only guests that can launch kernels need the device resolved (TENSOR_WASM_DEVICE is read here).
    const device = entry.description.usesWasiCuda || offload.enabled ? selectDevice(options.device, this.config.device) : (options.device ?? this.config.device);
    run.device = this.resolvedLabels.get(device) ?? (await this.deviceLabel(device));
    // Auto-offload (issue 5): a variant with promoted loops behind guards, when any were promoted.
    const offloaded = offload.enabled ? await (await loadOffloadVariant())(entry, base.key, maxMemoryBytes, offload) : undefined;
    const variant = offloaded ?? base;
    const info = offloaded ? { ...this.info(entry, base, maxMemoryBytes), key: offloaded.key, offloadPlans: offloaded.plans } : this.info(entry, base, maxMemoryBytes);
    const done =
      x.mode === 'invoke' && !offloaded && this.config.inlineCalls !== false && entry.inlineCalls.exports.has(x.exportName)
        ? this.callInline(variant.module, x, deadlineMs, run)
        : await this.pool.run(this.poolJob(run, x, variant.module, info, { maxMemoryBytes, deadlineMs, wasi, device, offload }));
    if (done.events) for (const event of done.events) run.push(event);
    if (done.timing && run.span) {
      const { startedAt, instantiateMs, callMs } = done.timing;
      const instance = recordChildSpan(run.span, 'tensor-wasm.instance', startedAt, startedAt + instantiateMs + callMs, { 'tensor_wasm.instantiate_ms': instantiateMs });
      recordChildSpan(instance, `tensor-wasm.call ${x.exportName}`, startedAt + instantiateMs, startedAt + instantiateMs + callMs);
    }
    if (!done.ok) throw TensorWasmError.from(done.error ?? { code: 'internal', message: 'the call failed without an error' });
    return done;
  }

  private poolJob(run: EngineRun, x: Execution, compiled: WebAssembly.Module, info: ModuleInfo, c: { maxMemoryBytes: number; deadlineMs: number; wasi: WasiConfig; device: DeviceSelection; offload: OffloadSettings }): PoolJob {
    // Defaults stay out of the message: the worker fills them in (one small postMessage per call).
    const request: PoolJob['request'] = { exportName: x.exportName, args: x.args }; // result types travel in `info`
    if (c.maxMemoryBytes !== info.maxMemoryBytes) request.maxMemoryBytes = c.maxMemoryBytes;
    if (x.mode === 'run') request.mode = 'run';
    if (x.options.onEvent) request.stream = true; // the run id is stamped here on receipt, not sent
    if (run.span?.isRecording()) request.timing = true;
    if (c.wasi !== EMPTY_WASI) request.wasi = c.wasi;
    if (c.device !== 'auto') request.device = c.device;
    if (c.offload.enabled) request.offload = c.offload; // off: the worker's default
    const job: PoolJob = { request, compiled, info, deadlineMs: c.deadlineMs };
    if (x.options.signal) job.signal = x.options.signal;
    if (x.options.onEvent) job.onEvent = run.pusher();
    return job;
  }

  /**
   * A call that inline-calls.ts proved short and changing nothing: on this thread, from the
   * module's one recycled instance (made on first use; only such calls run in it). What it reports
   * is what a worker would have: results or the same error taxonomy, no output (it reaches no
   * import), the same timings for spans.
   */
  private callInline(compiled: WebAssembly.Module, x: Execution, deadlineMs: number, run: EngineRun): DoneMessage {
    if (x.options.signal?.aborted) throw cancelledError(x.options.signal);
    const timing = run.span?.isRecording() === true;
    const t0 = performance.now();
    const done: DoneMessage = { type: 'done', id: 0, ok: false };
    let t1 = t0;
    try {
      let instance = this.recycled.get(compiled);
      if (!instance) {
        instance = recycledInstance(compiled, x.entry);
        this.recycled.set(compiled, instance);
      }
      t1 = performance.now();
      const returned = (instance.exports[x.exportName] as (...a: unknown[]) => unknown)(...x.args);
      done.results = mapResults(returned, x.resultTypes) as ResultValue[];
      done.ok = true;
    } catch (error) {
      done.error = guestErrorInfo(error, undefined, x.exportName);
    }
    const t2 = performance.now();
    // The bound makes this a few µs; a deadline shorter than that is still a deadline.
    if (t2 - t0 > deadlineMs) throw deadlineError(deadlineMs);
    if (timing) done.timing = { startedAt: performance.timeOrigin + t0, instantiateMs: t1 - t0, callMs: t2 - t1 };
    return done;
  }
}

/**
 * The instance inline calls share: as instantiation (and a reactor's `_initialize`) leaves it,
 * which is all they ever see. They reach no import, so imports are placeholders that fail loudly.
 */
function recycledInstance(compiled: WebAssembly.Module, entry: LoadedModule): WebAssembly.Instance {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of entry.parsed.imports) {
    (imports[imp.module] ??= {})[imp.name] = () => {
      throw new TensorWasmError('internal', `an inline call reached the import ${imp.module}.${imp.name}`);
    };
  }
  const instance = new WebAssembly.Instance(compiled, imports as WebAssembly.Imports);
  const init = instance.exports._initialize;
  if (entry.description.kind === 'reactor' && typeof init === 'function') (init as () => void)();
  return instance;
}

/**
 * devices/select.ts `deviceLabelFor`, loading only the CUDA probe: select.ts imports both devices
 * (the PTX compiler among them), which a call that launches nothing on this thread never needs, and
 * were most of the files `run` loaded at start-up (issue 18). engine.device-label.test.ts keeps the two equal.
 */
async function deviceLabelFor(selection: DeviceSelection): Promise<string> {
  if (selection === 'cpu') return 'cpu';
  const { probeCuda } = await import('./devices/cuda/probe.js');
  const gpu = probeCuda().devices.find((d) => d.available);
  if (gpu) return `${gpu.id} ${gpu.name}`;
  return selection === 'auto' ? 'cpu' : 'cuda (unavailable)';
}

function unknownExport(entry: LoadedModule, exportName: string, kind: string | undefined): TensorWasmError {
  const callable = callableExports(entry.description);
  const list = callable.length > 0 ? callable.join(', ') : 'none';
  const what = kind === undefined ? `no export named ${quoteInput(exportName)}` : `${quoteInput(exportName)} is a ${kind} export, not a function`;
  return new TensorWasmError('unknown_export', `${what}; callable exports: ${list}`, { callable });
}

export function createEngine(config: Partial<EngineConfig> = {}): Engine {
  return new Engine(config);
}
