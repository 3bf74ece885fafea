import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeOffload } from './analyze.js';

const fixtures = new URL('../../fixtures/offload/', import.meta.url);

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('offload analysis never crashes', () => {
  const sources = ['simd_maps.wasm', 'rejected.wasm'].map((f) => readFileSync(new URL(f, fixtures)));

  it('survives byte flips, truncations and insertions', () => {
    const random = rng(42);
    let analysed = 0;
    for (let round = 0; round < 120; round++) {
      const source = sources[round % sources.length] as Uint8Array;
      let bytes = Uint8Array.from(source);
      const kind = round % 3;
      if (kind === 0) {
        for (let k = 0; k < 1 + Math.floor(random() * 8); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      } else if (kind === 1) {
        bytes = bytes.slice(0, Math.floor(random() * bytes.length));
      } else {
        const at = Math.floor(random() * bytes.length);
        const junk = Uint8Array.from({ length: 1 + Math.floor(random() * 16) }, () => Math.floor(random() * 256));
        bytes = Uint8Array.from([...bytes.slice(0, at), ...junk, ...bytes.slice(at)]);
      }
      const { report } = analyzeOffload(bytes);
      expect(Array.isArray(report.loops)).toBe(true);
      for (const loop of report.loops) expect(['promoted', 'rejected']).toContain(loop.decision);
      analysed++;
    }
    expect(analysed).toBe(120);
  });

  it('reports a module it cannot read as an error, not an exception', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([0, 97, 115, 109]), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), new TextEncoder().encode('not wasm at all')]) {
      const { report } = analyzeOffload(bytes);
      expect(report.loops).toEqual([]);
      expect(report.errors.length).toBe(1);
    }
  });

  it('handles odd but valid shapes with a reason for each loop', () => {
    const bytes = readFileSync(new URL('odd_shapes.wasm', fixtures));
    const { report } = analyzeOffload(bytes);
    expect(report.errors).toEqual([]);
    const reasons = Object.fromEntries(report.loops.map((l) => [`${l.function}.${l.loopId.split('.')[1]}`, l.reason]));
    expect(reasons['loop_value.L0']).toContain('non-empty block type');
    expect(reasons['nested.L0']).toContain('inner loop');
    expect(reasons['nested.L1']).toContain('leaves the loop early');
    expect(reasons['table_exit.L0']).toContain('leaves the loop early');
    expect(reasons['memory_bound.L0']).toContain('trip count cannot be derived');
  });
});
