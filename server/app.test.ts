import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineEngine } from './test-support/inline-engine.js';
import { startTestServer, type TestServer } from './test-support/start-server.js';
import { asAny } from './test-support/as-any.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'wasm');

describe('HTTP API routes (in-process engine)', () => {
  let server: TestServer;
  let add: Uint8Array;
  let numbers: Uint8Array;
  let addId: string;
  let numbersId: string;

  beforeAll(async () => {
    add = new Uint8Array(await readFile(join(fixtures, 'add.wasm')));
    numbers = new Uint8Array(await readFile(join(fixtures, 'numbers.wasm')));
    server = await startTestServer({ engine: new InlineEngine(), bodyLimitBytes: 256 * 1024, maxJsonDepth: 8 });
  });
  afterAll(async () => server.close());

  const post = (path: string, body: string | Uint8Array, type = 'application/json') =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': type }, body });
  const invoke = (id: string, body: string) => post(`/functions/${id}/invoke`, body);

  it('deploys raw wasm with ?name= → 201 {id, name, hash, exports}', async () => {
    const res = await post('/functions?name=adder', add, 'application/wasm');
    expect(res.status).toBe(201);
    const body = await res.json().then(asAny);
    expect(body.id).toMatch(/^[0-9a-f]{64}$/);
    expect(body.hash).toBe(body.id);
    expect(body.name).toBe('adder');
    expect(body.created).toBe(true);
    expect(body.exports.map((e: { name: string }) => e.name)).toEqual(['add', 'nothing', 'forty_two']);
    expect(body.exports[0].signature).toEqual({ params: ['i32', 'i32'], results: ['i32'] });
    addId = body.id;
  });

  it('deploying the same bytes again returns the same id', async () => {
    const res = await post('/functions', add, 'application/wasm');
    expect(res.status).toBe(201);
    const body = await res.json().then(asAny);
    expect(body.id).toBe(addId);
    expect(body.created).toBe(false);
    expect(body.name).toBe('adder');
  });

  it('deploys JSON {name, wasm: base64}', async () => {
    const res = await post('/functions', JSON.stringify({ name: 'numbers', wasm: Buffer.from(numbers).toString('base64') }));
    expect(res.status).toBe(201);
    const body = await res.json().then(asAny);
    expect(body.name).toBe('numbers');
    numbersId = body.id;
  });

  it('rejects an invalid module with 400 invalid_module and the offset', async () => {
    const res = await post('/functions', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x99]), 'application/wasm');
    expect(res.status).toBe(400);
    const body = await res.json().then(asAny);
    expect(body.error.code).toBe('invalid_module');
  });

  it('rejects bad JSON deploy bodies with 400', async () => {
    expect((await post('/functions', '{"wasm": 5}')).status).toBe(400);
    expect((await post('/functions', '{"wasm": "@@@"}')).status).toBe(400);
    expect((await post('/functions', '{"wasm": "AAAA", "extra": 1}')).status).toBe(400);
    expect((await post('/functions', '{"wasm":')).status).toBe(400);
  });

  it('lists and describes functions', async () => {
    const list = await (await fetch(`${server.url}/functions`)).json().then(asAny);
    expect(list.functions.map((f: { id: string }) => f.id)).toEqual([addId, numbersId]);
    const res = await fetch(`${server.url}/functions/${numbersId}`);
    expect(res.status).toBe(200);
    const detail = await res.json().then(asAny);
    expect(detail.kind).toBe('library');
    expect(detail.imports).toEqual([]);
    expect(detail.exports.find((e: { name: string }) => e.name === 'id64').signature).toEqual({ params: ['i64'], results: ['i64'] });
    // The auto-offload analyser's report: this module has no loops.
    expect(detail.offload).toMatchObject({ functions: 12, loops: [], errors: [], thresholds: { tripCountThreshold: 4096, v128RatioThreshold: 0.5 } });
  });

  it('invokes add(1, 2) → 200 {results: [3], durationMs, device, launches}', async () => {
    const res = await invoke(addId, '{"export": "add", "args": [1, 2]}');
    expect(res.status).toBe(200);
    const body = await res.json().then(asAny);
    expect(body.results).toEqual([3]);
    expect(typeof body.durationMs).toBe('number');
    expect(body.device).toBe('cpu');
    expect(body.launches).toBe(0);
  });

  it('classifies arguments from the request text (guide §3.1)', async () => {
    const id64 = await invoke(numbersId, '{"export":"id64","args":[2147483648]}');
    expect(id64.status).toBe(200);
    expect(await id64.text()).toContain('"results":[2147483648]');
    const big = await invoke(numbersId, '{"export":"add64","args":[9007199254740993, 9223372036854775806]}');
    expect(await big.text()).toContain(`"results":[${BigInt.asIntN(64, 9007199254740993n + 9223372036854775806n)}]`);
    const f = await invoke(numbersId, '{"export":"idf64","args":[1e10]}');
    expect(await f.text()).toContain('"results":[10000000000]');
    const i32asF64 = await invoke(numbersId, '{"export":"idf64","args":[5]}');
    expect(i32asF64.status).toBe(400);
    expect((await i32asF64.json().then(asAny)).error.code).toBe('type_mismatch');
    const str = await invoke(addId, '{"export":"add","args":["5", 1]}');
    expect(str.status).toBe(400);
    expect((await str.json().then(asAny)).error.code).toBe('invalid_args');
    const wide = await invoke(addId, '{"export":"add","args":[2147483648, 1]}');
    expect(wide.status).toBe(400);
    expect((await wide.json().then(asAny)).error).toMatchObject({ code: 'type_mismatch', details: { argIndex: 0, expected: 'i32', given: 'i64' } });
    const nan = await invoke(numbersId, '{"export":"nan"}');
    expect(await nan.text()).toContain('"results":["NaN"]');
    const none = await invoke(addId, '{"export":"nothing","args":[]}');
    expect((await none.json().then(asAny)).results).toEqual([]);
  });

  it('answers malformed invoke bodies with 400', async () => {
    for (const body of ['{"export":"add","args":[1,2]', '[1,2]', '{"args":[1,2]}', '{"export":"add","args":{"a":1}}', '{"export":"add","args":[1,2],"x":1}', '{"export":"add","export":"add"}']) {
      const res = await invoke(addId, body);
      expect(res.status, body).toBe(400);
      expect((await res.json().then(asAny)).error.code).toBe('invalid_args');
    }
  });

  it('limits JSON depth', async () => {
    const res = await invoke(addId, `{"export":"add","args":${'['.repeat(20)}${']'.repeat(20)}}`);
    expect(res.status).toBe(400);
    expect((await res.json().then(asAny)).error.details).toMatchObject({ limit: 'max_json_depth', limitValue: 8 });
    const deploy = await post('/functions', `{"wasm":"AAAA","name":${'['.repeat(9)}${']'.repeat(9)}}`);
    expect(deploy.status).toBe(400);
    expect((await deploy.json().then(asAny)).error.details).toMatchObject({ limit: 'max_json_depth' });
  });

  it('answers 404 for unknown functions, exports and routes', async () => {
    const unknownFn = await invoke('0'.repeat(64), '{"export":"add","args":[1,2]}');
    expect(unknownFn.status).toBe(404);
    expect((await unknownFn.json().then(asAny)).error.code).toBe('not_found');
    const unknownExport = await invoke(addId, '{"export":"sub","args":[1,2]}');
    expect(unknownExport.status).toBe(404);
    expect((await unknownExport.json().then(asAny)).error.code).toBe('unknown_export');
    const route = await fetch(`${server.url}/nope`);
    expect(route.status).toBe(404);
    expect((await route.json().then(asAny)).error.code).toBe('not_found');
  });

  it('refuses path-like ids without touching the file system', async () => {
    // Files a traversal would reach: they must survive a DELETE aimed at them.
    await writeFile(join(server.dataDir, 'secret.json'), '{}');
    await writeFile(join(server.dataDir, 'secret.wasm'), 'x');
    for (const id of ['..%2Fsecret', '..%2F..%2Fsecret', '%2E%2E%2Fsecret']) {
      const del = await fetch(`${server.url}/functions/${id}`, { method: 'DELETE' });
      expect(del.status).toBe(404);
      const invoked = await invoke(id, '{"export":"add","args":[1,2]}');
      expect(invoked.status).toBe(404);
    }
    expect(await readFile(join(server.dataDir, 'secret.json'), 'utf8')).toBe('{}');
    expect(await readFile(join(server.dataDir, 'secret.wasm'), 'utf8')).toBe('x');
    for (const id of ['..%2Fx', '..%2F..%2Fetc%2Fpasswd', `${'a'.repeat(63)}%2F`, 'ABC']) {
      const get = await fetch(`${server.url}/functions/${id}`);
      expect([400, 404]).toContain(get.status);
      expect((await get.json().then(asAny)).error.code).toBe('not_found');
      const del = await fetch(`${server.url}/functions/${id}`, { method: 'DELETE' });
      expect([400, 404]).toContain(del.status);
    }
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await post('/functions', new Uint8Array(300 * 1024), 'application/wasm');
    expect(res.status).toBe(413);
    expect((await res.json().then(asAny)).error.code).toBe('payload_too_large');
  });

  it('answers other content types with invalid_args', async () => {
    const res = await post('/functions', 'hello', 'image/png');
    expect(res.status).toBe(415);
    expect((await res.json().then(asAny)).error.code).toBe('invalid_args');
    const text = await post('/functions', 'hello', 'text/plain');
    expect(text.status).toBe(400);
    expect((await text.json().then(asAny)).error.code).toBe('invalid_args');
  });

  it('serves /healthz and /metrics', async () => {
    const health = await (await fetch(`${server.url}/healthz`)).json().then(asAny);
    expect(health).toMatchObject({ status: 'ok', functions: 2 });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/tensor_wasm_invocations_total\{outcome="ok"\} \d+/);
    expect(metrics).toMatch(/tensor_wasm_invocation_errors_total\{code="type_mismatch"\} [1-9]/);
    expect(metrics).toContain('tensor_wasm_invocation_duration_seconds_bucket');
  });

  it('deletes a function', async () => {
    const id = (await (await post('/functions', Buffer.from(numbers).subarray(0), 'application/wasm')).json().then(asAny)).id;
    expect(id).toBe(numbersId);
    const res = await fetch(`${server.url}/functions/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await fetch(`${server.url}/functions/${id}`)).status).toBe(404);
    expect((await fetch(`${server.url}/functions/${id}`, { method: 'DELETE' })).status).toBe(404);
  });
});
