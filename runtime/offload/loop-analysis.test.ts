import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeOffload } from './analyze.js';
import { analyzeLoopReference } from './loop-analysis-reference.js';
import type { OffloadThresholds } from './types.js';

const fixtures = new URL('../../fixtures/offload/', import.meta.url);
const read = (name: string): Uint8Array => readFileSync(new URL(name, fixtures));

/** Everything the analysis returns, as text: Maps keep their key order, bigints are spelled out. */
function snapshot(bytes: Uint8Array, thresholds: Partial<OffloadThresholds>, reference: boolean): string {
  const analysis = reference ? analyzeOffload(bytes, thresholds, analyzeLoopReference) : analyzeOffload(bytes, thresholds);
  const report = { ...analysis.report, analysisMs: 0 };
  return JSON.stringify({ report, plans: analysis.plans }, (_key, value: unknown) =>
    typeof value === 'bigint' ? `${value}n` : value instanceof Map ? { map: [...value] } : value instanceof Set ? { set: [...value] } : value,
  );
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const modules = ['simd_maps.wasm', 'auto_vec.wasm', 'rejected.wasm', 'odd_shapes.wasm'];
const settings: Partial<OffloadThresholds>[] = [{}, { tripCountThreshold: 8 }, { tripCountThreshold: 1_000_000 }, { v128RatioThreshold: 0.2 }, { v128RatioThreshold: 1 }];

describe('flat loop analysis agrees with the reference (object) analyser', () => {
  for (const module of modules) {
    it(`${module}: identical report and plans for every threshold`, () => {
      const bytes = read(module);
      for (const thresholds of settings) {
        const flat = snapshot(bytes, thresholds, false);
        expect(flat).toBe(snapshot(bytes, thresholds, true));
        expect(flat).toContain('"loopId"');
      }
    });
  }

  it('promoted loops carry plans, built on first read in report order', () => {
    const analysis = analyzeOffload(read('simd_maps.wasm'));
    const promoted = analysis.report.loops.filter((l) => l.decision === 'promoted').map((l) => l.loopId);
    expect(promoted.length).toBeGreaterThan(0);
    expect(analysis.plans.map((p) => p.loopId)).toEqual(promoted);
    expect(analysis.plans).toBe(analysis.plans); // built once
  });

  it('identical on mutated modules (byte flips, truncations, insertions)', () => {
    const sources = modules.map(read);
    const random = rng(7);
    let compared = 0;
    for (let round = 0; round < 90; round++) {
      const source = sources[round % sources.length] as Uint8Array;
      let bytes = Uint8Array.from(source);
      const kind = round % 3;
      if (kind === 0) {
        for (let k = 0; k < 1 + Math.floor(random() * 6); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      } else if (kind === 1) {
        bytes = bytes.slice(0, Math.floor(random() * bytes.length));
      } else {
        const at = Math.floor(random() * bytes.length);
        const junk = Uint8Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256));
        bytes = Uint8Array.from([...bytes.slice(0, at), ...junk, ...bytes.slice(at)]);
      }
      expect(snapshot(bytes, {}, false)).toBe(snapshot(bytes, {}, true));
      compared++;
    }
    expect(compared).toBe(90);
  });
});
