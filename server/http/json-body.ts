import { isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { TensorWasmError } from '../../contract/errors.js';
import { assertRunId } from '../registry/ids.js';
import { clip } from './clip.js';
import { readSimpleInvokeBody } from './simple-invoke-body.js';

/**
 * How deeply `[`/`{` nest in JSON text, found by scanning (strings and escapes respected) before any
 * parser runs, so a hostile `[[[[…` body is refused without recursing on it.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return max;
}

export function assertJsonDepth(text: string, maxDepth: number): void {
  const depth = jsonNestingDepth(text);
  if (depth > maxDepth) {
    throw new TensorWasmError('invalid_args', `JSON nests ${depth} levels deep; the limit is ${maxDepth}`, {
      limit: 'max_json_depth',
      limitValue: maxDepth,
    });
  }
}

/** Plain JSON bodies (every route but invoke): depth-checked, then parsed. */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  assertJsonDepth(text, maxDepth);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw malformed(error);
  }
}

export interface InvokeRequest {
  export: string;
  /** The `args` array as JSON text with every number literal exactly as the client wrote it. */
  argsJson: string;
  runId?: string;
  deadlineMs?: number;
}

const INVOKE_KEYS = new Set(['export', 'args', 'runId', 'deadlineMs']);

/**
 * Reads an invoke body: the common shape in one pass (simple-invoke-body.ts), anything else in full.
 */
export function parseInvokeBody(text: string, maxDepth: number): InvokeRequest {
  // the simple shape nests two deep ({ and the args' [)
  return (maxDepth >= 2 ? readSimpleInvokeBody(text) : undefined) ?? parseInvokeBodyInFull(text, maxDepth);
}

/**
 * Reads an invoke body without a lossy `JSON.parse`: lossless-json keeps each number's original
 * text, so `2147483648` stays i64 and `1e10` stays f64 when the engine classifies the arguments
 * (guide §3.1). Everything but the arguments is checked here; the arguments themselves are the
 * engine's to classify, so HTTP and the CLI answer alike.
 */
export function parseInvokeBodyInFull(text: string, maxDepth: number): InvokeRequest {
  assertJsonDepth(text, maxDepth);
  let body: unknown;
  try {
    body = parseLossless(text);
  } catch (error) {
    throw malformed(error);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TensorWasmError('invalid_args', 'the invoke body must be a JSON object {"export": "...", "args": [...]}');
  }
  const fields = body as Record<string, unknown>;
  const unknownKeys = Object.keys(fields).filter((key) => !INVOKE_KEYS.has(key));
  if (unknownKeys.length > 0) {
    const named = unknownKeys.slice(0, 3).map((k) => `'${clip(k, 60)}'`).join(', ') + (unknownKeys.length > 3 ? `, … (${unknownKeys.length} in all)` : '');
    throw new TensorWasmError('invalid_args', `unknown field${unknownKeys.length > 1 ? 's' : ''} ${named}; accepted: export, args, runId, deadlineMs`);
  }
  if (typeof fields.export !== 'string' || fields.export.length === 0) {
    throw new TensorWasmError('invalid_args', '"export" must be the name of an exported function (a non-empty string)');
  }
  const args = fields.args ?? [];
  if (!Array.isArray(args)) {
    throw new TensorWasmError('invalid_args', '"args" must be a JSON array, e.g. [1, 2]');
  }
  const request: InvokeRequest = { export: fields.export, argsJson: stringifyLossless(args) ?? '[]' };
  if (fields.runId !== undefined) {
    if (typeof fields.runId !== 'string') throw new TensorWasmError('invalid_args', '"runId" must be a string');
    request.runId = assertRunId(fields.runId);
  }
  if (fields.deadlineMs !== undefined) request.deadlineMs = positiveInteger(fields.deadlineMs, 'deadlineMs');
  return request;
}

function positiveInteger(value: unknown, name: string): number {
  const text = isLosslessNumber(value) ? value.value : undefined;
  const n = text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new TensorWasmError('invalid_args', `"${name}" must be a positive integer`);
  return n;
}

function malformed(error: unknown): TensorWasmError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TensorWasmError('invalid_args', `malformed JSON: ${clip(reason)}`);
}
