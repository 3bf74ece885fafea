import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOptions, InvokeResult, ModuleRef } from '../contract/engine.js';
import { InlineEngine } from './test-support/inline-engine.js';
import { startTestServer, type TestServer } from './test-support/start-server.js';
import { asAny } from './test-support/as-any.js';

/** Records the traceparent each invocation was given. */
class TraceparentSpy extends InlineEngine {
  readonly seen: Array<string | undefined> = [];
  override invoke(ref: ModuleRef, name: string, args: string, options: CallOptions = {}): Promise<InvokeResult> {
    this.seen.push(options.traceparent);
    return super.invoke(ref, name, args, options);
  }
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('request tracing', () => {
  const exporter = new InMemorySpanExporter();
  const engine = new TraceparentSpy();
  let server: TestServer;
  let id: string;

  beforeAll(async () => {
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    server = await startTestServer({ engine });
    const wasm = await readFile(join(import.meta.dirname, '..', 'fixtures', 'wasm', 'add.wasm'));
    id = (await (await fetch(`${server.url}/functions`, { method: 'POST', headers: { 'content-type': 'application/wasm' }, body: wasm })).json().then(asAny)).id;
  });
  afterAll(async () => {
    await server.close();
    trace.disable();
  });

  it('makes the request span a child of the caller traceparent and hands the engine its own', async () => {
    exporter.reset();
    const res = await fetch(`${server.url}/functions/${id}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: CALLER },
      body: '{"export":"add","args":[2,3]}',
    });
    expect(res.status).toBe(200);
    const given = engine.seen.at(-1);
    expect(given).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(given).not.toBe(CALLER);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'POST /functions/:id/invoke');
    expect(request).toBeDefined();
    expect(request!.spanContext().traceId).toBe(TRACE_ID);
    expect(request!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(given).toContain(request!.spanContext().spanId);
    expect(request!.attributes['http.response.status_code']).toBe(200);
  });

  it('starts a new trace when the caller sends none or a malformed one', async () => {
    await fetch(`${server.url}/functions/${id}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: 'garbage' },
      body: '{"export":"add","args":[2,3]}',
    });
    const given = engine.seen.at(-1);
    expect(given).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(given).not.toContain(TRACE_ID);
  });

  it('ends the span of a streamed reply exactly once', async () => {
    exporter.reset();
    const res = await fetch(`${server.url}/functions/${id}/invoke?stream=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"export":"add","args":[2,3]}',
    });
    await res.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'POST /functions/:id/invoke')).toHaveLength(1);
  });
});

describe('request tracing with no tracer provider', () => {
  const engine = new TraceparentSpy();
  let server: TestServer;
  let id: string;

  beforeAll(async () => {
    trace.disable(); // no provider: the hooks make no span
    server = await startTestServer({ engine });
    const wasm = await readFile(join(import.meta.dirname, '..', 'fixtures', 'wasm', 'add.wasm'));
    id = (await (await fetch(`${server.url}/functions`, { method: 'POST', headers: { 'content-type': 'application/wasm' }, body: wasm })).json().then(asAny)).id;
  });
  afterAll(async () => {
    await server.close();
  });

  it("hands the engine the caller's traceparent as it was, or none", async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${server.url}/functions/${id}/invoke`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"export":"add","args":[2,3]}' });
    expect((await call({ traceparent: CALLER })).status).toBe(200);
    expect(engine.seen.at(-1)).toBe(CALLER);
    expect((await call({ traceparent: 'garbage' })).status).toBe(200);
    expect(engine.seen.at(-1)).toBeUndefined();
    expect((await call({})).status).toBe(200);
    expect(engine.seen.at(-1)).toBeUndefined();
    expect(engine.seen).toHaveLength(3);
  });
});
