/** `bench --compare-offload` and `inspect --offload`, in process (same code as the binary). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompareOffloadResult, OffloadReport } from '../../contract/offload.js';
import { runCliInProcess } from '../run-in-process.test-util.js';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => join(root, 'fixtures', 'offload', name);

const inProcess = runCliInProcess;

describe('tensor-wasm bench --compare-offload', () => {
  it('reports per-run timings, median, p95, speedup and equal outputs as JSON', async () => {
    const r = await inProcess('bench', fixture('simd_maps.wasm'), '--invoke', 'run_saxpy', '--args', '[5000, 3]', '--compare-offload', '-n', '3', '--offload-trip-count', '256', '--device', 'cpu', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as CompareOffloadResult;
    expect(result.on.runs).toHaveLength(3);
    expect(result.off.runs).toHaveLength(3);
    expect(result.outputsEqual).toBe(true);
    expect(result.on.runs.every((run) => run.dispatches > 0 && run.launches > 0)).toBe(true);
    expect(result.off.runs.every((run) => run.launches === 0)).toBe(true);
    expect(result.speedup).toBeCloseTo(result.off.medianMs / result.on.medianMs, 6);
    expect(result.on.p95Ms).toBeGreaterThanOrEqual(result.on.medianMs);
    expect(result.thresholds.tripCountThreshold).toBe(256);
  }, 180_000);

  it('prints a readable comparison', async () => {
    const r = await inProcess('bench', fixture('simd_maps.wasm'), '--invoke', 'run_i32_add_mul_shl', '--args', '[5000, 3]', '--compare-offload', '-n', '2', '--offload-trip-count', '256', '--device', 'cpu');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('offload on:  median');
    expect(r.stdout).toContain('outputs equal: yes');
  }, 180_000);

  it('rejects a bad -n with invalid_args', async () => {
    const r = await inProcess('bench', fixture('simd_maps.wasm'), '--invoke', 'run_saxpy', '-n', 'zero');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid_args');
  });
});

describe('tensor-wasm inspect --offload', () => {
  it('lists every loop with function, id, offset, counts, ratio, trip count, decision and reason', async () => {
    const r = await inProcess('inspect', '--offload', fixture('rejected.wasm'));
    expect(r.code).toBe(0);
    const gather = r.stdout.split('\n').find((line) => line.startsWith('gather'));
    expect(gather).toMatch(/^gather\s+f\d+\.L0\s+0x[0-9a-f]+\s+\d+\s+\d+\s+\d+\s+0\.\d\d\s+dynamic\s+rejected\s+not an element-wise map/);
    expect(r.stdout).toMatch(/fixed_big .* 262144 +promoted/);
  });

  it('prints the report as JSON and honours thresholds', async () => {
    const r = await inProcess('inspect', '--offload', '--json', '--offload-trip-count', '8', fixture('rejected.wasm'));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as OffloadReport;
    expect(report.thresholds.tripCountThreshold).toBe(8);
    expect(report.loops.find((l) => l.function === 'fixed64')?.decision).toBe('promoted');
  });

  it('a file that is not a module is invalid_module', async () => {
    const r = await inProcess('inspect', '--offload', join(root, 'package.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^invalid_module: /);
  });
});

describe('tensor-wasm run --offload flags reach the offload host', () => {
  it('--offload on --offload-trip-count dispatches, with offload events in --json', async () => {
    const r = await inProcess('run', fixture('simd_maps.wasm'), '--invoke', 'run_madd_chain', '--args', '[6000, 2]', '--offload', 'on', '--offload-trip-count', '256', '--device', 'cpu', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { results: number[]; launches: number; events: { type: string; action?: string; reason?: string }[] };
    expect(out.events.some((e) => e.type === 'offload' && e.action === 'dispatch')).toBe(true);
    expect(out.launches).toBeGreaterThan(0);
    const off = await inProcess('run', fixture('simd_maps.wasm'), '--invoke', 'run_madd_chain', '--args', '[6000, 2]', '--json');
    expect((JSON.parse(off.stdout) as { results: number[] }).results).toEqual(out.results);
  }, 180_000);

  it('--offload-v128-ratio 1 promotes nothing', async () => {
    const r = await inProcess('run', fixture('simd_maps.wasm'), '--invoke', 'run_madd_chain', '--args', '[6000, 2]', '--offload', 'on', '--offload-v128-ratio', '1', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { events: { type: string }[]; launches: number };
    expect(out.events.some((e) => e.type === 'offload')).toBe(false);
    expect(out.launches).toBe(0);
  }, 180_000);
});
