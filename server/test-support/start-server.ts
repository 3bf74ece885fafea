import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerOptions } from '../app.js';

export interface TestServer {
  app: FastifyInstance;
  url: string;
  dataDir: string;
  /** Closes the server; removes the data dir unless `keepData`. */
  close(keepData?: boolean): Promise<void>;
}

/** A real server on a random loopback port, with a fresh data dir unless one is given. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tw-server-')));
  const app = await buildServer({ ...options, dataDir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    dataDir,
    async close(keepData = false) {
      await app.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
