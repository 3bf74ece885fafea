import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeOffload } from './analyze.js';
import type { LoopReport } from './types.js';

const fixtures = new URL('../../fixtures/offload/', import.meta.url);
const read = (name: string): Uint8Array => readFileSync(new URL(name, fixtures));

interface Expected {
  module: string;
  function: string;
  loop: number;
  decision: 'promoted' | 'rejected';
  reason: string;
  tripCount?: number | 'dynamic';
}
const expected = (JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as { loops: Expected[] }).loops;

function findLoop(loops: LoopReport[], fn: string, ordinal: number): LoopReport | undefined {
  return loops.find((l) => l.function === fn && l.loopId.endsWith(`.L${ordinal}`));
}

describe('offload analysis: fixture decisions', () => {
  const reports = new Map<string, LoopReport[]>();
  const loopsOf = (module: string): LoopReport[] => {
    if (!reports.has(module)) reports.set(module, analyzeOffload(read(module)).report.loops);
    return reports.get(module) as LoopReport[];
  };

  for (const e of expected) {
    it(`${e.module} ${e.function} loop ${e.loop}: ${e.decision} (${e.reason})`, () => {
      const loop = findLoop(loopsOf(e.module), e.function, e.loop);
      expect(loop, `no loop ${e.loop} in ${e.function}`).toBeDefined();
      expect(loop?.decision).toBe(e.decision);
      expect(loop?.reason).toContain(e.reason);
      if (e.tripCount !== undefined) expect(loop?.tripCount).toBe(e.tripCount);
    });
  }

  it('reports every loop with offsets, counts, ratio, pattern and a reason', () => {
    const { report } = analyzeOffload(read('simd_maps.wasm'));
    expect(report.errors).toEqual([]);
    expect(report.codeBytes).toBeGreaterThan(0);
    const saxpy = findLoop(report.loops, 'saxpy', 0) as LoopReport;
    expect(saxpy.codeOffset).toBeGreaterThan(0);
    const bytes = read('simd_maps.wasm');
    expect(bytes[saxpy.codeOffset]).toBe(0x03); // the `loop` opcode
    expect(saxpy.opCounts.v128).toBe(5); // 2 loads, mul, add, store
    expect(saxpy.opCounts.loads).toBe(2);
    expect(saxpy.opCounts.stores).toBe(1);
    expect(saxpy.v128Ratio).toBe(1);
    expect(saxpy.accessPattern).toBe('affine, stride 16 B');
    expect(saxpy.carriedDependencies).toEqual([]);
    for (const loop of report.loops) expect(loop.reason.length).toBeGreaterThan(10);
  });

  it('names functions from the name section', () => {
    const names = new Set(analyzeOffload(read('rejected.wasm')).report.loops.map((l) => l.function));
    expect(names).toContain('gather');
    expect(names).toContain('sum_f32');
  });
});

describe('offload analysis: thresholds', () => {
  it('a lower trip-count threshold promotes the 16-iteration loop', () => {
    const loops = analyzeOffload(read('rejected.wasm'), { tripCountThreshold: 8 }).report.loops;
    const fixed = findLoop(loops, 'fixed64', 0);
    expect(fixed?.decision).toBe('promoted');
    expect(fixed?.reason).toContain('trip count 16 > 8');
  });

  it('a higher trip-count threshold rejects the 262144-iteration loop', () => {
    const loops = analyzeOffload(read('rejected.wasm'), { tripCountThreshold: 1_000_000 }).report.loops;
    expect(findLoop(loops, 'fixed_big', 0)?.reason).toContain('trip count 262144 is not above the threshold 1000000');
  });

  it('a ratio threshold of 1 rejects even pure SIMD loops', () => {
    const { report, plans } = analyzeOffload(read('simd_maps.wasm'), { v128RatioThreshold: 1 });
    expect(plans).toEqual([]);
    expect(findLoop(report.loops, 'saxpy', 0)?.reason).toContain('v128 ratio 1.00 is not above the threshold 1');
    expect(report.thresholds.v128RatioThreshold).toBe(1);
  });

  it('plans carry what the rewrite needs', () => {
    const { plans } = analyzeOffload(read('simd_maps.wasm'));
    const saxpy = plans.find((p) => p.function === 'saxpy' && p.ordinal === 0);
    expect(saxpy?.kernels).toHaveLength(1);
    expect(saxpy?.kernels[0]?.lane).toBe('f32');
    expect(saxpy?.latch.compare).toBe('le_s');
    expect(saxpy?.ivs.map((iv) => iv.step).sort((a, b) => a - b)).toEqual([4, 16, 16]);
  });
});
