import { describe, expect, it } from 'vitest';
import { checkArgs, classifyNumberText, placeholderArgs, scanArgs } from './json-args.js';

describe('classifyNumberText (guide §3.1 lexical rules)', () => {
  it.each([
    ['1', 'i32'],
    ['-1', 'i32'],
    ['2147483647', 'i32'],
    ['-2147483648', 'i32'],
    ['2147483648', 'i64'],
    ['-2147483649', 'i64'],
    ['9999999999', 'i64'],
    ['1.5', 'f64'],
    ['1e10', 'f64'],
    ['1E-3', 'f64'],
    ['2.0', 'f64'],
  ])('%s → %s', (text, cls) => expect(classifyNumberText(text)).toBe(cls));
});

describe('scanArgs', () => {
  it('finds each literal with its offsets', () => {
    const r = scanArgs(' [1, 2.5, "x", null, [1], {"a":1}, true]');
    expect(r.diagnostics).toEqual([]);
    expect(r.tokens.map((t) => [t.text, t.cls])).toEqual([
      ['1', 'i32'],
      ['2.5', 'f64'],
      ['"x"', 'string'],
      ['null', 'null'],
      ['[1]', 'array'],
      ['{"a":1}', 'object'],
      ['true', 'boolean'],
    ]);
    expect(r.tokens[1]).toMatchObject({ start: 5, end: 8 });
  });
  it.each(['', '1', '[1,', '[1 2]', '[1] x', '[01]', '[.5]', '[NaN]', '["a]'])('rejects %j as invalid_args', (text) => {
    const r = scanArgs(text);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.code).toBe('invalid_args');
  });
  it('accepts an empty array', () => expect(scanArgs(' [ ] ')).toEqual({ tokens: [], diagnostics: [] }));
});

describe('checkArgs against a signature', () => {
  const sig = { params: ['i32', 'i64', 'f64'] as const, results: [] } as never;
  it('accepts matching literals', () => expect(checkArgs('[1, 4294967296, 0.5]', sig).diagnostics).toEqual([]));
  it('marks a wrong count', () => {
    const d = checkArgs('[1, 4294967296]', sig).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'invalid_args' });
    expect(d[0]!.message).toContain('expected 3 arguments');
  });
  it('marks extra arguments where they are', () => {
    const text = '[1, 4294967296, 0.5, 7]';
    const d = checkArgs(text, sig).diagnostics;
    expect(d[0]!.start).toBe(text.lastIndexOf('7'));
  });
  it('marks a string as invalid_args at its span', () => {
    const text = '[1, "x", 0.5]';
    const d = checkArgs(text, sig).diagnostics;
    expect(d[0]).toMatchObject({ code: 'invalid_args', argIndex: 1, start: 4, end: 7 });
  });
  it('marks an integer where f64 is needed, with a hint', () => {
    const d = checkArgs('[1, 4294967296, 2]', sig).diagnostics;
    expect(d[0]).toMatchObject({ code: 'type_mismatch', argIndex: 2 });
    expect(d[0]!.message).toContain('2.0');
  });
  it('marks an f32 parameter as not selectable from JSON', () => {
    const d = checkArgs('[1.5]', { params: ['f32'], results: [] }).diagnostics;
    expect(d[0]).toMatchObject({ code: 'type_mismatch', argIndex: 0 });
    expect(d[0]!.message).toContain('f32');
  });
  it('placeholder args satisfy their own signature', () => {
    const s = { params: ['i32', 'i64', 'f64'], results: [] } as never;
    expect(checkArgs(placeholderArgs(s), s).diagnostics).toEqual([]);
  });
});
