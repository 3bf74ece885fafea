import { TensorWasmError } from '../../contract/errors.js';

/**
 * A function id is the module's sha256 in lowercase hex: content-addressed, so the same bytes
 * always get the same id, and the strict shape is what keeps ids like `../x` away from the file
 * system (they are refused before any path is built).
 */
const FUNCTION_ID = /^[0-9a-f]{64}$/;

/** Run ids are chosen by clients (so they can subscribe before invoking): short, URL-safe. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function isFunctionId(value: string): boolean {
  return FUNCTION_ID.test(value);
}

export function assertFunctionId(value: string): string {
  if (!isFunctionId(value)) {
    throw new TensorWasmError('not_found', `no function with id '${truncate(value)}': ids are 64 lowercase hex digits (the module's sha256)`);
  }
  return value;
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

export function assertRunId(value: string): string {
  if (!isRunId(value)) {
    throw new TensorWasmError('invalid_args', `invalid runId '${truncate(value)}': use 1-128 characters from A-Z a-z 0-9 _ . - starting with a letter or digit`);
  }
  return value;
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
