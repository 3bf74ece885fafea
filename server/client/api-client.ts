import { isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { ERROR_CODES, TensorWasmError, type ErrorCode, type ErrorInfo } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import type { ExportDescription, ImportDescription } from '../../contract/module.js';
import type { ResultValue } from '../../contract/values.js';
import { readSse } from './sse-reader.js';

export interface FunctionSummary {
  id: string;
  name: string;
  hash: string;
  sizeBytes: number;
  deployedAt: string;
  exports: ExportDescription[];
  created?: boolean;
}

export interface FunctionDetail extends FunctionSummary {
  imports: ImportDescription[];
  kind: 'command' | 'reactor' | 'library';
  offload?: unknown;
  [key: string]: unknown;
}

export interface RemoteInvokeResult {
  runId: string;
  results: ResultValue[];
  /** `results` exactly as the server wrote them. */
  resultsJson: string;
  durationMs: number;
  device: string;
  launches: number;
  stdout: string;
  stderr: string;
}

export interface ApiClientOptions {
  token?: string;
  /** Per-request timeout for everything but invoke (which the server's deadline bounds). */
  timeoutMs?: number;
}

/** A client for the TensorWasm HTTP API (used by the CLI's deploy/functions/invoke). */
export class ApiClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly options: ApiClientOptions = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async deploy(bytes: Uint8Array, name?: string): Promise<FunctionSummary> {
    const query = name === undefined ? '' : `?name=${encodeURIComponent(name)}`;
    return JSON.parse(await this.request('POST', `/functions${query}`, { body: bytes, type: 'application/wasm' })) as FunctionSummary;
  }

  async list(): Promise<FunctionSummary[]> {
    return (JSON.parse(await this.request('GET', '/functions')) as { functions: FunctionSummary[] }).functions;
  }

  async describe(id: string): Promise<FunctionDetail> {
    return JSON.parse(await this.request('GET', `/functions/${encodeURIComponent(id)}`)) as FunctionDetail;
  }

  async remove(id: string): Promise<void> {
    await this.request('DELETE', `/functions/${encodeURIComponent(id)}`);
  }

  /**
   * Invokes an export. `argsJson` is sent as written, so the server classifies the very literals
   * the user typed (guide §3.1); results are read losslessly (i64 exact).
   */
  async invoke(id: string, exportName: string, argsJson: string, extra: { runId?: string; deadlineMs?: number } = {}): Promise<RemoteInvokeResult> {
    const body = invokeBody(exportName, argsJson, extra);
    const text = await this.request('POST', `/functions/${encodeURIComponent(id)}/invoke`, { body, type: 'application/json', noTimeout: true });
    return parseInvokeReply(text);
  }

  /**
   * Invokes with `?stream=true`: `onEvent` sees every run event as it happens (stdout, launches,
   * ...), then the result arrives as the stream's last message.
   */
  async invokeStreaming(
    id: string,
    exportName: string,
    argsJson: string,
    onEvent: (event: RunEvent) => void,
    extra: { runId?: string; deadlineMs?: number } = {},
  ): Promise<RemoteInvokeResult> {
    const res = await this.fetch('POST', `/functions/${encodeURIComponent(id)}/invoke?stream=true`, {
      body: invokeBody(exportName, argsJson, extra),
      type: 'application/json',
      noTimeout: true,
    });
    if (!res.ok) throw await errorFrom(res);
    if (!res.body) throw new TensorWasmError('internal', 'the server sent an empty stream');
    for await (const message of readSse(res.body)) {
      if (message.event === 'result') return parseInvokeReply(message.data);
      if (message.event === 'error') throw errorFromBody(message.data, 500);
      onEvent(parseLossless(message.data, undefined, numberParser) as RunEvent);
    }
    throw new TensorWasmError('internal', 'the server closed the stream before the result');
  }

  /** Streams the run events of `runId` until the run ends (GET /runs/{runId}/events). */
  async *events(runId: string, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    const res = await this.fetch('GET', `/runs/${encodeURIComponent(runId)}/events`, { ...(signal ? { signal } : {}), noTimeout: true });
    if (!res.ok) throw await errorFrom(res);
    if (!res.body) return;
    for await (const message of readSse(res.body)) {
      yield parseLossless(message.data, undefined, numberParser) as RunEvent;
    }
  }

  private async request(method: string, path: string, init: { body?: string | Uint8Array; type?: string; noTimeout?: boolean } = {}): Promise<string> {
    const res = await this.fetch(method, path, init);
    if (!res.ok) throw await errorFrom(res);
    return res.text();
  }

  private async fetch(
    method: string,
    path: string,
    init: { body?: string | Uint8Array; type?: string; noTimeout?: boolean; signal?: AbortSignal },
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.type) headers['content-type'] = init.type;
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const signal = init.signal ?? (init.noTimeout ? undefined : AbortSignal.timeout(this.options.timeoutMs ?? 60_000));
    try {
      return await fetch(this.baseUrl + path, { method, headers, ...(init.body === undefined ? {} : { body: init.body }), ...(signal ? { signal } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new TensorWasmError('internal', `cannot reach the server at ${this.baseUrl}: ${reason}`);
    }
  }
}

/** The invoke body with the arguments' text spliced in unchanged (no re-encoding of numbers). */
function invokeBody(exportName: string, argsJson: string, extra: { runId?: string; deadlineMs?: number }): string {
  return (
    `{"export":${JSON.stringify(exportName)},"args":${argsJson.trim() === '' ? '[]' : argsJson}` +
    (extra.runId === undefined ? '' : `,"runId":${JSON.stringify(extra.runId)}`) +
    (extra.deadlineMs === undefined ? '' : `,"deadlineMs":${extra.deadlineMs}`) +
    '}'
  );
}

/** Reads a 200 invoke body; numbers stay exact (integer text beyond 2^53 becomes a bigint). */
export function parseInvokeReply(text: string): RemoteInvokeResult {
  const raw = parseLossless(text) as Record<string, unknown>;
  const results = raw.results;
  if (!Array.isArray(results)) throw new TensorWasmError('internal', 'the server answered without results');
  return {
    runId: String(raw.runId ?? ''),
    results: results.map(resultValue),
    resultsJson: stringifyLossless(results) ?? '[]',
    durationMs: Number(numberText(raw.durationMs)),
    device: String(raw.device ?? ''),
    launches: Number(numberText(raw.launches)),
    stdout: typeof raw.stdout === 'string' ? raw.stdout : '',
    stderr: typeof raw.stderr === 'string' ? raw.stderr : '',
  };
}

function resultValue(value: unknown): ResultValue {
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  const text = numberText(value);
  if (text === undefined) throw new TensorWasmError('internal', `unexpected result ${JSON.stringify(value)}`);
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

function numberText(value: unknown): string | undefined {
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function numberParser(text: string): number | bigint {
  const n = Number(text);
  return /^-?\d+$/.test(text) && !Number.isSafeInteger(n) ? BigInt(text) : n;
}

async function errorFrom(res: Response): Promise<TensorWasmError> {
  return errorFromBody(await res.text(), res.status);
}

function errorFromBody(text: string, status: number): TensorWasmError {
  try {
    const info = (JSON.parse(text) as { error?: ErrorInfo }).error;
    if (info && (ERROR_CODES as readonly string[]).includes(info.code)) return TensorWasmError.from(info);
  } catch {
    // Not our error body (a proxy's page, say): fall through.
  }
  const code: ErrorCode = status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : 'internal';
  return new TensorWasmError(code, `HTTP ${status}: ${text.slice(0, 200)}`);
}
