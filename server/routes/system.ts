import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { commonErrors } from '../http/schemas.js';

/** Health, Prometheus metrics and the OpenAPI document. */
export function systemRoutes(context: ServerContext) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'Liveness',
          tags: ['system'],
          response: {
            200: {
              description: 'The server is up',
              type: 'object',
              required: ['status'],
              properties: { status: { type: 'string', enum: ['ok'] }, functions: { type: 'integer' }, uptimeSeconds: { type: 'number' } },
            },
            ...commonErrors,
          },
        },
      },
      async () => ({ status: 'ok', functions: context.registry.size, uptimeSeconds: process.uptime() }),
    );

    app.get(
      '/metrics',
      {
        schema: {
          summary: 'Prometheus metrics',
          description:
            'Text exposition format: tensor_wasm_invocations_total{outcome}, tensor_wasm_invocation_errors_total{code}, tensor_wasm_invocation_duration_seconds (histogram), tensor_wasm_kernel_launches_total{device}, tensor_wasm_deploys_total, process metrics.',
          tags: ['system'],
          response: {
            200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...commonErrors,
          },
        },
      },
      async (_request, reply) => reply.type(context.metrics.contentType).send(await context.metrics.text()),
    );

    app.get(
      '/openapi.json',
      {
        schema: {
          summary: 'This API as an OpenAPI 3 document',
          tags: ['system'],
          response: { 200: { description: 'The OpenAPI document', type: 'object', additionalProperties: true }, ...commonErrors },
        },
      },
      async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())),
    );
  };
}
