import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import { wasmFixture } from '../test-support/fixtures.js';
import { contextFromTraceparent, otlpEndpointFromEnv, tracesUrl } from './tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
afterAll(() => provider.shutdown());

describe('tracing', () => {
  it('records a span per call and per instance under the caller\'s traceparent', async () => {
    const engine = createEngine({ poolSize: 1 });
    try {
      const { ref } = await engine.load(wasmFixture('add.wasm'));
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentId = '00f067aa0ba902b7';
      await engine.invoke(ref, 'add', '[1, 2]', { traceparent: `00-${traceId}-${parentId}-01` });
    } finally {
      await engine.close();
    }
    const spans = exporter.getFinishedSpans();
    const invoke = spans.find((s) => s.name === 'tensor-wasm.invoke')!;
    const instance = spans.find((s) => s.name === 'tensor-wasm.instance')!;
    const call = spans.find((s) => s.name === 'tensor-wasm.call add')!;
    expect(invoke.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(invoke.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(instance.parentSpanContext?.spanId).toBe(invoke.spanContext().spanId);
    expect(call.parentSpanContext?.spanId).toBe(instance.spanContext().spanId);
    expect(invoke.attributes['tensor_wasm.export']).toBe('add');
  });

  it('ignores malformed traceparents', () => {
    expect(trace.getSpanContext(contextFromTraceparent('garbage'))).toBeUndefined();
    expect(trace.getSpanContext(contextFromTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`))).toBeUndefined();
  });

  it('exports only when an OTLP endpoint is configured', () => {
    expect(otlpEndpointFromEnv({})).toBeUndefined();
    expect(otlpEndpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe('http://c:4318');
    expect(otlpEndpointFromEnv({ TENSOR_WASM_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe('http://a:4318');
    expect(tracesUrl('http://c:4318/')).toBe('http://c:4318/v1/traces');
    expect(tracesUrl('http://c:4318/v1/traces')).toBe('http://c:4318/v1/traces');
  });
});

describe('tracingEnabled', () => {
  it('is true once a provider is registered (this file registers one)', async () => {
    const { tracingEnabled } = await import('./tracing.js');
    expect(tracingEnabled()).toBe(true);
  });
});

describe('loading the API lazily', () => {
  it('without a registered provider, tracingEnabled() is false and @opentelemetry/api is not loaded; a provider registered later is seen', () => {
    const tracingFile = join(import.meta.dirname, 'tracing.ts');
    const script = `import { createRequire } from 'node:module';
const { tracingEnabled } = await import(${JSON.stringify(tracingFile)});
const req = createRequire(import.meta.url);
const apiLoaded = () => Object.keys(req.cache).some((k) => /@opentelemetry[\\\\/]api[\\\\/]/.test(k));
const before = [tracingEnabled(), apiLoaded()];
const { trace } = req('@opentelemetry/api');
const { BasicTracerProvider } = req('@opentelemetry/sdk-trace-base');
trace.setGlobalTracerProvider(new BasicTracerProvider());
console.log(JSON.stringify([...before, tracingEnabled()]));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr.slice(0, 2000)).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([false, false, true]);
  });
});
