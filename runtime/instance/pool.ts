/**
 * A pool of instance workers. Workers are reused (each call still gets a fresh Wasm instance);
 * the deadline is enforced here, from the main thread, by terminating the worker — which holds
 * even while the guest sits in a long host call — and the slot is refilled on the next dispatch,
 * so the engine keeps serving. Calls beyond the pool wait in a bounded queue (`queue_full`).
 *
 * Deadlines share one timer per pool (armed for the earliest deadline, re-armed lazily when it
 * fires) rather than a setTimeout/clearTimeout pair per call: on a call that takes tens of µs,
 * creating and removing Node's timer list each time was a measurable part of the overhead.
 *
 * Pipelining: a worker may hold up to `pipeline` dispatched calls (it still runs them one at a
 * time, in order), so the next call already sits in its inbox when the current one ends instead
 * of waiting for the main thread to see `done` and post again (a worker wake-up per call). Only the
 * head call of a slot runs; its deadline clock starts when it becomes the head (the previous call's
 * `done` arrived), so a call never pays for its neighbour's time. Killing a worker (deadline,
 * cancel, crash) fails only its head call; the calls pipelined behind it go back to the front of
 * the queue. A pipelined call that is cancelled before it starts is settled at once and left in
 * place as a dead entry (the worker will still run it, ignored): the worker is not killed.
 * Pipelined calls that have not started count against `maxQueue`, like queued ones.
 */
import type { Worker } from 'node:worker_threads';
import { TensorWasmError } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import { startWorker } from '../node/worker-url.js';
import { getLogger } from '../telemetry/logger.js';
import type { CallRequest, DoneMessage, ModuleInfo, WorkerReply } from './protocol.js';

export interface PoolJob {
  /** The call without its id and module payload (the pool adds those). */
  request: Omit<CallRequest, 'id' | 'module' | 'handle'>;
  compiled: WebAssembly.Module;
  info: ModuleInfo;
  deadlineMs: number;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

interface Pending {
  job: PoolJob;
  resolve: (done: DoneMessage) => void;
  reject: (error: TensorWasmError) => void;
  onAbort?: () => void;
}

interface SlotCall {
  id: number;
  pending: Pending;
  /** performance.now() past which the call is ended; Infinity until it starts (worker ready, call at the head). */
  deadlineAt: number;
  /** Only while the worker is still loading (rare: a fresh slot's first call). */
  startup?: NodeJS.Timeout;
  /** Settled already (cancelled before it started): the worker still runs it, its reply is ignored. */
  cancelled?: boolean;
}

interface Slot {
  worker: Worker;
  /** Module keys this worker holds compiled, so they are sent once. */
  modules: Set<string>;
  /** Calls posted to this worker, in order: [0] runs, the rest wait in its inbox. */
  calls: SlotCall[];
  dead: boolean;
  /** The worker has loaded (from source that can take seconds on a busy machine). */
  ready: boolean;
}

export interface PoolOptions {
  size: number;
  maxQueue: number;
  /** Calls one worker may hold at once (1: no pipelining). Default PIPELINE_DEPTH. */
  pipeline?: number;
  /** Starts one worker (tests and the bench may pass their own). */
  spawn?: () => Worker;
}

const log = getLogger({ component: 'instance-pool' });
/** How long a new worker may take to load before its call fails (generous: a loaded CI box). */
const WORKER_STARTUP_MS = 120_000;
/** Node's timers have ms granularity and may fire up to 1 ms early by performance.now(). */
const TIMER_SLACK_MS = 1;
/** Two is enough to hide the worker's wake-up; more only lengthens the wait behind a slow call. */
const PIPELINE_DEPTH = 2;

export function spawnInstanceWorker(): Worker {
  // node:wasi prints an ExperimentalWarning on first use; guests' users should not see it.
  return startWorker(import.meta.url, './instance-worker', { execArgv: ['--disable-warning=ExperimentalWarning'] });
}

export class InstancePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  /** Module variant key → a small number the requests carry instead of the 70-character key. */
  private readonly handles = new Map<string, number>();
  private closed = false;
  private readonly spawn: () => Worker;
  /** The shared deadline timer, armed for `timerAt` (performance.now() ms); ref'd only while calls run. */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Calls running now: the timer keeps the process alive only while this is > 0. */
  private busy = 0;
  private readonly depth: number;

  constructor(private readonly options: PoolOptions) {
    this.spawn = options.spawn ?? spawnInstanceWorker;
    this.depth = Math.max(1, Math.floor(options.pipeline ?? PIPELINE_DEPTH));
  }

