/**
 * computeTripCount on the cases `npm run mutate -- trip-count` showed the other tests leave open
 * (docs/CPU-DEVICE.md, Mutation testing): eq/ne latches whose operands cross 2^31 (only the unsigned
 * reading ends without wrapping), eq latches whose operands move apart or together, and the
 * one-launch limit of 2^31 − 1 trips (MAX_TRIPS's own doc: elements are indexed by u32, so its value
 * is written out here, not imported). Expected counts come from running the latch: a do-while loop
 * on i32 values with Wasm's wrap-around, which shares nothing with the closed form.
 */
import { describe, expect, it } from 'vitest';
import { computeTripCount, type LatchCompare } from './trip-count.js';

const i32 = (v: number): number => v | 0;
const u32 = (v: number): number => v >>> 0;

/** Runs the latch: the iteration count of the do-while loop, or undefined if it has not ended by `limit`. */
function simulate(compare: LatchCompare, L0: number, dL: number, R0: number, dR: number, limit = 100_000): number | undefined {
  let l = i32(L0), r = i32(R0);
  for (let trips = 1; trips <= limit; trips++) {
    const [a, b] = compare.endsWith('_u') ? [u32(l), u32(r)] : [l, r];
    const again =
      compare === 'eq' ? a === b : compare === 'ne' ? a !== b
        : compare.startsWith('lt') ? a < b : compare.startsWith('gt') ? a > b : compare.startsWith('le') ? a <= b : a >= b;
    if (!again) return trips;
    l = i32(l + dL);
    r = i32(r + dR);
  }
  return undefined;
}

describe('computeTripCount: the edges the mutants found', () => {
  it('an ne latch that counts up through 2^31 ends (read unsigned, nothing wraps)', () => {
    for (const [L0, R0] of [[2 ** 31 - 16, 2 ** 31], [2 ** 31 - 2, 2 ** 31 + 5]]) {
      const trips = simulate('ne', L0!, 1, R0!, 0);
      expect(trips).toBe(R0! - L0! + 1);
      expect(computeTripCount({ compare: 'ne', dL: 1, dR: 0 }, L0!, R0!)).toEqual({ ok: true, trips });
    }
  });

  it('an eq latch whose operands start equal and move apart runs twice; one whose operands move together never ends', () => {
    expect(simulate('eq', 5, 1, 5, -1)).toBe(2);
    expect(computeTripCount({ compare: 'eq', dL: 1, dR: -1 }, 5, 5)).toEqual({ ok: true, trips: 2 });
    expect(simulate('eq', 0, 1, 0, 1)).toBeUndefined();
    expect(computeTripCount({ compare: 'eq', dL: 1, dR: 1 }, 0, 0)).toEqual({
      ok: false,
      reason: 'the latch does not end without wrapping around (trip count undefined)',
    });
    // equal at 2^31 − 1, then apart: the left operand passes 2^31 (fine read unsigned)
    expect(simulate('eq', 2 ** 31 - 1, 1, 2 ** 31 - 1, -1)).toBe(2);
    expect(computeTripCount({ compare: 'eq', dL: 1, dR: -1 }, 2 ** 31 - 1, 2 ** 31 - 1)).toEqual({ ok: true, trips: 2 });
    expect(simulate('eq', 3, 0, 4, 0)).toBe(1);
    expect(computeTripCount({ compare: 'eq', dL: 0, dR: 0 }, 3, 4)).toEqual({ ok: true, trips: 1 });
  });

  it('a latch whose operands never move is refused as never ending, not as too long', () => {
    expect(simulate('lt_s', 0, 0, 1, 0)).toBeUndefined();
    for (const compare of ['lt_s', 'le_u'] as const) {
      expect(computeTripCount({ compare, dL: 0, dR: 0 }, 0, 1)).toEqual({
        ok: false,
        reason: 'the latch does not end without wrapping around (trip count undefined)',
      });
    }
  });

  it('takes 2^31 − 1 trips as one launch and refuses 2^31, saying why', () => {
    // `i < N` after iterations 0, 1, … with i = j: it first fails at j = N, so N + 1 trips.
    expect(simulate('lt_u', 0, 1, 1000, 0)).toBe(1001);
    expect(computeTripCount({ compare: 'lt_u', dL: 1, dR: 0 }, 0, 2 ** 31 - 2)).toEqual({ ok: true, trips: 2 ** 31 - 1 });
    expect(computeTripCount({ compare: 'lt_u', dL: 1, dR: 0 }, 0, 2 ** 31 - 1)).toEqual({
      ok: false,
      reason: `trip count ${2 ** 31} is too large for one launch`,
    });
  });
});
