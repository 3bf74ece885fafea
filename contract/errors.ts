/**
 * The one error taxonomy shared by the engine, the CLI (exit codes), the HTTP API (statuses)
 * and the workbench. Codes are stable: people script against them.
 */
export const ERROR_CODES = [
  'invalid_module',
  'invalid_args',
  'type_mismatch',
  'unknown_export',
  'trap',
  'deadline_exceeded',
  'limit_exceeded',
  'device_unavailable',
  'not_found',
  'unauthorized',
  'payload_too_large',
  'queue_full',
  'cancelled',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Extra, machine-readable facts some errors carry (which limit, which argument, ...). */
export interface ErrorDetails {
  /** For limit_exceeded: the limit's name (`max_memory_bytes`, `max_ptx_bytes`, `max_kernels`, ...). */
  limit?: string;
  /** For limit_exceeded: the configured value of that limit. */
  limitValue?: number | string;
  /** For type_mismatch: zero-based argument index, expected and given types. */
  argIndex?: number;
  expected?: string;
  given?: string;
  /** For invalid_module: byte offset in the module where the problem was found, when known. */
  offset?: number;
  /** For trap: the guest stack, innermost first, with function names where the name section has them. */
  stack?: string[];
  /** For unknown_export: exports that can be called. */
  callable?: string[];
  [key: string]: unknown;
}

/** Plain serialisable form: what crosses IPC, HTTP and worker boundaries. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export class TensorWasmError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TensorWasmError';
    this.code = code;
    this.details = details;
  }

  toJSON(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static from(info: ErrorInfo): TensorWasmError {
    return new TensorWasmError(info.code, info.message, info.details);
  }
}

export function isTensorWasmError(value: unknown): value is TensorWasmError {
  return value instanceof TensorWasmError;
}

/** Turns anything thrown into the taxonomy; unknown failures are `internal`. */
export function toErrorInfo(value: unknown): ErrorInfo {
  if (value instanceof TensorWasmError) return value.toJSON();
  if (typeof value === 'object' && value !== null && 'code' in value && 'message' in value) {
    const { code, message } = value as { code: unknown; message: unknown };
    if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) && typeof message === 'string') {
      return value as ErrorInfo;
    }
  }
  const message = value instanceof Error ? value.message : String(value);
  return { code: 'internal', message };
}

/** The caller's mistakes exit with 2; every other failure with 1 (success is 0). */
const CALLER_MISTAKES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_module',
  'invalid_args',
  'type_mismatch',
  'unknown_export',
  'not_found',
]);

export function exitCodeFor(code: ErrorCode): 1 | 2 {
  return CALLER_MISTAKES.has(code) ? 2 : 1;
}

/** HTTP status per code, defined next to the codes as fastify does. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_module: 400,
  invalid_args: 400,
  type_mismatch: 400,
  unknown_export: 404,
  not_found: 404,
  trap: 422,
  deadline_exceeded: 504,
  limit_exceeded: 422,
  device_unavailable: 503,
  unauthorized: 401,
  payload_too_large: 413,
  queue_full: 429,
  cancelled: 499,
  internal: 500,
};
