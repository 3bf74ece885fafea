/**
 * The browser transport (browser mode, and remote targets from either mode): the server's
 * /workbench routes over fetch, and its batched event stream. One class per boundary; the UI
 * never sees URLs.
 */
import { TensorWasmError, type ErrorInfo } from '../../contract/errors.js';
import type {
  CompareRequest,
  InvokeRequest,
  OpenModuleRequest,
  ReportFormat,
  WorkbenchApi,
  WorkbenchEvent,
  WorkbenchEventListener,
  WorkbenchSettings,
} from '../../contract/workbench.js';
import { SseParser } from '../../contract/sse.js';

export interface HttpTransportOptions {
  /** '' for the page's own server; `http://host:port` for a remote one. */
  baseUrl: string;
  token?: string;
  /** The page secret of the server that served this page (its own server only, never a remote one). */
  pageSecret?: string;
  fetch?: typeof fetch;
  /** Called when the event stream connects or drops (the title bar shows it). */
  onConnection?: (connected: boolean, reason?: string) => void;
}

const enc = encodeURIComponent;

export function createHttpTransport(options: HttpTransportOptions): WorkbenchApi {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  if (options.pageSecret) auth['x-tensor-wasm-secret'] = options.pageSecret;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { ...auth };
    let payload: BodyInit | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = 'application/wasm';
      payload = body as unknown as BodyInit;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    } catch (error) {
      throw new TensorWasmError('internal', `cannot reach ${base || 'the server'}: ${(error as Error).message}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new TensorWasmError('internal', `the server answered ${res.status} with something that is not JSON`);
    }
    if (!res.ok) {
      const info = (parsed as { error?: ErrorInfo } | undefined)?.error;
      throw info ? TensorWasmError.from(info) : new TensorWasmError('internal', `HTTP ${res.status}`);
    }
    return parsed as T;
  }

  function onEvents(listener: WorkbenchEventListener): () => void {
    const controller = new AbortController();
    let delay = 500;
    const connect = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          const res = await doFetch(`${base}/workbench/events`, { headers: auth, signal: controller.signal });
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          options.onConnection?.(true);
          delay = 500;
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          const parser = new SseParser();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const msg of parser.push(decoder.decode(value, { stream: true }))) {
              if (msg.event === 'batch') listener(JSON.parse(msg.data) as WorkbenchEvent[]);
            }
          }
          options.onConnection?.(false, 'the event stream ended');
        } catch (error) {
          if (controller.signal.aborted) return;
          options.onConnection?.(false, (error as Error).message);
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    };
    void connect();
    return () => controller.abort();
  }

  return {
    getTarget: async () => {
      const t = await request<Awaited<ReturnType<WorkbenchApi['getTarget']>>>('GET', '/workbench/target');
      return base ? { ...t, kind: 'remote', label: base } : t;
    },
    listExamples: () => request('GET', '/workbench/examples'),
    listRecent: () => request('GET', '/workbench/recent'),
    openModule: (open: OpenModuleRequest) =>
      open.kind === 'bytes' ? request('POST', `/workbench/modules?name=${enc(open.name)}`, open.bytes) : request('POST', '/workbench/modules', open),
    pickModule: () => request('POST', '/workbench/pick'),
    invoke: (req: InvokeRequest) => request('POST', '/workbench/invoke', req),
    cancel: (id: string) => request('POST', `/workbench/cancel/${enc(id)}`),
    compareOffload: (req: CompareRequest) => request('POST', '/workbench/compare', req),
    listRuns: () => request('GET', '/workbench/runs'),
    getRun: (runId: string) => request('GET', `/workbench/runs/${enc(runId)}`),
    deleteRun: (runId: string) => request('DELETE', `/workbench/runs/${enc(runId)}`),
    exportReport: (runId: string, format: ReportFormat) => request('GET', `/workbench/runs/${enc(runId)}/report?format=${enc(format)}`),
    getSettings: () => request('GET', '/workbench/settings'),
    updateSettings: (patch: Partial<WorkbenchSettings>) => request('PATCH', '/workbench/settings', patch),
    listDevices: () => request('GET', '/workbench/devices'),
    getPtx: (moduleId: string, ptxHash: string) => request('GET', `/workbench/modules/${enc(moduleId)}/ptx/${enc(ptxHash)}`),
    onEvents,
  };
}
