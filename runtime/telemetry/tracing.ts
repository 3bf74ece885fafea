/**
 * OpenTelemetry spans for the engine: one per engine call, one per instance, one per export call.
 * Spans go through @opentelemetry/api, which is a no-op until a provider is registered; the engine
 * registers an OTLP/HTTP exporter only when TENSOR_WASM_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT
 * is set. A caller's W3C `traceparent` makes the spans children of the caller's span.
 */
import { context, trace, TraceFlags, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { getLogger } from './logger.js';

const TRACER_NAME = 'tensor-wasm';
let setup: Promise<void> | undefined;
let shutdown: (() => Promise<void>) | undefined;

export function otlpEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = (env.TENSOR_WASM_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT)?.trim();
  return raw ? raw : undefined;
}

/** The traces URL for an OTLP/HTTP base endpoint (`http://collector:4318` → `.../v1/traces`). */
export function tracesUrl(endpoint: string): string {
  return /\/v1\/traces\/?$/.test(endpoint) ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** Registers the OTLP exporter once, when an endpoint is configured; otherwise does nothing. */
export function setupTracingFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const endpoint = otlpEndpointFromEnv(env);
  if (!endpoint) return Promise.resolve();
  setup ??= (async () => {
    try {
      const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
        import('@opentelemetry/sdk-trace-node'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/resources'),
      ]);
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'tensor-wasm' }),
        spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(endpoint) }))],
      });
      provider.register();
      shutdown = () => provider.shutdown();
    } catch (error) {
      getLogger({ component: 'tracing' }).warn({ err: error, endpoint }, 'cannot set up OTLP tracing; spans are not exported');
    }
  })();
  return setup;
}

/** Flushes and stops the exporter (CLI exit). */
export async function shutdownTracing(): Promise<void> {
  await shutdown?.().catch(() => undefined);
}

let tracer: Tracer | undefined;
let lastDelegate: unknown;
let lastEnabled = false;

/**
 * Whether any tracer provider is registered (ours from the OTLP set-up, or a caller's). Without
 * one every span is a no-op, so the engine skips making them (hot path). Re-checked on each call:
 * a provider registered later is picked up.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = provider.getDelegate ? provider.getDelegate() : provider;
  if (delegate !== lastDelegate) {
    lastDelegate = delegate;
    lastEnabled = (delegate as object | undefined)?.constructor?.name !== 'NoopTracerProvider';
  }
  return lastEnabled;
}

/** The engine's tracer (a proxy: it follows whichever provider is registered, now or later). */
export function getTracer(): Tracer {
  tracer ??= trace.getTracer(TRACER_NAME);
  return tracer;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a W3C traceparent names, or the active one when absent or malformed. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const active = context.active();
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return active;
  return trace.setSpanContext(active, {
    traceId: m[2]!,
    spanId: m[3]!,
    traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** Adds a child span with times measured elsewhere (the instance worker). */
export function recordChildSpan(parent: Span, name: string, startMs: number, endMs: number, attributes: Record<string, string | number | boolean> = {}): Span {
  const ctx = trace.setSpan(context.active(), parent);
  const span = getTracer().startSpan(name, { startTime: startMs, attributes }, ctx);
  span.end(endMs);
  return span;
}

export type { Span };
