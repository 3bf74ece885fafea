/**
 * Instance worker entry: holds compiled modules by key, and for each `call` makes a fresh guest
 * instance, calls it, and replies once. The engine enforces the deadline by terminating this
 * thread, so nothing here needs to watch time.
 */
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { DEFAULT_ENGINE_CONFIG } from '../../contract/engine.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { RunEvent, RunEventBody } from '../../contract/events.js';
import type { ResultValue } from '../../contract/values.js';
import { mapResults } from '../marshal/results.js';
import { getLogger } from '../telemetry/logger.js';
import { GuestExit } from '../wasi/guest-wasi.js';
import { guestErrorInfo } from './guest-error.js';
import { SpinPolicy } from './spin-policy.js';
import { loadOffloadRuntime } from '../offload/instance-hook.js';
import { instantiateGuest, type CudaBridge, type Guest } from './instantiate-guest.js';
import { CLAIM_MASK, POSTED_WORD, type CallRequest, type DoneMessage, type ModuleInfo, type WasiConfig, type WorkerReply } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('instance-worker must run in a worker thread');

const NO_WASI: WasiConfig = { args: [], env: {}, preopens: {} };
const modules = new Map<number, { compiled: WebAssembly.Module; info: ModuleInfo; recycled?: Guest }>();
const logger = getLogger({ component: 'instance-worker' });
let cuda: CudaBridge | undefined;

// Read once: constant per thread, and a getter call per event otherwise.
const TIME_ORIGIN = performance.timeOrigin;

function nowMs(): number {
  return TIME_ORIGIN + performance.now();
}

let cudaLoadError: TensorWasmError | undefined;
let offloadLoaded = false;

/** Loads what a module needs beyond the engine (once per worker), so `handle` itself stays synchronous. */
async function preload(info: ModuleInfo): Promise<void> {
  if (info.usesWasiCuda && !cuda) {
    try {
      cuda = await import('./cuda-bridge.js');
    } catch (error) {
      cudaLoadError = new TensorWasmError('internal', `cannot load the wasi:cuda host: ${(error as Error).message}`);
    }
  }
  if (info.offloadPlans?.length && !offloadLoaded) {
    await loadOffloadRuntime();
    offloadLoaded = true;
  }
}

function needsPreload(info: ModuleInfo): boolean {
  return (info.usesWasiCuda && !cuda && !cudaLoadError) || (!!info.offloadPlans?.length && !offloadLoaded);
}

/**
 * The call in progress (a worker runs one at a time). Module-level, with module-level callbacks,
 * so a call allocates no closures: this is the engine's hot path.
 */
const state = {
  req: undefined as CallRequest | undefined,
  /** Events not posted yet: all of them unless streaming; the current batch when streaming. */
  events: [] as RunEvent[],
  /** performance.now() of the last `events` post (streaming only). */
  postedAt: 0,
  stdout: '',
  stderr: '',
  terminated: undefined as TensorWasmError | undefined,
};

/**
 * Streamed events are posted in batches: a guest launching in a loop makes two events per launch,
 * and one postMessage (plus a structured clone and a main-thread task) per event cost more than
 * the launch itself. An event goes out at once when nothing was posted for STREAM_BATCH_MS (so a
 * lone event is not held back), with a `sync` or output (the points a watcher waits for), and the
 * rest at the next of those or in the `done` reply, in order. The guest runs synchronously, so a
 * microtask or timer flush could not run before the call ends anyway.
 */
const STREAM_BATCH_MS = 10;

function postEvents(req: CallRequest): void {
  if (state.events.length === 0) return;
  port!.postMessage({ type: 'events', id: req.id, events: state.events } satisfies WorkerReply);
  state.events = [];
}

function emit(body: RunEventBody): void {
  const req = state.req!;
  // Producers hand over a fresh object, so it is stamped in place (no copy per event). The engine
  // stamps the run id on receipt, so it does not travel in every event.
  const event = body as RunEvent;
  const now = performance.now();
  event.t = TIME_ORIGIN + now;
  state.events.push(event);
  if (!req.stream) return;
  if (now - state.postedAt >= STREAM_BATCH_MS || event.type === 'sync' || event.type === 'stdout' || event.type === 'stderr') {
    postEvents(req);
    state.postedAt = now;
  }
}

