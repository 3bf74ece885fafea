/** Every conformance case, in fixture order. */
import { BASIC_CASES } from './cases-basic.js';
import { MATH_CASES } from './cases-math.js';

export const CONFORMANCE_CASES = [...BASIC_CASES, ...MATH_CASES];
export const CONFORMANCE_ARCHS = ['sm_75', 'sm_90'] as const;
