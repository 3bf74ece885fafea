/**
 * Pipelining invariants (pool.ts): a worker holds up to two calls, but a call's deadline counts
 * only from when it starts, a call pipelined behind one that is killed is re-run (not failed),
 * and cancelling a pipelined call that has not started leaves the worker alone.
 */
import type { Worker } from 'node:worker_threads';
import binaryen from 'binaryen';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine.js';
import { wasmFixture } from '../test-support/fixtures.js';
import { failure } from '../test-support/failure.js';

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

interface PoolView {
  slots: { worker: Worker; calls: unknown[] }[];
}

function poolOf(engine: Engine): PoolView {
  return (engine as unknown as { pool: PoolView }).pool;
}

/** `count(n)` loops n times and returns n: a call that takes a while and then ends by itself. */
function countGuest(): Uint8Array {
  const module = binaryen.parseText(`(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $i)))`);
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

describe('pipelined calls', () => {
  it('a call pipelined behind one killed at its deadline is re-run and completes, on its own clock', async () => {
    const engine = createEngine({ poolSize: 1 });
    engines.push(engine);
    const { ref } = await engine.load(wasmFixture('loop.wasm'));
    expect((await engine.invoke(ref, 'quick', '[]')).results).toEqual([7]); // the worker is ready
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
    const engine = createEngine({ poolSize: 1 });
    engines.push(engine);
    const { ref } = await engine.load(countGuest(), 'count');
    const { ref: loop } = await engine.load(wasmFixture('loop.wasm'));
    expect((await engine.invoke(ref, 'count', '[10]')).results).toEqual([10]); // the worker is ready
    const worker = poolOf(engine).slots[0]!.worker;
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
});
