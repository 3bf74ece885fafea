/**
 * The CPU device's pool of block workers: worker_threads that run a launch's blocks beside the
 * calling thread. One pool per thread that launches (a module-level singleton: in the engine, one
 * per instance worker, ended with it when a deadline terminates that worker), made on the first
 * launch that needs it and grown to the most workers any launch asked for; workers are unref'd so
 * an idle pool never keeps the process alive.
 *
 * The caller talks to a worker through a MessagePort only: it posts tasks there and reads a
 * worker's non-trap failures back with receiveMessageOnPort, synchronously, because it is blocked
 * in Atomics.wait (no events) until the launch ends. A worker that dies is dropped here when its
 * 'exit' event arrives (between launches), or, mid-launch, reported by the worker's own exit
 * handler through the control words; the caller then discards the whole pool and the next launch
 * starts fresh workers.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../../node/worker-url.js';
import type { PoolFailure, PoolTask } from './pool-protocol.js';

export interface PoolMember {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** Word 0 turns 1 once the worker listens for tasks. */
  readonly ready: Int32Array;
  dead: boolean;
}

export class BlockPool {
  private members: PoolMember[] = [];
  /** Workers this pool has started, for tests and diagnostics. */
  started = 0;

  /** `n` live workers, starting the missing ones (they load while the caller runs its own blocks). */
  take(n: number): PoolMember[] {
    this.members = this.members.filter((m) => !m.dead);
    while (this.members.length < n) this.members.push(this.spawn());
    return this.members.slice(0, n);
  }

  /**
   * Starts `n` workers and waits (blocking, up to `timeoutMs`) until they listen for tasks; whether
   * they all do. A launch never waits for a worker to start (it runs the blocks itself meanwhile):
   * this is for tests and benches that want every thread from the first launch on.
   */
  warm(n: number, timeoutMs = 30_000): boolean {
    const until = performance.now() + timeoutMs;
    for (const m of this.take(n)) {
      while (Atomics.load(m.ready, 0) === 0 && !m.dead) {
        const left = until - performance.now();
        if (left <= 0) return false;
        Atomics.wait(m.ready, 0, 0, Math.min(left, 50));
      }
    }
    return true;
  }

  /** Live workers now. */
  size(): number {
    return this.members.filter((m) => !m.dead).length;
  }

  post(member: PoolMember, task: PoolTask): void {
    member.port.postMessage(task);
  }

  /** The failures a member reported since the last call (read without the event loop). */
  failures(member: PoolMember): PoolFailure[] {
    const out: PoolFailure[] = [];
    for (let m = receiveMessageOnPort(member.port); m; m = receiveMessageOnPort(member.port)) out.push(m.message as PoolFailure);
    return out;
  }

  /** Ends every worker (a launch found one dead, or the pool's state is unknown); the next take() starts fresh ones. */
  discard(): void {
    for (const m of this.members) {
      m.dead = true;
      void m.worker.terminate();
      m.port.close();
    }
    this.members = [];
  }

  /** For tests: the workers, to end one from outside or make one crash. */
  membersForTest(): readonly PoolMember[] {
    return this.members;
  }

  private spawn(): PoolMember {
    const { port1, port2 } = new MessageChannel();
    const ready = new Int32Array(new SharedArrayBuffer(4));
    const worker = startWorker(import.meta.url, './block-worker', { workerData: { port: port2, ready: ready.buffer }, transferList: [port2] });
    worker.unref();
    this.started++;
    const member: PoolMember = { worker, port: port1, ready, dead: false };
    const gone = (): void => {
      member.dead = true;
    };
    worker.on('exit', gone);
    worker.on('error', gone);
    return member;
  }
}

let pool: BlockPool | undefined;

/** This thread's pool, made on first use. */
export function blockPool(): BlockPool {
  return (pool ??= new BlockPool());
}

/** This thread's pool if a launch has made it (tests: a one-block launch must not). */
export function existingBlockPool(): BlockPool | undefined {
  return pool;
}
