import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './app.js';
import { InlineEngine } from './test-support/inline-engine.js';
import { startTestServer, type TestServer } from './test-support/start-server.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asAny } from './test-support/as-any.js';

describe('GET /openapi.json', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ engine: new InlineEngine() });
  });
  afterAll(async () => server.close());

  it('is a valid OpenAPI 3 document', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    const document = await res.json().then(asAny);
    expect(document.openapi).toBe('3.0.3');
    // validate() dereferences in place; give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
  });

  for (const withUi of [false, true]) {
    it(`describes every registered route (method and path)${withUi ? ', workbench routes included' : ''}`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'tw-openapi-'));
      const registered: string[] = [];
      const app = await buildServer({
        engine: new InlineEngine(),
        dataDir,
        ...(withUi ? { uiDir: dataDir } : {}),
        onRoute: (route) => {
          // Hidden routes (the UI's static files) are not part of the API.
          if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
          const methods = Array.isArray(route.method) ? route.method : [route.method];
          for (const method of methods) {
            if (method !== 'HEAD') registered.push(`${method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
          }
        },
      });
      await app.ready();
      const document = app.swagger() as { paths: Record<string, Record<string, unknown>> };
      await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
      expect(registered.length).toBeGreaterThanOrEqual(withUi ? 20 : 9);
      const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      expect(documented.sort()).toEqual([...new Set(registered)].sort());
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    });
  }
});
