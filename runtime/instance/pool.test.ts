/**
 * The pool's per-call machinery that the hot path made cheaper: one shared deadline timer (a
 * shorter deadline arriving after a longer one must still fire on time) and batched event
 * streaming (onEvent sees every event, in order, in fewer messages than events).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import binaryen from 'binaryen';
import { afterAll, describe, expect, it } from 'vitest';
import type { LaunchEvent, RunEvent } from '../../contract/events.js';
import { createEngine, type Engine } from '../engine.js';
import { wasmFixture } from '../test-support/fixtures.js';
import { failure } from '../test-support/failure.js';

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

function engineWith(config: Parameters<typeof createEngine>[0]): Engine {
  const engine = createEngine({ inlineCalls: false, ...config }); // pool tests: every call in a worker
  engines.push(engine);
  return engine;
}

describe('shared deadline timer', () => {
  it('a short deadline that starts after a long one still ends its call on time', async () => {
    const engine = engineWith({ poolSize: 2 });
    const { ref } = await engine.load(wasmFixture('loop.wasm'));
    engine.warm();
    await Promise.all([engine.invoke(ref, 'quick', '[]'), engine.invoke(ref, 'quick', '[]')]); // both workers ready
    const long = new AbortController();
    const first = engine.invoke(ref, 'spin', '[]', { deadlineMs: 20_000, signal: long.signal });
    const t0 = performance.now();
    const e = await failure(engine.invoke(ref, 'spin', '[]', { deadlineMs: 300 }));
    const elapsed = performance.now() - t0;
    expect(e.code).toBe('deadline_exceeded');
    expect(e.details).toEqual({ limit: 'deadline_ms', limitValue: 300 });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(5_000); // not the 20 s of the call armed first
    long.abort();
    expect((await failure(first)).code).toBe('cancelled');
    expect((await engine.invoke(ref, 'quick', '[]')).results).toEqual([7]);
  });
});

/** A guest that loads `noop` and launches it n times, then syncs (as bench/launch-path.bench.ts). */
function launchLoopGuest(): Uint8Array {
  const ptx = readFileSync(join(import.meta.dirname, '../../native/kernels/test-kernels.ptx'));
  const escaped = [...ptx].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, '0')}`)).join('');
  const wat = `(module
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_load_ptx" (func $load (param i32 i32 i32 i32) (result i64)))
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_launch" (func $launch (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_sync" (func $sync (result i32)))
  (memory (export "memory") ${Math.ceil((4096 + ptx.length) / 65536) + 1})
  (data (i32.const 64) "noop")
  (data (i32.const 96) "\\05\\00\\00\\00\\00")
  (data (i32.const 4096) "${escaped}")
  (func (export "launches") (param $n i32) (result i32)
    (local $k i64) (local $i i32) (local $rc i32)
    (local.set $k (call $load (i32.const 4096) (i32.const ${ptx.length}) (i32.const 64) (i32.const 4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $rc (call $launch (local.get $k) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 96) (i32.const 5)))
        (if (local.get $rc) (then (return (local.get $rc))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $sync)))`;
  const module = binaryen.parseText(wat);
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

describe('batched event streaming', () => {
  it('onEvent sees every event of a 400-launch call, in order, in fewer messages than events', async () => {
    const engine = engineWith({ poolSize: 1, device: 'cpu' });
    const { ref } = await engine.load(launchLoopGuest(), 'launch-loop');
    engine.warm();
    await engine.invoke(ref, 'launches', '[1]'); // worker ready, wasi:cuda host loaded
    const worker = (engine as unknown as { pool: { slots: { worker: Worker }[] } }).pool.slots[0]!.worker;
    let batches = 0;
    const count = (msg: { type?: string }) => void (msg.type === 'events' && batches++);
    worker.on('message', count);
    const seen: RunEvent[] = [];
    const n = 400;
    const r = await engine.invoke(ref, 'launches', `[${n}]`, { onEvent: (e) => seen.push(e), runId: 'batched' });
    worker.off('message', count);

    expect(r.results).toEqual([0]);
    expect(seen).toEqual(r.events);
    expect(seen[0]!.type).toBe('started');
    expect(seen.at(-1)!.type).toBe('finished');
    expect(seen.every((e) => e.runId === 'batched')).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.t).toBeGreaterThanOrEqual(seen[i - 1]!.t);
    const launches = seen.filter((e): e is LaunchEvent => e.type === 'launch');
    expect(launches.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // Each launch's block-progress comes before its launch event; the sync comes after the last launch.
    const types = seen.map((e) => e.type);
    expect(types.filter((t) => t === 'block-progress')).toHaveLength(n);
    expect(types.indexOf('sync')).toBe(types.lastIndexOf('launch') + 1);
    // The worker streamed while the guest ran (a lone first event goes out at once), but in batches.
    const streamed = n * 2 + 1; // block-progress + launch per launch, and the sync
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThan(streamed / 2);
  });

  it('without onEvent the events still all come back in the result, in order', async () => {
    const engine = engineWith({ poolSize: 1, device: 'cpu' });
    const { ref } = await engine.load(launchLoopGuest(), 'launch-loop');
    const r = await engine.invoke(ref, 'launches', '[50]');
    expect(r.launches).toBe(50);
    expect(r.events.filter((e): e is LaunchEvent => e.type === 'launch').map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(r.events.every((e) => e.runId === r.runId)).toBe(true);
  });
});
