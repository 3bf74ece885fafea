import { pino, type Logger } from 'pino';

/** Levels TENSOR_WASM_LOG accepts; `warn` unless set. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = (env.TENSOR_WASM_LOG ?? 'warn').trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(raw) ? (raw as LogLevel) : 'warn';
}

let root: Logger | undefined;

/**
 * The process's structured logger: JSON lines on stderr (fd 2, synchronous so nothing is lost
 * when a worker is terminated at its deadline). Child loggers carry `component` and ids.
 */
export function getLogger(bindings?: Record<string, unknown>): Logger {
  root ??= pino({ level: logLevelFromEnv(), base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  return bindings ? root.child(bindings) : root;
}

export type { Logger };
