import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built workbench (dist/renderer) at `/`. API routes are registered first and win;
 * everything else under `/` is looked up in `root`.
 */
export async function registerUi(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], schemaHide: true, cacheControl: true, maxAge: 0 });
}
