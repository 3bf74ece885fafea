import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine, WASM_HEADER } from '../../workbench/fake-engine.test-util.js';
import { WorkbenchService } from '../../workbench/workbench-service.js';
import { buildServer } from '../app.js';

/**
 * Issue 15, defect 2: the server's configured limits are ceilings for every workbench request.
 * Overrides above them are lowered to them (and the run record says so); settings above them, or
 * with keys the settings do not have, are refused.
 */
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'wasm');
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000) / 10;
const DEADLINE = 3_000;
const MEMORY = 256 * 1024 * 1024;

function uiDir(dir: string): string {
  const ui = join(dir, 'ui');
  mkdirSync(ui, { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>wb</title>');
  return ui;
}

describe('workbench limits (fake engine: what reaches the engine)', () => {
  let dir: string;
  let app: FastifyInstance;
  let engine: FakeEngine;
  let moduleId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-limits-'));
    engine = new FakeEngine();
    app = await buildServer({ engine, dataDir: join(dir, 'data'), uiDir: uiDir(dir), engineConfig: { deadlineMs: DEADLINE, maxMemoryBytes: MEMORY } });
    const res = await app.inject({ method: 'POST', url: '/workbench/modules?name=k.wasm', headers: { 'content-type': 'application/wasm' }, payload: Buffer.from(WASM_HEADER) });
    moduleId = res.json().moduleId;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let seq = 0;
  const invoke = (overrides: unknown) =>
    app.inject({ method: 'POST', url: '/workbench/invoke', payload: { runId: `lim-${seq++}`, moduleId, exportName: 'add', argsJson: '[1,2]', overrides } });

  it('lowers every override to the server’s ceilings, and the run record shows what applied', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 40 }), async (deadlineMs, maxMemoryBytes) => {
        const res = await invoke({ deadlineMs, maxMemoryBytes });
        expect(res.statusCode).toBe(200);
        const sent = engine.calls.at(-1)!.options!;
        expect(sent.deadlineMs).toBe(Math.min(deadlineMs, DEADLINE));
        expect(sent.maxMemoryBytes).toBe(Math.min(maxMemoryBytes, MEMORY));
        const record = res.json();
        expect(record.settings.deadlineMs).toBe(sent.deadlineMs);
        expect(record.settings.maxMemoryBytes).toBe(sent.maxMemoryBytes);
        const stored = (await app.inject(`/workbench/runs/${record.runId}`)).json();
        expect(stored.settings).toMatchObject({ deadlineMs: sent.deadlineMs, maxMemoryBytes: sent.maxMemoryBytes });
      }),
      { numRuns: RUNS },
    );
  });

  it('holds runs without overrides to the ceilings too (the settings default is 30 s)', async () => {
    await invoke(undefined);
    expect(engine.calls.at(-1)!.options).toMatchObject({ deadlineMs: DEADLINE, maxMemoryBytes: MEMORY });
    expect((await app.inject('/workbench/settings')).json()).toMatchObject({ deadlineMs: DEADLINE, maxMemoryBytes: MEMORY });
  });

  it('refuses malformed overrides, and the run id stays free for a good request', async () => {
    const bad = await app.inject({ method: 'POST', url: '/workbench/invoke', payload: { runId: 'reuse-1', moduleId, exportName: 'add', argsJson: '[1,2]', overrides: { deadlineMs: -1 } } });
    expect(bad.statusCode).toBe(400);
    const good = await app.inject({ method: 'POST', url: '/workbench/invoke', payload: { runId: 'reuse-1', moduleId, exportName: 'add', argsJson: '[1,2]' } });
    expect(good.json()).toMatchObject({ status: 'ok' });
    for (const overrides of [{ deadlineMs: 0 }, { deadlineMs: -5 }, { deadlineMs: 1.5 }, { maxMemoryBytes: '1' }, { deadline: 5 }, { offload: { enabled: 'yes' } }, { device: 'gpu' }, [1]]) {
      const res = await invoke(overrides);
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(res.json().error.code).toBe('invalid_args');
    }
  });

  it('refuses settings above the ceilings, unknown keys and __proto__, and keeps the old settings', async () => {
    const before = (await app.inject('/workbench/settings')).json();
    const patches = [
      '{"deadlineMs":86400000}',
      `{"deadlineMs":${DEADLINE + 1}}`,
      '{"maxMemoryBytes":4294967296}',
      `{"maxMemoryBytes":${MEMORY + 1}}`,
      '{"extra":1}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"offload":{"enabled":true,"__proto__":{"polluted":true}}}',
      '{"offload":{"nope":1}}',
      '{"theme":"dark","deadlineMs":"1000"}',
      '[]',
      '"dark"',
      '{"presets":[{"moduleName":"m","name":"p","exportName":"run","argsJson":"[]","extra":1}]}',
      '{"presets":[{"moduleName":"m","name":"","exportName":"run","argsJson":"[]"}]}',
      '{"presets":"all"}',
    ];
    for (const payload of patches) {
      const res = await app.inject({ method: 'PATCH', url: '/workbench/settings', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error.code, payload).toBe('invalid_args');
    }
    expect((await app.inject('/workbench/settings')).json()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ok = await app.inject({ method: 'PATCH', url: '/workbench/settings', payload: { deadlineMs: DEADLINE, maxMemoryBytes: MEMORY, offload: { enabled: true } } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ deadlineMs: DEADLINE, maxMemoryBytes: MEMORY, offload: { enabled: true } });
  });

  it('keeps presets in the settings, and a run record does not carry them', async () => {
    const presets = [{ moduleName: 'k.wasm', name: 'two and forty', exportName: 'add', argsJson: '[2,40]' }];
    const ok = await app.inject({ method: 'PATCH', url: '/workbench/settings', payload: { presets } });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject('/workbench/settings')).json().presets).toEqual(presets);
    const run = await invoke(undefined);
    expect(run.statusCode).toBe(200);
    expect(run.json().settings).not.toHaveProperty('presets');
  });
});

