/**
 * Run events: the one stream every face consumes (CLI `--json`/`--events`, HTTP event stream,
 * workbench IPC). Each carries the run id and a timestamp `t` in ms since the Unix epoch.
 */
import type { ErrorInfo } from './errors.js';
import type { ResultValue } from './values.js';

interface EventBase {
  runId: string;
  t: number;
}

export interface StartedEvent extends EventBase {
  type: 'started';
  moduleHash: string;
  moduleName?: string;
  export?: string;
  device?: string;
}
export interface OutputEvent extends EventBase {
  type: 'stdout' | 'stderr';
  text: string;
}
export interface LaunchEvent extends EventBase {
  type: 'launch';
  /** 1-based sequence number within the run. */
  seq: number;
  kernel: string;
  ptxHash: string;
  grid: [number, number, number];
  block: [number, number, number];
  sharedMemBytes: number;
  /** `ptr(0x1000,4096) ptr(...) u32(1024)` */
  args: string;
  /** Device id and name, e.g. `cpu` or `cuda:0 NVIDIA H100 80GB HBM3`. */
  device: string;
  startMs: number;
  endMs: number;
  kernelMs: number;
  /** How the device ran it, where it has several ways: the CPU device's 'wasm' (the kernel compiled to WebAssembly) or 'js'. */
  backend?: string;
  /** Set when the launch failed: the guest-visible code and message. */
  error?: { code: number; message: string };
  /**
   * Who launched it: absent (or 'wasi-cuda') for a guest's wasi_cuda_launch, 'offload' for a
   * kernel the auto-offload path generated for a promoted loop (then `loopId` names the loop).
   */
  origin?: 'wasi-cuda' | 'offload';
  loopId?: string;
}
export interface BlockProgressEvent extends EventBase {
  type: 'block-progress';
  launchSeq: number;
  completedBlocks: number;
  totalBlocks: number;
}
export interface SyncEvent extends EventBase {
  type: 'sync';
  durationMs: number;
  /** 0, or the guest-visible error code. */
  status: number;
}
export interface OffloadEvent extends EventBase {
  type: 'offload';
  loopId: string;
  function: string;
  action: 'dispatch' | 'fallback' | 'demote' | 'verified';
  reason: string;
  device?: string;
  tripCount?: number;
}
export interface FinishedEvent extends EventBase {
  type: 'finished';
  durationMs: number;
  results?: ResultValue[];
  exitCode?: number;
}
export interface FailedEvent extends EventBase {
  type: 'failed';
  durationMs: number;
  error: ErrorInfo;
}

export type RunEvent =
  | StartedEvent
  | OutputEvent
  | LaunchEvent
  | BlockProgressEvent
  | SyncEvent
  | OffloadEvent
  | FinishedEvent
  | FailedEvent;

export type RunEventType = RunEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event as a producer inside an instance emits it; the engine stamps `runId` and `t`. */
export type RunEventBody = DistributiveOmit<RunEvent, 'runId' | 't'>;
export type EmitRunEvent = (event: RunEventBody) => void;
