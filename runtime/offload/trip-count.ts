/**
 * Trip counts of do-while loops whose latch compares two affine values. After iteration j
 * (0-based), the latch compares L0 + j*dL with R0 + j*dR (both i32); the loop runs again while the
 * comparison holds. The same function serves the static analysis (constants known at compile
 * time) and the run-time guard (values read at loop entry), so both agree by construction.
 */
export type LatchCompare = 'eq' | 'ne' | 'lt_s' | 'lt_u' | 'gt_s' | 'gt_u' | 'le_s' | 'le_u' | 'ge_s' | 'ge_u';

export interface LatchShape {
  compare: LatchCompare;
  /** Per-iteration change of the left and right operands. */
  dL: number;
  dR: number;
}

export type TripCountResult = { ok: true; trips: number } | { ok: false; reason: string };

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const U32_MAX = 2 ** 32 - 1;
/** More iterations than this cannot be offloaded as one launch (elements are indexed by u32). */
export const MAX_TRIPS = 2 ** 31 - 1;

function asSigned(v: number): number {
  return v | 0;
}
function asUnsigned(v: number): number {
  return v >>> 0;
}

/** First j ≥ 0 where `j*D < X` is false. */
function firstFalseLess(X: number, D: number): number | undefined {
  if (X <= 0) return 0;
  if (D <= 0) return undefined;
  return Math.ceil(X / D);
}

/** First j ≥ 0 where `j*D <= X` is false. */
function firstFalseLessEq(X: number, D: number): number | undefined {
  if (X < 0) return 0;
  if (D <= 0) return undefined;
  return Math.floor(X / D) + 1;
}

export function computeTripCount(shape: LatchShape, rawL0: number, rawR0: number): TripCountResult {
  const { compare, dL, dR } = shape;
  const unsigned = compare.endsWith('_u');
  const signedness: ('s' | 'u')[] = compare === 'eq' || compare === 'ne' ? ['u', 's'] : [unsigned ? 'u' : 's'];
  for (const mode of signedness) {
    const L0 = mode === 'u' ? asUnsigned(rawL0) : asSigned(rawL0);
    const R0 = mode === 'u' ? asUnsigned(rawR0) : asSigned(rawR0);
    let jStar: number | undefined;
    switch (compare) {
      case 'lt_s': case 'lt_u': jStar = firstFalseLess(R0 - L0, dL - dR); break;
      case 'gt_s': case 'gt_u': jStar = firstFalseLess(L0 - R0, dR - dL); break;
      case 'le_s': case 'le_u': jStar = firstFalseLessEq(R0 - L0, dL - dR); break;
      case 'ge_s': case 'ge_u': jStar = firstFalseLessEq(L0 - R0, dR - dL); break;
      case 'ne': {
        const X = R0 - L0;
        const D = dL - dR;
        if (X === 0) jStar = 0;
        else if (D !== 0 && X % D === 0 && X / D > 0) jStar = X / D;
        break;
      }
      case 'eq': {
        const D = dL - dR;
        if (L0 !== R0) jStar = 0;
        else if (D !== 0) jStar = 1;
        break;
      }
    }
    if (jStar === undefined) continue;
    // The closed form ignores wrap-around: check both operands stay in range up to j*.
    const lo = mode === 'u' ? 0 : I32_MIN;
    const hi = mode === 'u' ? U32_MAX : I32_MAX;
    const Lend = L0 + jStar * dL;
    const Rend = R0 + jStar * dR;
    if (Lend < lo || Lend > hi || Rend < lo || Rend > hi) continue;
    const trips = jStar + 1;
    if (trips > MAX_TRIPS) return { ok: false, reason: `trip count ${trips} is too large for one launch` };
    return { ok: true, trips };
  }
  return { ok: false, reason: 'the latch does not end without wrapping around (trip count undefined)' };
}

export const COMPARE_BY_OPCODE: ReadonlyMap<number, LatchCompare> = new Map([
  [0x46, 'eq'], [0x47, 'ne'], [0x48, 'lt_s'], [0x49, 'lt_u'], [0x4a, 'gt_s'], [0x4b, 'gt_u'],
  [0x4c, 'le_s'], [0x4d, 'le_u'], [0x4e, 'ge_s'], [0x4f, 'ge_u'],
] as [number, LatchCompare][]);
