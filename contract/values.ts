/** Wasm value types as the engine describes them. */
export type WasmValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | 'exnref' | 'anyref' | 'unknown';

export interface FunctionSignature {
  params: WasmValueType[];
  results: WasmValueType[];
}

/**
 * One result of an invocation. i64 arrives as bigint (exact, never through a double); f32 is
 * widened exactly to a JS number; NaN and ±Infinity are the strings the JSON contract uses.
 */
export type ResultValue = number | bigint | 'NaN' | 'Infinity' | '-Infinity';

/** Types that a JSON argument can select (guide §3.1). */
export const JSON_SELECTABLE: ReadonlySet<WasmValueType> = new Set<WasmValueType>(['i32', 'i64', 'f64']);

/** Serialises results as the contract requires: integers exact, non-finite floats as strings. */
export function resultsToJson(results: readonly ResultValue[]): string {
  return '[' + results.map(resultToJson).join(',') + ']';
}

export function resultToJson(value: ResultValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value);
  if (Object.is(value, -0)) return '-0.0';
  return JSON.stringify(value);
}
