/**
 * What the engine offers its faces (CLI, server, Electron main). The engine (`runtime/engine.ts`)
 * implements `EngineApi`; faces depend on this shape, not on the engine's internals.
 */
import type { DeviceInfo, DeviceSelection } from './device.js';
import type { ErrorInfo } from './errors.js';
import type { RunEvent } from './events.js';
import type { ModuleDescription } from './module.js';
import type { ResultValue } from './values.js';

export interface OffloadSettings {
  enabled: boolean;
  /** Default 4096 (guide §5). */
  tripCountThreshold: number;
  /** Default 0.5 (guide §5). */
  v128RatioThreshold: number;
  /** First-run check mode: compare kernel results with the fallback's and demote on difference. */
  verify?: boolean;
}

export interface EngineConfig {
  /** Default 30 000 ms. */
  deadlineMs: number;
  /** Default 256 MiB. */
  maxMemoryBytes: number;
  device: DeviceSelection;
  offload: OffloadSettings;
  /** Worker pool size (default: number of cores). */
  poolSize: number;
  /** Max queued instance requests before `queue_full`. */
  maxQueue: number;
  /**
   * How long an instance worker that has just finished a call keeps polling for the next one
   * before it sleeps, in µs (0: it sleeps at once). Waking a sleeping thread is most of a short
   * call's round trip; the worker spins only while calls have recently come that soon after one
   * another (runtime/instance/instance-worker.ts). Default 300.
   */
  workerSpinUs?: number;
  /**
   * Run a call on the calling thread, from one recycled instance, when that is provably the same
   * as a fresh instance in a worker: the export changes nothing (no store, memory.grow,
   * global.set, table change or import call in anything it reaches) and ends within a few
   * thousand instructions (runtime/module/inline-calls.ts). Default true.
   */
  inlineCalls?: boolean;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  deadlineMs: 30_000,
  maxMemoryBytes: 256 * 1024 * 1024,
  device: 'auto',
  offload: { enabled: false, tripCountThreshold: 4096, v128RatioThreshold: 0.5 },
  poolSize: 2,
  maxQueue: 1024,
};

export interface WasiOptions {
  /** argv[1..] for the guest; argv[0] is the module name. */
  args?: string[];
  /** Empty unless given. */
  env?: Record<string, string>;
  /** Host directory → guest path. None unless given. */
  preopens?: Record<string, string>;
}

export interface CallOptions extends WasiOptions {
  deadlineMs?: number;
  maxMemoryBytes?: number;
  device?: DeviceSelection;
  offload?: Partial<OffloadSettings>;
  /** Receives every run event as it happens. */
  onEvent?: (event: RunEvent) => void;
  /** Aborting ends the instance with `cancelled`. */
  signal?: AbortSignal;
  /** Caller-chosen run id (default: a random UUID). */
  runId?: string;
  /** W3C traceparent of the caller's span, so spans nest under a request. */
  traceparent?: string;
}

/** A module the engine has loaded: bytes validated, compiled, cached by hash. */
export interface ModuleRef {
  hash: string;
  name?: string;
}

export interface InvokeResult {
  runId: string;
  results: ResultValue[];
  /** `results` as exact JSON text (i64 exact, NaN/±Infinity as strings). */
  resultsJson: string;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Device that ran the instance's launches (`cpu`, `cuda:0 ...`), or the selected one if none. */
  device: string;
  launches: number;
  events: RunEvent[];
}

export interface RunResult {
  runId: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  device: string;
  launches: number;
  events: RunEvent[];
}

export interface EngineApi {
  /** Loads from a path or bytes; throws `invalid_module` with the reason and offset. */
  load(source: string | Uint8Array, name?: string): Promise<{ ref: ModuleRef; description: ModuleDescription }>;
  describe(ref: ModuleRef): ModuleDescription;
  /** Calls an export with a JSON array given as text (guide §3.1). Rejects with TensorWasmError. */
  invoke(ref: ModuleRef, exportName: string, argsJson: string, options?: CallOptions): Promise<InvokeResult>;
  /** Runs `_start` to completion and reports the exit code. */
  run(ref: ModuleRef, options?: CallOptions): Promise<RunResult>;
  devices(): Promise<DeviceInfo[]>;
  close(): Promise<void>;
}

export type { ErrorInfo };
