import { describe, expect, it } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import { classifyArgs } from './classify.js';

function errorOf(fn: () => unknown): TensorWasmError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TensorWasmError) return error;
    throw error;
  }
  throw new Error('expected a TensorWasmError');
}

describe('classifyArgs (guide §3.1: by how a number is written)', () => {
  it('integer text within i32 stays i32, at both ends of the range', () => {
    expect(classifyArgs('[2147483647, -2147483648, 0, -1, 42]')).toEqual([
      { type: 'i32', value: 2147483647 },
      { type: 'i32', value: -2147483648 },
      { type: 'i32', value: 0 },
      { type: 'i32', value: -1 },
      { type: 'i32', value: 42 },
    ]);
  });

  it('integer text just outside i32 is i64', () => {
    expect(classifyArgs('[2147483648, -2147483649, 9999999999]')).toEqual([
      { type: 'i64', value: 2147483648n },
      { type: 'i64', value: -2147483649n },
      { type: 'i64', value: 9999999999n },
    ]);
  });

  it('keeps i64 extremes exact (never through a double)', () => {
    expect(classifyArgs('[9223372036854775807, -9223372036854775808]')).toEqual([
      { type: 'i64', value: 9223372036854775807n },
      { type: 'i64', value: -9223372036854775808n },
    ]);
  });

  it('rejects integers beyond i64 with invalid_args', () => {
    for (const text of ['[9223372036854775808]', '[-9223372036854775809]', '[100000000000000000000]']) {
      const e = errorOf(() => classifyArgs(text));
      expect(e.code).toBe('invalid_args');
      expect(e.message).toMatch(/i64 range/);
    }
  });

  it('a fraction or an exponent makes f64, whatever the value', () => {
    const args = classifyArgs('[1e10, 1.0, 1.5, -0.0, 3.14, 2E-3, 1e-400]');
    expect(args.map((a) => a.type)).toEqual(['f64', 'f64', 'f64', 'f64', 'f64', 'f64', 'f64']);
    expect(args[0]!.value).toBe(1e10);
    expect(args[1]!.value).toBe(1);
    expect(Object.is(args[3]!.value, -0)).toBe(true);
    // Underflow to zero is ordinary rounding, not an error.
    expect(args[6]!.value).toBe(0);
  });
  it('keeps the largest finite doubles (written any way) and refuses literals past the f64 range, naming the argument', () => {
    // The edges come from IEEE 754 binary64 (max = (2 − 2^−52) × 2^1023), not from the code under test.
    const max = (2 - 2 ** -52) * 2 ** 1023;
    expect(classifyArgs('[1.7976931348623157e308, -1.7976931348623157e308]').map((a) => a.value)).toEqual([max, -max]);
    for (const [text, index] of [['[1e400]', 0], ['[1, -1e400]', 1], ['[0.5, 2, 1.8e308]', 2], ['[1' + '0'.repeat(400) + '.0]', 0]] as const) {
      const e = errorOf(() => classifyArgs(text));
      expect(e.code).toBe('invalid_args');
      expect(e.message).toContain(`argument ${index}`);
      expect(e.message).toMatch(/f64 range/);
      expect(e.details).toMatchObject({ argIndex: index });
    }
  });

  it('refuses a multi-million-digit literal at once, quoting at most ~200 characters of it', () => {
    // Built as one flat string, as a request body or argv arrives (a concatenation would be timed flattening).
    const body = (head: string, digits: number) => {
      const b = Buffer.alloc(head.length + digits + 1, '9');
      b.write(head, 0, 'latin1');
      b[b.length - 1] = 0x5d; // ]
      return b.toString('latin1');
    };
    // The request had 30 M digits; 3 M show the same (BigInt's quadratic parse, the whole
    // literal echoed) without a test that spends seconds writing 30 MB on a busy machine.
    for (const text of [body('[', 3_000_000), body('[-', 3_000_000), body('[1, 0.', 3_000_000)]) {
      const t0 = performance.now();
      const e = errorOf(() => classifyArgs(text));
      // Refusing after 1 KiB takes microseconds; 500 ms leaves room for a busy machine.
      expect(performance.now() - t0).toBeLessThan(500);
      expect(e.code).toBe('invalid_args');
      expect(e.message.length).toBeLessThanOrEqual(200);
    }
  });
  it('quotes a long out-of-range literal only in part', () => {
    const e = errorOf(() => classifyArgs(`[${'1'.repeat(500)}]`));
    expect(e.message).toMatch(/i64 range/);
    expect(e.message.length).toBeLessThanOrEqual(200);
  });
  it('accepts an empty array and whitespace', () => {
    expect(classifyArgs(' [ ] ')).toEqual([]);
    expect(classifyArgs('\n[\t1 ,\r\n2 ]\n')).toHaveLength(2);
  });

  it.each([
    ['["5"]', /argument 0 is a string/],
    ['[true]', /argument 0 is a boolean/],
    ['[1, false]', /argument 1 is a boolean/],
    ['[null]', /argument 0 is null/],
    ['[[1]]', /argument 0 is an array/],
    ['[{"a":1}]', /argument 0 is an object/],
  ])('rejects non-numbers: %s', (text, message) => {
    const e = errorOf(() => classifyArgs(text));
    expect(e.code).toBe('invalid_args');
    expect(e.message).toMatch(message);
  });

  it.each(['5', '{"a": 1}', '"[1]"', '', 'null', '[1, 2', '[1,]', '[01]', '[1] x', '[+1]', '[.5]', '[1.]', '[NaN]', '[Infinity]', '[1 2]'])(
    'rejects a body that is not a JSON array of numbers: %j',
    (text) => {
      expect(errorOf(() => classifyArgs(text)).code).toBe('invalid_args');
    },
  );
});
