/**
 * The CPU device's pool of block workers: worker_threads that run a launch's blocks beside the
 * calling thread. One pool per thread that launches (a module-level singleton: in the engine, one
 * per instance worker, ended with it when a deadline terminates that worker), made on the first
 * launch that needs it and grown to the most workers any launch asked for; the supervisor thread
 * that owns the workers is unref'd, so an idle pool never keeps the process alive.
 *
 * The caller talks to a worker through a MessagePort only: it posts tasks there and reads a
 * worker's non-trap failures back with receiveMessageOnPort, synchronously, because it is blocked
 * in Atomics.wait (no events) until the launch ends. For the same reason the workers are the
 * supervisor's children (pool-supervisor.ts), not this thread's: the supervisor raises a worker's
 * `dead` word the moment it stops, however it stops, and a launch that waits on it reads the word
 * (pool-launch.ts). A dead worker is replaced by the next take().
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../../node/worker-url.js';
import { MEMBER, type PoolFailure, type PoolTask, type SupervisorRequest } from './pool-protocol.js';

export interface PoolMember {
  readonly id: number;
  readonly port: MessagePort;
  /** MEMBER words: ready (the worker listens for tasks), dead (raised by the supervisor). */
  readonly state: Int32Array;
  /** Set here when a launch found it dead or its state unknown: never given a task again. */
  retired: boolean;
}

/** Whether a member can take no more tasks: it stopped, or a launch retired it. */
export function isDead(m: PoolMember): boolean {
  return m.retired || Atomics.load(m.state, MEMBER.dead) === 1;
}

export class BlockPool {
  private members: PoolMember[] = [];
  private supervisor: Worker | undefined;
  /** The supervisor's heartbeat word, its last value seen and when that value was first seen. */
  private beat: { word: Int32Array; seen: number; at: number } | undefined;
  private nextId = 0;
  /** Workers this pool has started, for tests and diagnostics. */
  started = 0;

  /** `n` live workers, starting the missing ones (they load while the caller runs its own blocks). */
  take(n: number): PoolMember[] {
    this.members = this.members.filter((m) => !isDead(m));
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
      while (Atomics.load(m.state, MEMBER.ready) === 0) {
        if (isDead(m)) return false;
        const left = until - performance.now();
        if (left <= 0) return false;
        Atomics.wait(m.state, MEMBER.ready, 0, Math.min(left, 50));
      }
    }
    return true;
  }

  /** Live workers now. */
  size(): number {
    return this.members.filter((m) => !isDead(m)).length;
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

  /** Ends one worker (it died in a launch, or its state is unknown); the next take() starts another. */
  retire(member: PoolMember): void {
    if (member.retired) return;
    member.retired = true;
    this.supervisor?.postMessage({ type: 'end', id: member.id } satisfies SupervisorRequest);
    member.port.close();
    this.members = this.members.filter((m) => m !== member);
  }

  /**
   * How long (ms, at `now`) the supervisor's heartbeat has not moved, as far as the calls to this
   * method saw (a launch calls it while it waits). A supervisor that stopped without its exit
   * handler running (its event loop is the one that would report anything) takes its workers with
   * it and tells no one: only its silence does.
   */
  supervisorSilentFor(now: number): number {
    const b = this.beat;
    if (!b) return 0;
    const v = Atomics.load(b.word, 0);
    // not beaten yet: still loading (seconds from TypeScript sources), and its workers with it
    if (v === 0) return 0;
    if (v !== b.seen) {
      b.seen = v;
      b.at = now;
    }
    return now - b.at;
  }

  /** The supervisor is gone (silent while no block finished): its workers are too; the next take() starts over. */
  supervisorLost(): void {
    for (const m of this.members) m.retired = true;
    this.members = [];
    void this.supervisor?.terminate();
    this.supervisor = undefined;
    this.beat = undefined;
  }

  /** Ends every worker; the next take() starts fresh ones. */
  discard(): void {
    for (const m of [...this.members]) this.retire(m);
  }

  /** For tests: the workers, to make one crash. */
  membersForTest(): readonly PoolMember[] {
    return this.members;
  }

  private request(message: SupervisorRequest, transfer: MessagePort[] = []): void {
    if (!this.supervisor) {
      const heartbeat = new SharedArrayBuffer(4);
      const supervisor = startWorker(import.meta.url, './pool-supervisor', { workerData: { heartbeat } });
      this.beat = { word: new Int32Array(heartbeat), seen: 0, at: performance.now() };
      supervisor.unref();
      // The supervisor runs no guest code; should it end all the same, its workers ended with it.
      const gone = (): void => {
        if (this.supervisor !== supervisor) return;
        this.supervisor = undefined;
        for (const m of this.members) m.retired = true;
      };
      supervisor.on('error', gone);
      supervisor.on('exit', gone);
      this.supervisor = supervisor;
    }
    this.supervisor.postMessage(message, transfer);
  }

  private spawn(): PoolMember {
    const { port1, port2 } = new MessageChannel();
    const state = new Int32Array(new SharedArrayBuffer(4 * Object.keys(MEMBER).length));
    const member: PoolMember = { id: this.nextId++, port: port1, state, retired: false };
    this.request({ type: 'spawn', id: member.id, port: port2, state: state.buffer as SharedArrayBuffer }, [port2]);
    this.started++;
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
