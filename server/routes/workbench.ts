import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TensorWasmError } from '../../contract/errors.js';
import type { CompareRequest, InvokeRequest, OpenModuleRequest, ReportFormat, TargetInfo, WorkbenchEvent, WorkbenchSettings } from '../../contract/workbench.js';
import { createEventBatcher } from '../../workbench/event-batcher.js';
import { offloadDecisions } from '../../workbench/offload-decisions.js';
import { WorkbenchService, type OffloadAnalyzer } from '../../workbench/workbench-service.js';
import type { ServerContext, ServerPlugin } from '../context.js';
import { runEventToJson } from '../events/event-json.js';
import { SseStream } from '../events/sse.js';
import { invokeRequestSchema, parseStrict, settingsPatchSchema } from '../http/workbench-schemas.js';

export interface WorkbenchRoutesOptions {
  /** Runs history, settings, recent modules: `<server data dir>/workbench` by convention. */
  dataDir: string;
  /** Default: the repository's assets/examples. */
  examplesDir?: string;
  analyzeOffload?: OffloadAnalyzer;
  /** Shown as the target label; default `this server`. */
  label?: string;
}

/** Finds `assets/examples` walking up from this file (works from sources and from dist/). */
export function defaultExamplesDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'assets', 'examples');
    if (existsSync(join(candidate, 'examples.json'))) return candidate;
  }
  return undefined;
}

function engineVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  }
  return '0.0.0';
}

const FORMATS: readonly ReportFormat[] = ['json', 'html', 'chrome-trace'];

/** Serialises one event for the wire; run events go through the exact writer (i64 results are bigint). */
function eventToJson(event: WorkbenchEvent): string {
  return event.kind === 'run' ? `{"kind":"run","event":${runEventToJson(event.event)}}` : JSON.stringify(event);
}

function body<T>(value: unknown, what: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TensorWasmError('invalid_args', `${what} must be a JSON object`);
  return value as T;
}

/**
 * The workbench's HTTP surface (browser mode and remote targets): one route per WorkbenchApi
 * method under /workbench, plus GET /workbench/events, a server-sent-events stream of batched
 * WorkbenchEvent arrays (`event: batch`, `data: [...]`). Errors use the server's one error body.
 */
