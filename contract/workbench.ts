/**
 * The workbench's one contract: every operation the UI can ask for, and the events it receives.
 * Implemented by the Electron main process (over IPC, through preload/) and by the server's
 * workbench routes (over HTTP + a server-sent event stream). The renderer sees only this.
 * Plain types only: no Node, no DOM, so every side can import it.
 */
import type { DeviceInfo, DeviceSelection } from './device.js';
import type { OffloadSettings } from './engine.js';
import type { ErrorInfo } from './errors.js';
import type { LaunchEvent, OffloadEvent, RunEvent } from './events.js';
import type { ModuleDescription } from './module.js';

export type LogLevelSetting = 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type ThemeSetting = 'system' | 'dark' | 'light';

/** What the person chose in Settings; persisted in the data directory. */
export interface WorkbenchSettings {
  device: DeviceSelection;
  deadlineMs: number;
  maxMemoryBytes: number;
  offload: OffloadSettings;
  logLevel: LogLevelSetting;
  theme: ThemeSetting;
  /** Saved invocations, re-run in one key (Alt+1…9 on the Invoke screen). Absent = none. */
  presets?: InvokePreset[];
}

/**
 * A saved invocation. Presets belong to a module by its file name, not its hash, so they survive
 * a rebuild of the module; a preset naming an export the module no longer has fails as any call
 * to an unknown export does.
 */
export interface InvokePreset {
  moduleName: string;
  name: string;
  exportName: string;
  /** The JSON argument array as typed (for `_start`, unused). */
  argsJson: string;
  /** Program arguments as typed, for `_start` (split the same way as the Invoke screen does). */
  wasiArgs?: string;
}

/** What the settings accept in presets: small enough to keep in settings.json and in every window. */
export const PRESET_LIMITS = { count: 100, nameChars: 80, moduleNameChars: 1024, exportNameChars: 1024, argsJsonChars: 64 * 1024, wasiArgsChars: 4096 } as const;

export const DEFAULT_WORKBENCH_SETTINGS: WorkbenchSettings = {
  device: 'auto',
  deadlineMs: 30_000,
  maxMemoryBytes: 256 * 1024 * 1024,
  offload: { enabled: false, tripCountThreshold: 4096, v128RatioThreshold: 0.5 },
  logLevel: 'warn',
  theme: 'system',
};

/** Where the engine runs: this machine (Electron main, or the server that serves the page) or a remote server. */
export interface TargetInfo {
  kind: 'local' | 'remote';
  /** Shown in the title bar at all times: `this machine (Electron)`, `http://gpu-box:8080`. */
  label: string;
  engineVersion: string;
  /** Whether a native file dialog exists (Electron); otherwise the UI uploads files. */
  nativeDialogs: boolean;
}

/** A bundled example from assets/examples, shown on first start. */
export interface ExampleInfo {
  id: string;
  title: string;
  description: string;
  fileName: string;
  /** Export to preselect and arguments to prefill, so one click runs it. */
  suggestedExport?: string;
  suggestedArgs?: string;
  /** Source files shipped next to it (relative names). */
  sources: string[];
}

export type OpenModuleRequest =
  | { kind: 'bytes'; name: string; bytes: Uint8Array }
  | { kind: 'example'; id: string }
  /** A module opened before (its bytes are kept in the data directory). */
  | { kind: 'recent'; moduleId: string }
  /** A path on the engine's machine: Electron's dialog and recent list only. */
  | { kind: 'path'; path: string };

/** The offload analyser's verdict on one loop (from the auto-offload pass when present). */
export interface OffloadDecision {
  loopId: string;
  function: string;
  promoted: boolean;
  reason: string;
  tripCount?: number;
  v128Ratio?: number;
}

export interface LoadedModule {
  /** The module's sha256: the id every later call names. */
  moduleId: string;
  name: string;
  description: ModuleDescription;
  /** Undefined when the offload analyser is not available on this target. */
  offloadDecisions?: OffloadDecision[];
  /** Why there are no decisions, when there are none. */
  offloadNote?: string;
}

export interface RecentModule {
  name: string;
  /** For modules opened by path (Electron). */
  path?: string;
  exampleId?: string;
  moduleId: string;
  openedAt: number;
}

/** Per-call overrides on top of the settings (the offload comparison turns offload on and off). */
export interface CallOverrides {
  device?: DeviceSelection;
  deadlineMs?: number;
  maxMemoryBytes?: number;
  offload?: Partial<OffloadSettings>;
}

