import { TensorWasmError } from '../../contract/errors.js';
import type { ResultValue, WasmValueType } from '../../contract/values.js';

/** One float result as the contract writes it: a number, or the NaN/±Infinity strings. */
export function floatResult(value: number): ResultValue {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Maps what the JS API returned (undefined, one value, or an array for multi-value) to results,
 * by the export's declared result types: i64 stays a bigint (exact), f32 arrives already widened
 * exactly to a double, non-finite floats become strings.
 */
export function mapResults(returned: unknown, types: readonly WasmValueType[]): ResultValue[] {
  if (types.length === 0) return [];
  const values: unknown[] = types.length === 1 ? [returned] : (returned as unknown[]);
  // Filled with push, not `new Array(n)`: a holey array is structured-cloned as a sparse one
  // (slower), and results travel back from the instance worker on every call.
  const out: ResultValue[] = [];
  for (let i = 0; i < types.length; i++) {
    const type = types[i];
    const v = values[i];
    if (type === 'i32' && typeof v === 'number') out.push(v);
    else if (type === 'i64' && typeof v === 'bigint') out.push(v);
    else if ((type === 'f32' || type === 'f64') && typeof v === 'number') out.push(floatResult(v));
    else throw new TensorWasmError('internal', `result ${i} of type ${type} came back as ${typeof v}`);
  }
  return out;
}