function onStdout(text: string): void {
  state.stdout += text;
  emit({ type: 'stdout', text });
}

function onStderr(text: string): void {
  state.stderr += text;
  emit({ type: 'stderr', text });
}

function terminate(error: TensorWasmError): never {
  state.terminated = error;
  throw error;
}

function handle(req: CallRequest): void {
  const entry = modules.get(req.handle);
  const startedAt = req.timing ? nowMs() : 0;
  state.req = req;
  state.events = [];
  state.postedAt = -Infinity;
  state.stdout = '';
  state.stderr = '';
  state.terminated = undefined;
  let guest: Guest | undefined;
  let instantiateMs = 0;
  let callMs = 0;
  let device: string | undefined;
  let launches = 0;
  const done: DoneMessage = { type: 'done', id: req.id, ok: false };
  try {
    if (!entry) throw new TensorWasmError('internal', `module #${req.handle} was not sent to this worker`);
    if (entry.info.usesWasiCuda && !cuda) throw cudaLoadError ?? new TensorWasmError('internal', 'the wasi:cuda host is not loaded');
    const bridge = entry.info.usesWasiCuda ? cuda : undefined;
    const t0 = req.timing ? performance.now() : 0;
    // A state-free module's instance serves every call as a fresh one would (inline-calls.ts).
    guest = entry.recycled ?? instantiateGuest({
      module: entry.compiled,
      info: entry.info,
      maxMemoryBytes: req.maxMemoryBytes ?? entry.info.maxMemoryBytes,
      device: req.device ?? 'auto',
      offload: req.offload ?? DEFAULT_ENGINE_CONFIG.offload,
      wasi: req.wasi ?? NO_WASI,
      emit,
      onStdout,
      onStderr,
      terminate,
      cuda: bridge, // undefined for other guests: a plain field, not a conditional spread (hot path)
      logger,
    });
    if (entry.info.stateFree && !entry.info.offloadPlans?.length) entry.recycled = guest;
    const t1 = req.timing ? performance.now() : 0;
    instantiateMs = t1 - t0;
    const fn = guest.instance.exports[req.exportName];
    if (typeof fn !== 'function') throw new TensorWasmError('unknown_export', `${req.exportName} is not a function export`);
    if (req.mode === 'run') {
      let exitCode = 0;
      try {
        (fn as () => void)();
      } catch (error) {
        if (!(error instanceof GuestExit) || state.terminated) throw error;
        exitCode = error.exitCode;
      }
      done.exitCode = exitCode;
    } else {
      const returned = (fn as (...a: unknown[]) => unknown)(...req.args);
      done.results = mapResults(returned, req.resultTypes ?? entry.info.results?.[req.exportName] ?? []) as ResultValue[];
    }
    if (req.timing) callMs = performance.now() - t1;
    done.ok = true;
  } catch (error) {
    done.error = guestErrorInfo(error, state.terminated, req.exportName);
  } finally {
    guest?.wasi?.flush();
    // Read before dispose: disposing a host forgets its device.
    device = guest?.cudaHost?.deviceLabel() ?? guest?.offloadHost?.deviceLabel();
    launches = (guest?.cudaHost?.launchCount() ?? 0) + (guest?.offloadHost?.launchCount() ?? 0);
    try {
      guest?.dispose();
    } catch (error) {
      logger.warn({ err: error }, 'disposing the guest failed');
    }
  }
  // Empty fields stay out of the reply: every property is structured-cloned (hot path).
  if (req.timing) done.timing = { startedAt, instantiateMs, callMs };
  if (state.stdout) done.stdout = state.stdout;
  if (state.stderr) done.stderr = state.stderr;
  if (state.events.length > 0) done.events = state.events; // streaming: the unposted tail of the batch
  if (device) done.device = device;
  if (launches > 0) done.launches = launches;
  state.req = undefined;
  port!.postMessage(done);
}

function failed(req: CallRequest, error: unknown): void {
  logger.error({ err: error }, 'instance worker failed');
  port!.postMessage({ type: 'done', id: req.id, ok: false, error: { code: 'internal', message: String((error as Error)?.message ?? error) } } satisfies DoneMessage);
}

/**
 * Set while a preload is under way: calls that arrive meanwhile wait behind it, because the pool
 * pipelines calls and relies on their replies coming back in the order it sent them.
 */
