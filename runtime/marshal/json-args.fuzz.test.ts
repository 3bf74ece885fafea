/**
 * Fuzz campaign (issue 15): JSON argument texts, well-formed and mutated. Oracles:
 * - only `invalid_args` ever comes out, never anything else, and no message quotes more than ~200
 *   characters of input (≤ 300 in all);
 * - the classifier agrees with the guide's §3.1 rules applied to what V8's JSON.parse and
 *   lossless-json (which keeps each literal's text) read — no code shared with runtime/marshal;
 * - the engine gives identical answers (results or error) for an inline call and a worker call,
 *   and the values the export echoes back are the reference's.
 * Cases: FUZZ_RUNS (1000 in `npm test`, 100 000 in `npm run fuzz`); the engine differential runs
 * one case in 100 (each worker call costs a thread hop), at least 20.
 */
import fc from 'fast-check';
import { isLosslessNumber, parse as losslessParse } from 'lossless-json';
import { afterAll, describe, expect, it } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import { createEngine } from '../engine.js';
import { watBytes } from '../test-support/wat.js';
import { classifyArgs, type ArgValue } from './classify.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

type Ref = { ok: true; args: ArgValue[] } | { ok: false; argIndex?: number };

/** §3.1 applied to one literal's text. */
function referenceLiteral(text: string): ArgValue | undefined {
  if (text.length > 1024) return undefined;
  if (/[.eE]/.test(text)) {
    const value = Number(text);
    return Number.isFinite(value) ? { type: 'f64', value } : undefined;
  }
  const big = BigInt(text);
  if (big >= -(2n ** 31n) && big < 2n ** 31n) return { type: 'i32', value: Number(big) };
  if (big >= -(2n ** 63n) && big < 2n ** 63n) return { type: 'i64', value: big };
  return undefined;
}

function reference(text: string): Ref {
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (!Array.isArray(plain)) return { ok: false };
  let lossless: unknown[] | undefined;
  try {
    lossless = losslessParse(text) as unknown[];
  } catch {
    lossless = undefined; // lossless-json refuses duplicate keys in an object: an argument that is refused anyway
  }
  const args: ArgValue[] = [];
  for (let i = 0; i < plain.length; i++) {
    const element = lossless?.[i];
    if (typeof plain[i] !== 'number' || !isLosslessNumber(element)) return lossless ? { ok: false, argIndex: i } : { ok: false };
    const arg = referenceLiteral(element.value);
    if (!arg) return { ok: false, argIndex: i };
    args.push(arg);
  }
  return { ok: true, args };
}

