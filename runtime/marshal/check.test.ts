import { describe, expect, it } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import { checkArgs, checkResultTypes } from './check.js';
import { classifyArgs } from './classify.js';
import { stringifyExact } from './exact-json.js';
import { mapResults } from './results.js';

function thrown(fn: () => unknown): TensorWasmError {
  try {
    fn();
  } catch (error) {
    return error as TensorWasmError;
  }
  throw new Error('expected an error');
}

describe('checkArgs', () => {
  const sig = { params: ['i32', 'i64', 'f64'] as const, results: ['i32'] as const };
  const signature = { params: [...sig.params], results: [...sig.results] };

  it('passes values through when every type matches exactly', () => {
    expect(checkArgs('f', signature, classifyArgs('[1, 4294967296, 0.5]'))).toEqual([1, 4294967296n, 0.5]);
  });

  it('names the expected count on a wrong number of arguments', () => {
    const e = thrown(() => checkArgs('f', signature, classifyArgs('[1, 2]')));
    expect(e.code).toBe('invalid_args');
    expect(e.message).toContain('takes 3 arguments');
    expect(e.message).toContain('got 2');
  });

  it('type_mismatch names index, expected and given; nothing escalates', () => {
    const e = thrown(() => checkArgs('f', signature, classifyArgs('[1, 2, 3.0]')));
    expect(e.code).toBe('type_mismatch');
    expect(e.details).toMatchObject({ argIndex: 1, expected: 'i64', given: 'i32' });
    const f = thrown(() => checkArgs('f', signature, classifyArgs('[1.0, 4294967296, 3.0]')));
    expect(f.details).toMatchObject({ argIndex: 0, expected: 'i32', given: 'f64' });
  });

  it('says f32, v128 and reference parameters cannot be reached and suggests a wrapper export', () => {
    for (const t of ['f32', 'v128', 'externref', 'funcref'] as const) {
      const e = thrown(() => checkArgs('g', { params: [t], results: [] }, classifyArgs('[1.5]')));
      expect(e.code).toBe('type_mismatch');
      expect(e.details).toMatchObject({ argIndex: 0, expected: t, given: 'f64' });
      expect(e.message).toContain('cannot be given from JSON');
      expect(e.message).toContain('wrapper export');
    }
  });

  it('refuses exports whose results JSON cannot carry', () => {
    expect(thrown(() => checkResultTypes('h', { params: [], results: ['v128'] })).code).toBe('type_mismatch');
    expect(() => checkResultTypes('h', { params: [], results: ['i32', 'i64', 'f32', 'f64'] })).not.toThrow();
  });
});

describe('mapResults', () => {
  it('maps by declared type: i64 exact, floats as numbers, non-finite as strings', () => {
    expect(mapResults(undefined, [])).toEqual([]);
    expect(mapResults(7, ['i32'])).toEqual([7]);
    expect(mapResults(2n ** 63n - 1n, ['i64'])).toEqual([9223372036854775807n]);
    expect(mapResults([NaN, Infinity, -Infinity, 0.5], ['f64', 'f64', 'f32', 'f32'])).toEqual(['NaN', 'Infinity', '-Infinity', 0.5]);
  });

  it('keeps an f32 widened exactly (no re-rounding to a shorter decimal)', () => {
    const third = Math.fround(1 / 3);
    expect(mapResults(third, ['f32'])).toEqual([0.3333333432674408]);
  });

  it('reports a shape it did not expect as internal', () => {
    expect(thrown(() => mapResults(1, ['i64'])).code).toBe('internal');
  });
});

describe('stringifyExact', () => {
  it('writes bigints as exact digits and non-finite numbers as strings', () => {
    expect(stringifyExact({ a: [9223372036854775807n, 1.5, 'x'], b: NaN, c: undefined, d: -Infinity })).toBe(
      '{"a":[9223372036854775807,1.5,"x"],"b":"NaN","d":"-Infinity"}',
    );
    expect(JSON.parse(stringifyExact([2n ** 64n]))).toEqual([18446744073709552000]);
  });
});
