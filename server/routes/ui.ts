import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SECRET_META } from '../http/browser-guard.js';

/**
 * Serves the built workbench (dist/renderer) at `/`. API routes are registered first and win;
 * everything else under `/` is looked up in `root`. The page itself (index.html) is served with
 * this server's secret in a `<meta>` (server/http/browser-guard.ts), never cached: other origins
 * cannot read it, so only this page can send the secret back.
 */
export async function registerUi(app: FastifyInstance, root: string, secret: string): Promise<void> {
  const page = async (_request: unknown, reply: FastifyReply) => {
    const html = await readFile(join(root, 'index.html'), 'utf8');
    const meta = `<meta name="${SECRET_META}" content="${secret}">`;
    const withSecret = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${meta}`) : `${meta}${html}`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(withSecret);
  };
  app.get('/', { schema: { hide: true } }, page);
  app.get('/index.html', { schema: { hide: true } }, page);
  await app.register(fastifyStatic, { root, prefix: '/', index: false, schemaHide: true, cacheControl: true, maxAge: 0 });
}
