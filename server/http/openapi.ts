import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A request body schema for the OpenAPI document only (bodies the route parses by hand). */
    docBody?: unknown;
  }
}

/**
 * Registers @fastify/swagger, which builds /openapi.json from the route schemas. Must be
 * registered before the routes it describes.
 */
export async function installOpenApi(app: FastifyInstance, options: { version: string; withToken: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'TensorWasm HTTP API',
        description: 'Deploy WebAssembly modules, invoke their exports, and watch their runs (docs/HTTP-API.md).',
        version: options.version,
        license: { name: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Required on every request when the server runs with a token.' },
        },
      },
      ...(options.withToken ? { security: [{ bearerAuth: [] }] } : {}),
    },
    transform: ({ schema, url, route }) => {
      const docBody = route.config?.docBody;
      return { schema: docBody === undefined ? schema : ({ ...schema, body: docBody } as typeof schema), url };
    },
  });
}
