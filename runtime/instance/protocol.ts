/**
 * Messages between the engine (main thread) and an instance worker. The hot path is one `call`
 * message in and one `done` message out; the compiled module and its static facts travel only the
 * first time a worker sees that module, and events travel inside `done` unless the caller streams
 * (then in batched `events` messages, the last batch inside `done`).
 */
import type { DeviceSelection } from '../../contract/device.js';
import type { OffloadSettings } from '../../contract/engine.js';
import type { ErrorInfo } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import type { ImportDescription, ModuleDescription } from '../../contract/module.js';
import type { ResultValue, WasmValueType } from '../../contract/values.js';
import type { LoopPlan } from '../offload/types.js';

/** Claim words per worker are indexed by `seq & CLAIM_MASK` (see CallRequest.seq and pool.ts). */
export const CLAIM_MASK = 1023;
/**
 * The word after the claim words counts the messages the pool has posted to the worker, so a
 * worker spinning for its next call (instance-worker.ts) can watch one shared word instead of
 * polling its port.
 */
export const POSTED_WORD = CLAIM_MASK + 1;

/** What a worker needs to know about a module besides its compiled code. */
export interface ModuleInfo {
  /** `<sha256>:<cap pages>`: one compiled variant. */
  key: string;
  /** The memory cap this variant was made for: a call's default. */
  maxMemoryBytes: number;
  /** Result types of each function export, so calls need not carry them. */
  results?: Record<string, WasmValueType[]>;
  hash: string;
  name?: string;
  imports: ImportDescription[];
  kind: ModuleDescription['kind'];
  usesWasi: boolean;
  usesWasiCuda: boolean;
  /** Nothing a call can change (inline-calls.ts): a worker may keep one instance for every call. */
  stateFree?: boolean;
  /** Auto-offload (issue 5): loops wired to `tensorwasm:offload` imports in this variant. */
  offloadPlans?: LoopPlan[];
}

export interface WasiConfig {
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
}

/**
 * The only message a worker receives (alone, or several in an array, run in order), so it carries
 * no `type` (one property less to clone per call).
 */
export interface CallRequest {
  id: number;
  /** The pool's number for the module variant (its key travels once, in `module`). */
  handle: number;
  /** Present the first time this worker is sent this module. */
  module?: { compiled: WebAssembly.Module; info: ModuleInfo };
  /**
   * The call's claim: claims[seq & CLAIM_MASK] holds `seq` until the worker starts the call (it swaps in
   * 0) or the pool takes it back (-1); the worker skips a call it cannot claim (pool.ts explains).
   */
  seq: number;
  /** What the worker needs once, sent with its first call. */
  setup?: WorkerSetup;
  /** `run` calls `_start` and reports its exit code; `invoke` (the default) calls an export with arguments. */
  mode?: 'invoke' | 'run';
  exportName: string;
  args: (number | bigint)[];
  /** Default: the module info's `results` for the export. */
  resultTypes?: WasmValueType[];
  /** Post events while the call runs, in batches (the caller has onEvent); otherwise they ride in `done`. */
  stream?: boolean;
  /** Reply with instance/call timings (for spans; only asked for when a span is recording). */
  timing?: boolean;
  // The rest is left out when it is the default, to keep the per-call message small (hot path).
  /** Default: no args, empty env, no preopens. */
  wasi?: WasiConfig;
  /** Default: the variant's `maxMemoryBytes`. */
  maxMemoryBytes?: number;
  /** Default `auto`. */
  device?: DeviceSelection;
  /** Default: DEFAULT_ENGINE_CONFIG.offload (off). */
  offload?: OffloadSettings;
}

/** Shared memory and settings a worker gets with its first call (pool.ts, instance-worker.ts). */
export interface WorkerSetup {
  /** The pool's claim words for this worker, and its POSTED_WORD. */
  claims: SharedArrayBuffer;
  /** One word shared by the whole pool: the number of calls dispatched and not done. */
  poolLoad: SharedArrayBuffer;
  /** How long the worker may spin for its next call before it sleeps (µs; 0: never). */
  spinUs: number;
  /** Polls further apart than this mean the spin lost its core (µs; spin-policy.ts's default if absent). */
  spinPreemptedUs?: number;
}

/** A batch of streamed events, in the order they happened (without runId: the engine stamps it). */
export interface EventsMessage {
  type: 'events';
  id: number;
  events: RunEvent[];
}

export interface CallTiming {
  /** ms since the Unix epoch when the worker started on the call. */
  startedAt: number;
  instantiateMs: number;
  callMs: number;
}

export interface DoneMessage {
  type: 'done';
  id: number;
  ok: boolean;
  results?: ResultValue[];
  exitCode?: number;
  error?: ErrorInfo;
  // Left out when empty (hot path).
  stdout?: string;
  stderr?: string;
  /** Events not already posted in `events` messages (all of them unless streaming). */
  events?: RunEvent[];
  /** From the wasi:cuda host when the guest used it. */
  device?: string;
  launches?: number;
  /** When the request asked for it. */
  timing?: CallTiming;
}

/** Sent once, when the worker has loaded and listens: deadlines start from here, not from spawn. */
export interface ReadyMessage {
  type: 'ready';
  id?: undefined;
}

export type WorkerReply = EventsMessage | DoneMessage | ReadyMessage;
