/**
 * The process's structured logger: JSON lines on stderr (fd 2, synchronous so nothing is lost when a
 * worker is terminated at its deadline), by pino. Child loggers carry `component` and ids.
 *
 * pino is loaded the first time a line is actually written at an enabled level, not when a module
 * asks for a logger: most CLI runs log nothing at the default `warn`, and loading pino was a fifth
 * of `tensor-wasm run`'s start-up (issue 18). Until then a logger only answers level questions.
 */
import { createRequire } from 'node:module';
import type { Logger as PinoLogger, LogFn } from 'pino';

/** Levels TENSOR_WASM_LOG accepts; `warn` unless set. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = (env.TENSOR_WASM_LOG ?? 'warn').trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(raw) ? (raw as LogLevel) : 'warn';
}

/** pino's numeric levels (its documented defaults); `silent` is above all. */
const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** The part of pino's Logger the engine, server and main use. */
export interface Logger {
  level: string;
  isLevelEnabled(level: string): boolean;
  child(bindings: Record<string, unknown>): Logger;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
}

type Method = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

let rootPino: PinoLogger | undefined;

function loadRootPino(level: string): PinoLogger {
  if (!rootPino) {
    // pino is CommonJS: a require keeps the load synchronous at the first log line.
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
    rootPino = pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  }
  return rootPino;
}

class LazyLogger implements Logger {
  private real: PinoLogger | undefined;
  private ownLevel: string | undefined;

  constructor(
    private readonly parent: LazyLogger | undefined,
    private readonly bindings: Record<string, unknown> | undefined,
    initialLevel?: string,
  ) {
    this.ownLevel = initialLevel;
  }

  /** A child follows its parent's level until it is given its own. */
  get level(): string {
    return this.ownLevel ?? this.parent?.level ?? 'warn';
  }

  set level(value: string) {
    if (!(value in RANK)) throw new Error(`unknown log level '${String(value).slice(0, 40)}'`);
    this.ownLevel = value;
    if (this.real) this.real.level = value;
  }

  isLevelEnabled(level: string): boolean {
    return (RANK[level] ?? -Infinity) >= (RANK[this.level] ?? RANK.warn!);
  }

  child(bindings: Record<string, unknown>): Logger {
    return new LazyLogger(this, bindings);
  }

  private materialize(): PinoLogger {
    if (!this.real) {
      this.real = this.parent ? this.parent.materialize().child(this.bindings ?? {}) : loadRootPino(this.level);
    }
    return this.real;
  }

  private write(method: Method, args: unknown[]): void {
    if (!this.isLevelEnabled(method)) return;
    const real = this.materialize();
    // pino fixes a child's level when it is made; here a child keeps following its parent.
    if (real.level !== this.level) real.level = this.level;
    (real[method] as (...a: unknown[]) => void).apply(real, args);
  }

  trace: LogFn = (...args: unknown[]) => this.write('trace', args);
  debug: LogFn = (...args: unknown[]) => this.write('debug', args);
  info: LogFn = (...args: unknown[]) => this.write('info', args);
  warn: LogFn = (...args: unknown[]) => this.write('warn', args);
  error: LogFn = (...args: unknown[]) => this.write('error', args);
  fatal: LogFn = (...args: unknown[]) => this.write('fatal', args);
}

let root: LazyLogger | undefined;

/** The process's logger, or a child of it carrying `bindings`. */
export function getLogger(bindings?: Record<string, unknown>): Logger {
  root ??= new LazyLogger(undefined, undefined, logLevelFromEnv());
  return bindings ? root.child(bindings) : root;
}
