import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TensorWasmError } from '../../contract/errors.js';
import { sendError, type WithHttpStatus } from './errors.js';

/**
 * A cap on request-body bytes held across all connections at once (issue 15, defect 5: six
 * parallel 60 MiB uploads took the server from 130 MB to 653 MB). Each body counts from when it
 * starts arriving until its reply is sent: a declared `Content-Length` is reserved whole before
 * any byte is read, and a chunked body counts as its chunks arrive. A request that would go past
 * the cap is answered 503 (with `Retry-After`) and its body is not kept; one larger than the
 * per-request limit is 413 as before (the cap is at least that limit).
 */
export function installBodyBudget(app: FastifyInstance, maxInFlightBytes: number): { inFlight(): number } {
  let inFlight = 0;
  const held = new WeakMap<FastifyRequest, number>();

  const take = (request: FastifyRequest, reply: FastifyReply, bytes: number): boolean => {
    if (inFlight + bytes > maxInFlightBytes) return false;
    inFlight += bytes;
    const before = held.get(request);
    held.set(request, (before ?? 0) + bytes);
    // Released once, when the reply is done or the connection dropped (whichever comes first).
    if (before === undefined) reply.raw.once('close', () => {
      inFlight -= held.get(request) ?? 0;
      held.set(request, 0);
    });
    return true;
  };

  app.addHook('onRequest', async (request, reply) => {
    const length = request.headers['content-length'];
    if (length === undefined) return undefined;
    const bytes = Number(length);
    if (!Number.isSafeInteger(bytes) || bytes <= 0) return undefined; // fastify refuses malformed lengths itself
    if (bytes > maxInFlightBytes) return undefined; // over the per-request limit too: fastify's 413
    if (!take(request, reply, bytes)) {
      reply.header('retry-after', '1');
      return sendError(reply, 503, 'queue_full', busyMessage(maxInFlightBytes));
    }
    return undefined;
  });

  app.addHook('preParsing', async (request, reply, payload) => {
    if (request.headers['content-length'] !== undefined) return payload;
    // A chunked body: counted as it arrives; going past the cap ends the request with 503.
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        if (take(request, reply, chunk.length)) done(null, chunk);
        else {
          reply.header('retry-after', '1');
          done(busyError(maxInFlightBytes));
        }
      },
    });
    // The request's errors (a client that hangs up) reach whoever reads the body through the
    // counter. When nobody does (the route answered before reading it), they must not go
    // unhandled: an unhandled stream error would end the process.
    payload.on('error', (error) => counter.destroy(error));
    counter.on('error', () => undefined);
    return payload.pipe(counter);
  });

  return { inFlight: () => inFlight };
}

function busyMessage(max: number): string {
  return `the server is receiving too many request bodies at once (limit ${max} bytes in flight): retry shortly`;
}

function busyError(max: number): TensorWasmError {
  const error = new TensorWasmError('queue_full', busyMessage(max), { limit: 'max_body_bytes_in_flight', limitValue: max });
  (error as WithHttpStatus).httpStatus = 503;
  return error;
}
