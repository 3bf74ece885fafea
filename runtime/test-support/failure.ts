import { expect } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';

/** Awaits a call that must fail and returns its TensorWasmError (test helper). */
export async function failure(p: Promise<unknown>): Promise<TensorWasmError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(TensorWasmError);
    return error as TensorWasmError;
  }
  throw new Error('expected the call to fail');
}
