import { describe, expect, it } from 'vitest';
import { fmaF32 } from './math.js';

const bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0]!;

describe('fmaF32 (round to nearest even)', () => {
  // a*b = (2^25 - 1) * 2^103 = 2^128 - 2^103: exactly halfway between the largest f32 and 2^128
  const a = 31 * 601 * 2 ** 50;
  const b = 1801 * 2 ** 53;

  it('rounds a value just below the overflow tie down to the largest f32', () => {
    expect(bits(fmaF32(a, b, -1, 0))).toBe(0x7f7fffff);
    expect(bits(fmaF32(-a, b, 1, 0))).toBe(0xff7fffff);
  });

  it('rounds the tie itself and anything above it to infinity', () => {
    expect(fmaF32(a, b, 0, 0)).toBe(Infinity);
    expect(fmaF32(a, b, 1, 0)).toBe(Infinity);
    expect(fmaF32(-a, b, -1, 0)).toBe(-Infinity);
    // far beyond f32 (finite in f64): no tie to weigh
    expect(fmaF32(4.0005e18, -8.8357e32, 3.5, 0)).toBe(-Infinity);
    expect(fmaF32(4.0005e18, 8.8357e32, -3.5, 0)).toBe(Infinity);
  });
});
