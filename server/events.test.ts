import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './client/api-client.js';
import { readSse } from './client/sse-reader.js';
import { InlineEngine } from './test-support/inline-engine.js';
import { startTestServer, type TestServer } from './test-support/start-server.js';
import type { RunEvent } from '../contract/events.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'wasm');

describe('run event streams', () => {
  let server: TestServer;
  let client: ApiClient;
  let id: string;
  beforeAll(async () => {
    server = await startTestServer({ engine: new InlineEngine({ poolSize: 2, maxQueue: 8, callDelayMs: 50 }) });
    client = new ApiClient(server.url);
    id = (await client.deploy(new Uint8Array(await readFile(join(fixtures, 'numbers.wasm'))), 'numbers')).id;
  });
  afterAll(async () => server.close());

  it('streams a run subscribed before the invocation, ending after finished', async () => {
    const collected: RunEvent[] = [];
    const reading = (async () => {
      for await (const event of client.events('run-1')) collected.push(event);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await client.invoke(id, 'id64', '[9223372036854775807]', { runId: 'run-1' });
    expect(result.runId).toBe('run-1');
    expect(result.results).toEqual([9223372036854775807n]);
    await reading;
    expect(collected.map((e) => e.type)).toEqual(['started', 'finished']);
    expect(collected.every((e) => e.runId === 'run-1')).toBe(true);
    const finished = collected[1] as Extract<RunEvent, { type: 'finished' }>;
    expect(finished.results).toEqual([9223372036854775807n]);
  });

  it('replays a finished run to a late subscriber', async () => {
    await client.invoke(id, 'idf64', '[1.5]', { runId: 'run-late' });
    const types: string[] = [];
    for await (const event of client.events('run-late')) types.push(event.type);
    expect(types).toEqual(['started', 'finished']);
  });

  it('ends the stream with failed when the invocation fails', async () => {
    const types: string[] = [];
    const reading = (async () => {
      for await (const event of client.events('run-bad')) types.push(event.type === 'failed' ? `failed:${event.error.code}` : event.type);
    })();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await expect(client.invoke(id, 'missing', '[]', { runId: 'run-bad' })).rejects.toMatchObject({ code: 'unknown_export' });
    await reading;
    expect(types).toEqual(['failed:unknown_export']);
  });

  it('refuses a run id that is already used, and malformed run ids', async () => {
    await expect(client.invoke(id, 'id32', '[1]', { runId: 'run-1' })).rejects.toMatchObject({ code: 'invalid_args' });
    const res = await fetch(`${server.url}/runs/..%2Fx/events`);
    expect(res.status).toBe(400);
  });

  it('streams events and the result from POST …/invoke?stream=true', async () => {
    const res = await fetch(`${server.url}/functions/${id}/invoke?stream=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"export":"add64","args":[4294967296, 4294967297]}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const messages = [];
    for await (const message of readSse(res.body!)) messages.push(message);
    expect(messages.map((m) => m.event)).toEqual(['started', 'finished', 'result']);
    expect(messages[2]!.data).toContain('"results":[8589934593]');
  });

  it('reports errors in a stream as an error message', async () => {
    const res = await fetch(`${server.url}/functions/${id}/invoke?stream=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"export":"id32","args":[1.5]}',
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const messages = [];
    for await (const message of readSse(res.body!)) messages.push(message);
    expect(messages.map((m) => m.event)).toEqual(['error']);
    expect(JSON.parse(messages[0]!.data)).toMatchObject({ error: { code: 'type_mismatch' }, status: 400 });
    // A body that is not JSON is refused before the stream opens.
    const bad = await fetch(`${server.url}/functions/${id}/invoke?stream=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
  });
});
