import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleRef } from '../contract/engine.js';
import { createEngine, type Engine } from './engine.js';
import { wasmFixture } from './test-support/fixtures.js';
import { failure } from './test-support/failure.js';

let engine: Engine;
const refs: Record<string, ModuleRef> = {};

beforeAll(async () => {
  // Every call in a worker: these tests are about the worker's limits (state-free, short calls such as
  // loop.wasm's `quick` would otherwise run on this thread: engine.inline.test.ts).
  engine = createEngine({ poolSize: 1, maxQueue: 1, inlineCalls: false });
  for (const name of ['loop', 'memory', 'memory-huge', 'memory-imported', 'spin']) refs[name] = (await engine.load(wasmFixture(`${name}.wasm`))).ref;
});
afterAll(() => engine.close());

describe('deadline', () => {
  it('stops an infinite loop at a 1 s deadline, and the next call succeeds', async () => {
    await engine.invoke(refs.loop!, 'quick', '[]'); // a warm worker: time only the deadline
    const t0 = performance.now();
    const e = await failure(engine.invoke(refs.loop!, 'spin', '[]', { deadlineMs: 1000 }));
    const elapsed = performance.now() - t0;
    expect(e.code).toBe('deadline_exceeded');
    expect(e.details).toEqual({ limit: 'deadline_ms', limitValue: 1000 });
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(3000);
    expect((await engine.invoke(refs.loop!, 'quick', '[]')).resultsJson).toBe('[7]');
  });

  it('holds while the guest is inside a long host call (WASI sleep)', async () => {
    await engine.invoke(refs.loop!, 'quick', '[]');
    const t0 = performance.now();
    // spin.wasm sleeps in poll_oneoff forever: only an outside deadline can end it.
    const e = await failure(engine.run(refs.spin!, { deadlineMs: 300 }));
    expect(e.code).toBe('deadline_exceeded');
    expect(performance.now() - t0).toBeLessThan(2500);
    expect((await engine.invoke(refs.loop!, 'quick', '[]')).resultsJson).toBe('[7]');
  });

  it('counts from when the worker is ready, so a short deadline holds on a cold worker', async () => {
    const cold = createEngine({ poolSize: 1, deadlineMs: 250, inlineCalls: false });
    try {
      const { ref } = await cold.load(wasmFixture('loop.wasm'));
      // Loading a worker from source takes longer than 250 ms; the call itself takes microseconds.
      expect((await cold.invoke(ref, 'quick', '[]')).resultsJson).toBe('[7]');
    } finally {
      await cold.close();
    }
  });

  it('uses the engine default when the call gives none, and emits a failed event', async () => {
    const short = createEngine({ poolSize: 1, deadlineMs: 200 });
    try {
      const { ref } = await short.load(wasmFixture('loop.wasm'));
      const events: string[] = [];
      const e = await failure(short.invoke(ref, 'spin', '[]', { onEvent: (ev) => events.push(ev.type) }));
      expect(e.details?.limitValue).toBe(200);
      expect(events).toEqual(['started', 'failed']);
    } finally {
      await short.close();
    }
  });
});

describe('memory cap', () => {
  it('memory.grow past the cap returns -1 and growth stops at the cap', async () => {
    const options = { maxMemoryBytes: 1024 * 1024 };
    expect((await engine.invoke(refs.memory!, 'grow', '[100]', options)).resultsJson).toBe('[-1]');
    expect((await engine.invoke(refs.memory!, 'grow_until_full', '[]', options)).resultsJson).toBe('[16]');
    expect((await engine.invoke(refs.memory!, 'grow', '[15]', options)).resultsJson).toBe('[1]');
  });

  it('caps imported memories the engine creates', async () => {
    const options = { maxMemoryBytes: 2 * 65536 };
    expect((await engine.invoke(refs['memory-imported']!, 'grow', '[1]', options)).resultsJson).toBe('[1]');
    expect((await engine.invoke(refs['memory-imported']!, 'grow', '[2]', options)).resultsJson).toBe('[-1]');
  });

  it('an initial memory above the cap fails with limit_exceeded naming the limit and its value', async () => {
    const e = await failure(engine.invoke(refs['memory-huge']!, 'pages', '[]'));
    expect(e.code).toBe('limit_exceeded');
    expect(e.details).toEqual({ limit: 'max_memory_bytes', limitValue: 256 * 1024 * 1024 });
    expect((await engine.invoke(refs['memory-huge']!, 'pages', '[]', { maxMemoryBytes: 512 * 1024 * 1024 })).resultsJson).toBe('[5120]');
  });
});

describe('queue and cancellation', () => {
  it('rejects with queue_full past maxQueue, cancels on abort, and keeps serving', async () => {
    const running = new AbortController();
    const first = engine.invoke(refs.loop!, 'spin', '[]', { signal: running.signal, deadlineMs: 10_000 });
    const queuedAbort = new AbortController();
    const second = engine.invoke(refs.loop!, 'quick', '[]', { signal: queuedAbort.signal });
    await new Promise((r) => setTimeout(r, 50));
    const third = await failure(engine.invoke(refs.loop!, 'quick', '[]'));
    expect(third.code).toBe('queue_full');
    queuedAbort.abort();
    expect((await failure(second)).code).toBe('cancelled');
    running.abort();
    expect((await failure(first)).code).toBe('cancelled');
    expect((await engine.invoke(refs.loop!, 'quick', '[]')).resultsJson).toBe('[7]');
  });

  it('an already-aborted signal is cancelled before anything runs', async () => {
    expect((await failure(engine.invoke(refs.loop!, 'quick', '[]', { signal: AbortSignal.abort() }))).code).toBe('cancelled');
  });
});
