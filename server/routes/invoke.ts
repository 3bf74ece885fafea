import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallOptions, InvokeResult, ModuleRef } from '../../contract/engine.js';
import { toErrorInfo } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import type { ServerContext } from '../context.js';
import { runEventToJson } from '../events/event-json.js';
import { SseStream } from '../events/sse.js';
import { errorReply } from '../http/errors.js';
import { parseInvokeBody, type InvokeRequest } from '../http/json-body.js';
import { commonErrors, errorResponse, idParamsSchema, invokeBodySchema, invokeReplySchema } from '../http/schemas.js';
import { endRequestSpan, traceparentFor } from '../tracing.js';

/** How long a call whose client hung up may still run before it is cancelled. */
export const CANCEL_GRACE_MS = 1_000;

interface InvokeRoute {
  Params: { id: string };
  Querystring: { stream?: boolean };
  Body: string;
}

/**
 * POST /functions/{id}/invoke. Its JSON body is kept as raw text (a content-type parser of this
 * plugin's own) so the arguments reach the engine with every number literal as the client wrote it,
 * and the reply is written as text so i64 results stay exact.
 */
export function invokeRoutes(context: ServerContext) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    app.post<InvokeRoute>(
      '/functions/:id/invoke',
      {
        schema: {
          summary: 'Invoke an exported function',
          description:
            'Arguments follow the guide §3.1, classified from the request text. With ?stream=true the reply is server-sent events: every run event (`started`, `stdout`, `stderr`, `launch`, `sync`, `offload`, `finished`/`failed`), then `result` (the 200 body) or `error` (the error body).',
          tags: ['invoke'],
          params: idParamsSchema,
          querystring: { type: 'object', properties: { stream: { type: 'boolean', default: false } } },
          response: {
            200: {
              description: 'The results; with ?stream=true a text/event-stream of run events ending in `result` or `error`',
              content: {
                'application/json': { schema: invokeReplySchema },
                'text/event-stream': { schema: { type: 'string' } },
              },
            },
            400: errorResponse('invalid_args, type_mismatch or malformed JSON'),
            404: errorResponse('not_found (no such function) or unknown_export'),
            413: errorResponse('payload_too_large'),
            422: errorResponse('trap or limit_exceeded'),
            429: errorResponse('queue_full: every instance is busy and the queue is full'),
            499: errorResponse('cancelled: the client went away'),
            503: errorResponse('device_unavailable'),
            504: errorResponse('deadline_exceeded'),
            ...commonErrors,
          },
        },
        config: { docBody: { content: { 'application/json': { schema: invokeBodySchema } } } },
      },
      async (request, reply) => {
        const body = parseInvokeBody(typeof request.body === 'string' ? request.body : '', context.maxJsonDepth);
        // Unknown ids fail here, before any stream is opened, as ordinary JSON errors.
        const ref = context.registry.loadedRef(request.params.id) ?? (await context.registry.ref(request.params.id));
        if (request.query.stream) return streamInvocation(context, request, reply, ref, body);
        const result = await invoke(context, request, ref, body);
        return reply.code(200).type('application/json; charset=utf-8').send(invokeReplyJson(result));
      },
    );
  };
}

/** The 200 body as text: `resultsJson` is the engine's exact rendering (i64 exact, NaN as strings). */
export function invokeReplyJson(result: InvokeResult): string {
  return (
    `{"results":${result.resultsJson},"durationMs":${JSON.stringify(result.durationMs)},` +
    `"device":${JSON.stringify(result.device)},"launches":${result.launches},"runId":${JSON.stringify(result.runId)},` +
    `"stdout":${JSON.stringify(result.stdout)},"stderr":${JSON.stringify(result.stderr)}}`
  );
}

async function invoke(
  context: ServerContext,
  request: FastifyRequest<InvokeRoute>,
  ref: ModuleRef,
  body: InvokeRequest,
  extraListener?: (event: RunEvent) => void,
): Promise<InvokeResult> {
  const { engine, hub, metrics } = context;
  const started = performance.now();
  const recorder = body.runId === undefined ? undefined : hub.begin(body.runId);
  const onEvent = combine(recorder, extraListener);
  // Only the fields that are set (hot path: no spread of empty objects per request).
  const options: CallOptions = { signal: hangUpSignal(request.raw.socket) };
  if (body.runId !== undefined) options.runId = body.runId;
  if (body.deadlineMs !== undefined) options.deadlineMs = Math.min(body.deadlineMs, context.maxDeadlineMs);
  if (onEvent) options.onEvent = onEvent;
  const traceparent = traceparentFor(request);
  if (traceparent) options.traceparent = traceparent;
  try {
    const result = await engine.invoke(ref, body.export, body.argsJson, options);
    metrics.invocationSucceeded((performance.now() - started) / 1000, result.device, result.launches);
    return result;
  } catch (error) {
    const info = toErrorInfo(error);
    metrics.invocationFailed((performance.now() - started) / 1000, info.code);
    if (body.runId !== undefined) hub.fail(body.runId, info, performance.now() - started);
    throw error;
  }
}

const hangUps = new WeakMap<Socket, AbortSignal>();

/**
 * Aborts when the client's connection closes, so a client that hangs up cancels its invocation
 * instead of holding an instance to the deadline — after a grace period: cancelling a running call
 * ends its worker, and restarting one costs far more than letting a short call finish (load
 * generators hang up mid-call by the dozen). One signal per connection, not per request: keep-alive
 * clients send many requests over one socket, one at a time.
 */
function hangUpSignal(socket: Socket): AbortSignal {
  let signal = hangUps.get(socket);
  if (!signal) {
    const controller = new AbortController();
    socket.once('close', () => setTimeout(() => controller.abort(), CANCEL_GRACE_MS).unref());
    signal = controller.signal;
    hangUps.set(socket, signal);
  }
  return signal;
}

async function streamInvocation(
  context: ServerContext,
  request: FastifyRequest<InvokeRoute>,
  reply: FastifyReply,
  ref: ModuleRef,
  body: InvokeRequest,
): Promise<FastifyReply> {
  reply.hijack();
  const stream = new SseStream(reply.raw);
  try {
    const result = await invoke(context, request, ref, body, (event) => stream.send(event.type, runEventToJson(event)));
    stream.send('result', invokeReplyJson(result));
  } catch (error) {
    const { status, body: errorBody } = errorReply(error);
    stream.send('error', JSON.stringify({ ...errorBody, status }));
  } finally {
    stream.end();
    endRequestSpan(request, 200);
  }
  return reply;
}

function combine(
  a: ((event: RunEvent) => void) | undefined,
  b: ((event: RunEvent) => void) | undefined,
): ((event: RunEvent) => void) | undefined {
  if (a && b) {
    return (event) => {
      a(event);
      b(event);
    };
  }
  return a ?? b;
}
