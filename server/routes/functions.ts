import type { FastifyInstance } from 'fastify';
import { TensorWasmError } from '../../contract/errors.js';
import { clip } from '../http/clip.js';
import type { ServerContext } from '../context.js';
import type { FunctionRecord } from '../registry/function-registry.js';
import {
  commonErrors,
  deployDocBody,
  deployReplySchema,
  errorResponse,
  functionDetailSchema,
  functionListSchema,
  idParamsSchema,
} from '../http/schemas.js';
import { getLogger } from '../../runtime/telemetry/logger.js';

const log = getLogger({ component: 'server.functions' });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Deploy, list, describe and delete functions (the registry's HTTP face). */
export function functionRoutes(context: ServerContext) {
  return async function register(app: FastifyInstance): Promise<void> {
    const { registry, metrics } = context;

    app.post<{ Querystring: { name?: string } }>(
      '/functions',
      {
        schema: {
          summary: 'Deploy a module',
          description:
            'The body is the raw module (Content-Type: application/wasm or application/octet-stream, optional ?name=) or JSON {"name", "wasm": base64}. The module is validated and stored content-addressed: the same bytes always get the same id.',
          tags: ['functions'],
          querystring: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 128 } } },
          response: {
            201: { description: 'Deployed (or already deployed: `created` is false)', ...deployReplySchema },
            400: errorResponse('invalid_module (with the reason and byte offset) or a malformed body'),
            413: errorResponse('payload_too_large: the module is over the upload limit'),
            415: errorResponse('invalid_args: unsupported content type'),
            ...commonErrors,
          },
        },
        config: { docBody: deployDocBody },
      },
      async (request, reply) => {
        const { bytes, name } = deployInput(request.body, request.query.name);
        const { record, created } = await registry.deploy(bytes, name);
        if (created) metrics.deployed();
        log.info({ id: record.id, name: record.name, created }, 'deployed');
        return reply.code(201).send({ ...summary(record), created });
      },
    );

    app.get(
      '/functions',
      {
        schema: {
          summary: 'List deployed functions',
          tags: ['functions'],
          response: { 200: { description: 'Every deployed function, oldest first', ...functionListSchema }, ...commonErrors },
        },
      },
      async () => ({ functions: registry.list().map(summary) }),
    );

    app.get<{ Params: { id: string } }>(
      '/functions/:id',
      {
        schema: {
          summary: 'Describe a function',
          description: 'Exports with signatures, imports, memories, and the offload report when the analyser is available.',
          tags: ['functions'],
          params: idParamsSchema,
          response: {
            200: { description: 'The function', ...functionDetailSchema },
            404: errorResponse('not_found'),
            ...commonErrors,
          },
        },
      },
      async (request) => {
        const record = registry.get(request.params.id);
        const offload = await offloadReport(context, record);
        return { ...summary(record), ...record.description, id: record.id, ...(offload === undefined ? {} : { offload }) };
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/functions/:id',
      {
        schema: {
          summary: 'Delete a function',
          tags: ['functions'],
          params: idParamsSchema,
          response: {
            204: { description: 'Deleted', type: 'null' },
            404: errorResponse('not_found'),
            ...commonErrors,
          },
        },
      },
      async (request, reply) => {
        await registry.delete(request.params.id);
        return reply.code(204).send();
      },
    );
  };
}

export function summary(record: FunctionRecord) {
  return {
    id: record.id,
    name: record.name,
    hash: record.hash,
    sizeBytes: record.sizeBytes,
    deployedAt: record.deployedAt,
    exports: record.description.exports,
  };
}

function deployInput(body: unknown, queryName: string | undefined): { bytes: Uint8Array; name?: string } {
  if (Buffer.isBuffer(body)) return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), ...(queryName ? { name: queryName } : {}) };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TensorWasmError('invalid_args', 'send the module as application/wasm, or JSON {"name": "...", "wasm": "<base64>"}');
  }
  const { wasm, name, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new TensorWasmError('invalid_args', `unknown field '${clip(extra[0]!, 60)}'; accepted: name, wasm`);
  if (typeof wasm !== 'string') throw new TensorWasmError('invalid_args', '"wasm" must be the module bytes in base64');
  const compact = wasm.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) throw new TensorWasmError('invalid_args', '"wasm" is not valid base64');
  if (name !== undefined && typeof name !== 'string') throw new TensorWasmError('invalid_args', '"name" must be a string');
  const chosen = name ?? queryName;
  return { bytes: new Uint8Array(Buffer.from(compact, 'base64')), ...(chosen ? { name: chosen } : {}) };
}

async function offloadReport(context: ServerContext, record: FunctionRecord): Promise<unknown> {
  if (!context.offloadReport) return undefined;
  try {
    return context.offloadReport(await context.registry.bytes(record.id), record.description);
  } catch (error) {
    // The report is an extra: a failing analyser must not hide the function's description.
    log.warn({ id: record.id, err: error }, 'offload analysis failed');
    return undefined;
  }
}
