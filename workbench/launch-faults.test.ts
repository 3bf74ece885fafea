/**
 * Kernel faults as the sanitizer view and the reports read them. The oracle is the engine itself
 * running explain.c's out-of-bounds launch (fixtures/guests/c-reactor/explain.c: 64 threads write a
 * 16-float buffer, so thread 16 of block 0 is the first store past its window), not a string
 * written next to the parser. The HTML page's "N of M" notes are checked on a synthetic run.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchEvent } from '../contract/events.js';
import { launchFault, linearBlock, runFaults } from '../contract/launch-faults.js';
import { DEFAULT_WORKBENCH_SETTINGS, displayStatus, type RunRecord } from '../contract/workbench.js';
import { createEngine, type Engine } from '../runtime/engine.js';
import { buildRunReport } from './report-model.js';
import { toChromeTrace } from './render-chrome-trace.js';
import { toHtml } from './render-html.js';
import { summarize } from './run-store.js';

const explain = fileURLToPath(new URL('../fixtures/guests/wasm/explain.wasm', import.meta.url));

describe('kernel faults from the CPU device’s memcheck', () => {
  let engine: Engine;
  let faulted: LaunchEvent;
  beforeAll(async () => {
    engine = createEngine({ poolSize: 1, device: 'cpu' });
    const { ref } = await engine.load(explain);
    const result = await engine.invoke(ref, 'explain_out_of_bounds', '[]');
    faulted = result.events.find((e): e is LaunchEvent => e.type === 'launch')!;
  }, 120_000);
  afterAll(async () => {
    await engine.close();
  });

  it('reads kernel, thread, block, access, size, address, window and PTX line out of the report', () => {
    const f = launchFault(faulted)!;
    expect(f).toMatchObject({ launchSeq: 1, kernel: 'fill_index', code: -5, access: 'write', sizeBytes: 4, thread: [16, 0, 0], block: [0, 0, 0] });
    expect(f.address).toMatch(/^0x[0-9a-f]+$/);
    expect(f.nearestWindow).toContain('argument 0');
    expect(f.nearestWindow).toContain('(64 bytes)'); // float buf[16]
    expect(f.ptxLine).toBeGreaterThan(0);
    expect(f.what).not.toContain('in kernel');
  });

  it('makes a returned run a "kernel fault" in summaries and the HTML report, with the fault listed', () => {
    const record: RunRecord = {
      runId: 'r1', moduleId: 'm', moduleName: 'explain.wasm', exportName: 'explain_out_of_bounds', argsJson: '[]', startedAt: faulted.startMs, durationMs: 5,
      status: 'ok', device: 'cpu', resultsJson: '[-5]', stdout: '', stderr: '', launches: [faulted], launchesDropped: 0, offloadEvents: [], settings: DEFAULT_WORKBENCH_SETTINGS, engineVersion: 't',
    };
    expect(displayStatus(summarize(record))).toBe('kernel fault');
    expect(displayStatus(record)).toBe('kernel fault');
    const report = buildRunReport(record);
    expect(report.faults).toHaveLength(1);
    const html = toHtml(report);
    expect(html).toContain('<td>kernel fault</td>');
    expect(html).toContain('Kernel faults (1)');
    // the Chrome trace shows what the timeline shows: the host call, a flow arrow to the kernel, the fault
    const trace = toChromeTrace(report).traceEvents;
    expect(trace.filter((e) => e.cat === 'host-call').map((e) => e.name)).toEqual(['wasi_cuda_launch']);
    const flow = trace.filter((e) => e.cat === 'flow');
    expect(flow.map((e) => e.ph)).toEqual(['s', 'f']);
    expect(flow[0]!.id).toBe(flow[1]!.id);
    expect(flow[1]!.tid).toBe(trace.find((e) => e.cat === 'launch')!.tid);
    expect(trace.some((e) => e.cat === 'fault' && e.name.includes('fill_index'))).toBe(true);
  });

  it('a launch without error has no fault; other messages keep their text', () => {
    expect(launchFault({ ...faulted, error: undefined })).toBeUndefined();
    expect(runFaults([{ seq: 3, kernel: 'k', error: { code: -1, message: 'out of memory' } }])).toEqual([{ launchSeq: 3, kernel: 'k', code: -1, what: 'out of memory', message: 'out of memory' }]);
    expect(linearBlock([1, 2, 3], [4, 5, 6])).toBe(1 + 2 * 4 + 3 * 20);
  });
});

describe('the HTML report never truncates silently', () => {
  const launch = (seq: number): LaunchEvent => ({ type: 'launch', runId: 'r', t: seq, seq, kernel: 'k', ptxHash: 'h', grid: [1, 1, 1], block: [32, 1, 1], sharedMemBytes: 0, args: '', device: 'cpu', startMs: 1000 + seq, endMs: 1000.5 + seq, kernelMs: 0.5 });
  const record = (n: number, dropped = 0): RunRecord => ({
    runId: 'r', moduleId: 'm', moduleName: 'x.wasm', exportName: 'go', argsJson: '[]', startedAt: 1000, durationMs: n + 10, status: 'ok', device: 'cpu',
    stdout: '', stderr: '', launches: Array.from({ length: n }, (_, i) => launch(i + 1)), launchesDropped: dropped, offloadEvents: [], settings: DEFAULT_WORKBENCH_SETTINGS, engineVersion: 't',
  });
  it('says "N of M" in the table and the timeline, and keeps every launch in the embedded JSON', () => {
    const html = toHtml(buildRunReport(record(2100, 7)));
    expect(html).toContain('500 of 2,107');
    expect(html).toContain('2,000 of 2,107 launches drawn');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*)<\/script>/s.exec(html)![1]!) as { launches: unknown[]; launchesDropped: number };
    expect(data.launches).toHaveLength(2100);
    expect(data.launchesDropped).toBe(7);
  });
  it('says nothing about cuts when everything is shown', () => {
    const html = toHtml(buildRunReport(record(20)));
    expect(html).not.toMatch(/\d of \d/);
    expect(html).toContain('Launches (20)');
  });
});
