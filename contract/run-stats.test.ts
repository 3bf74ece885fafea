import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dispatchMarker, outlierIndices } from './run-stats.js';

describe('outlierIndices (Tukey fences, 1.5 × IQR)', () => {
  it('worked cases: quartiles by linear interpolation (R type 7, numpy default)', () => {
    // [1..8, 100]: Q1 = 3, Q3 = 7, IQR 4, fences −3 and 13 → only 100
    expect(outlierIndices([1, 2, 3, 4, 5, 6, 7, 8, 100])).toEqual([8]);
    // [10, 11, 12, 13]: Q1 = 10.75, Q3 = 12.25 → fences 8.5 and 14.5: none
    expect(outlierIndices([10, 11, 12, 13])).toEqual([]);
    // low side too, index order kept
    expect(outlierIndices([50, 10, 11, 12, 13, 11, 12, -40])).toEqual([0, 7]);
    expect(outlierIndices([1, 1000, 1])).toEqual([]); // fewer than 4: no quartiles, no outliers
  });

  const samples = fc.array(fc.double({ min: 0.001, max: 1000, noNaN: true }), { minLength: 4, maxLength: 40 });

  it('does not depend on order, and moves with shifts and positive scales', () => {
    fc.assert(
      fc.property(samples, fc.integer({ min: 1, max: 7 }), (values, k) => {
        const flagged = new Set(outlierIndices(values).map((i) => values[i]));
        const rotated = [...values.slice(k % values.length), ...values.slice(0, k % values.length)];
        expect(new Set(outlierIndices(rotated).map((i) => rotated[i]))).toEqual(flagged);
        const scaled = values.map((v) => v * 4); // a power of two: exact for any double here
        expect(outlierIndices(scaled)).toEqual(outlierIndices(values));
      }),
    );
    // A shift is exact only where no bits are lost: integer samples (adding 8 to 0.001 rounds, and
    // two samples 1e-18 apart could then meet — seed 268705532 found that).
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 4, maxLength: 40 }), (values) => {
        expect(outlierIndices(values.map((v) => v * 4 + 8))).toEqual(outlierIndices(values));
      }),
    );
  });

  it('a value far beyond the others is always flagged; a constant sample never', () => {
    fc.assert(
      fc.property(samples, (values) => {
        const far = Math.max(...values) * 10 + 1e6;
        expect(outlierIndices([...values, far])).toContain(values.length);
        expect(outlierIndices(values.map(() => values[0]!))).toEqual([]);
        expect(outlierIndices(values).length).toBeLessThan(values.length / 2 + 1);
      }),
    );
  });
});

describe('dispatchMarker', () => {
  it('names what the offload runs did', () => {
    expect(dispatchMarker(['dispatch', 'verified'])).toBe('dispatched');
    expect(dispatchMarker(['fallback'])).toBe('fell back');
    expect(dispatchMarker(['demote'])).toBe('fell back');
    expect(dispatchMarker(['dispatch', 'fallback'])).toBe('mixed');
    expect(dispatchMarker([])).toBe('none');
  });
});
