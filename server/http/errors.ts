import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS, isTensorWasmError, toErrorInfo, type ErrorCode, type ErrorInfo } from '../../contract/errors.js';
import { getLogger } from '../../runtime/telemetry/logger.js';
import { clip } from './clip.js';

const log = getLogger({ component: 'server.http' });

/** The one error body every route answers with. */
export interface ErrorBody {
  error: ErrorInfo;
}

/**
 * Longest message an error body carries. Messages quote at most ~200 characters of input where
 * they are made; this is the net under them, so no reply echoes a request back whatever threw.
 */
export const MAX_MESSAGE_CHARS = 600;
const FASTIFY_MESSAGE_CHARS = 240;

/** An error answered with a status other than its code's (the body budget's 503). */
export interface WithHttpStatus {
  httpStatus?: number;
}

/** Statuses fastify or its plugins answer with, mapped onto the taxonomy. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 408) return 'deadline_exceeded';
  if (status === 413 || status === 431) return 'payload_too_large';
  return 'invalid_args';
}

/**
 * Maps anything a route or fastify itself throws onto the taxonomy: TensorWasmError keeps its code
 * (status from contract HTTP_STATUS); fastify's own client errors (body too large, bad JSON, wrong
 * content type, schema validation) become the matching code with fastify's status; the rest is
 * `internal`, logged, and answered without internals.
 */
export function errorReply(error: unknown): { status: number; body: ErrorBody } {
  if (isTensorWasmError(error)) return { status: (error as WithHttpStatus).httpStatus ?? HTTP_STATUS[error.code], body: { error: clipInfo(error.toJSON()) } };
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  const message = typeof fastifyError.message === 'string' ? fastifyError.message : String(error);
  if (fastifyError.validation !== undefined) return { status: 400, body: errorBody('invalid_args', message) };
  // A static file that may not be served (a dotfile, a path outside the folder) is simply not there.
  if (status === 403) return { status: 404, body: errorBody('not_found', 'not found') };
  // fastify's messages may quote a header or a path: they keep the first ~200 characters of it.
  if (status >= 400 && status < 500) return { status, body: errorBody(codeForStatus(status), clip(message, FASTIFY_MESSAGE_CHARS)) };
  const info = toErrorInfo(error);
  if (info.code !== 'internal') return { status: HTTP_STATUS[info.code], body: { error: clipInfo(info) } };
  log.error({ err: error }, 'internal error while serving a request');
  return { status: 500, body: errorBody('internal', 'internal server error') };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message: clip(message, MAX_MESSAGE_CHARS) } };
}

function clipInfo(info: ErrorInfo): ErrorInfo {
  return info.message.length > MAX_MESSAGE_CHARS ? { ...info, message: clip(info.message, MAX_MESSAGE_CHARS) } : info;
}

/** Answers with the error body and a status of the caller's choosing (hooks that refuse early). */
export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(errorBody(code, message)));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error, _request, reply) => {
    const { status, body } = errorReply(error);
    return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });
  app.setNotFoundHandler(async (request, reply) => sendError(reply, 404, 'not_found', `no route ${request.method} ${clip(request.url.split('?')[0] ?? '')}`));
}

/**
 * Fastify's `frameworkErrors`: URLs its router cannot decode (`/%zz`) and over-long path
 * parameters, answered with the error body instead of fastify's own.
 */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : error.code === 'FST_ERR_BAD_URL' ? 400 : 500;
  const message = status === 400 ? 'the URL is not valid (a bad percent-encoding?)' : status === 414 ? 'a path parameter is too long' : 'internal server error';
  void sendError(reply, status, status === 500 ? 'internal' : 'invalid_args', message);
}

/**
 * Node's `clientError`: requests that are not HTTP, headers too large, requests that took too long
 * to arrive. Answered with the error body (then the socket is closed), as Node would but in our shape.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let code: ErrorCode = 'invalid_args';
  let message = 'the request is not valid HTTP';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    [status, code, message] = [408, 'deadline_exceeded', 'the request did not arrive in time'];
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    [status, code, message] = [431, 'payload_too_large', 'the request headers are too large'];
  }
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
