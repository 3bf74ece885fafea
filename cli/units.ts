import { TensorWasmError } from '../contract/errors.js';

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

/** `30s`, `500ms`, `1m`, `1.5s`, `2h` → milliseconds. A unit is required. */
export function parseDuration(text: string, option = '--deadline'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/i.exec(text);
  if (!m) throw new TensorWasmError('invalid_args', `${option} ${JSON.stringify(text)} is not a duration; use a number with a unit: 500ms, 30s, 1m`);
  const ms = Number(m[1]) * DURATION_UNITS[m[2]!.toLowerCase()]!;
  if (!(ms >= 1)) throw new TensorWasmError('invalid_args', `${option} must be at least 1ms, got ${JSON.stringify(text)}`);
  return Math.round(ms);
}

/** `256MiB`, `1GiB`, `65536`, `64KiB`, `1GB` → bytes (binary units are 1024-based). */
export function parseSize(text: string, option = '--max-memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new TensorWasmError('invalid_args', `${option} ${JSON.stringify(text)} is not a size; use bytes or a unit: 64KiB, 256MiB, 1GiB`);
  const bytes = Math.floor(Number(m[1]) * factor);
  if (!(bytes >= 1)) throw new TensorWasmError('invalid_args', `${option} must be at least 1 byte, got ${JSON.stringify(text)}`);
  return bytes;
}
