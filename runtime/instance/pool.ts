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
 * time, in order), so the next calls already sit in its inbox when the current one ends instead
 * of waiting for the main thread to see `done` and post again. Under load that is most of the cost
 * of a short call: a worker that finds its inbox empty sleeps, and waking it again (and the main
 * thread that then waits on it) costs more CPU than instantiating and running `add`. With two
 * calls per worker the main thread, busy with HTTP, often saw `done` late and the worker had gone
 * to sleep; a deeper inbox keeps it running, so the default is PIPELINE_DEPTH (16).
 *
 * Only the head call of a slot runs; its deadline clock starts when it becomes the head (the
 * previous call's `done` arrived), so a call never pays for its neighbour's time. A deep inbox must
 * not leave calls stuck behind a slow one while another worker could run them, so:
 * - a worker whose head call has run for STALE_MS or more is given no further calls; and
 * - the calls already in its inbox are taken back (the shared timer checks at head start + STALE_MS):
 *   each dispatched call has a claim word in a SharedArrayBuffer the worker shares, holding the
 *   call's sequence number; the worker swaps it to 0 when it starts the call, the pool to -1 when
 *   it takes the call back, and whichever swap finds the number wins. A taken-back call goes to the
 *   front of the queue and the worker skips its message.
 * Killing a worker (deadline, cancel, crash) fails only its head call; the calls pipelined behind
 * it go back to the front of the queue. A pipelined call that is cancelled before it starts is
 * settled at once (and taken back, or, if the worker has started it, left in place as a dead
 * entry whose reply is ignored): the worker is not killed. Pipelined calls that have not started
 * count against `maxQueue`, like queued ones.
 */
import type { Worker } from 'node:worker_threads';
import { TensorWasmError } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import { startWorker } from '../node/worker-url.js';
import { getLogger } from '../telemetry/logger.js';
import { CLAIM_MASK, POSTED_WORD, type CallRequest, type DoneMessage, type ModuleInfo, type WorkerReply } from './protocol.js';

export interface PoolJob {
  /** The call without its id, module payload and claim (the pool adds those). */
  request: Omit<CallRequest, 'id' | 'module' | 'handle' | 'seq' | 'setup'>;
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
  /** Where it is while dispatched (absent while queued): what an abort must undo. */
  slot?: Slot;
  call?: SlotCall;
}

interface SlotCall {
  id: number;
  /** This call's number in its slot (1 ≤ seq < 2^30); its claim word is claims[seq & CLAIM_MASK]. */
  seq: number;
  pending: Pending;
  /** performance.now() when it started (became the head of a ready worker); Infinity before. */
  startedAt: number;
  /** performance.now() past which the call is ended; Infinity until it starts (worker ready, call at the head). */
  deadlineAt: number;
  /** Only while the worker is still loading (rare: a fresh slot's first call). */
  startup?: NodeJS.Timeout;
  /** What is posted to the worker (the job's request, completed for this slot). */
  request: CallRequest;
  /** Settled already (cancelled before it started): the worker still runs it, its reply is ignored. */
  cancelled?: boolean;
  /** Taken back (or cancelled and taken back) while still in the slot's outbox: not to be posted. */
  withdrawn?: boolean;
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
  /** Claim words shared with the worker (see the file comment); sent with its first call. */
  claims: Int32Array;
  claimsSent: boolean;
  /** The last call sequence number given out in this slot. */
  seq: number;
  /** Calls for a busy worker not posted yet: they go together in one message (see `post`). */
  outbox: SlotCall[];
}

export interface PoolOptions {
  size: number;
  maxQueue: number;
  /** Calls one worker may hold at once (1: no pipelining). Default PIPELINE_DEPTH. */
  pipeline?: number;
  /** When a running call counts as slow (its waiting calls are taken back). Default STALE_MS. */
  staleMs?: number;
  /** How long a worker may spin for its next call before sleeping (µs; see instance-worker.ts). Default SPIN_US. */
  spinUs?: number;
  /** A spin that sees two polls further apart than this gives way (µs; spin-policy.ts). Default PREEMPTED_US. */
  spinPreemptedUs?: number;
  /** Starts one worker (tests and the bench may pass their own). */
  spawn?: () => Worker;
}

const log = getLogger({ component: 'instance-pool' });
/** How long a new worker may take to load before its call fails (generous: a loaded CI box). */
const WORKER_STARTUP_MS = 120_000;
/** Node's timers have ms granularity and may fire up to 1 ms early by performance.now(). */
const TIMER_SLACK_MS = 1;
/**
 * The longest delay Node's setTimeout takes (2^31 − 1 ms, ~24.8 days). Past it Node prints a
 * TimeoutOverflowWarning and fires after 1 ms instead; a later deadline is reached by re-arming.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
/** Calls a worker may hold by default: enough that a busy main thread rarely finds it asleep. */
const PIPELINE_DEPTH = 16;
/**
 * A head call running this long is slow: its worker gets no more calls, and those waiting in its
 * inbox are taken back for other workers. Far above a short call (tens of µs), and short enough
 * that a call stuck behind a slow neighbour loses little (Node's timers add up to ~1 ms).
 */
const STALE_MS = 2;
/** Claim words per worker (a power of two): far more than calls one worker can hold at once. */
const CLAIM_WORDS = CLAIM_MASK + 1;
/**
 * A worker's spin window after a call (µs): longer than the main thread usually takes to see a
 * `done` and post the next call of a sequence (~30–100 µs here), short enough that a worker whose
 * calls stop coming wastes little before it sleeps (and it stops spinning until they come close
 * together again).
 */
const SPIN_US = 300;
/** Sequence numbers wrap below 2^30 and never reach 0 (taken) or -1 (taken back). */
const SEQ_LIMIT = 2 ** 30;

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
  /** `busy`, shared with the workers: a worker spins for its next call only while it is the pool's only call. */
  private readonly load = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  private readonly depth: number;
  private readonly staleMs: number;
  private readonly spinUs: number;

  constructor(private readonly options: PoolOptions) {
    this.spawn = options.spawn ?? spawnInstanceWorker;
    this.depth = Math.max(1, Math.floor(options.pipeline ?? PIPELINE_DEPTH));
    this.staleMs = options.staleMs ?? STALE_MS;
    this.spinUs = options.spinUs ?? SPIN_US;
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
      const slot = this.queue.length === 0 ? this.pipelineSlot() : undefined;
      if (slot) return this.dispatch(slot, pending);
      if (job.signal) this.watch(pending);
      this.queue.push(pending);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    for (const p of this.queue.splice(0)) {
      this.unwatch(p);
      p.reject(new TensorWasmError('cancelled', 'the engine is closed'));
    }
    await Promise.all(this.slots.splice(0).map((s) => this.kill(s, new TensorWasmError('cancelled', 'the engine is closed'))));
  }

  /**
   * Calls (queued or dispatched) per abort signal. One 'abort' listener per signal rather than one
   * added and removed per call: the server hands every call of a connection the same signal, and
   * EventTarget's add/remove cost more than a Set's (hot path).
   */
  private readonly watched = new WeakMap<AbortSignal, Set<Pending>>();

  private watch(pending: Pending): void {
    const signal = pending.job.signal!;
    let set = this.watched.get(signal);
    if (!set) {
      const calls = (set = new Set());
      this.watched.set(signal, calls);
      signal.addEventListener(
        'abort',
        () => {
          this.watched.delete(signal);
          for (const p of [...calls]) this.abort(p);
        },
        { once: true },
      );
    }
    set.add(pending);
  }

  private unwatch(pending: Pending): void {
    const signal = pending.job.signal;
    if (signal) this.watched.get(signal)?.delete(pending);
  }

  /** A call's signal aborted: out of the queue, or its worker ended (running), or taken back (waiting). */
  private abort(pending: Pending): void {
    const error = cancelledError(pending.job.signal!);
    const { slot, call } = pending;
    if (!slot || !call) {
      const i = this.queue.indexOf(pending);
      if (i >= 0) this.queue.splice(i, 1);
      pending.reject(error);
      return;
    }
    const at = slot.calls.indexOf(call);
    if (at === 0) void this.kill(slot, error);
    else if (at > 0) {
      // Not started: settle it now; the worker lives on and skips it (or runs it, ignored, if it got there first).
      if (this.takeBack(slot, call)) {
        slot.calls.splice(at, 1);
        call.withdrawn = true;
        this.release();
      } else call.cancelled = true;
      pending.reject(error);
      this.next();
    }
  }

  /** A worker with nothing to do, or a new one while the pool is below size. */
  private idleSlot(): Slot | undefined {
    for (const s of this.slots) if (s.calls.length === 0 && !s.dead) return s;
    return this.slots.length < this.options.size ? this.addSlot() : undefined;
  }

  /** The least-loaded worker with room in its pipeline, leaving out any whose current call is slow. */
  private pipelineSlot(): Slot | undefined {
    let best: Slot | undefined;
    const staleBefore = performance.now() - this.staleMs;
    for (const s of this.slots) {
      if (s.dead || s.calls.length >= this.depth || (best && s.calls.length >= best.calls.length)) continue;
      if (s.calls.length > 0 && s.calls[0]!.startedAt <= staleBefore) continue;
      best = s;
    }
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
    const claims = new Int32Array(new SharedArrayBuffer((CLAIM_WORDS + 1) * Int32Array.BYTES_PER_ELEMENT)); // + POSTED_WORD
    const slot: Slot = { worker, modules: new Set(), calls: [], dead: false, ready: false, claims, claimsSent: false, seq: 0, outbox: [] };
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
    const id = this.nextId++;
    const key = job.info.key;
    let handle = this.handles.get(key);
    if (handle === undefined) this.handles.set(key, (handle = this.handles.size + 1));
    // The job's request object is ours: complete it in place rather than copying it (hot path).
    const request = job.request as CallRequest;
    request.id = id;
    request.handle = handle;
    const seq = (slot.seq = slot.seq + 1 < SEQ_LIMIT ? slot.seq + 1 : 1);
    Atomics.store(slot.claims, seq & CLAIM_MASK, seq);
    request.seq = seq;
    const call: SlotCall = { id, seq, pending, deadlineAt: Infinity, startedAt: Infinity, request };
    slot.calls.push(call);
    if (slot.calls.length === 1) this.start(slot, call);
    else if (slot.calls.length === 2) this.armDeadline(slot.calls[0]!.startedAt + this.staleMs); // Infinity while loading: armDeadline skips it
    if (this.busy++ === 0) this.timer?.ref();
    Atomics.store(this.load, 0, this.busy);
    pending.slot = slot;
    pending.call = call;
    if (job.signal) this.watch(pending); // a no-op when it was watched while queued
    // Workers stay unref'd: the deadline timer (ref'd while busy > 0) keeps the process alive during a call.
    this.post(slot, call);
  }

  /**
   * Posts a call to its worker. A worker with nothing to do gets it at once (it must be woken
   * anyway, and a lone call should not wait). A busy worker's calls are gathered and posted as one
   * message when this turn of the event loop is done (setImmediate): under load the main thread
   * dispatches several calls per turn, and one message for all of them is one structured clone, one
   * message event and at most one wake-up of the worker instead of one each.
   */
  private post(slot: Slot, call: SlotCall): void {
    if (slot.calls.length === 1 && slot.outbox.length === 0) {
      send(slot, this.prepare(slot, call));
      return;
    }
    if (slot.outbox.push(call) === 1) {
      if (this.flushing.push(slot) === 1) setImmediate(this.flush);
    }
  }

  /**
   * The request as this worker needs it: with the module, the first time the worker is sent it, and
   * its setup (claim words, shared load, spin settings) with its first call. Decided when the call is posted, not when it is dispatched,
   * so a call taken back before it was posted never takes them with it.
   */
  private prepare(slot: Slot, call: SlotCall): CallRequest {
    const { request } = call;
    const { job } = call.pending;
    if (!slot.modules.has(job.info.key)) {
      request.module = { compiled: job.compiled, info: job.info };
      slot.modules.add(job.info.key);
    }
    if (!slot.claimsSent) {
      request.setup = { claims: slot.claims.buffer as SharedArrayBuffer, poolLoad: this.load.buffer as SharedArrayBuffer, spinUs: this.spinUs };
      if (this.options.spinPreemptedUs !== undefined) request.setup.spinPreemptedUs = this.options.spinPreemptedUs;
      slot.claimsSent = true;
    }
    return request;
  }

  /** Slots with calls in their outbox. */
  private readonly flushing: Slot[] = [];

  private readonly flush = (): void => {
    for (const slot of this.flushing.splice(0)) {
      const calls = slot.outbox;
      slot.outbox = [];
      if (slot.dead) continue; // killed meanwhile: its calls were failed or queued again
      // Calls taken back before they were posted must not go out: their request now belongs to another slot.
      const requests: CallRequest[] = [];
      for (const call of calls) if (!call.withdrawn) requests.push(this.prepare(slot, call));
      if (requests.length === 1) send(slot, requests[0]!);
      else if (requests.length > 1) send(slot, requests);
    }
  };

  /** A call reached the head of its slot: its deadline clock starts now (or once the worker has loaded). */
  private start(slot: Slot, call: SlotCall): void {
    if (!slot.ready) {
      call.startup = this.startupTimer(slot);
      return;
    }
    call.startedAt = performance.now();
    call.deadlineAt = call.startedAt + call.pending.job.deadlineMs;
    this.armDeadline(slot.calls.length > 1 ? Math.min(call.deadlineAt, call.startedAt + this.staleMs) : call.deadlineAt);
  }

  /** Takes a dispatched call back from its worker's inbox if the worker has not started it. */
  private takeBack(slot: Slot, call: SlotCall): boolean {
    const word = call.seq & CLAIM_MASK;
    return Atomics.compareExchange(slot.claims, word, call.seq, -1) === call.seq;
  }

  /**
   * The head call of `slot` has become slow: the calls waiting behind it that the worker has not
   * started go back to the front of the queue (in order), so other workers can run them.
   */
  private takeBackWaiting(slot: Slot): void {
    const back: Pending[] = [];
    for (let i = slot.calls.length - 1; i >= 1; i--) {
      const call = slot.calls[i]!;
      if (!this.takeBack(slot, call)) break; // the worker is past it, so it is past the ones before it too
      slot.calls.splice(i, 1);
      call.withdrawn = true;
      this.release();
      if (call.cancelled) continue; // settled already
      const { pending } = call;
      this.requeueable(pending);
      back.push(pending);
    }
    if (back.length > 0) this.queue.unshift(...back.reverse());
  }

  /** Prepares a call that was dispatched but not run for the queue again (it stays watched). */
  private requeueable(pending: Pending): void {
    pending.slot = undefined;
    pending.call = undefined;
    // The request was completed for one worker: the next one may lack its module or claim words.
    const request = pending.job.request as CallRequest;
    request.module = undefined;
    request.setup = undefined;
  }

  /** Makes the shared timer fire no later than `at`; a timer already due sooner is left alone. */
  private armDeadline(at: number): void {
    // A call whose worker is still loading has no clock yet (Infinity): nothing to arm.
    if (!Number.isFinite(at)) return;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // Clamped: a deadline beyond Node's timer range fires early, finds nothing due and re-arms.
    this.timer = setTimeout(this.onDeadlineTimer, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, at - performance.now())));
    if (this.busy === 0) this.timer.unref();
  }

  /** Ends every call past its deadline, then re-arms for the earliest one still running. */
  private readonly onDeadlineTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    let tookBack = false;
    for (const slot of [...this.slots]) {
      const current = slot.calls[0];
      if (!current) continue;
      if (current.deadlineAt - TIMER_SLACK_MS <= now) {
        const { deadlineMs } = current.pending.job;
        void this.kill(slot, deadlineError(deadlineMs));
        continue;
      }
      next = Math.min(next, current.deadlineAt);
      if (slot.calls.length > 1) {
        const staleAt = current.startedAt + this.staleMs;
        if (staleAt - TIMER_SLACK_MS <= now) {
          this.takeBackWaiting(slot);
          tookBack = true;
        } else next = Math.min(next, staleAt);
      }
    }
    if (next !== Infinity) this.armDeadline(next);
    if (tookBack) this.next();
  };

  /** A call's slot is free again: when none is running, the shared timer stops holding the process. */
  private release(): void {
    if (--this.busy === 0) this.timer?.unref();
    Atomics.store(this.load, 0, this.busy);
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
      this.unwatch(pending);
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
        this.unwatch(current.pending);
        current.pending.reject(error);
      }
    }
    // Calls pipelined behind the one that ended never started: they go back to the front of the queue.
    const requeue: Pending[] = [];
    for (const call of behind) {
      this.release();
      if (call.cancelled) continue;
      const { pending } = call;
      if (this.closed) {
        this.unwatch(pending);
        pending.reject(new TensorWasmError('cancelled', 'the engine is closed'));
        continue;
      }
      this.requeueable(pending);
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
      // Queued calls whose signal aborted while an abort was being handled (a killed worker's calls
      // came back) are settled here rather than sent to a worker.
      const first = this.queue[0]!;
      if (first.job.signal?.aborted) {
        this.queue.shift();
        this.unwatch(first);
        first.reject(cancelledError(first.job.signal));
        continue;
      }
      const slot = this.idleSlot() ?? this.pipelineSlot();
      if (!slot) return;
      this.dispatch(slot, this.queue.shift()!);
    }
  }
}

/** Posts to a worker and counts the post in its POSTED_WORD (what a spinning worker watches). */
function send(slot: Slot, message: CallRequest | CallRequest[]): void {
  slot.worker.postMessage(message);
  Atomics.add(slot.claims, POSTED_WORD, 1);
}

export function deadlineError(deadlineMs: number): TensorWasmError {
  return new TensorWasmError('deadline_exceeded', `the instance ran past its deadline of ${deadlineMs} ms and was ended`, { limit: 'deadline_ms', limitValue: deadlineMs });
}

export function cancelledError(signal: AbortSignal): TensorWasmError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : typeof signal.reason === 'string' ? `: ${signal.reason}` : '';
  return new TensorWasmError('cancelled', `the call was cancelled${reason}`);
}
