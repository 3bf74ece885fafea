/**
 * The workbench's operations on top of an engine: modules (examples, uploads, paths, recents),
 * invocations with their events, offload comparisons, runs history, reports and settings.
 * One implementation, two transports: Electron's IPC hub (main/) and the server's workbench
 * routes (server/routes/workbench.ts). Each adds only what is its own (target, dialogs, events wire).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DeviceInfo } from '../contract/device.js';
import type { CallOptions, EngineApi, ModuleRef, OffloadSettings } from '../contract/engine.js';
import { TensorWasmError, toErrorInfo } from '../contract/errors.js';
import type { LaunchEvent, OffloadEvent, RunEvent } from '../contract/events.js';
import { scanArgs } from '../contract/json-args.js';
import type { ModuleDescription } from '../contract/module.js';
import { dispatchMarker, outlierIndices, sampleStats } from '../contract/run-stats.js';
import type {
  CallOverrides,
  CompareRequest,
  CompareResult,
  ComparePoint,
  ExampleInfo,
  ExportedReport,
  InvokeRequest,
  PtxSource,
  LoadedModule,
  OffloadDecision,
  OpenModuleRequest,
  RecentModule,
  ReportFormat,
  RunRecord,
  RunSummary,
  WorkbenchEvent,
  WorkbenchSettings,
} from '../contract/workbench.js';
import { renderReport } from './export.js';
import { buildRunReport } from './report-model.js';
import { RunStore, summarize } from './run-store.js';
import { findPtx } from './ptx-source.js';
import { SettingsStore } from './settings-store.js';

export type OffloadAnalyzer = (bytes: Uint8Array, settings: OffloadSettings) => OffloadDecision[] | Promise<OffloadDecision[]>;

export interface WorkbenchServiceOptions {
  engine: EngineApi;
  dataDir: string;
  engineVersion: string;
  /** assets/examples: holds examples.json and the example modules. */
  examplesDir?: string;
  /** Opening modules by host path: Electron only (a server must never read paths a client names). */
  allowPaths?: boolean;
  analyzeOffload?: OffloadAnalyzer;
  /** Launch events kept per run record; the rest are counted (bounds the history's size). */
  maxStoredLaunches?: number;
  maxRecent?: number;
  /** Applies the log-level setting to the host process. */
  onLogLevel?: (level: WorkbenchSettings['logLevel']) => void;
  /**
   * The host's own limits (a server's --deadline and memory cap): ceilings for every run, whatever
   * the settings or a request's overrides ask for. Settings above them are refused.
   */
  limits?: WorkbenchLimits;
}

export interface WorkbenchLimits {
  maxDeadlineMs: number;
  maxMemoryBytes: number;
}

/** Without a host's limits: the widest the settings allow (24 h, one wasm32 address space). */
export const SETTINGS_CEILINGS: WorkbenchLimits = { maxDeadlineMs: 24 * 3600_000, maxMemoryBytes: 4 * 1024 ** 3 };
const DEVICES: readonly string[] = ['auto', 'cpu', 'cuda'];

interface OpenModule {
  ref: ModuleRef;
  name: string;
  description: ModuleDescription;
  offloadDecisions?: OffloadDecision[];
  offloadNote?: string;
}

const MODULE_ID_RE = /^[0-9a-f]{64}$/;
const MAX_REPETITIONS = 1000;
const MAX_WARMUP = 100;
const MAX_SWEEP_POINTS = 64;

export class WorkbenchService {
  readonly runs: RunStore;
  readonly settings: SettingsStore;
  private readonly modules = new Map<string, OpenModule>();
  private readonly inflight = new Map<string, AbortController>();
  private readonly ptxCache = new Map<string, PtxSource>();
  private readonly listeners = new Set<(event: WorkbenchEvent) => void>();
  private readonly maxStoredLaunches: number;

  constructor(private readonly options: WorkbenchServiceOptions) {
    this.runs = new RunStore(options.dataDir);
    this.settings = new SettingsStore(options.dataDir);
    this.maxStoredLaunches = options.maxStoredLaunches ?? 20_000;
  }

