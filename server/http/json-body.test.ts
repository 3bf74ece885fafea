import { describe, expect, it } from 'vitest';
import { jsonNestingDepth, parseInvokeBody } from './json-body.js';

describe('jsonNestingDepth', () => {
  it('counts brackets outside strings only', () => {
    expect(jsonNestingDepth('[]')).toBe(1);
    expect(jsonNestingDepth('{"a":[1,[2]]}')).toBe(3);
    expect(jsonNestingDepth('{"a":"[[[[[\\"[[["}')).toBe(1);
    expect(jsonNestingDepth('1')).toBe(0);
  });
});

describe('parseInvokeBody', () => {
  it('keeps every argument literal as written', () => {
    expect(parseInvokeBody('{"export":"f","args":[1, 2147483648, 1e10, 1.0, -0, 9223372036854775807]}', 8)).toEqual({
      export: 'f',
      argsJson: '[1,2147483648,1e10,1.0,-0,9223372036854775807]',
    });
  });

  it('passes non-numbers through for the engine to refuse', () => {
    expect(parseInvokeBody('{"export":"f","args":["5",null,true]}', 8).argsJson).toBe('["5",null,true]');
  });

  it('reads runId and deadlineMs, and defaults args to []', () => {
    expect(parseInvokeBody('{"export":"f","runId":"r-1","deadlineMs":250}', 8)).toEqual({ export: 'f', argsJson: '[]', runId: 'r-1', deadlineMs: 250 });
  });

  it('refuses what is not an invoke body', () => {
    for (const text of ['', '[]', '{"export":1}', '{"export":"f","args":1}', '{"export":"f","deadlineMs":1.5}', '{"export":"f","deadlineMs":0}', '{"export":"f","runId":"../x"}', '{"export":"f","extra":1}', '{"export":"f"}x', '[[[[[[[[[1]]]]]]]]]']) {
      expect(() => parseInvokeBody(text, 8), text).toThrow(expect.objectContaining({ code: 'invalid_args' }));
    }
  });
});
