import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from './units.js';
import { formatError, formatResults } from './output.js';
import { parseDirs, parseEnv } from './run-options.js';

describe('units', () => {
  it('parses durations with units', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1.5s')).toBe(1500);
    for (const bad of ['30', 's', '-1s', '0ms', '1 d']) expect(() => parseDuration(bad)).toThrow(/duration|at least/);
  });

  it('refuses durations past what a Node timer holds (2^31 − 1 ms), at the edge exactly', () => {
    expect(parseDuration(`${2 ** 31 - 1}ms`)).toBe(2 ** 31 - 1);
    for (const over of [`${2 ** 31}ms`, '2147484s', '600h', '1' + '0'.repeat(400) + 'h']) {
      expect(() => parseDuration(over)).toThrow(/longer than the longest supported/);
    }
  });

  it('quotes at most ~200 characters of a bad value', () => {
    let message = '';
    try {
      parseDuration('x'.repeat(100_000));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/is not a duration/);
    expect(message.length).toBeLessThan(300);
  });

  it('parses sizes with binary and decimal units', () => {
    expect(parseSize('256MiB')).toBe(256 * 1024 * 1024);
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseSize('1GB')).toBe(1e9);
    expect(parseSize('65536')).toBe(65536);
    for (const bad of ['lots', '1TiB', '-5MiB', '0']) expect(() => parseSize(bad)).toThrow(/size|at least/);
  });
});

describe('output and options', () => {
  it('prints ok for no results and the JSON otherwise', () => {
    expect(formatResults('[]')).toBe('ok');
    expect(formatResults('[1,"NaN"]')).toBe('[1,"NaN"]');
  });

  it('formats errors as one line beginning with the code', () => {
    expect(formatError({ code: 'invalid_args', message: 'a\nb' })).toBe('invalid_args: a b');
  });

  it('escapes control characters (ANSI) in error lines', () => {
    expect(formatError({ code: 'trap', message: 'in \u001b[31mred\u0007' })).toBe('trap: in \\x1b[31mred\\x07');
  });

  it('parses --dir and --env', () => {
    expect(parseDirs(['./data::/data', '/tmp'])).toEqual({ './data': '/data', '/tmp': '/tmp' });
    expect(() => parseDirs(['::/x'])).toThrow(/host/);
    expect(parseEnv(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(() => parseEnv(['nope'])).toThrow(/KEY=VALUE/);
  });
});