  /** Every event of every run and comparison, one at a time (transports batch them). */
  subscribe(listener: (event: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: WorkbenchEvent): void {
    for (const l of this.listeners) l(event);
  }

  // ── modules ────────────────────────────────────────────────────────────────

  async listExamples(): Promise<ExampleInfo[]> {
    if (!this.options.examplesDir) return [];
    try {
      const list = JSON.parse(await readFile(join(this.options.examplesDir, 'examples.json'), 'utf8')) as ExampleInfo[];
      const present: ExampleInfo[] = [];
      for (const e of list) {
        try {
          await readFile(join(this.options.examplesDir, e.fileName));
          present.push(e);
        } catch {
          // Listed but not built/copied yet: not offered.
        }
      }
      return present;
    } catch {
      return [];
    }
  }

  private recentPath(): string {
    return join(this.options.dataDir, 'recent.json');
  }

  async listRecent(): Promise<RecentModule[]> {
    try {
      return JSON.parse(await readFile(this.recentPath(), 'utf8')) as RecentModule[];
    } catch {
      return [];
    }
  }

  private async remember(entry: RecentModule): Promise<void> {
    const list = (await this.listRecent()).filter((r) => r.moduleId !== entry.moduleId);
    list.unshift(entry);
    await mkdir(this.options.dataDir, { recursive: true });
    await writeFile(this.recentPath(), JSON.stringify(list.slice(0, this.options.maxRecent ?? 12), null, 2));
  }

  private moduleFile(moduleId: string): string {
    if (!MODULE_ID_RE.test(moduleId)) throw new TensorWasmError('invalid_args', `module id must be a sha256 in hex; got '${moduleId.slice(0, 80)}'`);
    return join(this.options.dataDir, 'modules', `${moduleId}.wasm`);
  }

  async openModule(request: OpenModuleRequest): Promise<LoadedModule> {
    let bytes: Uint8Array;
    let name: string;
    let recent: Omit<RecentModule, 'moduleId' | 'openedAt'>;
    switch (request?.kind) {
      case 'bytes': {
        if (!(request.bytes instanceof Uint8Array)) throw new TensorWasmError('invalid_args', 'module bytes must be a Uint8Array');
        bytes = request.bytes;
        name = basename(String(request.name || 'module.wasm'));
        recent = { name };
        break;
      }
      case 'example': {
        const example = (await this.listExamples()).find((e) => e.id === request.id);
        if (!example || !this.options.examplesDir) throw new TensorWasmError('not_found', `no bundled example '${request.id}'`);
        bytes = new Uint8Array(await readFile(join(this.options.examplesDir, example.fileName)));
        name = basename(example.fileName);
        recent = { name, exampleId: example.id };
        break;
      }
      case 'path': {
        if (!this.options.allowPaths) throw new TensorWasmError('invalid_args', 'this target opens modules by upload, not by path');
        try {
          bytes = new Uint8Array(await readFile(request.path));
        } catch (error) {
          throw new TensorWasmError('not_found', `cannot read '${request.path}': ${(error as Error).message}`);
        }
        name = basename(request.path);
        recent = { name, path: request.path };
        break;
      }
      case 'recent': {
        const entry = (await this.listRecent()).find((r) => r.moduleId === request.moduleId);
        try {
          bytes = new Uint8Array(await readFile(this.moduleFile(request.moduleId)));
        } catch (error) {
          if (error instanceof TensorWasmError) throw error;
          throw new TensorWasmError('not_found', `module ${request.moduleId.slice(0, 12)}… is no longer in the data directory`);
        }
        name = entry?.name ?? `${request.moduleId.slice(0, 12)}.wasm`;
        recent = { name, ...(entry?.path ? { path: entry.path } : {}), ...(entry?.exampleId ? { exampleId: entry.exampleId } : {}) };
        break;
      }
      default:
        throw new TensorWasmError('invalid_args', "open request kind must be 'bytes', 'example', 'path' or 'recent'");
    }
    if (bytes.length === 0) throw new TensorWasmError('invalid_module', `${name.slice(0, 120)} is empty (0 bytes): a WebAssembly module starts with the 8 bytes \\0asm and its version`);
    const loaded = await this.load(bytes, name);
    await mkdir(join(this.options.dataDir, 'modules'), { recursive: true });
    await writeFile(this.moduleFile(loaded.moduleId), bytes);
    await this.remember({ ...recent, moduleId: loaded.moduleId, openedAt: Date.now() });
    return loaded;
  }

  private async load(bytes: Uint8Array, name: string): Promise<LoadedModule> {
    const { ref, description } = await this.options.engine.load(bytes, name);
    const open: OpenModule = { ref, name, description };
    if (this.options.analyzeOffload) {
      try {
        open.offloadDecisions = await this.options.analyzeOffload(bytes, (await this.settings.get()).offload);
      } catch (error) {
        open.offloadNote = `offload analysis failed: ${toErrorInfo(error).message}`;
      }
    } else {
      open.offloadNote = 'the auto-offload analyser is not available on this target';
    }
    this.modules.set(ref.hash, open);
    return this.toLoaded(open);
  }

  private toLoaded(open: OpenModule): LoadedModule {
    const loaded: LoadedModule = { moduleId: open.ref.hash, name: open.name, description: open.description };
    if (open.offloadDecisions) loaded.offloadDecisions = open.offloadDecisions;
    if (open.offloadNote) loaded.offloadNote = open.offloadNote;
    return loaded;
  }

  /** A module opened in this process, or reloaded from the data directory (after a restart). */
  private async module(moduleId: string): Promise<OpenModule> {
    const open = this.modules.get(moduleId);
    if (open) return open;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.moduleFile(moduleId)));
    } catch (error) {
      if (error instanceof TensorWasmError) throw error;
      throw new TensorWasmError('not_found', `module ${moduleId.slice(0, 12)}… is not open; open it again`);
    }
    const entry = (await this.listRecent()).find((r) => r.moduleId === moduleId);
    await this.load(bytes, entry?.name ?? `${moduleId.slice(0, 12)}.wasm`);
    return this.modules.get(moduleId)!;
  }

  // ── invocations ────────────────────────────────────────────────────────────

  /** The limits every run is held to. */
  get limits(): WorkbenchLimits {
    return this.options.limits ?? SETTINGS_CEILINGS;
  }

  /**
   * What a run gets: the settings, then the request's overrides, each limit capped at the host's
   * ceiling (a client may lower a limit, never raise it). The returned settings are the values
   * applied, which the run record keeps.
   */
  private async callOptions(request: Pick<InvokeRequest, 'runId' | 'overrides' | 'wasiArgs'>, signal: AbortSignal, onEvent: (e: RunEvent) => void): Promise<{ options: CallOptions; settings: WorkbenchSettings }> {
    // Presets are the UI's, not the run's: a run record keeps only what applied to the call.
    const { presets: _presets, ...settings } = await this.settings.get();
    const o = checkOverrides(request.overrides);
    const { maxDeadlineMs, maxMemoryBytes } = this.limits;
    const applied: WorkbenchSettings = {
      ...settings,
      deadlineMs: Math.min(o.deadlineMs ?? settings.deadlineMs, maxDeadlineMs),
      maxMemoryBytes: Math.min(o.maxMemoryBytes ?? settings.maxMemoryBytes, maxMemoryBytes),
      device: o.device ?? settings.device,
      offload: { ...settings.offload, ...(o.offload ?? {}) },
    };
    const options: CallOptions = {
      runId: request.runId,
      deadlineMs: applied.deadlineMs,
      maxMemoryBytes: applied.maxMemoryBytes,
      device: applied.device,
      offload: applied.offload,
      onEvent,
      signal,
    };
    if (request.wasiArgs) options.args = request.wasiArgs;
    return { options, settings: applied };
  }

  async invoke(request: InvokeRequest, emitEvents = true): Promise<RunRecord> {
    if (typeof request !== 'object' || request === null) throw new TensorWasmError('invalid_args', 'invoke needs a request object');
    RunStore.checkRunId(request.runId);
    if (typeof request.exportName !== 'string' || request.exportName === '') throw new TensorWasmError('invalid_args', 'invoke needs an export name');
    // Checked before the run is registered as in flight, so a refused request leaves nothing behind.
    checkOverrides(request.overrides);
    if (this.inflight.has(request.runId)) throw new TensorWasmError('invalid_args', `run '${request.runId}' is already running`);
    const open = await this.module(request.moduleId);
    const controller = new AbortController();
    this.inflight.set(request.runId, controller);
    const launches: LaunchEvent[] = [];
    const offloadEvents: OffloadEvent[] = [];
    let dropped = 0;
    let stdout = '';
    let stderr = '';
    let device: string | undefined;
    const onEvent = (event: RunEvent) => {
      if (event.type === 'launch') {
        if (launches.length < this.maxStoredLaunches) launches.push(event);
        else dropped++;
      } else if (event.type === 'offload') offloadEvents.push(event);
      else if (event.type === 'stdout') stdout += event.text;
      else if (event.type === 'stderr') stderr += event.text;
      else if (event.type === 'started' && event.device) device = event.device;
      if (emitEvents) this.emit({ kind: 'run', event });
    };
    const { options, settings } = await this.callOptions(request, controller.signal, onEvent);
    const startedAt = Date.now();
    const t0 = performance.now();
    const record: RunRecord = {
      runId: request.runId,
      moduleId: open.ref.hash,
      moduleName: open.name,
      exportName: request.exportName,
      argsJson: request.exportName === '_start' ? JSON.stringify(request.wasiArgs ?? []) : request.argsJson,
      startedAt,
      durationMs: 0,
      status: 'ok',
      device: '',
      stdout: '',
      stderr: '',
      launches,
      launchesDropped: 0,
      offloadEvents,
      settings,
      engineVersion: this.options.engineVersion,
    };
    try {
      const runsStart = request.exportName === '_start' && open.description.kind === 'command';
      const result = runsStart ? await this.options.engine.run(open.ref, options) : await this.options.engine.invoke(open.ref, request.exportName, request.argsJson, options);
      // Engines that only return events (no onEvent calls) still fill the record.
      if (launches.length === 0 && offloadEvents.length === 0) for (const e of result.events) if (e.type === 'launch' || e.type === 'offload') onEvent(e);
      record.durationMs = result.durationMs;
      // A run with launches names the device that ran them, even where the engine reports the selection.
      record.device = result.device === 'auto' && launches[0] ? launches[0].device : result.device;
      record.stdout = result.stdout || stdout;
      record.stderr = result.stderr || stderr;
      if ('resultsJson' in result) record.resultsJson = result.resultsJson;
      if ('exitCode' in result) record.exitCode = result.exitCode;
    } catch (error) {
      const info = toErrorInfo(error);
      record.error = info;
      record.status = info.code === 'cancelled' ? 'cancelled' : 'failed';
      record.durationMs = performance.now() - t0;
      record.device = device ?? settings.device;
      record.stdout = stdout;
      record.stderr = stderr;
    } finally {
      this.inflight.delete(request.runId);
    }
    record.launchesDropped = dropped;
    if (emitEvents) {
      await this.runs.save(record);
      this.emit({ kind: 'run-recorded', summary: summarize(record) });
    }
    return record;
  }

  async cancel(id: string): Promise<void> {
    this.inflight.get(String(id))?.abort(new TensorWasmError('cancelled', 'cancelled from the workbench'));
  }

  // ── offload comparison ─────────────────────────────────────────────────────

  async compareOffload(request: CompareRequest): Promise<CompareResult> {
    RunStore.checkRunId(request.compareId);
    const reps = request.repetitions;
    if (!Number.isInteger(reps) || reps < 1 || reps > MAX_REPETITIONS) throw new TensorWasmError('invalid_args', `repetitions must be an integer from 1 to ${MAX_REPETITIONS}; got ${reps}`);
    const warmup = request.warmup ?? 1;
    if (!Number.isInteger(warmup) || warmup < 0 || warmup > MAX_WARMUP) throw new TensorWasmError('invalid_args', `warmup must be an integer from 0 to ${MAX_WARMUP}; got ${String(warmup).slice(0, 40)}`);
    const argSets = sweepArgs(request);
    const open = await this.module(request.moduleId);
    if (this.inflight.has(request.compareId)) throw new TensorWasmError('invalid_args', `comparison '${request.compareId}' is already running`);
    const controller = new AbortController();
    this.inflight.set(request.compareId, controller);
    // Cancelling the comparison also ends the run in progress, not only the ones after it.
    let currentRun: string | undefined;
    controller.signal.addEventListener('abort', () => currentRun && void this.cancel(currentRun));
    const total = argSets.length * (reps + warmup) * 2;
    let completed = 0;
    const startedAt = Date.now();
    const t0 = performance.now();
    const result: CompareResult = { compareId: request.compareId, moduleId: request.moduleId, exportName: request.exportName, repetitions: reps, warmup, points: [], outputsEqual: true, cancelled: false };
    let settings: WorkbenchSettings | undefined;
    try {
      for (const set of argSets) {
        const point: ComparePoint = {
          argsJson: set.argsJson,
          offloadMs: [],
          fallbackMs: [],
          offload: sampleStats([]),
          fallback: sampleStats([]),
          speedup: NaN,
          outputsEqual: true,
          offloadActions: [],
          warmupOffloadMs: [],
          warmupFallbackMs: [],
        };
        if (set.size !== undefined) point.size = set.size;
        const actions = new Set<string>();
        for (let i = 0; i < warmup + reps; i++) {
          const warming = i < warmup;
          // Alternate the order so neither side always runs on a warmer cache.
          const order: boolean[] = i % 2 === 0 ? [true, false] : [false, true];
          for (const enabled of order) {
            if (controller.signal.aborted) throw new TensorWasmError('cancelled', 'comparison cancelled');
            currentRun = `${request.compareId}-${completed}`;
            const run = await this.invoke(
              { runId: currentRun, moduleId: request.moduleId, exportName: request.exportName, argsJson: set.argsJson, overrides: { offload: { enabled } } },
              false,
            );
            settings ??= run.settings;
            if (run.status !== 'ok') throw TensorWasmError.from(run.error ?? { code: 'internal', message: 'run failed' });
            if (warming) (enabled ? point.warmupOffloadMs! : point.warmupFallbackMs!).push(run.durationMs);
            else (enabled ? point.offloadMs : point.fallbackMs).push(run.durationMs);
            const out = run.resultsJson ?? `exit ${run.exitCode}`;
            if (enabled) {
              for (const e of run.offloadEvents) actions.add(e.action);
              if (point.offloadResultsJson === undefined) {
                point.offloadResultsJson = out;
                point.offloadDevice = run.device;
                point.offloadActions = [...new Set(run.offloadEvents.map((e) => `${e.action} ${e.loopId}: ${e.reason}`))];
              } else if (point.offloadResultsJson !== out) point.outputsEqual = false;
            } else if (point.fallbackResultsJson === undefined) point.fallbackResultsJson = out;
            else if (point.fallbackResultsJson !== out) point.outputsEqual = false;
            completed++;
            this.emit({ kind: 'compare-progress', compareId: request.compareId, completed, total });
          }
        }
        point.outputsEqual &&= point.offloadResultsJson === point.fallbackResultsJson;
        point.offload = sampleStats(point.offloadMs);
        point.fallback = sampleStats(point.fallbackMs);
        point.offloadOutliers = outlierIndices(point.offloadMs);
        point.fallbackOutliers = outlierIndices(point.fallbackMs);
        point.dispatch = dispatchMarker(actions);
        point.speedup = point.fallback.median / point.offload.median;
        result.points.push(point);
        result.outputsEqual &&= point.outputsEqual;
      }
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code === 'cancelled' || controller.signal.aborted) result.cancelled = true;
      else result.error = info;
    } finally {
      this.inflight.delete(request.compareId);
    }
    // Kept in Runs like any run: listed, reopened, exported (JSON, HTML).
    const record: RunRecord = {
      runId: request.compareId,
      moduleId: open.ref.hash,
      moduleName: open.name,
      exportName: request.exportName,
      argsJson: request.argsJson,
      startedAt,
      durationMs: performance.now() - t0,
      status: result.cancelled ? 'cancelled' : result.error ? 'failed' : 'ok',
      device: result.points[0]?.offloadDevice ?? '',
      stdout: '',
      stderr: '',
      launches: [],
      launchesDropped: 0,
      offloadEvents: [],
      settings: settings ?? (await this.callOptions({ runId: request.compareId }, controller.signal, () => {})).settings,
      engineVersion: this.options.engineVersion,
      comparison: result,
    };
    if (result.error) record.error = result.error;
    await this.runs.save(record);
    this.emit({ kind: 'run-recorded', summary: summarize(record) });
    return result;
  }

  // ── history, reports, settings, devices ───────────────────────────────────

  listRuns(): Promise<RunSummary[]> {
    return this.runs.list();
  }

  getRun(runId: string): Promise<RunRecord> {
    return this.runs.get(runId);
  }

  deleteRun(runId: string): Promise<void> {
    return this.runs.delete(runId);
  }

  async exportReport(runId: string, format: ReportFormat): Promise<ExportedReport> {
    const record = await this.runs.get(runId);
    const open = this.modules.get(record.moduleId);
    const report = buildRunReport(record, {
      ...(open ? { moduleSizeBytes: open.description.sizeBytes } : {}),
      ...(open?.offloadDecisions ? { offloadDecisions: open.offloadDecisions } : {}),
      ...(record.comparison ? { comparison: record.comparison } : {}),
    });
    return renderReport(report, format);
  }

  /** The settings, with the limits shown as runs get them (never above the host's ceilings). */
  async getSettings(): Promise<WorkbenchSettings> {
    return this.capped(await this.settings.get());
  }

  async updateSettings(patch: Partial<WorkbenchSettings>): Promise<WorkbenchSettings> {
    const { maxDeadlineMs, maxMemoryBytes } = this.limits;
    const p = (typeof patch === 'object' && patch !== null ? patch : {}) as Partial<WorkbenchSettings>;
    if (typeof p.deadlineMs === 'number' && p.deadlineMs > maxDeadlineMs) {
      throw new TensorWasmError('invalid_args', `setting 'deadlineMs' must be at most ${maxDeadlineMs} ms (this host's deadline); got ${p.deadlineMs}`, { limit: 'deadline_ms', limitValue: maxDeadlineMs });
    }
    if (typeof p.maxMemoryBytes === 'number' && p.maxMemoryBytes > maxMemoryBytes) {
      throw new TensorWasmError('invalid_args', `setting 'maxMemoryBytes' must be at most ${maxMemoryBytes} bytes (this host's memory cap); got ${p.maxMemoryBytes}`, { limit: 'max_memory_bytes', limitValue: maxMemoryBytes });
    }
    const next = await this.settings.update(patch);
    this.options.onLogLevel?.(next.logLevel);
    return this.capped(next);
  }

  private capped(settings: WorkbenchSettings): WorkbenchSettings {
    const { maxDeadlineMs, maxMemoryBytes } = this.limits;
    if (settings.deadlineMs <= maxDeadlineMs && settings.maxMemoryBytes <= maxMemoryBytes) return settings;
    return { ...settings, deadlineMs: Math.min(settings.deadlineMs, maxDeadlineMs), maxMemoryBytes: Math.min(settings.maxMemoryBytes, maxMemoryBytes) };
  }

  /** The PTX a launch ran, looked up by its hash in the module's own bytes (cached per module and hash). */
  async getPtx(moduleId: string, ptxHash: string): Promise<PtxSource> {
    if (typeof ptxHash !== 'string' || !/^[0-9a-f]{64}$/.test(ptxHash)) throw new TensorWasmError('invalid_args', 'a PTX hash is a sha256 in hex (64 characters)');
    const key = `${moduleId}:${ptxHash}`;
    const cached = this.ptxCache.get(key);
    if (cached) return cached;
    await this.module(moduleId); // not_found for a module this service never opened
    const bytes = new Uint8Array(await readFile(this.moduleFile(moduleId)));
    const text = findPtx(bytes, ptxHash);
    if (text === undefined) throw new TensorWasmError('not_found', `the module does not embed the PTX ${ptxHash.slice(0, 12)}…: kernels auto-offload generates, and PTX a guest builds at run time, are not in the module`);
    const found = { ptxHash, text };
    if (this.ptxCache.size >= 64) this.ptxCache.delete(this.ptxCache.keys().next().value!);
    this.ptxCache.set(key, found);
    return found;
  }

  listDevices(): Promise<DeviceInfo[]> {
    return this.options.engine.devices();
  }

  async close(): Promise<void> {
    for (const c of this.inflight.values()) c.abort(new TensorWasmError('cancelled', 'the workbench is closing'));
    this.listeners.clear();
  }
}