  /** Starts every worker now instead of on first use (servers, benchmarks). */
  warm(): void {
    while (this.slots.length < this.options.size) this.addSlot();
  }

  get stats(): { workers: number; busy: number; queued: number } {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.calls.length > 0).length, queued: this.queue.length + this.pipelinedWaiting() };
  }

  run(job: PoolJob): Promise<DoneMessage> {
    return new Promise<DoneMessage>((resolve, reject) => {
      if (this.closed) return reject(new TensorWasmError('cancelled', 'the engine is closed'));
      if (job.signal?.aborted) return reject(cancelledError(job.signal));
      const pending: Pending = { job, resolve, reject };
      const idle = this.idleSlot();
      if (idle) return this.dispatch(idle, pending);
      if (this.queue.length + this.pipelinedWaiting() >= this.options.maxQueue) {
        return reject(new TensorWasmError('queue_full', `the instance queue is full (${this.options.maxQueue} waiting); retry later`, { limit: 'max_queue', limitValue: this.options.maxQueue }));
      }
      if (job.signal) {
        pending.onAbort = () => {
          const i = this.queue.indexOf(pending);
          if (i >= 0) this.queue.splice(i, 1);
          reject(cancelledError(job.signal!));
        };
        job.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      const slot = this.queue.length === 0 ? this.pipelineSlot() : undefined;
      if (slot) return this.dispatch(slot, pending);
      this.queue.push(pending);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    for (const p of this.queue.splice(0)) p.reject(new TensorWasmError('cancelled', 'the engine is closed'));
    await Promise.all(this.slots.splice(0).map((s) => this.kill(s, new TensorWasmError('cancelled', 'the engine is closed'))));
  }

  /** A worker with nothing to do, or a new one while the pool is below size. */
  private idleSlot(): Slot | undefined {
    for (const s of this.slots) if (s.calls.length === 0 && !s.dead) return s;
    return this.slots.length < this.options.size ? this.addSlot() : undefined;
  }

  /** The least-loaded worker with room in its pipeline. */
  private pipelineSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (!s.dead && s.calls.length < this.depth && (!best || s.calls.length < best.calls.length)) best = s;
    return best;
  }

  /** Live calls posted to a worker but not started: they hold a place in the queue's limit. */
  private pipelinedWaiting(): number {
    let n = 0;
    for (const s of this.slots) for (let i = 1; i < s.calls.length; i++) if (!s.calls[i]!.cancelled) n++;
    return n;
  }

  private addSlot(): Slot {
    const worker = this.spawn();
    const slot: Slot = { worker, modules: new Set(), calls: [], dead: false, ready: false };
    worker.unref();
    worker.on('message', (msg: WorkerReply) => this.onMessage(slot, msg));
    worker.on('error', (error) => {
      log.error({ err: error }, 'instance worker crashed');
      void this.kill(slot, new TensorWasmError('internal', `the instance worker crashed: ${error.message}`));
    });
    worker.on('exit', (code) => {
      if (!slot.dead) void this.kill(slot, new TensorWasmError('internal', `the instance worker exited unexpectedly (code ${code})`));
    });
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, pending: Pending): void {
    const { job } = pending;
    if (pending.onAbort) job.signal?.removeEventListener('abort', pending.onAbort);
    const id = this.nextId++;
    const key = job.info.key;
    let handle = this.handles.get(key);
    if (handle === undefined) this.handles.set(key, (handle = this.handles.size + 1));
    // The job's request object is ours: complete it in place rather than copying it (hot path).
    const request = job.request as CallRequest;
    request.id = id;
    request.handle = handle;
    if (!slot.modules.has(key)) {
      request.module = { compiled: job.compiled, info: job.info };
      slot.modules.add(key);
    }
    const call: SlotCall = { id, pending, deadlineAt: Infinity };
    slot.calls.push(call);
    if (slot.calls.length === 1) this.start(slot, call);
    if (this.busy++ === 0) this.timer?.ref();
    if (job.signal) {
      pending.onAbort = () => {
        const at = slot.calls.indexOf(call);
        if (at === 0) void this.kill(slot, cancelledError(job.signal!));
        else if (at > 0) {
          // Not started: settle it now and let the worker skip past it; the worker lives on.
          call.cancelled = true;
          pending.reject(cancelledError(job.signal!));
          this.next();
        }
      };
      job.signal.addEventListener('abort', pending.onAbort, { once: true });
    }
    // Workers stay unref'd: the deadline timer (ref'd while busy > 0) keeps the process alive during a call.
    slot.worker.postMessage(request);
  }

  /** A call reached the head of its slot: its deadline clock starts now (or once the worker has loaded). */
  private start(slot: Slot, call: SlotCall): void {
    if (!slot.ready) {
      call.startup = this.startupTimer(slot);
      return;
    }
    call.deadlineAt = performance.now() + call.pending.job.deadlineMs;
    this.armDeadline(call.deadlineAt);
  }

  /** Makes the shared timer fire no later than `at`; a timer already due sooner is left alone. */
  private armDeadline(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onDeadlineTimer, Math.max(0, at - performance.now()));
    if (this.busy === 0) this.timer.unref();
  }

  /** Ends every call past its deadline, then re-arms for the earliest one still running. */
  private readonly onDeadlineTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const slot of [...this.slots]) {
      const current = slot.calls[0];
      if (!current) continue;
      if (current.deadlineAt - TIMER_SLACK_MS <= now) {
        const { deadlineMs } = current.pending.job;
        void this.kill(slot, new TensorWasmError('deadline_exceeded', `the instance ran past its deadline of ${deadlineMs} ms and was ended`, { limit: 'deadline_ms', limitValue: deadlineMs }));
      } else next = Math.min(next, current.deadlineAt);
    }
    if (next !== Infinity) this.armDeadline(next);
  };

  /** A call's slot is free again: when none is running, the shared timer stops holding the process. */
  private release(): void {
    if (--this.busy === 0) this.timer?.unref();
  }

  private startupTimer(slot: Slot): NodeJS.Timeout {
    return setTimeout(() => {
      void this.kill(slot, new TensorWasmError('internal', `the instance worker did not start within ${WORKER_STARTUP_MS / 1000} s`));
    }, WORKER_STARTUP_MS);
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      const current = slot.calls[0];
      if (current) {
        // The deadline counts from when the worker can run the call (not while it is still loading).
        clearTimeout(current.startup);
        current.startup = undefined;
        this.start(slot, current);
      }
      return;
    }
    const current = slot.calls[0];
    if (!current || msg.id !== current.id) return;
    if (msg.type === 'events') {
      const onEvent = current.pending.job.onEvent;
      if (onEvent && !current.cancelled) for (const event of msg.events) onEvent(event);
      return;
    }
    slot.calls.shift();
    // The worker went straight on to the next call in its inbox: its clock starts now.
    const head = slot.calls[0];
    if (head) this.start(slot, head);
    this.release();
    if (!current.cancelled) {
      const { pending } = current;
      if (pending.onAbort) pending.job.signal?.removeEventListener('abort', pending.onAbort);
      pending.resolve(msg);
    }
    this.next();
  }

  /** Ends a worker (deadline, abort, crash, close), fails its call, and lets the queue move on. */
  private async kill(slot: Slot, error: TensorWasmError): Promise<void> {
    if (slot.dead) return;
    slot.dead = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const [current, ...behind] = slot.calls;
    slot.calls = [];
    if (current) {
      clearTimeout(current.startup);
      this.release();
      if (!current.cancelled) {
        if (current.pending.onAbort) current.pending.job.signal?.removeEventListener('abort', current.pending.onAbort);
        current.pending.reject(error);
      }
    }
    // Calls pipelined behind the one that ended never started: they go back to the front of the queue.
    const requeue: Pending[] = [];
    for (const call of behind) {
      this.release();
      if (call.cancelled) continue;
      const { pending } = call;
      if (pending.onAbort) pending.job.signal?.removeEventListener('abort', pending.onAbort);
      if (this.closed) {
        pending.reject(new TensorWasmError('cancelled', 'the engine is closed'));
        continue;
      }
      if (pending.job.signal) {
        pending.onAbort = () => {
          const i = this.queue.indexOf(pending);
          if (i >= 0) this.queue.splice(i, 1);
          pending.reject(cancelledError(pending.job.signal!));
        };
        pending.job.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      // The request was completed for this worker: its module may not be in the next one's cache.
      const request = pending.job.request as CallRequest;
      request.module = undefined;
      requeue.push(pending);
    }
    if (requeue.length > 0) this.queue.unshift(...requeue);
    this.next();
    // A guest blocked in a host call ends when it returns to JavaScript; nobody waits for that.
    slot.worker.unref();
    await slot.worker.terminate().catch(() => undefined);
  }

  private next(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.idleSlot() ?? this.pipelineSlot();
      if (!slot) return;
      this.dispatch(slot, this.queue.shift()!);
    }
  }
}

function cancelledError(signal: AbortSignal): TensorWasmError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : typeof signal.reason === 'string' ? `: ${signal.reason}` : '';
  return new TensorWasmError('cancelled', `the call was cancelled${reason}`);
}
