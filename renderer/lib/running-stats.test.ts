import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunningStats } from './running-stats.js';

/** The oracle: a sort and the textbook formulas over the whole list (no code shared with the heaps or Welford). */
function reference(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) / 2;
  const median = sorted[Math.floor(pos)]! + (sorted[Math.ceil(pos)]! - sorted[Math.floor(pos)]!) * (pos - Math.floor(pos));
  const total = values.reduce((a, b) => a + b, 0);
  const mean = total / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { median, total, mean, variance, min: sorted[0]!, max: sorted.at(-1)! };
}

describe('RunningStats', () => {
  it('after every value, has the median, total, mean, variance, min and max of all so far (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 300 }), (values) => {
        const stats = new RunningStats();
        values.forEach((v, i) => {
          stats.add(v);
          const want = reference(values.slice(0, i + 1));
          expect(stats.median() === want.median).toBe(true); // exact: the same two middle values, the same formula
          expect(stats.count).toBe(i + 1);
          expect([stats.min, stats.max]).toEqual([want.min, want.max]);
          expect(stats.total).toBe(want.total);
          expect(stats.meanValue()).toBe(want.mean);
          expect(Math.abs(stats.variance() - want.variance)).toBeLessThanOrEqual(1e-9 * Math.max(1, want.variance));
        });
      }),
    );
  });

  it('has no median before the first value', () => {
    expect(new RunningStats().median()).toBeNaN();
  });
});