/**
 * A request's overrides, checked whatever transport brought them: positive integers for the
 * limits, a known device, offload settings of the right types, nothing else.
 */
function checkOverrides(overrides: unknown): CallOverrides {
  if (overrides === undefined || overrides === null) return {};
  if (typeof overrides !== 'object' || Array.isArray(overrides)) throw new TensorWasmError('invalid_args', 'overrides must be an object');
  const o = overrides as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !['device', 'deadlineMs', 'maxMemoryBytes', 'offload'].includes(k));
  if (unknown.length > 0) throw new TensorWasmError('invalid_args', `unknown override '${String(unknown[0]).slice(0, 80)}'; accepted: device, deadlineMs, maxMemoryBytes, offload`);
  for (const key of ['deadlineMs', 'maxMemoryBytes'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) > 0)) throw new TensorWasmError('invalid_args', `override '${key}' must be a positive integer`);
  }
  if (o.device !== undefined && !DEVICES.includes(o.device as string)) throw new TensorWasmError('invalid_args', 'override device must be auto, cpu or cuda');
  if (o.offload !== undefined) {
    const off = o.offload as Record<string, unknown>;
    if (typeof off !== 'object' || off === null || Array.isArray(off)) throw new TensorWasmError('invalid_args', 'override offload must be an object');
    const ok =
      Object.keys(off).every((k) => ['enabled', 'tripCountThreshold', 'v128RatioThreshold'].includes(k)) &&
      (off.enabled === undefined || typeof off.enabled === 'boolean') &&
      (off.tripCountThreshold === undefined || (Number.isSafeInteger(off.tripCountThreshold) && (off.tripCountThreshold as number) >= 1)) &&
      (off.v128RatioThreshold === undefined || (typeof off.v128RatioThreshold === 'number' && off.v128RatioThreshold >= 0 && off.v128RatioThreshold <= 1));
    if (!ok) throw new TensorWasmError('invalid_args', 'override offload takes enabled (boolean), tripCountThreshold (integer ≥ 1), v128RatioThreshold (0 to 1)');
  }
  return o as CallOverrides;
}

