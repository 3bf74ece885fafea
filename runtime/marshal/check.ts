import { TensorWasmError } from '../../contract/errors.js';
import { JSON_SELECTABLE, type FunctionSignature } from '../../contract/values.js';
import { notCallableReason } from '../module/describe.js';
import type { ArgValue } from './classify.js';

/** A value as it is handed to the export: i64 as bigint, everything else as a number. */
export type WasmArg = number | bigint;

/**
 * Checks classified arguments against the export's parameters: the count (`invalid_args`, naming
 * the expected count) and each type exactly (`type_mismatch` with index, expected and given).
 */
export function checkArgs(exportName: string, signature: FunctionSignature, args: readonly ArgValue[]): WasmArg[] {
  const { params } = signature;
  if (args.length !== params.length) {
    throw new TensorWasmError(
      'invalid_args',
      `${exportName} takes ${params.length} argument${params.length === 1 ? '' : 's'} (${params.join(', ') || 'none'}), got ${args.length}`,
      { expected: String(params.length), given: String(args.length) },
    );
  }
  // Filled with push, not `new Array(n)`: a holey array is structured-cloned as a sparse one
  // (slower), and these values travel to the instance worker on every call.
  const values: WasmArg[] = [];
  for (let i = 0; i < params.length; i++) {
    const expected = params[i]!;
    const arg = args[i]!;
    if (arg.type !== expected) {
      const unreachable = !JSON_SELECTABLE.has(expected);
      const why = unreachable ? `; ${notCallableReason(signature) ?? `${expected} cannot be given from JSON`}` : '';
      throw new TensorWasmError(
        'type_mismatch',
        `argument ${i} of ${exportName}: expected ${expected}, given ${arg.type}${why}`,
        { argIndex: i, expected, given: arg.type },
      );
    }
    values.push(arg.value);
  }
  return values;
}

/** Results must be JSON-representable; checked before the call so nothing runs for nothing. */
export function checkResultTypes(exportName: string, signature: FunctionSignature): void {
  const bad = signature.results.find((t) => t !== 'i32' && t !== 'i64' && t !== 'f32' && t !== 'f64');
  if (bad !== undefined) {
    throw new TensorWasmError('type_mismatch', `${exportName} returns ${bad}; ${notCallableReason(signature)}`, {
      expected: 'i32, i64, f32 or f64 results',
      given: bad,
    });
  }
}
