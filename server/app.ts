import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { DEFAULT_ENGINE_CONFIG, type EngineApi, type EngineConfig } from '../contract/engine.js';
import { TensorWasmError } from '../contract/errors.js';
import { createEngine } from '../runtime/engine.js';
import { analyzeOffload } from '../runtime/offload/analyze.js';
import { assertHostAllowed, installBearerAuth } from './auth.js';
import type { OffloadReporter, ServerContext, ServerPlugin } from './context.js';
import { RunEventHub, type RunEventHubOptions } from './events/run-event-hub.js';
import { installBodyBudget } from './http/body-budget.js';
import { installBrowserGuard, newServerSecret, normalizeOrigin } from './http/browser-guard.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './http/errors.js';
import { parseJsonBody } from './http/json-body.js';
import { installOpenApi } from './http/openapi.js';
import { ServerMetrics } from './metrics.js';
import { FunctionRegistry } from './registry/function-registry.js';
import { functionRoutes } from './routes/functions.js';
import { invokeRoutes } from './routes/invoke.js';
import { runRoutes } from './routes/runs.js';
import { systemRoutes } from './routes/system.js';
import { registerUi } from './routes/ui.js';
import { workbenchRoutes } from './routes/workbench.js';
import { installRequestTracing } from './tracing.js';

export interface ServerOptions {
  /** The engine to serve. Without one the server creates its own (from `engineConfig`) and closes it with itself. */
  engine?: EngineApi;
  engineConfig?: Partial<EngineConfig>;
  /** Where deployed modules live; survives restarts. */
  dataDir: string;
  /** Bearer token every request must carry. Required when `host` is not loopback. */
  token?: string;
  /** The address the caller will listen on (checked against the token rule). Default 127.0.0.1. */
  host?: string;
  /** Largest request body (uploads included). Default 64 MiB. */
  bodyLimitBytes?: number;
  /** Request-body bytes held across all connections at once; past it, 503. Default: twice `bodyLimitBytes`. */
  maxBodyBytesInFlight?: number;
  /** Origins (scheme://host[:port]) whose pages may call this server cross-origin (`--cors-origin`). */
  corsOrigins?: string[];
  /** Host names accepted in the `Host` header besides loopback ones and `host` (DNS-rebinding guard). */
  allowedHosts?: string[];
  /** Slow clients: headers, the whole request, and an idle keep-alive connection. */
  timeouts?: Partial<ServerTimeouts>;
  /** Deepest JSON nesting accepted. Default 64. */
  maxJsonDepth?: number;
  /** Upper bound for a client's per-call `deadlineMs`. Default: the engine config's deadline. */
  maxDeadlineMs?: number;
  /** Serve this folder (the built workbench, dist/renderer) at `/`. */
  uiDir?: string;
  /** Extra route sets, registered after the API routes with the server context. */
  plugins?: ServerPlugin[];
  /** Run-event retention for the event streams. */
  events?: Partial<RunEventHubOptions>;
  /** Produces GET /functions/{id}'s `offload` field (the auto-offload analyser, when present). */
  offloadReport?: OffloadReporter;
  /** Start the engine's workers now instead of on the first invocations (serve does). */
  warmEngine?: boolean;
  /** Observes every route as it is registered (the OpenAPI test uses it to check the document). */
  onRoute?: (route: RouteOptions) => void;
  /** Fastify request logging (off by default; the engine logs through TENSOR_WASM_LOG). */
  logger?: boolean;
}

export interface ServerTimeouts {
  /** Time to receive a request's headers. */
  headersMs: number;
  /** Time to receive a whole request, body included (not the time to answer it). */
  requestMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 15_000, requestMs: 120_000, keepAliveMs: 10_000 };
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * Builds the HTTP API (not yet listening: call `listen`). Closing the instance closes the event
 * hub and, when the server created it, the engine.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const host = options.host ?? '127.0.0.1';
  assertHostAllowed(host, options.token);
  const bodyLimit = positive(options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES, 'bodyLimitBytes');
  const maxJsonDepth = positive(options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH, 'maxJsonDepth');
  // Checked before anything starts: a bad --cors-origin is the caller's mistake.
  (options.corsOrigins ?? []).forEach(normalizeOrigin);

  const ownsEngine = options.engine === undefined;
  const engine = options.engine ?? (await createDefaultEngine(options.engineConfig));
  // `warm` is the worker engine's extra (not in EngineApi): any engine without it starts lazily.
  if (options.warmEngine) (engine as { warm?: () => void }).warm?.();
  try {
    return await assemble(options, engine, ownsEngine, bodyLimit, maxJsonDepth);
  } catch (error) {
    if (ownsEngine) await engine.close();
    throw error;
  }
}

