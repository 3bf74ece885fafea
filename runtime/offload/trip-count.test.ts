import { describe, expect, it } from 'vitest';
import { computeTripCount } from './trip-count.js';

describe('trip counts of do-while latches', () => {
  it('counts `i += 4; i < 60` from -4 as 16 iterations', () => {
    expect(computeTripCount({ compare: 'lt_u', dL: 4, dR: 0 }, 0, 60)).toEqual({ ok: true, trips: 16 });
  });
  it('counts `(i + 8) <= n` loops', () => {
    // entry i = 0, L0 = i + 8, n = 8 → iterations i = 0, 4
    expect(computeTripCount({ compare: 'le_s', dL: 4, dR: 0 }, 8, 8)).toEqual({ ok: true, trips: 2 });
    expect(computeTripCount({ compare: 'le_s', dL: 4, dR: 0 }, 8, 7)).toEqual({ ok: true, trips: 1 });
    expect(computeTripCount({ compare: 'le_s', dL: 4, dR: 0 }, 8, 4096)).toEqual({ ok: true, trips: 1024 });
  });
  it('counts down-counters compared with zero', () => {
    // k -= 2 while k != 0, from k = 10 → L0 = 8
    expect(computeTripCount({ compare: 'ne', dL: -2, dR: 0 }, 8, 0)).toEqual({ ok: true, trips: 5 });
  });
  it('refuses latches that would wrap around', () => {
    expect(computeTripCount({ compare: 'ne', dL: 4, dR: 0 }, 1, 0).ok).toBe(false);
    expect(computeTripCount({ compare: 'lt_s', dL: -4, dR: 0 }, 0, 100).ok).toBe(false);
  });
});
