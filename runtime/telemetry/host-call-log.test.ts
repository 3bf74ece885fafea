import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { hexDump, logHostCall, wrapImportsForLogging } from './host-call-log.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('host call logging', () => {
  const memory = new Uint8Array(64);
  memory.set(new TextEncoder().encode('hello'), 16);

  it('logs nothing below debug and does not wrap', () => {
    const { logger, lines } = capture('warn');
    const fns = { f: () => 1 };
    expect(wrapImportsForLogging('m', fns, logger, () => memory)).toBe(fns);
    logHostCall(logger, { module: 'm', name: 'f', args: [1], result: 2 });
    expect(lines).toEqual([]);
  });

  it('logs every call with its arguments and return value at debug (bigints as text)', () => {
    const { logger, lines } = capture('debug');
    const wrapped = wrapImportsForLogging('wasi_snapshot_preview1', { add: (a: number, b: bigint) => BigInt(a) + b }, logger, () => memory);
    expect((wrapped.add as (a: number, b: bigint) => bigint)(1, 2n)).toBe(3n);
    expect(lines[0]).toMatchObject({ level: 20, hostCall: 'wasi_snapshot_preview1.add', args: [1, '2'], result: '3' });
    expect(lines[0]!.dumps).toBeUndefined();
  });

  it('adds byte dumps of pointer arguments at trace, and logs thrown errors', () => {
    const { logger, lines } = capture('trace');
    const wrapped = wrapImportsForLogging('m', { put: () => 0, bad: () => { throw new Error('boom'); } }, logger, () => memory, { put: [{ ptr: 0, len: 1 }] });
    (wrapped.put as (p: number, l: number) => number)(16, 5);
    expect(lines[0]).toMatchObject({ level: 10, hostCall: 'm.put', result: 0 });
    expect(String((lines[0]!.dumps as string[])[0])).toContain('|hello|');
    expect(() => (wrapped.bad as () => void)()).toThrow('boom');
    expect(lines[1]).toMatchObject({ hostCall: 'm.bad', error: 'boom' });
  });

  it('hexDump writes offset, hex and text columns and says what it cut', () => {
    const dump = hexDump(new Uint8Array(300).fill(0x41), 0x100, 32);
    expect(dump.split('\n')[0]).toBe('00000100  41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|');
    expect(dump).toContain('... 268 more bytes');
  });
});
