import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineEngine } from '../test-support/inline-engine.js';
import { startTestServer, type TestServer } from '../test-support/start-server.js';

describe('serve --ui', () => {
  let server: TestServer;
  let uiDir: string;
  beforeAll(async () => {
    uiDir = await mkdtemp(join(tmpdir(), 'tw-ui-'));
    await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>workbench</title>');
    await writeFile(join(uiDir, 'app.js'), 'console.log(1)');
    server = await startTestServer({
      engine: new InlineEngine(),
      uiDir,
      plugins: [
        (app, context) => {
          app.get('/extra', { schema: { hide: true } }, async () => ({ functions: context.registry.size }));
        },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(uiDir, { recursive: true, force: true });
  });

  it('serves the UI folder at / next to the API', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>workbench</title>');
    const script = await fetch(`${server.url}/app.js`);
    expect(await script.text()).toBe('console.log(1)');
    const api = await fetch(`${server.url}/functions`);
    expect(await api.text()).toBe('{"functions":[]}');
  });

  it('answers unknown files with the JSON 404 and never leaves the folder', async () => {
    const missing = await fetch(`${server.url}/missing.js`);
    expect(missing.status).toBe(404);
    const traversal = await fetch(`${server.url}/..%2F..%2Fetc%2Fpasswd`);
    expect([403, 404]).toContain(traversal.status);
  });

  it('registers extra route plugins with the server context', async () => {
    expect(await (await fetch(`${server.url}/extra`)).text()).toBe('{"functions":0}');
  });
});
