/**
 * The 1024-character limit on a number literal (docs/ERRORS.md: "a number literal over 1024
 * characters" is invalid_args), at its edge and through both of its checks: the scanner's, which
 * refuses a long literal inside the argument array before any regex or conversion walks it, and
 * classifyNumber's own. `npm run mutate -- marshal` found no test at the edge (docs/CPU-DEVICE.md,
 * Mutation testing).
 */
import { describe, expect, it } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import { classifyArgs, classifyNumber } from './classify.js';

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TensorWasmError);
    return { code: (e as TensorWasmError).code, message: (e as TensorWasmError).message };
  }
  throw new Error('expected invalid_args');
}

describe('a number literal of 1024 characters is read; of 1025 it is refused', () => {
  const f64Of = (chars: number): string => `0.${'1'.repeat(chars - 2)}`;

  it('in an argument array: 1024 characters classify as f64, 1025 are refused naming the limit and quoting 40 characters', () => {
    expect(classifyArgs(`[${f64Of(1024)}]`)).toEqual([{ type: 'f64', value: Number(f64Of(1024)) }]);
    const r = refusal(() => classifyArgs(`[1, ${f64Of(1025)}]`));
    expect(r.code).toBe('invalid_args');
    expect(r.message).toBe(`argument 1 (${f64Of(1025).slice(0, 40)}…) is a number literal longer than 1024 characters`);
  });

  it('the scanner counts every character a literal is made of: digits, sign, point and exponent', () => {
    // 1025 characters each, made mostly of one of the characters the scanner must count
    for (const text of [`-${'9'.repeat(1024)}`, `1e+${'0'.repeat(1022)}`, `1E-${'0'.repeat(1022)}`, `${'7'.repeat(1025)}`]) {
      expect(text.length).toBe(1025);
      // the scanner's refusal (it quotes 40 characters and no length), not classifyNumber's after a full scan
      expect(refusal(() => classifyArgs(`[${text}]`)).message).toBe(`argument 0 (${text.slice(0, 40)}…) is a number literal longer than 1024 characters`);
    }
  });

  it('classifyNumber on its own: 1024 characters read, 1025 refused with the length', () => {
    expect(classifyNumber(f64Of(1024), 0).type).toBe('f64');
    expect(refusal(() => classifyNumber(f64Of(1025), 3)).message).toBe(`argument 3 (${f64Of(1025).slice(0, 40)}… (1025 characters)) is a number literal longer than 1024 characters`);
  });
});
