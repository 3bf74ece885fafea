/**
 * What every command prints: results (`ok` for an empty result list), the one-line
 * `code: message` error on stderr, and the process exit code (0, 2 for the caller's mistakes,
 * 1 otherwise — contract `exitCodeFor`). `invoke` (the HTTP client command) reuses these so it
 * prints exactly what `run --invoke` prints.
 */
import { exitCodeFor, toErrorInfo, type ErrorInfo } from '../contract/errors.js';
import { stringifyExact } from '../runtime/marshal/exact-json.js';
import { escapeControl } from './escape.js';

/** The results line: the exact JSON array, or `ok` when the export returned nothing. */
export function formatResults(resultsJson: string): string {
  return resultsJson === '[]' ? 'ok' : resultsJson;
}

export function printResults(resultsJson: string, out: NodeJS.WritableStream = process.stdout): void {
  out.write(formatResults(resultsJson) + '\n');
}

/**
 * `code: message` on one line (newlines folded, other control characters escaped: messages quote
 * guest names); a trap adds its guest stack, innermost first.
 */
export function formatError(info: ErrorInfo): string {
  let line = `${info.code}: ${info.message.replace(/\s*\n\s*/g, ' ')}`;
  const stack = info.details?.stack;
  if (info.code === 'trap' && Array.isArray(stack) && stack.length > 1) line += `; stack: ${stack.join(' < ')}`;
  return escapeControl(line);
}

/** Prints the error line and returns the exit code for it. */
export function printError(error: unknown, err: NodeJS.WritableStream = process.stderr): 1 | 2 {
  const info = toErrorInfo(error);
  err.write(formatError(info) + '\n');
  return exitCodeFor(info.code);
}

/** JSON with i64 values exact. */
export function printJson(value: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(stringifyExact(value) + '\n');
}

/** One run event as a JSON line (for `--events`). */
export function formatEventLine(event: unknown): string {
  return stringifyExact(event);
}
