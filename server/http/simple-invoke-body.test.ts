import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyArgs } from '../../runtime/marshal/classify.js';
import { parseInvokeBody, parseInvokeBodyInFull } from './json-body.js';
import { readSimpleInvokeBody } from './simple-invoke-body.js';

/** The answer of a reader for one body: its request, or the error code and message it threw. */
function outcome(read: () => unknown): unknown {
  try {
    return { ok: read() };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code, message: e.message };
  }
}

const COMMON = [
  '{"export":"add","args":[1,2]}',
  ' { "export" : "add" , "args" : [ 1 , 2 ] } ',
  '{\n\t"args": [2147483647, 2147483648, -2147483649, 9223372036854775807, 9223372036854775808],\r\n"export": "f"}',
  '{"export":"f","args":[1e10,1.0,-0.0,-0,1E+2,2.5e-3,0]}',
  '{"export":"f","args":[]}',
  '{"export":"f"}',
  '{"export":"f","runId":"r-1","deadlineMs":250}',
  '{"deadlineMs":1,"runId":"A.b_c-9","args":[3],"export":"ü"}',
  // the negative i64 boundary: −2^63 is the last i64, −2^63−1 is past it (and i32's edge beside it)
  '{"export":"f","args":[-9223372036854775808]}',
  '{"export":"f","args":[-9223372036854775809]}',
  '{"export":"f","args":[-2147483648,-2147483649]}',
];

/** Bodies the one-pass reader must leave to the general path (which refuses or reads them its own way). */
const OTHERS = [
  '',
  '[]',
  '{}',
  '{"export":1}',
  '{"export":""}',
  '{"export":"f","args":1}',
  '{"export":"f","args":["5",null,true]}',
  '{"export":"f","args":[[1]]}',
  '{"export":"f","args":[01]}',
  '{"export":"f","args":[1.]}',
  '{"export":"f","args":[.5]}',
  '{"export":"f","args":[+1]}',
  '{"export":"f","args":[1,]}',
  '{"export":"f","args":[1 2]}',
  '{"export":"f","args":[-]}',
  '{"export":"f","args":[1e]}',
  '{"export":"f","args":[1],}',
  '{"export":"f","args":[1]}x',
  '{"export":"f","args":[1]',
  '{"export":"a\\u0062c","args":[]}',
  '{"export":"f","export":"g"}',
  '{"export":"f","args":[1],"args":[2]}',
  '{"export":"f","extra":1}',
  '{"export":"f","deadlineMs":1.5}',
  '{"export":"f","deadlineMs":0}',
  '{"export":"f","deadlineMs":9007199254740993}',
  '{"export":"f","runId":"../x"}',
  '{"export":"f","runId":7}',
  '{"export":"f\u0001"}',
  '{"export":"f","args":[1]} {}',
];

describe('readSimpleInvokeBody', () => {
  it('reads the common shape in one pass', () => {
    for (const text of COMMON) expect(readSimpleInvokeBody(text), text).toBeDefined();
    expect(readSimpleInvokeBody(' { "export" : "add" , "args" : [ 1 , 2 ] } ')).toEqual({ export: 'add', argsJson: '[1,2]' });
  });

  it('leaves every other body to the general path', () => {
    for (const text of OTHERS) {
      // a refused run id is the one error it raises itself, in the general path's words
      if (text.includes('"../x"')) continue;
      expect(readSimpleInvokeBody(text), text).toBeUndefined();
    }
  });

  it('answers every body exactly as the general path does', () => {
    for (const text of [...COMMON, ...OTHERS]) {
      expect(outcome(() => parseInvokeBody(text, 8)), text).toEqual(outcome(() => parseInvokeBodyInFull(text, 8)));
    }
  });

  it('keeps the negative i64 boundary exact through both readers and the argument classifier', () => {
    // Expected values from the guide's text (§3.1: i64 is [−2^63, 2^63−1]), computed here with BigInt.
    const min = -(2n ** 63n);
    const classified = (text: string) => outcome(() => classifyArgs((parseInvokeBody(text, 8) as { argsJson: string }).argsJson));
    const viaFull = (text: string) => outcome(() => classifyArgs(parseInvokeBodyInFull(text, 8).argsJson));
    const atMin = `{"export":"f","args":[${min}]}`;
    const pastMin = `{"export":"f","args":[${min - 1n}]}`;
    expect(readSimpleInvokeBody(atMin)?.argsJson).toBe(`[${min}]`);
    expect(readSimpleInvokeBody(pastMin)?.argsJson).toBe(`[${min - 1n}]`);
    expect(classified(atMin)).toEqual({ ok: [{ type: 'i64', value: min }] });
    expect(classified(atMin)).toEqual(viaFull(atMin));
    expect(classified(pastMin)).toMatchObject({ code: 'invalid_args' });
    expect(classified(pastMin)).toEqual(viaFull(pastMin));
    // and every integer around both ends of i64 and i32, in any spacing: the same answer both ways
    const edges = [min, 2n ** 63n - 1n, -(2n ** 31n), 2n ** 31n - 1n];
    fc.assert(
      fc.property(fc.constantFrom(...edges), fc.integer({ min: -2, max: 2 }), fc.constantFrom('', ' ', '\n\t'), (edge, delta, space) => {
        const literal = String(edge + BigInt(delta));
        const text = `{${space}"export":"f",${space}"args":${space}[${space}${literal}${space}]${space}}`;
        expect(readSimpleInvokeBody(text)?.argsJson).toBe(`[${literal}]`);
        expect(classified(text)).toEqual(viaFull(text));
        const value = edge + BigInt(delta);
        const inI64 = value >= min && value <= 2n ** 63n - 1n;
        expect((classified(text) as { ok?: unknown }).ok !== undefined, literal).toBe(inI64);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 1000) / 10 },
    );
  });

  it('keeps the depth limit of the general path', () => {
    expect(() => parseInvokeBody('{"export":"f","args":[1]}', 1)).toThrow(/nests 2 levels deep/);
  });
});