export function workbenchRoutes(options: WorkbenchRoutesOptions): ServerPlugin {
  return async (app: FastifyInstance, context: ServerContext) => {
    const examplesDir = options.examplesDir ?? defaultExamplesDir();
    const service = new WorkbenchService({
      engine: context.engine,
      dataDir: options.dataDir,
      engineVersion: engineVersion(),
      ...(examplesDir ? { examplesDir } : {}),
      analyzeOffload: options.analyzeOffload ?? offloadDecisions,
      // The server's --deadline and memory cap bound every workbench run too.
      limits: { maxDeadlineMs: context.maxDeadlineMs, maxMemoryBytes: context.maxMemoryBytes },
    });
    const settingsPatch = settingsPatchSchema(service.limits);
    app.addHook('onClose', async () => service.close());
    const target: TargetInfo = { kind: 'local', label: options.label ?? 'this server', engineVersion: engineVersion(), nativeDialogs: false };
    const tags = ['workbench'];

    // CORS (same origin, and origins named with --cors-origin only) is the browser guard's: server/http/browser-guard.ts.
    app.options('/workbench/*', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());

    app.get('/workbench/target', { schema: { tags, summary: 'Where the workbench runs modules' } }, async () => target);
    app.get('/workbench/examples', { schema: { tags, summary: 'Bundled example modules' } }, async () => service.listExamples());
    app.get('/workbench/recent', { schema: { tags, summary: 'Recently opened modules' } }, async () => service.listRecent());
    app.post<{ Querystring: { name?: string } }>(
      '/workbench/modules',
      { schema: { tags, summary: 'Open a module: raw bytes (application/wasm, ?name=) or JSON {"kind":"example","id"} / {"kind":"recent","moduleId"}' } },
      async (request) => {
        if (Buffer.isBuffer(request.body)) {
          return service.openModule({ kind: 'bytes', name: request.query.name ?? 'module.wasm', bytes: new Uint8Array(request.body) });
        }
        const open = body<OpenModuleRequest>(request.body, 'the open request');
        if (open.kind !== 'example' && open.kind !== 'recent') throw new TensorWasmError('invalid_args', "over HTTP, open by upload (application/wasm) or JSON kind 'example' / 'recent'");
        return service.openModule(open);
      },
    );
    app.post('/workbench/pick', { schema: { tags, summary: 'Native file dialog (Electron only)' } }, async () => {
      throw new TensorWasmError('invalid_args', 'no native file dialog over HTTP: upload the module instead');
    });
    app.post('/workbench/invoke', { schema: { tags, summary: 'Invoke an export; the reply is the run record' } }, async (request) =>
      service.invoke(parseStrict(invokeRequestSchema, body<InvokeRequest>(request.body, 'the invoke request'), 'the invoke request') as InvokeRequest),
    );
    app.post<{ Params: { id: string } }>('/workbench/cancel/:id', { schema: { tags, summary: 'Cancel a run or comparison' } }, async (request, reply) => {
      await service.cancel(request.params.id);
      return reply.code(204).send();
    });
    app.post('/workbench/compare', { schema: { tags, summary: 'Compare offload with fallback' } }, async (request) =>
      service.compareOffload(body<CompareRequest>(request.body, 'the compare request')),
    );
    app.get('/workbench/runs', { schema: { tags, summary: 'Runs history, newest first' } }, async () => service.listRuns());
    app.get<{ Params: { runId: string } }>('/workbench/runs/:runId', { schema: { tags, summary: 'One run record' } }, async (request) => service.getRun(request.params.runId));
    app.delete<{ Params: { runId: string } }>('/workbench/runs/:runId', { schema: { tags, summary: 'Delete a run from the history' } }, async (request, reply) => {
      await service.deleteRun(request.params.runId);
      return reply.code(204).send();
    });
    app.get<{ Params: { runId: string }; Querystring: { format?: string } }>(
      '/workbench/runs/:runId/report',
      { schema: { tags, summary: 'Export a run report (?format=json|html|chrome-trace)' } },
      async (request) => {
        const format = (request.query.format ?? 'json') as ReportFormat;
        if (!FORMATS.includes(format)) throw new TensorWasmError('invalid_args', `format must be one of ${FORMATS.join(', ')}`);
        return service.exportReport(request.params.runId, format);
      },
    );
    app.get('/workbench/settings', { schema: { tags, summary: 'Workbench settings' } }, async () => service.getSettings());
    app.patch('/workbench/settings', { schema: { tags, summary: 'Change workbench settings' } }, async (request) =>
      service.updateSettings(parseStrict(settingsPatch, body<Partial<WorkbenchSettings>>(request.body, 'the settings patch'), 'the settings patch') as Partial<WorkbenchSettings>),
    );
    app.get('/workbench/devices', { schema: { tags, summary: 'Devices with availability and reason' } }, async () => service.listDevices());
    app.get<{ Params: { moduleId: string; ptxHash: string } }>('/workbench/modules/:moduleId/ptx/:ptxHash', { schema: { tags, summary: 'The PTX text a launch ran, from the module that embeds it' } }, async (request) =>
      service.getPtx(request.params.moduleId, request.params.ptxHash),
    );
    app.get('/workbench/events', { schema: { tags, summary: 'Server-sent events: batches of workbench events' } }, async (request, reply: FastifyReply) => {
      reply.hijack();
      const stream = new SseStream(reply.raw);
      const batcher = createEventBatcher((batch) => stream.send('batch', `[${batch.map(eventToJson).join(',')}]`));
      const unsubscribe = service.subscribe((event) => batcher.push(event));
      stream.onClose(() => {
        unsubscribe();
        batcher.close();
        request.span?.end();
      });
      return reply;
    });
  };
}

/** Route per WorkbenchApi method (the wiring test checks every method has one). */
export const WORKBENCH_HTTP_ROUTES = {
  getTarget: 'GET /workbench/target',
  listExamples: 'GET /workbench/examples',
  listRecent: 'GET /workbench/recent',
  openModule: 'POST /workbench/modules',
  pickModule: 'POST /workbench/pick',
  invoke: 'POST /workbench/invoke',
  cancel: 'POST /workbench/cancel/:id',
  compareOffload: 'POST /workbench/compare',
  listRuns: 'GET /workbench/runs',
  getRun: 'GET /workbench/runs/:runId',
  deleteRun: 'DELETE /workbench/runs/:runId',
  exportReport: 'GET /workbench/runs/:runId/report',
  getSettings: 'GET /workbench/settings',
  updateSettings: 'PATCH /workbench/settings',
  listDevices: 'GET /workbench/devices',
  getPtx: 'GET /workbench/modules/:moduleId/ptx/:ptxHash',
} as const;
