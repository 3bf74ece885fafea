/**
 * The block pool's supervisor: a worker thread that starts the pool's block workers as its own
 * children and watches them. The thread that launches cannot watch them itself: it sits in
 * Atomics.wait until the launch ends, so a worker's 'exit' event would reach it only after the
 * launch — never, when the dead worker held blocks of it. A worker can die without a word of its
 * own (out of memory, a native abort, terminate() from outside: its exit handlers do not run), so
 * the supervisor, whose event loop is free, raises the worker's `dead` word for it; the launching
 * thread reads that word while it waits (pool-launch.ts) and ends the launch.
 *
 * The launching thread still talks to each worker directly (a MessagePort it made) and never
 * through here, so a launch costs no extra hop.
 */
import { parentPort, workerData, type Worker } from 'node:worker_threads';
import { startWorker } from '../../../node/worker-url.js';
import { MEMBER, SUPERVISOR_BEAT_MS, type SupervisorRequest } from './pool-protocol.js';

// Its own death cannot be reported by anyone (its children end with it), so it proves it is alive
// instead: a launch waiting on its workers watches this word (block-pool.ts supervisorSilentFor).
const heartbeat = new Int32Array((workerData as { heartbeat: SharedArrayBuffer }).heartbeat);
Atomics.add(heartbeat, 0, 1);
setInterval(() => Atomics.add(heartbeat, 0, 1), SUPERVISOR_BEAT_MS);

const workers = new Map<number, { worker: Worker; state: Int32Array }>();

function markDead(state: Int32Array): void {
  Atomics.store(state, MEMBER.dead, 1);
  Atomics.notify(state, MEMBER.dead);
  Atomics.notify(state, MEMBER.ready); // a warm() waiting for it to start
}

parentPort!.on('message', (m: SupervisorRequest) => {
  if (m.type === 'end') {
    void workers.get(m.id)?.worker.terminate();
    return;
  }
  const state = new Int32Array(m.state);
  const worker = startWorker(import.meta.url, './block-worker', { workerData: { port: m.port, ready: m.state }, transferList: [m.port] });
  workers.set(m.id, { worker, state });
  // 'error' (an uncaught exception, out of memory) comes before 'exit'; either means it is gone
  const gone = (): void => {
    workers.delete(m.id);
    markDead(state);
  };
  worker.on('error', gone);
  worker.on('exit', gone);
  // test hooks (block-worker.ts): a worker ended from outside while it runs blocks; this thread
  // stopping without running any handler (as out of memory would), its workers with it
  worker.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'terminate-me') void worker.terminate();
    if (msg?.type === 'supervisor-vanish') (process as unknown as { reallyExit(code: number): never }).reallyExit(70);
  });
});

// Ending gracefully (its parent ends the pool, or process.exit here): the children end with this
// thread, so say so for each of them.
process.on('exit', () => {
  for (const { state } of workers.values()) markDead(state);
});
