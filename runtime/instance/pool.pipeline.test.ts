/**
 * Pipelining invariants (pool.ts): a worker holds several calls, but a call's deadline counts
 * only from when it starts, a call pipelined behind one that is killed is re-run (not failed),
 * cancelling a pipelined call that has not started leaves the worker alone, and calls waiting
 * behind a slow call are taken back and run by another worker.
 */
import { getEventListeners } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine.js';
import { wasmFixture } from '../test-support/fixtures.js';
import { failure } from '../test-support/failure.js';
import { countGuest } from '../test-support/wat.js';

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

interface PoolView {
  slots: { worker: Worker; calls: unknown[] }[];
  /** Set by the tests: a loaded machine can stall a test for the default's 2 ms between two calls. */
  staleMs: number;
  watched: WeakMap<AbortSignal, Set<unknown>>;
}

function poolOf(engine: Engine): PoolView {
  return (engine as unknown as { pool: PoolView }).pool;
}

describe('pipelined calls', () => {
  it('a call pipelined behind one killed at its deadline is re-run and completes, on its own clock', async () => {
    const engine = createEngine({ poolSize: 1, inlineCalls: false });
    engines.push(engine);
    const { ref } = await engine.load(wasmFixture('loop.wasm'));
    expect((await engine.invoke(ref, 'quick', '[]')).results).toEqual([7]); // the worker is ready
    poolOf(engine).staleMs = 60_000; // the call behind stays pipelined (not taken back) until the kill
    const spinning = engine.invoke(ref, 'spin', '[]', { deadlineMs: 400 });
    // Shorter than the time it waits behind `spin`: it must not count while it waits.
    const behind = engine.invoke(ref, 'quick', '[]', { deadlineMs: 150 });
    expect(poolOf(engine).slots[0]!.calls).toHaveLength(2); // really pipelined on the one worker
    const e = await failure(spinning);
    expect(e.code).toBe('deadline_exceeded');
    expect(e.details).toEqual({ limit: 'deadline_ms', limitValue: 400 });
    expect((await behind).results).toEqual([7]);
  });

  it('cancelling a pipelined call that has not started does not kill the worker', async () => {
    const engine = createEngine({ poolSize: 1, inlineCalls: false });
    engines.push(engine);
    const { ref } = await engine.load(countGuest(), 'count');
    const { ref: loop } = await engine.load(wasmFixture('loop.wasm'));
    expect((await engine.invoke(ref, 'count', '[10]')).results).toEqual([10]); // the worker is ready
    const worker = poolOf(engine).slots[0]!.worker;
    poolOf(engine).staleMs = 60_000; // still waiting in the worker's inbox when it is cancelled
    const n = 50_000_000;
    const running = engine.invoke(ref, 'count', `[${n}]`, { deadlineMs: 30_000 });
    const abort = new AbortController();
    const behind = engine.invoke(ref, 'count', '[10]', { signal: abort.signal });
    expect(poolOf(engine).slots[0]!.calls).toHaveLength(2);
    abort.abort();
    expect((await failure(behind)).code).toBe('cancelled');
    expect((await running).results).toEqual([n]); // the running call was not killed with it
    expect((await engine.invoke(loop, 'quick', '[]')).results).toEqual([7]);
    expect(poolOf(engine).slots).toHaveLength(1);
    expect(poolOf(engine).slots[0]!.worker).toBe(worker); // the same worker served throughout
  });

  it('calls waiting behind a slow call are taken back and run by another worker, which the slow call outlasts', async () => {
    const engine = createEngine({ poolSize: 2, inlineCalls: false });
    engines.push(engine);
    const { ref } = await engine.load(countGuest(), 'count');
    engine.warm();
    await Promise.all([engine.invoke(ref, 'count', '[10]'), engine.invoke(ref, 'count', '[10]')]); // both workers ready
    const pool = poolOf(engine);
    // Slow after 300 ms rather than 2: the calls below are all dispatched well before that.
    pool.staleMs = 300;
    const workers = pool.slots.map((s) => s.worker);
    const settled: string[] = [];
    const slowN = 1_500_000_000;
    const slow = engine.invoke(ref, 'count', `[${slowN}]`).then((r) => (settled.push('slow'), r));
    const medium = engine.invoke(ref, 'count', '[100000000]').then((r) => (settled.push('medium'), r));
    // No idle worker left: these are pipelined behind the two running calls, half on the slow one.
    const quick = Array.from({ length: 6 }, (_, i) => engine.invoke(ref, 'count', `[${i}]`).then((r) => (settled.push(`quick${i}`), r)));
    expect(pool.slots[0]!.calls.length).toBeGreaterThan(1);
    expect(pool.slots[1]!.calls.length).toBeGreaterThan(1);
    const results = await Promise.all(quick);
    expect(results.map((r) => r.results)).toEqual([[0], [1], [2], [3], [4], [5]]);
    expect(settled).not.toContain('slow'); // none of them waited for the slow call
    expect((await medium).results).toEqual([100000000]);
    expect((await slow).results).toEqual([slowN]); // taking its waiting calls back did not disturb it
    expect(settled.at(-1)).toBe('slow');
    // Nothing was killed: the same two workers served throughout, and still do.
    expect(pool.slots.map((s) => s.worker)).toEqual(workers);
    expect((await engine.invoke(ref, 'count', '[3]')).results).toEqual([3]);
  });

  it('calls sharing one signal (a connection) share one abort listener, and an abort ends them all wherever they are', async () => {
    const engine = createEngine({ poolSize: 2, maxQueue: 100, inlineCalls: false });
    engines.push(engine);
    const { ref } = await engine.load(countGuest(), 'count');
    engine.warm();
    await Promise.all([engine.invoke(ref, 'count', '[10]'), engine.invoke(ref, 'count', '[10]')]); // both workers ready
    const pool = poolOf(engine);
    pool.staleMs = 60_000; // keep the waiting calls where they were put
    const connection = new AbortController();
    const signal = connection.signal;
    // Served to the end with the shared signal: afterwards nothing of them is left watched.
    const served = await Promise.all(Array.from({ length: 8 }, (_, i) => engine.invoke(ref, 'count', `[${i}]`, { signal })));
    expect(served.map((r) => r.results[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pool.watched.get(signal)?.size ?? 0).toBe(0);
    // Two running, 30 pipelined (16 per worker), the rest queued: one listener for all of them.
    const calls = Array.from({ length: 40 }, () => failure(engine.invoke(ref, 'count', '[2000000000]', { signal })));
    expect(pool.slots.map((s) => s.calls.length)).toEqual([16, 16]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    connection.abort();
    const errors = await Promise.all(calls);
    expect(errors.map((e) => e.code)).toEqual(Array(40).fill('cancelled'));
    expect(pool.watched.get(signal)).toBeUndefined();
    expect((await engine.invoke(ref, 'count', '[5]')).results).toEqual([5]); // and it keeps serving
  });

  it('calls for a busy worker made in one turn go to it in one message, and all run in order', async () => {
    const engine = createEngine({ poolSize: 1, inlineCalls: false });
    engines.push(engine);
    const { ref } = await engine.load(countGuest(), 'count');
    expect((await engine.invoke(ref, 'count', '[1]')).results).toEqual([1]); // the worker is ready
    poolOf(engine).staleMs = 60_000; // all ten are pipelined however long making them takes
    const worker = poolOf(engine).slots[0]!.worker;
    const posted: unknown[] = [];
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown) => {
      posted.push(message);
      post(message);
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => engine.invoke(ref, 'count', `[${i}]`)));
    expect(results.map((r) => r.results[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The first woke the idle worker at once; the nine behind it followed together.
    expect(posted).toHaveLength(2);
    expect(Array.isArray(posted[0])).toBe(false);
    expect(Array.isArray(posted[1]) && (posted[1] as unknown[]).length).toBe(9);
  });
});
