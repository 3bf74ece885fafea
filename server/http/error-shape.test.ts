import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../contract/errors.js';
import { InlineEngine } from '../test-support/inline-engine.js';
import { rawRequest } from '../test-support/raw-http.js';
import { startTestServer, type TestServer } from '../test-support/start-server.js';

/**
 * Issue 15, defect 6: every error the server answers — from a route, from fastify's router and
 * parsers, from Node's HTTP parser, from the static UI — is `{"error":{"code","message"}}` with a
 * code of docs/ERRORS.md. Requests are written as raw bytes so nothing normalises them first.
 */
let server: TestServer;
let port: number;
let uiDir: string;

beforeAll(async () => {
  uiDir = await mkdtemp(join(tmpdir(), 'tw-shape-ui-'));
  await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>wb</title>');
  server = await startTestServer({ engine: new InlineEngine(), uiDir, bodyLimitBytes: 64 * 1024 });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
  await rm(uiDir, { recursive: true, force: true });
});

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;
const post = (path: string, type: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

/** The documented shape, and nothing of fastify's own body (`statusCode`, `FST_ERR_*`). */
function expectErrorShape(body: string, what: string): { code: string; message: string } {
  const parsed = JSON.parse(body) as { error: { code: string; message: string; details?: unknown } };
  expect(Object.keys(parsed), what).toEqual(['error']);
  expect(Object.keys(parsed.error).filter((k) => k !== 'details').sort(), what).toEqual(['code', 'message']);
  expect(ERROR_CODES, what).toContain(parsed.error.code);
  expect(body, what).not.toMatch(/FST_ERR|statusCode|Client Error/);
  return parsed.error;
}

describe('every error response has the documented shape', () => {
  const cases: [string, string | Buffer, number, string][] = [
    ['a URL fastify cannot decode', get('/functions/%zz'), 400, 'invalid_args'],
    ['a path parameter past the router limit', get(`/functions/${'a'.repeat(300)}`), 404, 'not_found'],
    ['an unknown route', get('/nope'), 404, 'not_found'],
    ['a static file that is not there', get('/missing.js'), 404, 'not_found'],
    ['a dotfile / traversal under the UI', get('/..%2f..%2fetc%2fpasswd'), 404, 'not_found'],
    ['a content type no route takes', post('/functions', 'text/xml', '<x/>'), 415, 'invalid_args'],
    ['an empty JSON body', post('/functions', 'application/json', ''), 400, 'invalid_args'],
    ['malformed JSON', post('/functions', 'application/json', '{"wasm":'), 400, 'invalid_args'],
    ['a body over the limit', post('/functions', 'application/wasm', 'x'.repeat(70 * 1024)), 413, 'payload_too_large'],
    ['a request that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'invalid_args'],
    ['an unknown method', 'BREW / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400, 'invalid_args'],
    ['a malformed Content-Length', 'POST /functions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n', 400, 'invalid_args'],
    ['headers past Node’s limit', get('/healthz', `X-Big: ${'a'.repeat(20_000)}\r\n`), 431, 'payload_too_large'],
    ['a request without Host', 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n', 403, 'unauthorized'],
    ['a foreign Host', get('/healthz').replace('Host: 127.0.0.1', 'Host: evil.example'), 403, 'unauthorized'],
  ];
  for (const [what, request, status, code] of cases) {
    it(what, async () => {
      const res = await rawRequest(port, request);
      expect(res.status, what).toBe(status);
      expect(res.headers['content-type'], what).toMatch(/^application\/json/);
      expect(expectErrorShape(res.body, what).code, what).toBe(code);
    });
  }

  it('`//healthz` is /healthz, not an error', async () => {
    const res = await rawRequest(port, get('//healthz'));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok' });
  });

  it('quotes at most ~200 characters of the input in a message', async () => {
    const res = await rawRequest(port, `DELETE /${'x'.repeat(5000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const { message } = expectErrorShape(res.body, 'long URL');
    expect(message.length).toBeLessThan(260);
    const typed = await rawRequest(port, post('/functions', `text/${'y'.repeat(5000)}`, 'z'));
    expect(expectErrorShape(typed.body, 'long content type').message.length).toBeLessThan(300);
    const keys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${i}${'k'.repeat(500)}`, 1]));
    const invoke = await rawRequest(port, post(`/functions/${'0'.repeat(64)}/invoke`, 'application/json', JSON.stringify({ export: 'f', ...keys })));
    expect(expectErrorShape(invoke.body, 'unknown invoke fields').message.length).toBeLessThan(300);
    const deploy = await rawRequest(port, post('/functions', 'application/json', JSON.stringify({ wasm: 'AAAA', ['q'.repeat(5000)]: 1 })));
    expect(expectErrorShape(deploy.body, 'unknown deploy field').message.length).toBeLessThan(200);
    const malformed = await rawRequest(port, post(`/functions/${'0'.repeat(64)}/invoke`, 'application/json', `{"export":"f","args":[${'1'.repeat(5000)}x]}`));
    expect(expectErrorShape(malformed.body, 'malformed invoke').message.length).toBeLessThan(300);
  });
});
