import { TensorWasmError } from '../contract/errors.js';
import { quoteInput } from '../runtime/marshal/quote.js';

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/**
 * The longest duration a deadline can have: Node's timers hold at most 2^31 − 1 ms (about 24.8
 * days); a longer one fires at once with a TimeoutOverflowWarning, so it is refused instead.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** `30s`, `500ms`, `1m`, `1.5s`, `2h` → milliseconds. A unit is required; at most MAX_DURATION_MS. */
export function parseDuration(text: string, option = '--deadline'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/i.exec(text);
  if (!m) throw new TensorWasmError('invalid_args', `${option} ${quoteInput(text)} is not a duration; use a number with a unit: 500ms, 30s, 1m`);
  const ms = Number(m[1]) * DURATION_UNITS[m[2]!.toLowerCase()]!;
  if (!(ms >= 1)) throw new TensorWasmError('invalid_args', `${option} must be at least 1ms, got ${quoteInput(text)}`);
  if (Math.round(ms) > MAX_DURATION_MS) {
    throw new TensorWasmError('invalid_args', `${option} ${quoteInput(text)} is longer than the longest supported, ${MAX_DURATION_MS}ms (about 24.8 days)`);
  }
  return Math.round(ms);
}

/** `256MiB`, `1GiB`, `65536`, `64KiB`, `1GB` → bytes (binary units are 1024-based). */
export function parseSize(text: string, option = '--max-memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new TensorWasmError('invalid_args', `${option} ${quoteInput(text)} is not a size; use bytes or a unit: 64KiB, 256MiB, 1GiB`);
  const bytes = Math.floor(Number(m[1]) * factor);
  if (!(bytes >= 1)) throw new TensorWasmError('invalid_args', `${option} must be at least 1 byte, got ${quoteInput(text)}`);
  return bytes;
}
