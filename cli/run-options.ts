/** Parsing of the `run` options shared by commands that call guests (run; invoke reuses parts). */
import type { DeviceSelection } from '../contract/device.js';
import type { CallOptions, OffloadSettings } from '../contract/engine.js';
import { TensorWasmError } from '../contract/errors.js';
import { quoteInput } from '../runtime/marshal/quote.js';
import { parseDuration, parseSize } from './units.js';

export interface RawRunOptions {
  invoke?: string;
  export?: string;
  args?: string;
  dir?: string[];
  env?: string[];
  deadline?: string;
  maxMemory?: string;
  device?: string;
  offload?: string;
  offloadTripCount?: string;
  offloadV128Ratio?: string;
  json?: boolean;
  events?: boolean;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--dir host::guest` (or just `--dir path`, the same path on both sides) → host → guest. */
export function parseDirs(dirs: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of dirs) {
    const i = spec.indexOf('::');
    const host = i >= 0 ? spec.slice(0, i) : spec;
    const guest = i >= 0 ? spec.slice(i + 2) : spec;
    if (!host || !guest) throw new TensorWasmError('invalid_args', `--dir ${quoteInput(spec)} must be <host>::<guest>, e.g. ./data::/data`);
    out[host] = guest;
  }
  return out;
}

/** `--env K=V` (repeatable) → an environment; nothing else reaches the guest. */
export function parseEnv(pairs: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new TensorWasmError('invalid_args', `--env ${quoteInput(pair)} must be KEY=VALUE`);
    env[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return env;
}

export function parseDevice(value: string | undefined): DeviceSelection | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto' || value === 'cpu' || value === 'cuda') return value;
  throw new TensorWasmError('invalid_args', `--device ${quoteInput(value)} must be auto, cpu or cuda`);
}

export function parseOffload(raw: RawRunOptions): Partial<OffloadSettings> | undefined {
  const out: Partial<OffloadSettings> = {};
  if (raw.offload !== undefined) {
    if (raw.offload !== 'on' && raw.offload !== 'off') throw new TensorWasmError('invalid_args', `--offload must be on or off, got ${quoteInput(raw.offload)}`);
    out.enabled = raw.offload === 'on';
  }
  if (raw.offloadTripCount !== undefined) {
    const n = Number(raw.offloadTripCount);
    if (!Number.isInteger(n) || n < 0) throw new TensorWasmError('invalid_args', `--offload-trip-count must be a non-negative integer, got ${quoteInput(raw.offloadTripCount)}`);
    out.tripCountThreshold = n;
  }
  if (raw.offloadV128Ratio !== undefined) {
    const r = Number(raw.offloadV128Ratio);
    if (!(r >= 0 && r <= 1)) throw new TensorWasmError('invalid_args', `--offload-v128-ratio must be between 0 and 1, got ${quoteInput(raw.offloadV128Ratio)}`);
    out.v128RatioThreshold = r;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The engine call options a `run` command line asks for. */
export function callOptionsFrom(raw: RawRunOptions, guestArgs: readonly string[]): CallOptions {
  const options: CallOptions = {};
  if (guestArgs.length > 0) options.args = [...guestArgs];
  if (raw.env?.length) options.env = parseEnv(raw.env);
  if (raw.dir?.length) options.preopens = parseDirs(raw.dir);
  if (raw.deadline !== undefined) options.deadlineMs = parseDuration(raw.deadline);
  if (raw.maxMemory !== undefined) options.maxMemoryBytes = parseSize(raw.maxMemory);
  const device = parseDevice(raw.device);
  if (device) options.device = device;
  const offload = parseOffload(raw);
  if (offload) options.offload = offload;
  return options;
}