describe('workbench limits (the service, whatever transport calls it)', () => {
  it('lowers overrides to its limits, and a refused request leaves its run id free', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-limits-svc-'));
    try {
      const engine = new FakeEngine();
      const service = new WorkbenchService({ engine, dataDir: dir, engineVersion: 't', limits: { maxDeadlineMs: 100, maxMemoryBytes: 65536 } });
      const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
      const request = { runId: 'svc-1', moduleId, exportName: 'add', argsJson: '[1,2]' };
      await expect(service.invoke({ ...request, overrides: { deadlineMs: -1 } })).rejects.toMatchObject({ code: 'invalid_args' });
      await expect(service.invoke({ ...request, overrides: { nope: 1 } as never })).rejects.toMatchObject({ code: 'invalid_args' });
      const record = await service.invoke({ ...request, overrides: { deadlineMs: 10_000, maxMemoryBytes: 2 ** 30 } });
      expect(record).toMatchObject({ status: 'ok', settings: { deadlineMs: 100, maxMemoryBytes: 65536 } });
      expect(engine.calls.at(-1)!.options).toMatchObject({ deadlineMs: 100, maxMemoryBytes: 65536 });
      await expect(service.updateSettings({ deadlineMs: 101 })).rejects.toMatchObject({ code: 'invalid_args', details: { limit: 'deadline_ms' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('workbench limits (real engine: what the guest gets)', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-limits-real-'));
    app = await buildServer({ dataDir: join(dir, 'data'), uiDir: uiDir(dir), engineConfig: { poolSize: 1, deadlineMs: 500, maxMemoryBytes: 16 * 1024 * 1024, device: 'cpu' } });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (file: string) =>
    (await app.inject({ method: 'POST', url: `/workbench/modules?name=${file}`, headers: { 'content-type': 'application/wasm' }, payload: readFileSync(join(fixtures, file)) })).json().moduleId as string;

  it('a spinning guest is stopped at the server’s deadline whatever the override asks', async () => {
    const moduleId = await open('loop.wasm');
    const started = Date.now();
    const res = await app.inject({ method: 'POST', url: '/workbench/invoke', payload: { runId: 'spin-1', moduleId, exportName: 'spin', argsJson: '[]', overrides: { deadlineMs: 60_000 } } });
    expect(res.json()).toMatchObject({ status: 'failed', error: { code: 'deadline_exceeded' }, settings: { deadlineMs: 500 } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a memory.grow past the server’s cap fails whatever the override asks', async () => {
    const moduleId = await open('memory.wasm');
    // 300 pages = 18.75 MiB: over the 16 MiB cap, well under the 512 MiB asked for
    const res = await app.inject({ method: 'POST', url: '/workbench/invoke', payload: { runId: 'grow-1', moduleId, exportName: 'grow', argsJson: '[300]', overrides: { maxMemoryBytes: 512 * 1024 * 1024 } } });
    expect(res.json()).toMatchObject({ status: 'ok', resultsJson: '[-1]', settings: { maxMemoryBytes: 16 * 1024 * 1024 } });
  });
});
