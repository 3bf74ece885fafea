import { SpanKind, SpanStatusCode, isSpanContextValid, trace, type Span, type SpanContext } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contextFromTraceparent, getTracer, tracingEnabled } from '../runtime/telemetry/tracing.js';

export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span; none while no tracer provider is registered. */
    span?: Span;
  }
}

/**
 * One server span per request, child of the caller's `traceparent` when it sent one. The engine's
 * invocation span nests under it through `CallOptions.traceparent` (see `traceparentFor`), and the
 * host-call spans under that, so a trace goes request → invocation → kernel.
 *
 * Without a tracer provider every span would be a no-op, yet making one (and the attributes, and
 * two async hooks) still cost every request: so the hooks are plain callbacks and make a span only
 * while a provider is registered (checked per request, so one registered later is picked up).
 */
export function installRequestTracing(app: FastifyInstance): void {
  app.decorateRequest('span', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    if (tracingEnabled()) startRequestSpan(request);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    endRequestSpan(request, reply.statusCode);
    done();
  });
}

function startRequestSpan(request: FastifyRequest): void {
  const parentContext = contextFromTraceparent(headerValue(request.headers.traceparent));
  const route = request.routeOptions.url ?? 'unmatched';
  request.span = getTracer().startSpan(
    `${request.method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] } },
    parentContext,
  );
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
 * else the caller's header (the context a no-op span would have carried), else none.
 */
export function traceparentFor(request: FastifyRequest): string | undefined {
  const spanContext = request.span
    ? request.span.spanContext()
    : trace.getSpanContext(contextFromTraceparent(headerValue(request.headers.traceparent)));
  return spanContext && isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
