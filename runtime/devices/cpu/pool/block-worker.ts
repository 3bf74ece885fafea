/**
 * A block-pool worker: waits on its port for a launch's part, instantiates the kernel (its variant
 * importing a shared memory) over the launch's shared memory, runs chunks of blocks until none is
 * left (block-runner.ts), and signals the caller through the launch's control words — never
 * through a message, since the caller is blocked in Atomics.wait and reads no events. A failure
 * that is not a trap travels as a message on the port, which the caller reads synchronously.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { HELPERS } from '../helpers.js';
import { fmaF64 } from '../math.js';
import { ALL_WINDOWS, CTL, OUTCOME, THREAD_WORDS, runChunks, storeWritten } from './block-runner.js';
import { WRITTEN_EXPORT } from '../wasm/ptx-types.js';
import type { PoolTask } from './pool-protocol.js';
import { pooledWarpRun } from '../wasm/warp-launch.js';

const { port, ready } = workerData as { port: MessagePort; ready: SharedArrayBuffer };
let current: { ctl: Int32Array; slot: number } | undefined;
/**
 * Set by a test: how the next task ends this thread while it runs. `exit`: process.exit (its exit
 * handler still reports); `vanish`: the thread stops without running any handler, as when it is
 * out of memory or its native code aborts; `terminate`: it asks its owner to terminate() it and
 * waits, as a thread ended from outside.
 */
let dieNext: DieHow | undefined;
/** `supervisor`: the pool's supervisor stops without running any handler while this thread runs blocks (both end). */
type DieHow = 'exit' | 'vanish' | 'terminate' | 'supervisor';
type TestHook = { type: 'crash-next' } | { type: 'die-next'; how: DieHow };

function finish(ctl: Int32Array): void {
  Atomics.add(ctl, CTL.finished, 1);
  Atomics.notify(ctl, CTL.finished);
}

// A worker that ends while it runs a launch's part still reports, so the caller is never left waiting.
process.on('exit', () => {
  if (!current) return;
  const { ctl, slot } = current;
  Atomics.store(ctl, CTL.limit, 0);
  Atomics.store(ctl, CTL.threads + THREAD_WORDS * slot, OUTCOME.died);
  finish(ctl);
});

/**
 * Every task brings its launch memory (a guest's own shared memory, in place: one per guest, up to
 * GiBs) as a new wrapper object, and this thread allocates too little for V8 to collect on its
 * own: the memories of finished guests would stay alive here. So it collects once the memories
 * its tasks brought since the last collection add up to COLLECT_AFTER_BYTES (a collection of this
 * small heap takes about a millisecond).
 */
const COLLECT_AFTER_BYTES = 2 ** 30;
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
let broughtBytes = 0;

port.on('message', (task: PoolTask | TestHook) => {
  if (task.type === 'crash-next' || task.type === 'die-next') {
    dieNext = task.type === 'crash-next' ? 'exit' : task.how;
    return;
  }
  broughtBytes += task.memory.buffer.byteLength;
  if (broughtBytes >= COLLECT_AFTER_BYTES) {
    broughtBytes = 0;
    collect(); // the earlier tasks' memories: this one's is still referenced by `task`
  }
  const ctl = new Int32Array(task.ctl);
  const word = CTL.threads + THREAD_WORDS * task.slot;
  // the caller may have taken the task back: it found no block left before this worker got here
  if (Atomics.compareExchange(ctl, word, OUTCOME.posted, OUTCOME.started) !== OUTCOME.posted) return;
  current = { ctl, slot: task.slot };
  storeWritten(ctl, task.slot, ALL_WINDOWS);
  try {
    if (dieNext) die(dieNext);
    const exports = new WebAssembly.Instance(task.module, { env: { memory: task.memory, fma64: fmaF64, ...bridgesOf(task.bridgeSources) } }).exports;
    const run = exports.run as (...a: (number | bigint)[]) => void;
    const error = runChunks(task.warp ? pooledWarpRun(task.warp, run, task.memory) : run, task.rest, ctl, task.slot, task.total, task.chunk);
    // the windows this thread's checks admitted a write into, a trap or not (a module without the export: all)
    const written = exports[WRITTEN_EXPORT];
    storeWritten(ctl, task.slot, typeof written === 'function' ? BigInt.asUintN(64, (written as () => bigint)()) : ALL_WINDOWS);
    if (error !== undefined && !(error instanceof WebAssembly.RuntimeError)) port.postMessage({ slot: task.slot, message: error instanceof Error ? error.message : String(error) });
  } catch (error) {
    // instantiation failed (out of memory, say): no block of this part ran
    ctl[CTL.threads + THREAD_WORDS * task.slot + 1] = task.total;
    Atomics.store(ctl, CTL.threads + THREAD_WORDS * task.slot, OUTCOME.error);
    port.postMessage({ slot: task.slot, message: error instanceof Error ? error.message : String(error) });
  } finally {
    current = undefined;
    finish(ctl);
  }
});
function die(how: DieHow): never {
  if (how === 'exit') process.exit(70);
  if (how === 'vanish') (process as unknown as { reallyExit(code: number): never }).reallyExit(70);
  parentPort!.postMessage({ type: how === 'supervisor' ? 'supervisor-vanish' : 'terminate-me' });
  const never = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(never, 0, 0);
}

/**
 * The bridged instructions' functions (js-bridge.ts), rebuilt from their sources as js-bridge.ts
 * bridgeFunction does (closures do not cross threads; importing js-bridge.ts would load the
 * JavaScript backend's compiler into every worker), cached per source.
 */
const bridgeCache = new Map<string, (...args: number[]) => unknown>();
function bridgesOf(sources: Record<string, string>): Record<string, (...args: number[]) => unknown> {
  const out: Record<string, (...args: number[]) => unknown> = {};
  for (const [name, source] of Object.entries(sources)) {
    let fn = bridgeCache.get(source);
    if (!fn) {
      fn = (new Function('M', source) as (m: unknown) => (...args: number[]) => unknown)(HELPERS);
      bridgeCache.set(source, fn);
    }
    out[name] = fn;
  }
  return out;
}

const readyWord = new Int32Array(ready);
Atomics.store(readyWord, 0, 1);
Atomics.notify(readyWord, 0);
