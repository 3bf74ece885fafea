import type { Logger } from './logger.js';

/** `hexdump -C`-style lines, capped so trace logs stay readable. */
export function hexDump(bytes: Uint8Array, baseOffset = 0, maxBytes = 256): string {
  const shown = bytes.subarray(0, maxBytes);
  const lines: string[] = [];
  for (let i = 0; i < shown.length; i += 16) {
    const row = shown.subarray(i, i + 16);
    const hexPart = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(baseOffset + i).toString(16).padStart(8, '0')}  ${hexPart.padEnd(47)}  |${text}|`);
  }
  if (bytes.length > shown.length) lines.push(`... ${bytes.length - shown.length} more bytes`);
  return lines.join('\n');
}

/** A (pointer, length) argument pair of a host function, by argument index. */
export interface PointerArg {
  ptr: number;
  len: number;
  /** The length counts records of this many bytes (iovecs: 8). */
  scale?: number;
}

function jsonSafe(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Logs one host call: at debug its arguments and return value; at trace also byte dumps of its
 * pointer arguments read from guest memory. Hosts (WASI here, wasi:cuda) call this so every host
 * call reads the same in the log.
 */
export function logHostCall(
  logger: Logger,
  call: { module: string; name: string; args: readonly unknown[]; result?: unknown; error?: unknown },
  memory?: () => Uint8Array | undefined,
  pointers?: readonly PointerArg[],
): void {
  if (!logger.isLevelEnabled('debug')) return;
  const entry: Record<string, unknown> = {
    hostCall: `${call.module}.${call.name}`,
    args: call.args.map(jsonSafe),
    ...(call.error !== undefined ? { error: call.error instanceof Error ? call.error.message : String(call.error) } : { result: jsonSafe(call.result) }),
  };
  const mem = memory?.();
  if (pointers && mem && logger.isLevelEnabled('trace')) {
    entry.dumps = pointers.map(({ ptr, len, scale = 1 }) => {
      const offset = Number(call.args[ptr]);
      const length = Number(call.args[len]) * scale;
      if (!(offset >= 0 && length >= 0 && offset + length <= mem.length)) return `arg ${ptr}: [${offset}, +${length}) outside memory`;
      return `arg ${ptr} @0x${offset.toString(16)} (${length} bytes)\n${hexDump(mem.subarray(offset, offset + length), offset)}`;
    });
    logger.trace(entry, 'host call');
  } else logger.debug(entry, 'host call');
}

/**
 * Wraps every function of an import namespace so each call is logged (debug) with byte dumps of
 * the listed pointer arguments (trace). Returns the namespace unchanged below debug: no cost then.
 */
export function wrapImportsForLogging(
  module: string,
  functions: Record<string, unknown>,
  logger: Logger,
  memory: () => Uint8Array | undefined,
  pointerArgs: Readonly<Record<string, readonly PointerArg[]>> = {},
): Record<string, unknown> {
  if (!logger.isLevelEnabled('debug')) return functions;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(functions)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => unknown;
    const pointers = pointerArgs[name];
    out[name] = (...args: unknown[]) => {
      try {
        const result = fn(...args);
        logHostCall(logger, { module, name, args, result }, memory, pointers);
        return result;
      } catch (error) {
        logHostCall(logger, { module, name, args, error }, memory, pointers);
        throw error;
      }
    };
  }
  return out;
}

/** Pointer arguments of the WASI preview 1 calls worth dumping at trace. */
export const WASI_POINTER_ARGS: Readonly<Record<string, readonly PointerArg[]>> = {
  fd_write: [{ ptr: 1, len: 2, scale: 8 }],
  fd_read: [{ ptr: 1, len: 2, scale: 8 }],
  path_open: [{ ptr: 2, len: 3 }],
  path_filestat_get: [{ ptr: 2, len: 3 }],
  path_create_directory: [{ ptr: 1, len: 2 }],
  path_unlink_file: [{ ptr: 1, len: 2 }],
  random_get: [{ ptr: 0, len: 1 }],
};