async function assemble(
  options: ServerOptions,
  engine: EngineApi,
  ownsEngine: boolean,
  bodyLimit: number,
  maxJsonDepth: number,
): Promise<FastifyInstance> {
  const registry = await FunctionRegistry.open(options.dataDir, engine);
  const context: ServerContext = {
    engine,
    registry,
    hub: new RunEventHub(options.events),
    metrics: new ServerMetrics(),
    maxJsonDepth,
    maxDeadlineMs: options.maxDeadlineMs ?? options.engineConfig?.deadlineMs ?? DEFAULT_ENGINE_CONFIG.deadlineMs,
    maxMemoryBytes: options.engineConfig?.maxMemoryBytes ?? DEFAULT_ENGINE_CONFIG.maxMemoryBytes,
    offloadReport: options.offloadReport ?? offloadReporter(options.engineConfig),
    browserSecret: newServerSecret(),
  };

  const timeouts = { ...DEFAULT_TIMEOUTS, ...(options.timeouts ?? {}) };
  for (const [name, value] of Object.entries(timeouts)) positive(value, `timeouts.${name}`);
  const maxBodyBytesInFlight = Math.max(bodyLimit, positive(options.maxBodyBytesInFlight ?? 2 * bodyLimit, 'maxBodyBytesInFlight'));
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    // Keep-alive clients (load generators, the CLI) reuse sockets; idle ones are closed after this.
    keepAliveTimeout: timeouts.keepAliveMs,
    // A client that sends its request slowly (or never finishes it) is answered 408 and let go.
    requestTimeout: Math.max(timeouts.requestMs, timeouts.headersMs),
    http: {
      headersTimeout: timeouts.headersMs,
      // How often Node looks for requests past those timeouts (its default, 30 s, would let them run long).
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(timeouts.headersMs / 2)),
      // A request without Host is refused by the browser guard, in the error body's shape.
      requireHostHeader: false,
    },
    // `//healthz` is `/healthz`: a doubled slash is not a different resource.
    routerOptions: { ignoreDuplicateSlashes: true },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
  });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  installErrorHandling(app);
  installRequestTracing(app);
  // First: a page on another origin, or a rebinding page, gets no further than this.
  installBrowserGuard(app, {
    corsOrigins: options.corsOrigins ?? [],
    allowedHosts: options.allowedHosts ?? [],
    hasToken: options.token !== undefined && options.token !== '',
    listenHost: options.host ?? '127.0.0.1',
    secret: context.browserSecret,
  });
  if (options.token) installBearerAuth(app, options.token);
  installBodyBudget(app, maxBodyBytesInFlight);

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string, maxJsonDepth));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(['application/wasm', 'application/octet-stream'], { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  await installOpenApi(app, { version: packageVersion(), withToken: options.token !== undefined });
  await app.register(systemRoutes(context));
  await app.register(functionRoutes(context));
  await app.register(invokeRoutes(context));
  await app.register(runRoutes(context));
  for (const plugin of options.plugins ?? []) {
    await app.register(async (scope) => plugin(scope, context));
  }
  if (options.uiDir !== undefined) {
    // ── Workbench (engineer G): register server/routes/workbench.ts on the next line. ──
    await app.register(async (scope) => workbenchRoutes({ dataDir: join(options.dataDir, 'workbench') })(scope, context));
    await registerUi(app, options.uiDir, context.browserSecret);
  }

  app.addHook('onClose', async () => {
    context.hub.close();
    if (ownsEngine) await engine.close();
  });
  return app;
}

/**
 * The server's own engine: one instance worker per core unless configured, and workers that sleep
 * as soon as they are idle. Spinning for the next call (EngineConfig.workerSpinUs) pays off for an
 * in-process caller that waits on each call; a server's callers are other processes that need the
 * same cores to send the next request, and on a 2-core machine spinning workers cost the server
 * throughput (measured A/B at 1, 4 and 32 connections: issue 2's note), so it is off here unless configured.
 */
async function createDefaultEngine(config: Partial<EngineConfig> = {}): Promise<EngineApi> {
  return createEngine({ poolSize: availableParallelism(), workerSpinUs: 0, ...config });
}

/** The auto-offload analyser's report with the server's thresholds, computed once per module. */
function offloadReporter(config: Partial<EngineConfig> | undefined): OffloadReporter {
  const thresholds = { ...DEFAULT_ENGINE_CONFIG.offload, ...(config?.offload ?? {}) };
  const reports = new Map<string, unknown>();
  return (bytes, description) => {
    let report = reports.get(description.hash);
    if (report === undefined) {
      report = analyzeOffload(bytes, {
        tripCountThreshold: thresholds.tripCountThreshold,
        v128RatioThreshold: thresholds.v128RatioThreshold,
      }).report;
      reports.set(description.hash, report);
    }
    return report;
  };
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new TensorWasmError('invalid_args', `${name} must be a positive integer`);
  return value;
}

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  }
  return '0.0.0';
}
