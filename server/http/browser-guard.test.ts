import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine, WASM_HEADER } from '../../workbench/fake-engine.test-util.js';
import { buildServer } from '../app.js';
import { hostName, normalizeOrigin } from './browser-guard.js';

/**
 * Issue 15, defect 1: a page on another origin must neither read nor change anything on a local
 * server, and DNS rebinding must not reach it. `Origin`, `Host` and `Sec-Fetch-Site` are set here
 * as a browser would set them (the e2e spec shows the same with a real browser).
 */
let dir: string;
let app: FastifyInstance;
const EVIL = 'https://evil.example';
const LISTED = 'http://127.0.0.1:5173';
const HOST = '127.0.0.1:8080';
const SELF = `http://${HOST}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tw-guard-'));
  mkdirSync(join(dir, 'ui'));
  writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><html><head><title>wb</title></head><body></body></html>');
  app = await buildServer({ engine: new FakeEngine(), dataDir: join(dir, 'data'), uiDir: join(dir, 'ui'), corsOrigins: [LISTED] });
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (options: InjectOptions & { headers?: Record<string, string> }) => app.inject({ ...options, headers: { host: HOST, ...(options.headers ?? {}) } });
const upload = (headers: Record<string, string>) =>
  call({ method: 'POST', url: '/workbench/modules?name=k.wasm', headers: { 'content-type': 'application/wasm', ...headers }, payload: Buffer.from(WASM_HEADER) });

async function pageSecret(): Promise<string> {
  const page = await call({ method: 'GET', url: '/', headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' } });
  expect(page.statusCode).toBe(200);
  const match = /<meta name="tensor-wasm-secret" content="([^"]+)">/.exec(page.body);
  expect(match, 'the served page carries the secret').not.toBeNull();
  return match![1]!;
}

describe('a page on another origin', () => {
  it('can read nothing: every API and workbench route refuses it, and no reply allows it', async () => {
    for (const url of ['/workbench/runs', '/workbench/settings', '/workbench/recent', '/functions', '/healthz', '/metrics', '/']) {
      const res = await call({ method: 'GET', url, headers: { origin: EVIL, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' } });
      expect(res.statusCode, url).toBe(403);
      expect(res.json(), url).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('evil.example') } });
      expect(res.headers['access-control-allow-origin'], url).toBeUndefined();
    }
    // a no-cors read (an <img>, a <script src>) carries no Origin, but Sec-Fetch-Site gives it away
    const noCors = await call({ method: 'GET', url: '/workbench/runs', headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } });
    expect(noCors.statusCode).toBe(403);
  });

  it('can change nothing: uploads, invokes, settings and deletes are refused, preflight or not', async () => {
    const headers = { origin: EVIL, 'sec-fetch-site': 'cross-site' };
    expect((await upload(headers)).statusCode).toBe(403);
    expect((await call({ method: 'PATCH', url: '/workbench/settings', headers, payload: { theme: 'dark' } })).statusCode).toBe(403);
    expect((await call({ method: 'POST', url: '/workbench/invoke', headers: { ...headers, 'content-type': 'text/plain' }, payload: '{}' })).statusCode).toBe(403);
    expect((await call({ method: 'DELETE', url: '/workbench/runs/x', headers })).statusCode).toBe(403);
    const preflight = await call({ method: 'OPTIONS', url: '/workbench/invoke', headers: { origin: EVIL, 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect((await call({ method: 'GET', url: '/workbench/settings' })).json().theme).toBe('system');
    // `Origin: null` (sandboxed frames, file:// pages) is another origin too
    expect((await upload({ origin: 'null' })).statusCode).toBe(403);
    // a same-site page on another port is another origin
    expect((await upload({ origin: 'http://127.0.0.1:9999', 'sec-fetch-site': 'same-site' })).statusCode).toBe(403);
  });

  it('cannot reach the server through DNS rebinding: a Host that is not a loopback name is refused, page included', async () => {
    for (const host of ['evil.example:8080', 'evil.example', '127.0.0.1.evil.example:8080', 'localhost.:8080']) {
      for (const url of ['/', '/workbench/runs', '/functions']) {
        const res = await app.inject({ method: 'GET', url, headers: { host } });
        expect(res.statusCode, `${host} ${url}`).toBe(403);
        expect(res.body, `${host} ${url}`).not.toContain('tensor-wasm-secret');
        expect(res.json().error.code).toBe('unauthorized');
      }
    }
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'LOCALHOST', 'app.localhost:1']) {
      expect((await app.inject({ method: 'GET', url: '/functions', headers: { host } })).statusCode, host).toBe(200);
    }
  });

  it('cannot be framed', async () => {
    for (const url of ['/', '/functions', '/nope']) {
      const res = await call({ method: 'GET', url });
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
  });
});

describe('the served workbench and other clients', () => {
  it('the page gets a secret; its state-changing requests need it', async () => {
    const secret = await pageSecret();
    const same = { origin: SELF, 'sec-fetch-site': 'same-origin' };
    expect((await upload(same)).statusCode).toBe(403);
    expect((await upload({ ...same, 'x-tensor-wasm-secret': 'x'.repeat(secret.length) })).statusCode).toBe(403);
    const ok = await upload({ ...same, 'x-tensor-wasm-secret': secret });
    expect(ok.statusCode).toBe(200);
    // same-origin reads need no Origin and no secret (browsers send no Origin on GET)
    expect((await call({ method: 'GET', url: '/workbench/recent', headers: { 'sec-fetch-site': 'same-origin' } })).statusCode).toBe(200);
    // the page itself is never cached (it holds the secret)
    expect((await call({ method: 'GET', url: '/' })).headers['cache-control']).toBe('no-store');
    expect((await call({ method: 'GET', url: '/index.html' })).body).toContain(secret);
  });

  it('origins named with --cors-origin get CORS replies; the secret is not theirs to need', async () => {
    const preflight = await call({ method: 'OPTIONS', url: '/workbench/invoke', headers: { origin: LISTED, 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(LISTED);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    const res = await upload({ origin: LISTED, 'sec-fetch-site': 'same-site' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(LISTED);
    expect(res.headers.vary).toContain('Origin');
  });

  it('programs that are not browsers (no Origin, no Sec-Fetch-Site) work as before', async () => {
    expect((await upload({})).statusCode).toBe(200);
    expect((await call({ method: 'GET', url: '/workbench/runs' })).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('host and origin parsing', () => {
  it('reads host names and refuses malformed Host headers', () => {
    expect(hostName('127.0.0.1:8080')).toBe('127.0.0.1');
    expect(hostName('[::1]:80')).toBe('::1');
    expect(hostName('Localhost')).toBe('localhost');
    for (const bad of [undefined, '', 'a b', 'x/y', 'u@127.0.0.1', '127.0.0.1:99999', '127.1']) expect(hostName(bad), String(bad)).toBeUndefined();
  });

  it('accepts only bare origins for --cors-origin', () => {
    expect(normalizeOrigin('http://Example.com:8080/')).toBe('http://example.com:8080');
    expect(normalizeOrigin('app://workbench')).toBe('app://workbench');
    for (const bad of ['*', 'example.com', 'http://x.example/path', 'http://u:p@x.example']) {
      expect(() => normalizeOrigin(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_args' }));
    }
  });

  it('refuses a server built with a bad --cors-origin', async () => {
    await expect(buildServer({ engine: new FakeEngine(), dataDir: join(dir, 'bad'), corsOrigins: ['*'] })).rejects.toMatchObject({ code: 'invalid_args' });
  });
});

describe('with a token', () => {
  it('answers to any Host name (the token guards it), and still refuses other origins', async () => {
    const tokened = await buildServer({ engine: new FakeEngine(), dataDir: join(dir, 'tokened'), host: '0.0.0.0', token: 't0ken' });
    try {
      const auth = { authorization: 'Bearer t0ken' };
      expect((await tokened.inject({ method: 'GET', url: '/functions', headers: { host: 'gpu-box:8080', ...auth } })).statusCode).toBe(200);
      expect((await tokened.inject({ method: 'GET', url: '/functions', headers: { host: 'gpu-box:8080' } })).statusCode).toBe(401);
      const foreign = await tokened.inject({ method: 'GET', url: '/functions', headers: { host: 'gpu-box:8080', origin: EVIL, ...auth } });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await tokened.close();
    }
  });
});
