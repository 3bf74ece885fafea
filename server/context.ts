import type { FastifyInstance } from 'fastify';
import type { EngineApi } from '../contract/engine.js';
import type { ModuleDescription } from '../contract/module.js';
import type { RunEventHub } from './events/run-event-hub.js';
import type { ServerMetrics } from './metrics.js';
import type { FunctionRegistry } from './registry/function-registry.js';

/** Produces the offload report shown by GET /functions/{id}; absent when no analyser is wired. */
export type OffloadReporter = (bytes: Uint8Array, description: ModuleDescription) => unknown;

/** What every route plugin gets: the engine and the server's shared state. */
export interface ServerContext {
  engine: EngineApi;
  registry: FunctionRegistry;
  hub: RunEventHub;
  metrics: ServerMetrics;
  /** Deepest `[`/`{` nesting accepted in JSON bodies. */
  maxJsonDepth: number;
  /** Upper bound for a client's `deadlineMs`; clients may only lower the deadline. */
  maxDeadlineMs: number;
  /** Upper bound for a client's `maxMemoryBytes` (the engine's configured cap); clients may only lower it. */
  maxMemoryBytes: number;
  /** This server's page secret (server/http/browser-guard.ts): the served workbench sends it back. */
  browserSecret: string;
  offloadReport?: OffloadReporter;
}

/** An extra route set (e.g. the workbench's, server/routes/workbench.ts) registered with the context. */
export type ServerPlugin = (app: FastifyInstance, context: ServerContext) => Promise<void> | void;