let loading: Promise<void> | undefined;

/** The pool's claim words (pool.ts): a call runs only if the worker claims it first. */
let claims: Int32Array | undefined;

/** Handles a call; returns the promise to wait on when it first has to load something. */
function receive(req: CallRequest): Promise<void> | undefined {
  if (req.module) modules.set(req.handle, req.module);
  if (req.setup) {
    claims = new Int32Array(req.setup.claims);
    poolLoad = new Int32Array(req.setup.poolLoad);
    policy = new SpinPolicy(req.setup.spinUs, req.setup.spinPreemptedUs);
  }
  // Taken back by the pool (another worker runs it): no reply, the pool no longer expects one.
  if (claims && Atomics.compareExchange(claims, req.seq & CLAIM_MASK, req.seq, 0) !== req.seq) return undefined;
  const info = modules.get(req.handle)?.info;
  try {
    if (info && needsPreload(info)) return preload(info).then(() => handle(req)).catch((error: unknown) => failed(req, error));
    handle(req);
  } catch (error) {
    failed(req, error);
  }
  return undefined;
}

function track(p: Promise<void>): void {
  loading = p;
  void p.finally(() => {
    if (loading === p) loading = undefined;
  });
}

function onCall(req: CallRequest): void {
  if (loading) return track(loading.then(() => receive(req)));
  const pending = receive(req);
  if (pending) track(pending);
}

// The pool posts calls for a busy worker together, in one array, in the order they run.
function onMessage(msg: CallRequest | CallRequest[]): void {
  if (Array.isArray(msg)) for (const req of msg) onCall(req);
  else onCall(msg);
}

/**
 * Spin, then sleep. A short call's round trip is mostly two thread wake-ups (the worker's, then the
 * main thread's), and waking a sleeping thread costs more than instantiating and running `add`.
 * So after a call the worker may keep polling for the next one for a short window before it returns
 * to its event loop and sleeps: a caller that sends calls one after another (a script, a benchmark)
 * then finds it awake, and its message is taken at once with receiveMessageOnPort. Polling watches
 * one shared word the pool bumps after each post, not the port.
 *
 * Spinning burns a core, so spin-policy.ts decides when (calls coming close together, the cores
 * not contended), and the worker spins only while its call is the pool's only one. The deadline
 * still holds: the pool ends a worker by terminating it, which interrupts a spin like any other
 * JavaScript.
 */
let policy = new SpinPolicy(0);
/** The pool's count of calls dispatched and not done (pool.ts), shared. */
let poolLoad: Int32Array | undefined;

/**
 * Whether this worker's call is the only one the pool has: then the caller is waiting on it alone
 * and its next call can only come here. When calls overlap (a loaded server) the worker does not
 * spin: there are other threads to run on these cores, and a busy worker is seldom asleep anyway.
 */
function alone(): boolean {
  return poolLoad !== undefined && Atomics.load(poolLoad, 0) <= 1;
}

/** Spins for calls; returns when it last finished one (performance.now()). */
function spin(words: Int32Array): number {
  let since = performance.now();
  for (;;) {
    // Read the count before draining: a post counted after the read shows as a change below, and
    // one counted before it was enqueued before it, so the drain takes it.
    const seen = Atomics.load(words, POSTED_WORD);
    let got = false;
    for (let m = receiveMessageOnPort(port!); m !== undefined; m = receiveMessageOnPort(port!)) {
      got = true;
      onMessage(m.message as CallRequest | CallRequest[]);
      if (loading) return performance.now(); // a call is waiting on an import: let the event loop run it
    }
    if (got) {
      since = performance.now();
      if (!alone()) return since;
    }
    let last = performance.now();
    while (Atomics.load(words, POSTED_WORD) === seen) {
      const now = performance.now();
      if (!policy.keepSpinning(now, last, since)) return since;
      last = now;
    }
  }
}

port.on('message', (msg: CallRequest | CallRequest[]) => {
  const spinAfter = policy.spinAfterCallAt(performance.now());
  onMessage(msg);
  policy.sleptAt(spinAfter && claims && !loading && alone() ? spin(claims) : performance.now());
});

port.postMessage({ type: 'ready' } satisfies WorkerReply);
