import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createEngine } from '../../runtime/engine.js';
import { buildServer } from '../../server/app.js';
import { buildRendererIfStale } from './build-renderer.js';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  dataDir: string;
  stop(): Promise<void>;
}

/** The real server (F's buildServer, the real engine) serving the built workbench on a random port. */
export async function startWorkbenchServer(options: { token?: string; corsOrigins?: string[] } = {}): Promise<RunningServer> {
  const uiDir = await buildRendererIfStale();
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-e2e-data-'));
  const engine = createEngine({ poolSize: 1, device: 'cpu' });
  const app = await buildServer({ engine, dataDir, uiDir, ...(options.token ? { token: options.token } : {}), ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    dataDir,
    stop: async () => {
      await app.close();
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
