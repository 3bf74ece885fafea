import { describe, expect, it, vi } from 'vitest';
import { kernelDeltas, kernelSummary } from '../contract/run-stats.js';
import { DEFAULT_WORKBENCH_SETTINGS, type RunRecord, type WorkbenchEvent } from '../contract/workbench.js';
import { createEventBatcher } from './event-batcher.js';
import { renderReport } from './export.js';
import { toChromeTrace } from './render-chrome-trace.js';
import { toHtml } from './render-html.js';
import { buildRunReport } from './report-model.js';
import { mergeSettings } from './settings-store.js';

const t0 = 1_700_000_000_000;
const launch = (seq: number, kernel: string, kernelMs: number) => ({
  type: 'launch' as const,
  runId: 'r1',
  t: t0 + seq,
  seq,
  kernel,
  ptxHash: 'h',
  grid: [4, 1, 1] as [number, number, number],
  block: [128, 1, 1] as [number, number, number],
  sharedMemBytes: 0,
  args: 'u32(1)',
  device: 'cpu',
  startMs: t0 + seq,
  endMs: t0 + seq + kernelMs,
  kernelMs,
});

const record: RunRecord = {
  runId: 'r1',
  moduleId: 'a'.repeat(64),
  moduleName: 'vec<script>.wasm',
  exportName: 'run',
  argsJson: '[1024]',
  startedAt: t0,
  durationMs: 12.5,
  status: 'ok',
  device: 'cpu',
  resultsJson: '[0]',
  stdout: 'hi </pre><b>',
  stderr: '',
  launches: [launch(1, 'vector_add', 2), launch(2, 'vector_add', 4), launch(3, 'scale', 1)],
  launchesDropped: 0,
  offloadEvents: [],
  settings: DEFAULT_WORKBENCH_SETTINGS,
  engineVersion: '0.1.0',
};

describe('kernel summary (cuda_gpu_kern_sum shape)', () => {
  it('sums per kernel, sorted by total time', () => {
    const rows = kernelSummary(record.launches);
    expect(rows.map((r) => [r.kernel, r.instances, r.totalMs, r.minMs, r.maxMs, r.meanMs])).toEqual([
      ['vector_add', 2, 6, 2, 4, 3],
      ['scale', 1, 1, 1, 1, 1],
    ]);
    expect(rows[0]!.timePercent).toBeCloseTo((6 / 7) * 100);
    expect(rows[0]!.stdDevMs).toBeCloseTo(Math.SQRT2);
  });
  it('compares two runs by time delta', () => {
    const d = kernelDeltas(record.launches, [launch(1, 'vector_add', 1), launch(2, 'scale', 5)]);
    expect(d.map((r) => [r.kernel, r.deltaMs])).toEqual([
      ['vector_add', -5],
      ['scale', 4],
    ]);
  });
});

describe('report renderers', () => {
  const report = buildRunReport(record, { now: new Date(t0), moduleSizeBytes: 99 });
  it('builds a complete model', () => {
    expect(report.module).toEqual({ name: 'vec<script>.wasm', hash: 'a'.repeat(64), sizeBytes: 99 });
    expect(report.run).toMatchObject({ export: 'run', arguments: '[1024]', results: '[0]', device: 'cpu' });
    expect(report.kernelSummary).toHaveLength(2);
  });
  it('HTML is self-contained, escapes text, and embeds the data', () => {
    const html = toHtml(report);
    expect(html).not.toMatch(/<script>/);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).toContain('vec&lt;script&gt;.wasm');
    expect(html).toContain('hi &lt;/pre&gt;&lt;b&gt;');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(2);
    const data = /<script type="application\/json" id="report-data">(.*)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(data).run.runId).toBe('r1');
  });
  it('Chrome trace puts launches on a device track in µs from the run start', () => {
    const trace = toChromeTrace(report);
    const launches = trace.traceEvents.filter((e) => e.cat === 'launch');
    expect(launches.map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['vector_add', 1000, 2000],
      ['vector_add', 2000, 4000],
      ['scale', 3000, 1000],
    ]);
    expect(trace.traceEvents.find((e) => e.ph === 'M' && e.tid === launches[0]!.tid)!.args).toEqual({ name: 'device cpu' });
  });
  it('names files safely and refuses unknown formats', () => {
    expect(renderReport(report, 'json').fileName).toMatch(/^vec_script_-run-.*\.report\.json$/);
    expect(() => renderReport(report, 'pdf' as never)).toThrow(/unknown report format/);
  });
});

describe('settings validation', () => {
  it('merges nested offload settings', () => {
    const s = mergeSettings(DEFAULT_WORKBENCH_SETTINGS, { offload: { enabled: true } as never });
    expect(s.offload).toEqual({ ...DEFAULT_WORKBENCH_SETTINGS.offload, enabled: true });
  });
  it.each([{ device: 'gpu' }, { deadlineMs: 0 }, { maxMemoryBytes: 1 }, { logLevel: 'loud' }, { theme: 'pink' }, { offload: { v128RatioThreshold: 2 } }])('refuses %j', (patch) => {
    expect(() => mergeSettings(DEFAULT_WORKBENCH_SETTINGS, patch as never)).toThrow(/setting/);
  });
});

describe('event batcher', () => {
  it('sends one batch per interval and coalesces block progress per launch', () => {
    vi.useFakeTimers();
    const batches: WorkbenchEvent[][] = [];
    const b = createEventBatcher((batch) => batches.push(batch), 50);
    const progress = (n: number): WorkbenchEvent => ({ kind: 'run', event: { type: 'block-progress', runId: 'r', t: 0, launchSeq: 1, completedBlocks: n, totalBlocks: 100 } });
    for (let i = 1; i <= 100; i++) b.push(progress(i));
    for (let i = 1; i <= 1000; i++) b.push({ kind: 'run', event: launch(i, 'k', 1) });
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(60);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1001);
    expect(batches[0]![0]).toEqual(progress(100));
    vi.useRealTimers();
  });
});
