import { SpanKind, SpanStatusCode, isSpanContextValid, type Span, type SpanContext } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contextFromTraceparent, getTracer } from '../runtime/telemetry/tracing.js';

export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span (a no-op span when no tracer provider is registered). */
    span?: Span;
  }
}

/**
 * One server span per request, child of the caller's `traceparent` when it sent one. The engine's
 * invocation span nests under it through `CallOptions.traceparent` (see `traceparentFor`), and the
 * host-call spans under that, so a trace goes request → invocation → kernel.
 */
export function installRequestTracing(app: FastifyInstance): void {
  app.decorateRequest('span', undefined);
  app.addHook('onRequest', async (request) => {
    const parentContext = contextFromTraceparent(headerValue(request.headers.traceparent));
    const route = request.routeOptions.url ?? 'unmatched';
    request.span = getTracer().startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] } },
      parentContext,
    );
  });
  app.addHook('onResponse', async (request, reply) => endRequestSpan(request, reply.statusCode));
}

/** Ends the request span once (hijacked streaming replies end it themselves when they close). */
export function endRequestSpan(request: FastifyRequest, statusCode: number): void {
  const span = request.span;
  if (!span) return;
  request.span = undefined;
  span.setAttribute('http.response.status_code', statusCode);
  if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * The `traceparent` to hand the engine: the request span's own context when tracing records spans,
 * else the caller's header unchanged (a non-recording span carries its parent's context), else none.
 */
export function traceparentFor(request: FastifyRequest): string | undefined {
  const spanContext = request.span?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
