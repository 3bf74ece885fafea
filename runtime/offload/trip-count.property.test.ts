/**
 * computeTripCount against the loop itself: an i32 do-while latch simulated with Wasm's wrap-around
 * arithmetic (BigInt mod 2^32, compared as the opcode says), which shares nothing with the closed
 * form. Soundness: a count it gives is the iteration where the simulated latch first fails (checked
 * exactly for small counts, and at both ends plus a prefix for large ones). Completeness: a loop whose
 * operands never wrap and that ends within the simulated horizon gets a count. Edge values (i32/u32
 * ends, 0, ±1) are drawn often, so a bound off by one is hit.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { MAX_TRIPS, computeTripCount, type LatchCompare } from './trip-count.js';

const TWO32 = 1n << 32n;
const COMPARES: LatchCompare[] = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];

/** The i32 value (as bits, 0 ≤ v < 2^32) of `x0 + j*d` after Wasm's wrap-around. */
function at(x0: number, d: number, j: bigint): bigint {
  return (((BigInt(x0) + j * BigInt(d)) % TWO32) + TWO32) % TWO32;
}
const signed = (v: bigint): bigint => (v >= 1n << 31n ? v - TWO32 : v);

/** Whether the latch holds after iteration j (Wasm i32 comparison semantics). */
function holds(c: LatchCompare, L0: number, dL: number, R0: number, dR: number, j: bigint): boolean {
  const a = at(L0, dL, j), b = at(R0, dR, j);
  const [x, y] = c.endsWith('_s') ? [signed(a), signed(b)] : [a, b];
  switch (c) {
    case 'eq': return x === y;
    case 'ne': return x !== y;
    case 'lt_s': case 'lt_u': return x < y;
    case 'gt_s': case 'gt_u': return x > y;
    case 'le_s': case 'le_u': return x <= y;
    case 'ge_s': case 'ge_u': return x >= y;
  }
}

/** Whether x0 + j*d leaves mode m's i32 range for some j ≤ n (it moves monotonically). */
function wrapsIn(m: 'u' | 's', x0: number, d: number, n: bigint): boolean {
  const start = m === 'u' ? BigInt(x0 >>> 0) : BigInt(x0 | 0);
  const end = start + n * BigInt(d);
  const [lo, hi] = m === 'u' ? [0n, TWO32 - 1n] : [-(1n << 31n), (1n << 31n) - 1n];
  return end < lo || end > hi;
}

/** Whether every reading the comparison allows (eq/ne: unsigned or signed) sees an operand wrap by iteration n. */
function wraps(c: LatchCompare, L0: number, dL: number, R0: number, dR: number, n: bigint): boolean {
  const modes: ('u' | 's')[] = c === 'eq' || c === 'ne' ? ['u', 's'] : [c.endsWith('_u') ? 'u' : 's'];
  return modes.every((m) => wrapsIn(m, L0, dL, n) || wrapsIn(m, R0, dR, n));
}

const HORIZON = 600n;
const edge = fc.constantFrom(0, 1, -1, 2, -2, 2 ** 31 - 1, 2 ** 31 - 2, -(2 ** 31), -(2 ** 31) + 1, 2 ** 32 - 1, 2 ** 31, 100, -100);
const value = fc.oneof(edge, fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.integer({ min: -3000, max: 3000 }));
const step = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(2 ** 30, -(2 ** 30), 2 ** 31 - 1, 65536, -65536));

describe('computeTripCount against a simulated i32 latch', () => {
  test.prop([fc.constantFrom(...COMPARES), value, step, value, step], { numRuns: Number(process.env.TRIP_PROPERTY_RUNS ?? 3000) })(
    'a count it gives is where the latch first fails; a loop that ends without wrapping gets one',
    (compare, L0, dL, R0, dR) => {
      const r = computeTripCount({ compare, dL, dR }, L0, R0);
      if (r.ok) {
        expect(r.trips).toBeGreaterThanOrEqual(1);
        expect(r.trips).toBeLessThanOrEqual(MAX_TRIPS);
        const last = BigInt(r.trips - 1);
        expect(holds(compare, L0, dL, R0, dR, last), 'the latch fails after the last iteration').toBe(false);
        const prefix = last < HORIZON ? last : HORIZON;
        for (let j = 0n; j < prefix; j++) expect(holds(compare, L0, dL, R0, dR, j), `the latch holds after iteration ${j}`).toBe(true);
        if (last > 0n) expect(holds(compare, L0, dL, R0, dR, last - 1n)).toBe(true);
        return;
      }
      // Refused: then the simulated loop must not end within the horizon without a wrap on the way.
      let j = 0n;
      while (j < HORIZON && holds(compare, L0, dL, R0, dR, j)) j++;
      if (j < HORIZON) {
        const wrapped = wraps(compare, L0, dL, R0, dR, j);
        expect(wrapped, `ends after ${j + 1n} iterations without wrapping, but was refused: ${r.reason}`).toBe(true);
      }
    },
  );
});