export interface InvokeRequest {
  /** Chosen by the client so it can match events that arrive before the reply. */
  runId: string;
  moduleId: string;
  /** `_start` on a command module runs it (WASI program) instead of calling an export. */
  exportName: string;
  /** A JSON array as text (guide §3.1); ignored for `_start`. */
  argsJson: string;
  /** argv[1..] for WASI programs. */
  wasiArgs?: string[];
  overrides?: CallOverrides;
}

export type RunStatus = 'ok' | 'failed' | 'cancelled';

/** Everything kept about one invocation: what the runs history lists and reports are made from. */
export interface RunRecord {
  runId: string;
  moduleId: string;
  moduleName: string;
  exportName: string;
  argsJson: string;
  startedAt: number;
  durationMs: number;
  status: RunStatus;
  device: string;
  /** Exact JSON text of the results (ok runs of an export). */
  resultsJson?: string;
  /** Exit code of a WASI program run. */
  exitCode?: number;
  error?: ErrorInfo;
  stdout: string;
  stderr: string;
  launches: LaunchEvent[];
  /** Launches beyond the stored cap, counted but not kept. */
  launchesDropped: number;
  offloadEvents: OffloadEvent[];
  settings: WorkbenchSettings;
  engineVersion: string;
  /**
   * Set on the record an offload comparison leaves in the history (its run id is the comparison
   * id): the whole result, so Runs lists it, reopens it and exports it like any run.
   */
  comparison?: CompareResult;
}

export type RunSummary = Pick<
  RunRecord,
  'runId' | 'moduleId' | 'moduleName' | 'exportName' | 'argsJson' | 'startedAt' | 'durationMs' | 'status' | 'device' | 'resultsJson' | 'error'
> & {
  launchCount: number;
  /** Launches that failed on the device (memcheck reports, traps): the run shows as "kernel fault". */
  faultCount?: number;
  /** For a comparison's record: how many points it measured. */
  comparisonPoints?: number;
};

/**
 * What the UI and reports call a run: a run whose call returned but whose kernels faulted is a
 * "kernel fault", not a success (the guest may have ignored the launch's error code).
 */
export type RunDisplayStatus = RunStatus | 'kernel fault';

export function displayStatus(run: { status: RunStatus; faultCount?: number; launches?: readonly { error?: unknown }[] }): RunDisplayStatus {
  const faults = run.faultCount ?? run.launches?.filter((l) => l.error).length ?? 0;
  return run.status === 'ok' && faults > 0 ? 'kernel fault' : run.status;
}

export interface CompareSweep {
  /** Zero-based index of the integer argument to vary. */
  argIndex: number;
  values: number[];
}

export interface CompareRequest {
  compareId: string;
  moduleId: string;
  exportName: string;
  argsJson: string;
  repetitions: number;
  /** Runs of each side before the timed ones, per point: timed apart, excluded from the statistics. Default 1. */
  warmup?: number;
  sweep?: CompareSweep;
}

/** Whether the offload runs of a point dispatched their loop to the device, fell back to the CPU, or both. */
export type DispatchMarker = 'dispatched' | 'fell back' | 'mixed' | 'none';

