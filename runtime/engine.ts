/**
 * The engine: loads modules (validated, described, compiled once per memory cap, cached by hash)
 * and runs them in pooled instance workers under the guide's JSON contract, with a deadline and a
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
  type RunResult,
} from '../contract/engine.js';
import { TensorWasmError, toErrorInfo } from '../contract/errors.js';
import type { RunEvent } from '../contract/events.js';
import type { ModuleDescription } from '../contract/module.js';
import { resultsToJson, type ResultValue, type WasmValueType } from '../contract/values.js';
import { checkWasiCudaImports } from './cuda/import-check.js';
import { InstancePool } from './instance/pool.js';
import type { DoneMessage, ModuleInfo, WasiConfig } from './instance/protocol.js';
import { classifyArgs } from './marshal/classify.js';
import { checkArgs, checkResultTypes, type WasmArg } from './marshal/check.js';
import { ModuleCache, type CompiledVariant, type LoadedModule } from './module/cache.js';
import { callableExports } from './module/describe.js';
import { contextFromTraceparent, getTracer, recordChildSpan, setupTracingFromEnv } from './telemetry/tracing.js';

const DEVICE_SELECTIONS: readonly string[] = ['auto', 'cpu', 'cuda'];
const EMPTY_WASI: WasiConfig = Object.freeze({ args: [], env: {}, preopens: {} }) as WasiConfig;

function nowMs(): number {
  return performance.timeOrigin + performance.now();
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
    if (!isDir) throw new TensorWasmError('invalid_args', `preopen host directory does not exist or is not a directory: ${host}`);
    if (guest === '') throw new TensorWasmError('invalid_args', `preopen guest path for ${host} is empty`);
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

  constructor(config: Partial<EngineConfig> = {}) {
    this.config = {
      ...DEFAULT_ENGINE_CONFIG,
      ...config,
      offload: { ...DEFAULT_ENGINE_CONFIG.offload, ...(config.offload ?? {}) },
    };
    positive('deadlineMs', this.config.deadlineMs);
    positive('maxMemoryBytes', this.config.maxMemoryBytes);
    positive('poolSize', this.config.poolSize, true);
    if (!Number.isInteger(this.config.maxQueue) || this.config.maxQueue < 0) throw new TensorWasmError('invalid_args', `maxQueue must be a non-negative integer, got ${this.config.maxQueue}`);
    this.pool = new InstancePool({ size: this.config.poolSize, maxQueue: this.config.maxQueue });
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
      run.finish({ type: 'finished', results });
      return { ...run.common(done), results, resultsJson: resultsToJson(results) };
    } catch (error) {
      throw run.fail(error);
    }
  }

  async run(ref: ModuleRef, options: CallOptions = {}): Promise<RunResult> {
    const entry = this.entry(ref);
    const run = this.begin(entry, '_start', options);
    try {
      if (entry.description.kind !== 'command') {
        throw new TensorWasmError('unknown_export', `${entry.name ?? 'the module'} has no _start export (it is a ${entry.description.kind}); call an export instead. Callable exports: ${callableExports(entry.description).join(', ') || 'none'}`, {
          callable: callableExports(entry.description),
        });
      }
      const done = await this.execute(run, { entry, mode: 'run', exportName: '_start', args: [], resultTypes: [], options });
      const exitCode = done.exitCode ?? 0;
      run.finish({ type: 'finished', exitCode });
      return { ...run.common(done), exitCode };
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

  private info(entry: LoadedModule, variant: CompiledVariant): ModuleInfo {
    let info = this.infos.get(variant.key);
    if (!info) {
      const d = entry.description;
      info = { key: variant.key, hash: entry.hash, imports: d.imports, kind: d.kind, usesWasi: d.usesWasi, usesWasiCuda: d.usesWasiCuda, ...(entry.name !== undefined ? { name: entry.name } : {}) };
      this.infos.set(variant.key, info);
    }
    return info;
  }

  /** Event bookkeeping and spans for one engine call. */
  private begin(entry: LoadedModule, exportName: string, options: CallOptions) {
    const t0 = performance.now();
    const runId = options.runId ?? randomUUID();
    const events: RunEvent[] = [];
    const push = (event: RunEvent) => {
      events.push(event);
      options.onEvent?.(event);
    };
    const span = getTracer().startSpan(
      exportName === '_start' ? 'tensor-wasm.run' : 'tensor-wasm.invoke',
      { attributes: { 'tensor_wasm.module.hash': entry.hash, 'tensor_wasm.export': exportName, 'tensor_wasm.run_id': runId } },
      contextFromTraceparent(options.traceparent),
    );
    let device: string = options.device ?? this.config.device;
    push({
      type: 'started',
      runId,
      t: nowMs(),
      moduleHash: entry.hash,
      ...(entry.name !== undefined ? { moduleName: entry.name } : {}),
      export: exportName,
      device,
    });
    const elapsed = () => performance.now() - t0;
    return {
      runId,
      events,
      push,
      span,
      setDevice: (d: string) => (device = d),
      common: (done: DoneMessage) => ({
        runId,
        stdout: done.stdout,
        stderr: done.stderr,
        durationMs: elapsed(),
        device: done.device ?? device,
        launches: done.launches,
        events,
      }),
      finish: (body: { type: 'finished'; results?: ResultValue[]; exitCode?: number }) => {
        push({ ...body, runId, t: nowMs(), durationMs: elapsed() });
        span.end();
      },
      fail: (error: unknown): TensorWasmError => {
        const info = toErrorInfo(error);
        const err = error instanceof TensorWasmError ? error : TensorWasmError.from(info);
        push({ type: 'failed', runId, t: nowMs(), durationMs: elapsed(), error: info });
        span.setStatus({ code: 2, message: `${info.code}: ${info.message}` });
        span.end();
        return err;
      },
    };
  }

  private async execute(run: ReturnType<Engine['begin']>, x: Execution): Promise<DoneMessage> {
    const { entry, options } = x;
    const maxMemoryBytes = positive('maxMemoryBytes', options.maxMemoryBytes ?? this.config.maxMemoryBytes);
    const deadlineMs = positive('deadlineMs', options.deadlineMs ?? this.config.deadlineMs);
    const device = selectDevice(options.device, this.config.device);
    run.setDevice(device);
    const wasi = wasiConfig(options);
    const variant = this.cache.compiledSync(entry, maxMemoryBytes) ?? (await this.cache.compile(entry, maxMemoryBytes));
    const info = this.info(entry, variant);
    const done = await this.pool.run({
      request: {
        moduleKey: variant.key,
        mode: x.mode,
        exportName: x.exportName,
        args: x.args,
        resultTypes: x.resultTypes,
        runId: run.runId,
        stream: options.onEvent !== undefined,
        wasi,
        maxMemoryBytes,
        device,
        offload: options.offload ? { ...this.config.offload, ...options.offload } : this.config.offload,
      },
      compiled: variant.module,
      info,
      deadlineMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: run.push } : {}),
    });
    for (const event of done.events) run.push(event);
    const { startedAt, instantiateMs, callMs } = done.timing;
    const instance = recordChildSpan(run.span, 'tensor-wasm.instance', startedAt, startedAt + instantiateMs + callMs, { 'tensor_wasm.instantiate_ms': instantiateMs });
    recordChildSpan(instance, `tensor-wasm.call ${x.exportName}`, startedAt + instantiateMs, startedAt + instantiateMs + callMs);
    if (!done.ok) throw TensorWasmError.from(done.error ?? { code: 'internal', message: 'the call failed without an error' });
    return done;
  }
}

function unknownExport(entry: LoadedModule, exportName: string, kind: string | undefined): TensorWasmError {
  const callable = callableExports(entry.description);
  const list = callable.length > 0 ? callable.join(', ') : 'none';
  const what = kind === undefined ? `no export named "${exportName}"` : `"${exportName}" is a ${kind} export, not a function`;
  return new TensorWasmError('unknown_export', `${what}; callable exports: ${list}`, { callable });
}

export function createEngine(config: Partial<EngineConfig> = {}): Engine {
  return new Engine(config);
}
