import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../contract/workbench.js';
import { FakeEngine, WASM_HEADER } from './fake-engine.test-util.js';
import { sweepArgs, WorkbenchService } from './workbench-service.js';

let dir: string;
let engine: FakeEngine;
let service: WorkbenchService;
let events: WorkbenchEvent[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-svc-'));
  engine = new FakeEngine();
  service = new WorkbenchService({ engine, dataDir: dir, engineVersion: '0.1.0-test' });
  events = [];
  service.subscribe((e) => events.push(e));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('WorkbenchService', () => {
  it('opens uploaded bytes, remembers them, and reopens them from recents after a restart', async () => {
    const loaded = await service.openModule({ kind: 'bytes', name: '../../evil/dir/add.wasm', bytes: WASM_HEADER });
    expect(loaded.name).toBe('add.wasm');
    expect(loaded.moduleId).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.offloadNote).toContain('not available');
    const recent = await service.listRecent();
    expect(recent.map((r) => r.moduleId)).toEqual([loaded.moduleId]);
    const restarted = new WorkbenchService({ engine, dataDir: dir, engineVersion: 'x' });
    const again = await restarted.openModule({ kind: 'recent', moduleId: loaded.moduleId });
    expect(again.moduleId).toBe(loaded.moduleId);
    // and invoking a module id this process never opened reloads it from the data dir
    const restarted2 = new WorkbenchService({ engine, dataDir: dir, engineVersion: 'x' });
    const rec = await restarted2.invoke({ runId: 'r-1', moduleId: loaded.moduleId, exportName: 'add', argsJson: '[2, 3]' });
    expect(rec.resultsJson).toBe('[5]');
  });

  it('refuses paths unless allowed, and bad module bytes with invalid_module', async () => {
    await expect(service.openModule({ kind: 'path', path: '/etc/passwd' })).rejects.toMatchObject({ code: 'invalid_args' });
    await expect(service.openModule({ kind: 'bytes', name: 'x', bytes: new Uint8Array([1, 2, 3]) })).rejects.toMatchObject({ code: 'invalid_module' });
    await expect(service.openModule({ kind: 'example', id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('invokes with settings applied, records the run with its launches, and emits events', async () => {
    await service.updateSettings({ deadlineMs: 1234, device: 'cpu' });
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    const rec = await service.invoke({ runId: 'run-a', moduleId, exportName: 'launch_twice', argsJson: '[7]' });
    expect(rec.status).toBe('ok');
    expect(rec.resultsJson).toBe('[7]');
    expect(rec.launches.map((l) => l.kernel)).toEqual(['vector_add', 'scale']);
    expect(engine.calls[0]!.options).toMatchObject({ deadlineMs: 1234, device: 'cpu', runId: 'run-a' });
    expect(events.filter((e) => e.kind === 'run').length).toBeGreaterThan(4);
    expect(events.at(-1)).toMatchObject({ kind: 'run-recorded', summary: { runId: 'run-a', launchCount: 2 } });
    const listed = await service.listRuns();
    expect(listed.map((r) => r.runId)).toEqual(['run-a']);
    expect((await service.getRun('run-a')).launches).toHaveLength(2);
  });

  it('records failures with their code and keeps the output seen so far', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    const rec = await service.invoke({ runId: 'run-b', moduleId, exportName: 'nope', argsJson: '[]' });
    expect(rec.status).toBe('failed');
    expect(rec.error).toMatchObject({ code: 'unknown_export' });
  });

  it('cancels a running call', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    const pending = service.invoke({ runId: 'run-c', moduleId, exportName: 'slow', argsJson: '[]' });
    await new Promise((r) => setTimeout(r, 20));
    await service.cancel('run-c');
    const rec = await pending;
    expect(rec.status).toBe('cancelled');
  });

  it('rejects unsafe run ids', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    await expect(service.invoke({ runId: '../x', moduleId, exportName: 'add', argsJson: '[1,2]' })).rejects.toMatchObject({ code: 'invalid_args' });
    await expect(service.getRun('../../etc')).rejects.toMatchObject({ code: 'invalid_args' });
  });

  it('compares offload with fallback over a size sweep with progress', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    const result = await service.compareOffload({ compareId: 'cmp-1', moduleId, exportName: 'launch_twice', argsJson: '[4]', repetitions: 3, sweep: { argIndex: 0, values: [16, 32] } });
    expect(result.cancelled).toBe(false);
    expect(result.points.map((p) => p.size)).toEqual([16, 32]);
    expect(result.points[0]!.offloadMs).toHaveLength(3);
    expect(result.points[0]!.speedup).toBe(2);
    expect(result.outputsEqual).toBe(true);
    expect(result.points[0]!.offloadActions[0]).toContain('dispatch');
    const progress = events.filter((e) => e.kind === 'compare-progress');
    // one warm-up per side and point by default: 2 points × (1 + 3) × 2 sides
    expect(progress.at(-1)).toMatchObject({ completed: 16, total: 16 });
    // the comparison is kept in Runs as one record; its single runs are not
    const runs = await service.listRuns();
    expect(runs.map((r) => [r.runId, r.comparisonPoints])).toEqual([['cmp-1', 2]]);
    expect((await service.getRun('cmp-1')).comparison).toEqual(result);
  });

  it('times warm-up runs apart and leaves them out of the statistics; marks outliers; says per point whether the loop was dispatched', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    // per side: 2 warm-ups (slow: a cold cache), then 5 timed runs, one of them far off
    engine.script = { on: [90, 80, 1, 1.1, 1.2, 40, 1, /* second point */ 70, 60, 2, 2, 2, 2, 2], off: [95, 85, 3, 3, 3, 3, 3, 75, 65, 4, 4, 4, 4, 50] };
    const result = await service.compareOffload({ compareId: 'cmp-warm', moduleId, exportName: 'sized', argsJson: '[0]', repetitions: 5, warmup: 2, sweep: { argIndex: 0, values: [16, 64] } });
    expect(result.warmup).toBe(2);
    const [small, large] = result.points;
    expect(small!.warmupOffloadMs).toEqual([90, 80]);
    expect(small!.warmupFallbackMs).toEqual([95, 85]);
    expect(small!.offloadMs).toEqual([1, 1.1, 1.2, 40, 1]);
    expect(small!.offload.max).toBe(40); // warm-ups (90, 80) are not in the statistics
    expect(small!.offloadOutliers).toEqual([3]);
    expect(small!.fallbackOutliers).toEqual([]);
    expect(large!.fallbackOutliers).toEqual([4]);
    expect(small!.dispatch).toBe('fell back');
    expect(large!.dispatch).toBe('dispatched');
    const html = (await service.exportReport('cmp-warm', 'html')).text;
    expect(html).toContain('fell back');
    expect(html).toContain('90.00, 80.00'); // the warm-ups, shown apart
  });

  it('refuses a bad warm-up count before running anything', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    for (const warmup of [-1, 1.5, 101]) {
      await expect(service.compareOffload({ compareId: 'cmp-w', moduleId, exportName: 'sized', argsJson: '[1]', repetitions: 1, warmup })).rejects.toMatchObject({ code: 'invalid_args' });
    }
    expect(engine.calls).toHaveLength(0);
  });

  it('cancels a comparison in progress', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    const pending = service.compareOffload({ compareId: 'cmp-slow', moduleId, exportName: 'slow', argsJson: '[]', repetitions: 50 });
    await new Promise((r) => setTimeout(r, 30));
    await service.cancel('cmp-slow');
    const result = await pending;
    expect(result.cancelled).toBe(true);
    expect(result.error).toBeUndefined();
    expect((await service.getRun('cmp-slow')).status).toBe('cancelled');
  });

  it('reports a comparison whose runs fail with the failure', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    const result = await service.compareOffload({ compareId: 'cmp-bad', moduleId, exportName: 'nope', argsJson: '[]', repetitions: 2 });
    expect(result.error?.code).toBe('unknown_export');
    await expect(service.compareOffload({ compareId: 'cmp-x', moduleId, exportName: 'add', argsJson: '[1,2]', repetitions: 0 })).rejects.toMatchObject({ code: 'invalid_args' });
  });

  it('exports a run report in all three formats', async () => {
    const { moduleId } = await service.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    await service.invoke({ runId: 'run-r', moduleId, exportName: 'launch_twice', argsJson: '[3]' });
    const json = JSON.parse((await service.exportReport('run-r', 'json')).text);
    expect(json).toMatchObject({ format: 'tensor-wasm.run-report', module: { name: 'k.wasm', hash: moduleId }, run: { results: '[3]' } });
    expect(json.kernelSummary).toHaveLength(2);
    const html = await service.exportReport('run-r', 'html');
    expect(html.text).toContain('<svg');
    const trace = JSON.parse((await service.exportReport('run-r', 'chrome-trace')).text);
    expect(trace.traceEvents.filter((e: { cat?: string }) => e.cat === 'launch')).toHaveLength(2);
  });
});

describe('sweepArgs', () => {
  it('replaces the swept integer in place', () => {
    expect(sweepArgs({ argsJson: '[1, 2.5, 3]', sweep: { argIndex: 2, values: [10, 20] } })).toEqual([
      { size: 10, argsJson: '[1, 2.5, 10]' },
      { size: 20, argsJson: '[1, 2.5, 20]' },
    ]);
  });
  it('refuses a non-integer argument or an index out of range', () => {
    expect(() => sweepArgs({ argsJson: '[1, 2.5]', sweep: { argIndex: 1, values: [1] } })).toThrow(/must be an integer/);
    expect(() => sweepArgs({ argsJson: '[1]', sweep: { argIndex: 3, values: [1] } })).toThrow(/out of range/);
  });
});