export interface SampleStats {
  median: number;
  p05: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

export interface ComparePoint {
  /** The swept argument's value, when sweeping. */
  size?: number;
  argsJson: string;
  offloadMs: number[];
  fallbackMs: number[];
  offload: SampleStats;
  fallback: SampleStats;
  /** fallback median / offload median: > 1 means offload is faster. */
  speedup: number;
  outputsEqual: boolean;
  offloadResultsJson?: string;
  fallbackResultsJson?: string;
  offloadDevice?: string;
  /** Offload decisions reported by the offload run (dispatch / fallback / demote). */
  offloadActions: string[];
  /** Warm-up timings (excluded from the statistics above; absent in results saved before they existed). */
  warmupOffloadMs?: number[];
  warmupFallbackMs?: number[];
  /** Indices into offloadMs / fallbackMs of Tukey outliers (beyond 1.5 × IQR from the quartiles); still counted. */
  offloadOutliers?: number[];
  fallbackOutliers?: number[];
  /** What the offload runs did with their loops, over every timed and warm-up offload run of this point. */
  dispatch?: DispatchMarker;
}

export interface CompareResult {
  compareId: string;
  moduleId: string;
  exportName: string;
  repetitions: number;
  warmup?: number;
  points: ComparePoint[];
  outputsEqual: boolean;
  cancelled: boolean;
  error?: ErrorInfo;
}

export type ReportFormat = 'json' | 'html' | 'chrome-trace';

export interface PtxSource {
  ptxHash: string;
  /** The PTX exactly as the guest passed it (ASCII). */
  text: string;
}

export interface ExportedReport {
  fileName: string;
  mimeType: string;
  text: string;
}

/** Everything pushed to the UI, delivered in batches (thousands of launches per second stay smooth). */
export type WorkbenchEvent =
  | { kind: 'run'; event: RunEvent }
  | { kind: 'compare-progress'; compareId: string; completed: number; total: number }
  | { kind: 'run-recorded'; summary: RunSummary };

export type WorkbenchEventListener = (batch: WorkbenchEvent[]) => void;
export type Unsubscribe = () => void;

/**
 * The operations. Every method is one IPC channel `workbench:<method>` (see WORKBENCH_CHANNELS)
 * and one HTTP route under /workbench. Failures reject with an ErrorInfo-shaped error.
 */
export interface WorkbenchApi {
  getTarget(): Promise<TargetInfo>;
  listExamples(): Promise<ExampleInfo[]>;
  listRecent(): Promise<RecentModule[]>;
  openModule(request: OpenModuleRequest): Promise<LoadedModule>;
  /** Electron: shows the native open dialog; resolves null when dismissed. Browser: rejects (the UI uploads instead). */
  pickModule(): Promise<LoadedModule | null>;
  invoke(request: InvokeRequest): Promise<RunRecord>;
  /** Cancels a run or a comparison by its id; unknown ids are ignored. */
  cancel(id: string): Promise<void>;
  compareOffload(request: CompareRequest): Promise<CompareResult>;
  listRuns(): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunRecord>;
  deleteRun(runId: string): Promise<void>;
  exportReport(runId: string, format: ReportFormat): Promise<ExportedReport>;
  getSettings(): Promise<WorkbenchSettings>;
  updateSettings(patch: Partial<WorkbenchSettings>): Promise<WorkbenchSettings>;
  listDevices(): Promise<DeviceInfo[]>;
  /**
   * The PTX text a launch ran (`LaunchEvent.ptxHash`), found in the module that embeds it;
   * `not_found` when the module does not hold it (auto-offload kernels are generated, not embedded).
   */
  getPtx(moduleId: string, ptxHash: string): Promise<PtxSource>;
  /** Subscribes to event batches. Not a request/response call. */
  onEvents(listener: WorkbenchEventListener): Unsubscribe;
}

/** The request/response methods (everything but the event subscription). */
export type WorkbenchMethod = Exclude<keyof WorkbenchApi, 'onEvents'>;

/** One entry per method: the wiring test checks that IPC handlers, preload and HTTP routes cover each. */
export const WORKBENCH_METHODS = [
  'getTarget',
  'listExamples',
  'listRecent',
  'openModule',
  'pickModule',
  'invoke',
  'cancel',
  'compareOffload',
  'listRuns',
  'getRun',
  'deleteRun',
  'exportReport',
  'getSettings',
  'updateSettings',
  'listDevices',
  'getPtx',
] as const satisfies readonly WorkbenchMethod[];

// Compile-time check that WORKBENCH_METHODS names every method, not just some.
type MissingMethods = Exclude<WorkbenchMethod, (typeof WORKBENCH_METHODS)[number]>;
const everyMethodListed: MissingMethods extends never ? true : MissingMethods = true;
void everyMethodListed;

/** IPC channel per method (`domain:verb`), and the one push channel for event batches. */
export const workbenchChannel = (method: WorkbenchMethod): `workbench:${WorkbenchMethod}` => `workbench:${method}`;
export const WORKBENCH_EVENTS_CHANNEL = 'workbench:events';

export type WorkbenchArgs<M extends WorkbenchMethod> = Parameters<WorkbenchApi[M]>;
export type WorkbenchReturn<M extends WorkbenchMethod> = Awaited<ReturnType<WorkbenchApi[M]>>;

/** IPC replies carry errors as values (Electron flattens thrown errors to a message string). */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/**
 * What preload/ exposes as `window.tensorWasm`: one function per method (never a generic channel),
 * each resolving to an IpcReply so error codes survive the context bridge; the renderer unwraps.
 */
export type WorkbenchBridge = {
  [M in WorkbenchMethod]: (...args: WorkbenchArgs<M>) => Promise<IpcReply<WorkbenchReturn<M>>>;
} & { onEvents(listener: WorkbenchEventListener): Unsubscribe };