/** The argument sets of a comparison: the given arguments, or one per swept value. */
export function sweepArgs(request: Pick<CompareRequest, 'argsJson' | 'sweep'>): { argsJson: string; size?: number }[] {
  if (!request.sweep) return [{ argsJson: request.argsJson }];
  const { argIndex, values } = request.sweep;
  if (!Array.isArray(values) || values.length === 0 || values.length > MAX_SWEEP_POINTS) throw new TensorWasmError('invalid_args', `a sweep needs 1 to ${MAX_SWEEP_POINTS} values`);
  const scanned = scanArgs(request.argsJson);
  if (scanned.diagnostics.length) throw new TensorWasmError('invalid_args', scanned.diagnostics[0]!.message);
  const token = scanned.tokens[argIndex];
  if (!token) throw new TensorWasmError('invalid_args', `sweep argument index ${argIndex} is out of range (the call has ${scanned.tokens.length} arguments)`);
  if (token.cls !== 'i32' && token.cls !== 'i64') throw new TensorWasmError('invalid_args', `the swept argument ${argIndex} must be an integer; it is '${token.text}'`);
  return values.map((v) => {
    if (!Number.isSafeInteger(v)) throw new TensorWasmError('invalid_args', `sweep values must be integers; got ${v}`);
    return { size: v, argsJson: request.argsJson.slice(0, token.start) + String(v) + request.argsJson.slice(token.end) };
  });
}