const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const literal = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.boolean(), fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom(...'123456789'), digits(0, 21)).map(([a, b]) => a + b)), fc.option(digits(1, 20)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4)))).map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac !== null ? `.${frac}` : ''}${exp !== null ? exp.join('') : ''}`) },
  { weight: 1, arbitrary: fc.constantFrom('2147483647', '-2147483648', '2147483648', '-2147483649', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '1.7976931348623157e308', '1.7976931348623159e308', '1e-400', '-0', '-0.0', '4.9e-324') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('1', '0.', '-9'), fc.integer({ min: 1000, max: 1100 })).map(([head, n]) => head + '7'.repeat(n)) },
);
const element = fc.oneof({ weight: 10, arbitrary: literal }, { weight: 1, arbitrary: fc.constantFrom('"5"', 'true', 'false', 'null', '[]', '[1]', '{}', '{"a":1}', '{"a":1,"a":2}') });
const ws = fc.constantFrom('', '', ' ', '\n', '\t', '\r\n', '  ');
const arrayText = fc.tuple(ws, fc.array(fc.tuple(ws, element, ws), { maxLength: 6 }), ws).map(([a, elems, b]) => `${a}[${elems.map(([x, e, y]) => x + e + y).join(',')}]${b}`);
/** Edits that keep a text close to valid: insert a JSON-ish character, delete one, cut the end. */
const edit = fc.tuple(fc.constantFrom('insert', 'delete', 'cut'), fc.nat(), fc.constantFrom(...'[]{},.-+eE0123456789 "tfnx\u00a0\u0000'));
const argsText = fc.oneof(
  { weight: 6, arbitrary: arrayText },
  {
    weight: 3,
    arbitrary: fc.tuple(arrayText, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([text, edits]) =>
      edits.reduce((t, [kind, at, c]) => {
        const i = t.length === 0 ? 0 : at % (t.length + 1);
        return kind === 'insert' ? t.slice(0, i) + c + t.slice(i) : kind === 'delete' ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i);
      }, text),
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

describe('JSON arguments fuzz', () => {
  it('classifies every text as the §3.1 reference does, refusing only with invalid_args and short messages', () => {
    fc.assert(
      fc.property(argsText, (text) => {
        const want = reference(text);
        let got: ArgValue[];
        try {
          got = classifyArgs(text);
        } catch (error) {
          expect(error).toBeInstanceOf(TensorWasmError);
          const e = error as TensorWasmError;
          expect(e.code).toBe('invalid_args');
          expect(e.message.length).toBeLessThanOrEqual(300);
          expect(want.ok).toBe(false);
          if (!want.ok && want.argIndex !== undefined) expect(e.details?.argIndex).toBe(want.argIndex);
          return;
        }
        expect(want).toEqual({ ok: true, args: got });
        if (want.ok) want.args.forEach((a, i) => expect(Object.is(a.value, got[i]!.value)).toBe(true)); // -0 stays -0
      }),
      { numRuns: RUNS },
    );
  });

  describe('through the engine: inline and worker calls answer alike', () => {
    // One export per signature of up to three i32/i64/f64 parameters, echoing them all back.
    const types = ['i32', 'i64', 'f64'] as const;
    const signatures: string[][] = [[]];
    for (let n = 1; n <= 3; n++) for (const prev of signatures.filter((s) => s.length === n - 1)) for (const t of types) signatures.push([...prev, t]);
    const name = (sig: readonly string[]) => `echo_${sig.join('_') || 'none'}`;
    const wat = `(module ${signatures
      .map((sig) => `(func (export "${name(sig)}") ${sig.length ? `(param ${sig.join(' ')})` : ''} ${sig.length ? `(result ${sig.join(' ')})` : ''} ${sig.map((_, i) => `(local.get ${i})`).join(' ')})`)
      .join(' ')})`;
    const inline = createEngine({ poolSize: 1 });
    const worker = createEngine({ poolSize: 1, inlineCalls: false });
    afterAll(() => Promise.all([inline.close(), worker.close()]));

    it('results or errors are identical, and the echoed values are the reference classification', async () => {
      const bytes = watBytes(wat);
      const [a, b] = await Promise.all([inline.load(bytes, 'echo.wasm'), worker.load(bytes, 'echo.wasm')]);
      expect(a.description.exports.every((e) => e.runsInline)).toBe(true); // else this compares workers with workers
      const call = async (engine: typeof inline, ref: typeof a.ref, exportName: string, text: string) => {
        try {
          return { ok: true as const, json: (await engine.invoke(ref, exportName, text)).resultsJson };
        } catch (error) {
          const e = error as TensorWasmError;
          return { ok: false as const, code: e.code, message: e.message };
        }
      };
      await fc.assert(
        fc.asyncProperty(argsText, fc.constantFrom(...signatures), async (text, sig) => {
          const fromInline = await call(inline, a.ref, name(sig), text);
          const fromWorker = await call(worker, b.ref, name(sig), text);
          expect(fromInline).toEqual(fromWorker);
          expect(fromInline.ok || fromInline.code !== 'internal').toBe(true);
          const want = reference(text);
          if (fromInline.ok) {
            expect(want.ok).toBe(true);
            if (!want.ok) return;
            expect(want.args.map((x) => x.type)).toEqual(sig);
            const echoed = losslessParse(fromInline.json) as unknown[];
            want.args.forEach((arg, i) => {
              const v = echoed[i];
              if (arg.type === 'f64') expect(Object.is(isLosslessNumber(v) ? Number(v.value) : v, arg.value)).toBe(true);
              else expect(isLosslessNumber(v) ? BigInt(v.value) : undefined).toBe(BigInt(arg.value));
            });
          }
        }),
        { numRuns: Math.max(20, Math.floor(RUNS / 100)) },
      );
    });
  });
});
