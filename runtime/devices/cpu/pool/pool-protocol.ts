import type { MessagePort } from 'node:worker_threads';
import type { WarpKernelInfo } from '../wasm/warp-launch.js';

/** What the block pool sends a worker for one launch (structured clone: the module and the shared memory are shared, not copied). */
export interface PoolTask {
  type: 'run';
  /** The launch's control words (block-runner.ts CTL). */
  ctl: SharedArrayBuffer;
  /** This worker's thread index in the launch (0 is the caller). */
  slot: number;
  /** The kernel's variant importing a shared memory (shared-module.ts). */
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** run()'s arguments after the block range: grid, block, this thread's scratch, window table, kernel parameters. */
  rest: (number | bigint)[];
  total: number;
  chunk: number;
  /** The kernel's bridged instructions' JavaScript sources by import name (js-bridge.ts): the worker rebuilds the functions. */
  bridgeSources: Record<string, string>;
  /** A kernel with warp-level sites: its sites and slot layout (warp-launch.ts pooledWarpRun finishes a block whose lanes diverge). */
  warp?: WarpKernelInfo;
}

/** A failure that is not a trap, sent on the worker's port. */
export interface PoolFailure {
  slot: number;
  message: string;
}

/** Words of a pool member's state (an Int32Array over a SharedArrayBuffer the launching thread makes). */
export const MEMBER = {
  /** Turns 1 once the worker listens for tasks (block-worker.ts). */
  ready: 0,
  /** Turns 1 once the worker has stopped, however it stopped (pool-supervisor.ts). */
  dead: 1,
} as const;

/**
 * How often the supervisor beats (adds 1 to its heartbeat word): a launch that sees neither a beat
 * nor a finished block for a long while knows the supervisor, and with it every worker, is gone
 * (block-pool.ts supervisorSilentFor, pool-launch.ts).
 */
export const SUPERVISOR_BEAT_MS = 200;

/** What the launching thread asks of the supervisor (pool-supervisor.ts). */
export type SupervisorRequest =
  /** Start a block worker listening on `port`, with `state` (MEMBER words) as its ready and dead words. */
  | { type: 'spawn'; id: number; port: MessagePort; state: SharedArrayBuffer }
  /** End worker `id` (it died in a launch, or the pool is discarded). */
  | { type: 'end'; id: number };
