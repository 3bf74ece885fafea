/**
 * The workbench editor's browser-safe argument checker (contract/json-args.ts) must accept and
 * reject exactly what the engine's marshal does (runtime/marshal), with the same error code.
 */
import { describe, expect, it } from 'vitest';
import { checkArgs as editorCheck } from '../contract/json-args.js';
import { toErrorInfo } from '../contract/errors.js';
import type { FunctionSignature } from '../contract/values.js';
import { checkArgs as engineCheck } from '../runtime/marshal/check.js';
import { classifyArgs } from '../runtime/marshal/classify.js';

const signatures: FunctionSignature[] = [
  { params: ['i32', 'i32'], results: ['i32'] },
  { params: ['i64'], results: [] },
  { params: ['f64', 'i32'], results: [] },
  { params: ['f32'], results: [] },
  { params: [], results: [] },
];

const texts = [
  '[1, 2]', '[1]', '[]', '[1, 2, 3]', '[2147483647, -2147483648]', '[2147483648, 1]', '[9223372036854775807]', '[9223372036854775808]',
  '[-9223372036854775809]', '[1.5, 2]', '[1e3, 2]', '[1, 2.0]', '["1", 2]', '[null]', '[true]', '[[1]]', '[{"a":1}]', '[1,]', '[01]', '1',
  '', ' [ 1 , 2 ] ', '[1 2]', '[-0]', '[-0.0, 1]', '[1E400, 1]', '[1, -1e400]', '[1e-400]', `[${'9'.repeat(2000)}]`, `[0.${'5'.repeat(2000)}]`, '[0.5]', '[4294967296]', '[1] x', '[NaN]',
];

function engineVerdict(text: string, sig: FunctionSignature): string {
  try {
    engineCheck('f', sig, classifyArgs(text));
    return 'ok';
  } catch (error) {
    return toErrorInfo(error).code;
  }
}

describe('editor checker ↔ engine marshal', () => {
  for (const sig of signatures) {
    for (const text of texts) {
      it(`${JSON.stringify(text)} against (${sig.params.join(', ')})`, () => {
        const engine = engineVerdict(text, sig);
        const codes = editorCheck(text, sig).diagnostics.map((d) => d.code);
        if (engine === 'ok') expect(codes).toEqual([]);
        else expect(codes).toContain(engine);
      });
    }
  }
});
