import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './app.js';
import { isLoopbackHost } from './auth.js';
import { InlineEngine } from './test-support/inline-engine.js';
import { startTestServer, type TestServer } from './test-support/start-server.js';
import { asAny } from './test-support/as-any.js';

describe('isLoopbackHost', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '::ffff:10.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('listening beyond loopback', () => {
  it('requires a token', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tw-auth-'));
    await expect(buildServer({ engine: new InlineEngine(), dataDir, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'unauthorized' });
    const app = await buildServer({ engine: new InlineEngine(), dataDir, host: '0.0.0.0', token: 's3cret' });
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('bearer token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ engine: new InlineEngine(), token: 's3cret-token' });
  });
  afterAll(async () => server.close());

  it('answers 401 without or with a wrong token, on every route', async () => {
    for (const path of ['/healthz', '/functions', '/metrics', '/openapi.json', `/functions/${'a'.repeat(64)}`, '/nope']) {
      const none = await fetch(server.url + path);
      expect(none.status, path).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect((await none.json().then(asAny)).error.code).toBe('unauthorized');
      const wrong = await fetch(server.url + path, { headers: { authorization: 'Bearer s3cret-tokem' } });
      expect(wrong.status, path).toBe(401);
    }
    const post = await fetch(`${server.url}/functions`, { method: 'POST', headers: { 'content-type': 'application/wasm', authorization: 'Basic x' }, body: new Uint8Array(8) });
    expect(post.status).toBe(401);
  });

  it('serves requests with the right token', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(res.status).toBe(200);
    const doc = await (await fetch(`${server.url}/openapi.json`, { headers: { authorization: 'bearer s3cret-token' } })).json().then(asAny);
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('bearer token with the browser UI', () => {
  let server: TestServer;
  let uiDir: string;
  beforeAll(async () => {
    uiDir = await mkdtemp(join(tmpdir(), 'tw-ui-'));
    await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>TensorWasm</title>');
    server = await startTestServer({ engine: new InlineEngine(), token: 'ui-token', uiDir });
  });
  afterAll(async () => {
    await server.close();
    await rm(uiDir, { recursive: true, force: true });
  });

  it('serves the static UI and CORS preflights without the token, and the API only with it', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('TensorWasm');
    const preflight = await fetch(`${server.url}/functions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).not.toBe(401);
    expect((await fetch(`${server.url}/functions`)).status).toBe(401);
    expect((await fetch(`${server.url}/functions`, { headers: { authorization: 'Bearer ui-token' } })).status).toBe(200);
  });
});
