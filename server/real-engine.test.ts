import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputEvent, RunEvent } from '../contract/events.js';
import { ApiClient } from './client/api-client.js';
import { startTestServer, type TestServer } from './test-support/start-server.js';
import { asAny } from './test-support/as-any.js';
import { countGuest } from '../runtime/test-support/wat.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'wasm');
const wasm = async (name: string) => new Uint8Array(await readFile(join(fixtures, `${name}.wasm`)));

/** The server with its own real engine (worker pool, deadlines) and the committed fixtures. */
describe('HTTP API on the real engine', () => {
  let server: TestServer;
  let client: ApiClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // The deadline counts from dispatch, worker start-up included, and this machine may be busy:
    // the default is generous and the loop tests lower it per call once the workers are up.
    server = await startTestServer({ engineConfig: { poolSize: 2, maxQueue: 200, deadlineMs: 20_000, device: 'cpu' } });
    client = new ApiClient(server.url);
    for (const name of ['add', 'numbers', 'loop', 'traps', 'reactor']) ids[name] = (await client.deploy(await wasm(name), name)).id;
    // add runs on the request thread (it changes nothing and is short); count loops, so it runs in a worker.
    ids.count = (await client.deploy(countGuest(), 'count')).id;
    await Promise.all([client.invoke(ids.count!, 'count', '[0]'), client.invoke(ids.count!, 'count', '[0]')]);
  }, 60_000);
  afterAll(async () => server?.close());

  const invokeRaw = (id: string, body: string) =>
    fetch(`${server.url}/functions/${id}/invoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('invokes add(1, 2)', async () => {
    const res = await invokeRaw(ids.add!, '{"export":"add","args":[1,2]}');
    expect(res.status).toBe(200);
    const body = await res.json().then(asAny);
    expect(body).toMatchObject({ results: [3], launches: 0 });
    expect(typeof body.device).toBe('string');
    expect(body.device.length).toBeGreaterThan(0);
    expect(body.durationMs).toBeGreaterThan(0);
  });

  it('applies the lexical argument rules over HTTP', async () => {
    const i64 = await invokeRaw(ids.numbers!, '{"export":"id64","args":[2147483648]}');
    expect(await i64.text()).toMatch(/^\{"results":\[2147483648\],/);
    const f64 = await invokeRaw(ids.numbers!, '{"export":"idf64","args":[1e10]}');
    expect(await f64.text()).toMatch(/^\{"results":\[10000000000\],/);
    const exact = await invokeRaw(ids.numbers!, '{"export":"id64","args":[-9223372036854775808]}');
    expect(await exact.text()).toMatch(/^\{"results":\[-9223372036854775808\],/);
    const str = await invokeRaw(ids.add!, '{"export":"add","args":["5",1]}');
    expect(str.status).toBe(400);
    expect((await str.json().then(asAny)).error.code).toBe('invalid_args');
    const mismatch = await invokeRaw(ids.add!, '{"export":"add","args":[1.0,1]}');
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json().then(asAny)).error).toMatchObject({ code: 'type_mismatch', details: { argIndex: 0, expected: 'i32', given: 'f64' } });
    const unknown = await invokeRaw(ids.add!, '{"export":"nope","args":[]}');
    expect(unknown.status).toBe(404);
    expect((await unknown.json().then(asAny)).error.code).toBe('unknown_export');
  });

  it('answers a trap with 422 and the guest stack', async () => {
    const res = await invokeRaw(ids.traps!, '{"export":"outer","args":[1]}');
    expect(res.status).toBe(422);
    const { error } = await res.json().then(asAny);
    expect(error.code).toBe('trap');
    expect(error.message).toMatch(/unreachable/);
  });

  it('answers 1,000 invocations with 50 in flight, each once and correctly, on the request thread and in workers', async () => {
    const total = 1000;
    const answers = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        // Odd ones loop (count(i) = i), so they go through the worker pool and its queue.
        const res = i % 2 === 0 ? await client.invoke(ids.add!, 'add', `[${i}, ${i * 3}]`) : await client.invoke(ids.count!, 'count', `[${i * 4}]`);
        expect(answers.has(i)).toBe(false);
        answers.set(i, res.results[0] as number);
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(answers.size).toBe(total);
    for (let i = 0; i < total; i++) expect(answers.get(i)).toBe(i * 4);
  }, 60_000);

  it('ends a guest stuck in a loop at its deadline (504) while others are served', async () => {
    let stuckAnswered = false;
    const stuck = invokeRaw(ids.loop!, '{"export":"spin","args":[],"deadlineMs":3000}').then((res) => {
      stuckAnswered = true;
      return res;
    });
    const others = await Promise.all(Array.from({ length: 20 }, (_, i) => client.invoke(ids.count!, 'count', `[${i + 1}]`)));
    // The other worker served all of them while the loop was still running.
    expect(stuckAnswered).toBe(false);
    expect(others.map((r) => r.results[0])).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const res = await stuck;
    expect(res.status).toBe(504);
    expect((await res.json().then(asAny)).error).toMatchObject({ code: 'deadline_exceeded' });
    // The server's own deadline (20 s) also ends a loop; a client's lower one ends it sooner.
    const started = performance.now();
    const lowered = await invokeRaw(ids.loop!, '{"export":"spin","args":[],"deadlineMs":300}');
    expect(lowered.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 60_000);

  it('cancels the call of a client that hangs up, after a grace period', async () => {
    const hangUp = new AbortController();
    const call = fetch(`${server.url}/functions/${ids.loop!}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"export":"spin","args":[]}',
      signal: hangUp.signal,
    }).catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 200));
    hangUp.abort();
    expect(await call).toBe('AbortError');
    const cancelled = async () => /tensor_wasm_invocation_errors_total\{code="cancelled"\} 1/.test(await (await fetch(`${server.url}/metrics`)).text());
    const started = performance.now();
    while (!(await cancelled())) {
      expect(performance.now() - started).toBeLessThan(10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 30_000);

  it('streams stdout and finished events of a run', async () => {
    const events: RunEvent[] = [];
    const reading = (async () => {
      for await (const event of client.events('say-run')) events.push(event);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await client.invoke(ids.reactor!, 'say', '[2]', { runId: 'say-run' });
    await reading;
    expect(result.results).toEqual([2]);
    expect(result.stdout).toBe('line 0\nline 1\n');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('started');
    expect(types.at(-1)).toBe('finished');
    const stdout = events.filter((e): e is OutputEvent => e.type === 'stdout').map((e) => e.text).join('');
    expect(stdout).toBe('line 0\nline 1\n');
  });

  it('streams kernel launches and syncs of a wasi:cuda guest, and counts launches by device', async () => {
    const guest = await readFile(join(import.meta.dirname, '..', 'fixtures', 'guests', 'wasm', 'vector_add.wasm'));
    const id = (await client.deploy(new Uint8Array(guest), 'vector_add')).id;
    const events: RunEvent[] = [];
    const reading = (async () => {
      for await (const event of client.events('vec-run')) events.push(event);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await client.invoke(id, 'run_vector_add', '[1000]', { runId: 'vec-run' });
    await reading;
    expect(result).toMatchObject({ results: [0], launches: 1, device: 'cpu' });
    const launch = events.find((e) => e.type === 'launch');
    expect(launch).toMatchObject({ kernel: 'vector_add', device: 'cpu', grid: [4, 1, 1], block: [256, 1, 1] });
    expect(events.some((e) => e.type === 'sync')).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/tensor_wasm_kernel_launches_total\{device="cpu"\} 1/);
  }, 60_000);

  it('counts invocations, errors by code and durations in /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const ok = Number(/tensor_wasm_invocations_total\{outcome="ok"\} (\d+)/.exec(text)?.[1]);
    expect(ok).toBeGreaterThanOrEqual(1020);
    expect(text).toMatch(/tensor_wasm_invocation_errors_total\{code="deadline_exceeded"\} 2/);
    expect(text).toMatch(/tensor_wasm_invocation_errors_total\{code="trap"\} 1/);
    expect(text).toMatch(/tensor_wasm_invocation_duration_seconds_count\{outcome="ok"\} \d+/);
  });

  it('keeps functions across a restart', async () => {
    await server.close(true);
    server = await startTestServer({ dataDir: server.dataDir, engineConfig: { poolSize: 1 } });
    client = new ApiClient(server.url);
    const listed = (await client.list()).map((f) => f.name).sort();
    expect(listed).toEqual(['add', 'count', 'loop', 'numbers', 'reactor', 'traps', 'vector_add']);
    const result = await client.invoke(ids.add!, 'add', '[40, 2]');
    expect(result.results).toEqual([42]);
    const detail = await client.describe(ids.numbers!);
    expect(detail.exports.find((e) => e.name === 'add64')?.signature).toEqual({ params: ['i64', 'i64'], results: ['i64'] });
    expect(detail.exports.find((e) => e.name === 'add64')?.runsInline).toBe(true);
    expect((await client.describe(ids.count!)).exports.find((e) => e.name === 'count')?.runsInline).toBeUndefined();
  });
});

describe('a full queue', () => {
  it('answers 429 queue_full when every instance is busy and the queue is full', async () => {
    const server = await startTestServer({ engineConfig: { poolSize: 1, maxQueue: 1, deadlineMs: 800 } });
    try {
      const client = new ApiClient(server.url);
      const loop = (await client.deploy(await wasm('loop'))).id;
      const call = () =>
        fetch(`${server.url}/functions/${loop}/invoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"export":"spin"}' });
      const statuses = await Promise.all([call(), call(), call(), call()].map(async (p) => (await p).status));
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      expect(statuses.filter((s) => s === 504).length).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});
