/**
 * Messages between the engine (main thread) and an instance worker. The hot path is one `call`
 * message in and one `done` message out; the compiled module and its static facts travel only the
 * first time a worker sees that module, and events travel inside `done` unless the caller streams.
 */
import type { DeviceSelection } from '../../contract/device.js';
import type { OffloadSettings } from '../../contract/engine.js';
import type { ErrorInfo } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import type { ImportDescription, ModuleDescription } from '../../contract/module.js';
import type { ResultValue, WasmValueType } from '../../contract/values.js';

/** What a worker needs to know about a module besides its compiled code. */
export interface ModuleInfo {
  /** `<sha256>:<cap pages>`: one compiled variant. */
  key: string;
  hash: string;
  name?: string;
  imports: ImportDescription[];
  kind: ModuleDescription['kind'];
  usesWasi: boolean;
  usesWasiCuda: boolean;
}

export interface WasiConfig {
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
}

export interface CallRequest {
  type: 'call';
  id: number;
  moduleKey: string;
  /** Present the first time this worker is sent this module. */
  module?: { compiled: WebAssembly.Module; info: ModuleInfo };
  /** `run` calls `_start` and reports its exit code; `invoke` calls an export with arguments. */
  mode: 'invoke' | 'run';
  exportName: string;
  args: (number | bigint)[];
  resultTypes: WasmValueType[];
  runId: string;
  /** Post events as they happen (the caller has onEvent); otherwise they ride in `done`. */
  stream: boolean;
  wasi: WasiConfig;
  maxMemoryBytes: number;
  device: DeviceSelection;
  offload: OffloadSettings;
}

export interface EventMessage {
  type: 'event';
  id: number;
  event: RunEvent;
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
  stdout: string;
  stderr: string;
  /** Events not already streamed. */
  events: RunEvent[];
  /** From the wasi:cuda host when the guest used it. */
  device?: string;
  launches: number;
  timing: CallTiming;
}

export type WorkerReply = EventMessage | DoneMessage;
