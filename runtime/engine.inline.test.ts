/**
 * Inline calls (engine.ts `callInline`, runtime/module/inline-calls.ts): a short export that
 * changes nothing runs on the calling thread from a recycled instance, and reports exactly what
 * the worker path reports: results, the error taxonomy, events, deadlines, cancellation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from './engine.js';
import { failure } from './test-support/failure.js';
import { wasmFixture } from './test-support/fixtures.js';
import { countGuest, watBytes } from './test-support/wat.js';

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

function engineWith(config: Parameters<typeof createEngine>[0] = {}): Engine {
  const engine = createEngine({ poolSize: 1, ...config });
  engines.push(engine);
  return engine;
}

/** Traps that change nothing: `outer` → `middle` → `inner` (unreachable), and a division. */
function trapsGuest(): Uint8Array {
  return watBytes(`(module
    (func $inner (param i32) (result i32) unreachable)
    (func $middle (param i32) (result i32) local.get 0 call $inner)
    (func $outer (export "outer") (param i32) (result i32) local.get 0 call $middle)
    (func $divide (export "divide") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s))`);
}

describe('inline calls', () => {
  it('run a short export that changes nothing without starting a worker', async () => {
    const engine = engineWith();
    const { ref } = await engine.load(wasmFixture('add.wasm'));
    for (let i = 0; i < 3; i++) expect((await engine.invoke(ref, 'add', `[${i}, 40]`)).results).toEqual([40 + i]);
    expect(engine.poolStats.workers).toBe(0);
  });

  it('run the exports of a compiled WASI reactor that change nothing, in the state its _initialize left', async () => {
    // reactor.wasm (C, wasi-libc): memory, a stack pointer, WASI imports; _initialize runs a constructor.
    const engine = engineWith();
    const { ref } = await engine.load(wasmFixture('reactor.wasm'));
    for (let i = 0; i < 3; i++) {
      expect((await engine.invoke(ref, 'init_count', '[]')).results).toEqual([1]);
      expect((await engine.invoke(ref, 'add_seed', '[2]')).results).toEqual([42]);
    }
    expect(engine.poolStats.workers).toBe(0);
    // `say` prints (an import) and writes memory: a worker with a fresh instance.
    const said = await engine.invoke(ref, 'say', '[2]');
    expect(said.stdout).toBe('line 0\nline 1\n');
    expect(engine.poolStats.workers).toBe(1);
    expect((await engine.invoke(ref, 'init_count', '[]')).results).toEqual([1]);
  });

  it('an export that writes memory, an unbounded export, or inlineCalls: false goes to a worker', async () => {
    const withMemory = engineWith();
    const memory = (await withMemory.load(wasmFixture('memory.wasm'))).ref;
    expect((await withMemory.invoke(memory, 'pages', '[]')).results).toEqual([1]);
    expect(withMemory.poolStats.workers).toBe(0);
    await withMemory.invoke(memory, 'grow', '[0]');
    expect(withMemory.poolStats.workers).toBe(1);

    const unbounded = engineWith();
    const count = (await unbounded.load(countGuest(), 'count')).ref;
    expect((await unbounded.invoke(count, 'count', '[1000]')).results).toEqual([1000]);
    expect(unbounded.poolStats.workers).toBe(1);

    const off = engineWith({ inlineCalls: false });
    const add = (await off.load(wasmFixture('add.wasm'))).ref;
    expect((await off.invoke(add, 'add', '[1, 2]')).results).toEqual([3]);
    expect(off.poolStats.workers).toBe(1);
  });

  it('traps as the worker path does: same code, message and stack, and the instance serves the next call', async () => {
    const inline = engineWith();
    const worker = engineWith({ inlineCalls: false });
    const a = (await inline.load(trapsGuest(), 'traps')).ref;
    const b = (await worker.load(trapsGuest(), 'traps')).ref;
    for (const [name, args] of [['outer', '[1]'], ['divide', '[1, 0]']] as const) {
      const here = await failure(inline.invoke(a, name, args));
      const there = await failure(worker.invoke(b, name, args));
      expect(here.code).toBe('trap');
      expect(here.message).toBe(there.message);
      expect(here.details).toEqual(there.details);
    }
    expect((await failure(inline.invoke(a, 'outer', '[1]'))).details?.stack).toHaveLength(3);
    expect((await inline.invoke(a, 'divide', '[7, 2]')).results).toEqual([3]);
    expect(inline.poolStats.workers).toBe(0);
  });

  it('an out-of-bounds read traps as in a worker; a recursive export still runs in one', async () => {
    const inline = engineWith();
    const worker = engineWith({ inlineCalls: false });
    const a = (await inline.load(wasmFixture('traps.wasm'))).ref;
    const b = (await worker.load(wasmFixture('traps.wasm'))).ref;
    const here = await failure(inline.invoke(a, 'oob', '[]'));
    const there = await failure(worker.invoke(b, 'oob', '[]'));
    expect(here.code).toBe('trap');
    expect(here.message).toBe(there.message);
    expect(inline.poolStats.workers).toBe(0);
    expect((await failure(inline.invoke(a, 'recurse', '[1]'))).message).toBe('call stack exhausted');
    expect(inline.poolStats.workers).toBe(1);
  });

  it('keeps i64 results exact and reports the same events as a worker call', async () => {
    const engine = engineWith();
    const { ref } = await engine.load(wasmFixture('numbers.wasm'));
    const events: string[] = [];
    const r = await engine.invoke(ref, 'add64', '[9007199254740993, 4294967296]', { onEvent: (e) => events.push(e.type) });
    expect(r.resultsJson).toBe('[9007203549708289]');
    expect(events).toEqual(['started', 'finished']);
    expect(r.events.map((e) => e.runId)).toEqual([r.runId, r.runId]);
    expect(r.launches).toBe(0);
    expect(engine.poolStats.workers).toBe(0);
  });

  it('an aborted signal is cancelled and a deadline shorter than the call is exceeded, with a failed event', async () => {
    const engine = engineWith();
    const { ref } = await engine.load(wasmFixture('add.wasm'));
    expect((await failure(engine.invoke(ref, 'add', '[1, 2]', { signal: AbortSignal.abort('gone') }))).message).toMatch(/cancelled: gone/);
    const events: string[] = [];
    // The first call also makes the instance: far longer than a picosecond.
    const e = await failure(engine.invoke(ref, 'add', '[1, 2]', { deadlineMs: 1e-9, onEvent: (ev) => events.push(ev.type) }));
    expect(e.code).toBe('deadline_exceeded');
    expect(e.details).toEqual({ limit: 'deadline_ms', limitValue: 1e-9 });
    expect(events).toEqual(['started', 'failed']);
    expect((await engine.invoke(ref, 'add', '[1, 2]')).results).toEqual([3]);
  });

  it('a looping export of a state-free module still ends at its deadline in its worker, and the module keeps serving', async () => {
    const engine = engineWith();
    const { ref } = await engine.load(wasmFixture('loop.wasm'));
    expect((await failure(engine.invoke(ref, 'spin', '[]', { deadlineMs: 200 }))).code).toBe('deadline_exceeded');
    expect((await engine.invoke(ref, 'quick', '[]')).results).toEqual([7]);
  });
});
