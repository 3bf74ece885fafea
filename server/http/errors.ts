import type { FastifyError, FastifyInstance } from 'fastify';
import { HTTP_STATUS, isTensorWasmError, toErrorInfo, type ErrorCode, type ErrorInfo } from '../../contract/errors.js';
import { getLogger } from '../../runtime/telemetry/logger.js';

const log = getLogger({ component: 'server.http' });

/** The one error body every route answers with. */
export interface ErrorBody {
  error: ErrorInfo;
}

/**
 * Maps anything a route or fastify itself throws onto the taxonomy: TensorWasmError keeps its code
 * (status from contract HTTP_STATUS); fastify's own client errors (body too large, bad JSON, wrong
 * content type, schema validation) become the matching code with fastify's status; the rest is
 * `internal`, logged, and answered without internals.
 */
export function errorReply(error: unknown): { status: number; body: ErrorBody } {
  if (isTensorWasmError(error)) return { status: HTTP_STATUS[error.code], body: { error: error.toJSON() } };
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  const message = typeof fastifyError.message === 'string' ? fastifyError.message : String(error);
  if (fastifyError.validation !== undefined) return { status: 400, body: errorBody('invalid_args', message) };
  if (status === 413) return { status, body: errorBody('payload_too_large', message) };
  if (status === 404) return { status, body: errorBody('not_found', message) };
  if (status >= 400 && status < 500) return { status, body: errorBody('invalid_args', message) };
  const info = toErrorInfo(error);
  if (info.code !== 'internal') return { status: HTTP_STATUS[info.code], body: { error: info } };
  log.error({ err: error }, 'internal error while serving a request');
  return { status: 500, body: errorBody('internal', 'internal server error') };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error, _request, reply) => {
    const { status, body } = errorReply(error);
    return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const body = errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });
}
