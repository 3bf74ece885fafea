/**
 * OpenTelemetry spans for the engine: one per engine call, one per instance, one per export call.
 * Spans go through @opentelemetry/api, which is a no-op until a provider is registered; the engine
 * registers an OTLP/HTTP exporter only when TENSOR_WASM_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT
 * is set. A caller's W3C `traceparent` makes the spans children of the caller's span.
 *
 * The API itself is loaded only once a provider could be registered (issue 18: it was a sixth of
 * `tensor-wasm run`'s start-up, for spans that are no-ops): whoever registers a provider has loaded
 * the API, which records it under its global key, so while that key holds no `trace` entry nothing
 * can be traced and nothing needs loading.
 */
import { createRequire } from 'node:module';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { getLogger } from './logger.js';

type OtelApi = typeof import('@opentelemetry/api');
let loadedApi: OtelApi | undefined;

/** @opentelemetry/api, loaded on first use (its CommonJS build; it shares one global registry with the ESM one). */
function otel(): OtelApi {
  loadedApi ??= createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  return loadedApi;
}

/** The API's global registry key: `Symbol.for('opentelemetry.js.api.<major>')` (API 1.x). */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** Whether any copy of the API has registered a global tracer provider in this process. */
function providerRegistered(): boolean {
  const registry = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_GLOBAL];
  return registry?.trace !== undefined;
}

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
  if (!loadedApi && !providerRegistered()) return false;
  const provider = otel().trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = provider.getDelegate ? provider.getDelegate() : provider;
  if (delegate !== lastDelegate) {
    lastDelegate = delegate;
    lastEnabled = (delegate as object | undefined)?.constructor?.name !== 'NoopTracerProvider';
  }
  return lastEnabled;
}

/** The engine's tracer (a proxy: it follows whichever provider is registered, now or later). */
export function getTracer(): Tracer {
  tracer ??= otel().trace.getTracer(TRACER_NAME);
  return tracer;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a W3C traceparent names, or the active one when absent or malformed. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const { context, trace, TraceFlags } = otel();
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
  const { context, trace } = otel();
  const ctx = trace.setSpan(context.active(), parent);
  const span = getTracer().startSpan(name, { startTime: startMs, attributes }, ctx);
  span.end(endMs);
  return span;
}

export type { Span };
