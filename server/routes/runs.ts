import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { runEventToJson } from '../events/event-json.js';
import { SseStream } from '../events/sse.js';
import { assertRunId } from '../registry/ids.js';
import { commonErrors, errorResponse, runIdParamsSchema } from '../http/schemas.js';
import { endRequestSpan } from '../tracing.js';

/**
 * GET /runs/{runId}/events: the live event stream of one invocation as server-sent events. Open it
 * with the run id you will pass to invoke (it waits for the run), or after the run (it replays what
 * was kept). One SSE message per run event, `event:` being its type; the stream ends after
 * `finished` or `failed`.
 */
export function runRoutes(context: ServerContext) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { runId: string } }>(
      '/runs/:runId/events',
      {
        schema: {
          summary: 'Stream the run events of one invocation (server-sent events)',
          description:
            'text/event-stream. Each message: `event: <type>` (started, stdout, stderr, launch, block-progress, sync, offload, finished, failed) and `data: <the run event as JSON>`. Waits for a run that has not started yet; replays a finished run kept for a minute; ends after finished or failed.',
          tags: ['runs'],
          params: runIdParamsSchema,
          response: {
            200: { description: 'A stream of run events', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            400: errorResponse('invalid_args: malformed run id'),
            ...commonErrors,
          },
        },
      },
      async (request, reply) => {
        const runId = assertRunId(request.params.runId);
        reply.hijack();
        const stream = new SseStream(reply.raw);
        const unsubscribe = context.hub.subscribe(
          runId,
          (event) => stream.send(event.type, runEventToJson(event)),
          () => stream.end(),
        );
        stream.onClose(() => {
          unsubscribe();
          endRequestSpan(request, 200);
        });
        return reply;
      },
    );
  };
}
