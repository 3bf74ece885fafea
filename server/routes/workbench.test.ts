import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKBENCH_METHODS } from '../../contract/workbench.js';
import { FakeEngine, WASM_HEADER } from '../../workbench/fake-engine.test-util.js';
import { buildServer } from '../app.js';
import { WORKBENCH_HTTP_ROUTES } from './workbench.js';

let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb-routes-'));
  const ui = join(dir, 'ui');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(ui);
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>wb</title>');
  app = await buildServer({ engine: new FakeEngine(), dataDir: join(dir, 'data'), uiDir: ui });
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openFake(): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/workbench/modules?name=k.wasm', headers: { 'content-type': 'application/wasm' }, payload: Buffer.from(WASM_HEADER) });
  expect(res.statusCode).toBe(200);
  return res.json().moduleId as string;
}

describe('workbench routes', () => {
  it('has a route for every WorkbenchApi method, and each is registered', () => {
    expect(Object.keys(WORKBENCH_HTTP_ROUTES).sort()).toEqual([...WORKBENCH_METHODS].sort());
    for (const route of Object.values(WORKBENCH_HTTP_ROUTES)) {
      const [method, url] = route.split(' ') as [string, string];
      expect(app.hasRoute({ method: method as 'GET', url }), route).toBe(true);
    }
  });

  it('serves the UI and the target', async () => {
    expect((await app.inject('/')).body).toContain('<title>wb</title>');
    expect((await app.inject('/workbench/target')).json()).toMatchObject({ kind: 'local', nativeDialogs: false });
  });

  it('uploads, invokes, lists the run and exports its report', async () => {
    const moduleId = await openFake();
    const inv = await app.inject({ method: 'POST', url: '/workbench/invoke', payload: { runId: 'http-1', moduleId, exportName: 'launch_twice', argsJson: '[5]' } });
    expect(inv.statusCode).toBe(200);
    expect(inv.json()).toMatchObject({ status: 'ok', resultsJson: '[5]' });
    expect((await app.inject('/workbench/runs')).json()[0]).toMatchObject({ runId: 'http-1', launchCount: 2 });
    const rep = await app.inject('/workbench/runs/http-1/report?format=chrome-trace');
    expect(JSON.parse(rep.json().text).traceEvents.length).toBeGreaterThan(3);
    expect((await app.inject('/workbench/runs/http-1/report?format=pdf')).statusCode).toBe(400);
    expect((await app.inject('/workbench/runs/nope')).json().error.code).toBe('not_found');
  });

  it('never answers CORS with a wildcard (origins must be named with --cors-origin)', async () => {
    const pre = await app.inject({ method: 'OPTIONS', url: '/workbench/invoke', headers: { origin: 'app://workbench', 'access-control-request-method': 'POST' } });
    expect(pre.statusCode).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect((await app.inject('/workbench/target')).headers['access-control-allow-origin']).toBeUndefined();
    expect((await app.inject('/workbench/runs/nope')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses paths over HTTP and bad settings with the error body', async () => {
    const p = await app.inject({ method: 'POST', url: '/workbench/modules', payload: { kind: 'path', path: '/etc/passwd' } });
    expect(p.statusCode).toBe(400);
    const s = await app.inject({ method: 'PATCH', url: '/workbench/settings', payload: { deadlineMs: -1 } });
    expect(s.statusCode).toBe(400);
    expect(s.json().error.message).toContain('deadlineMs');
    const ok = await app.inject({ method: 'PATCH', url: '/workbench/settings', payload: { theme: 'dark' } });
    expect(ok.json().theme).toBe('dark');
  });

  it('streams batched events over SSE', async () => {
    const moduleId = await openFake();
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${address}/workbench/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read(); // ": stream open"
    await app.inject({ method: 'POST', url: '/workbench/invoke', payload: { runId: 'http-2', moduleId, exportName: 'launch_twice', argsJson: '[1]' } });
    let text = '';
    while (!text.includes('run-recorded')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const batches = [...text.matchAll(/event: batch\ndata: (.*)\n/g)].flatMap((m) => JSON.parse(m[1]!) as { kind: string; event?: { type: string } }[]);
    expect(batches.filter((e) => e.event?.type === 'launch')).toHaveLength(2);
    // block progress for each launch coalesced to its latest count within a batch
    expect(batches.filter((e) => e.event?.type === 'block-progress').length).toBeLessThanOrEqual(4);
  });
});
