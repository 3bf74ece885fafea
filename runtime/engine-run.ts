import type { CallOptions } from '../contract/engine.js';
import { TensorWasmError, toErrorInfo } from '../contract/errors.js';
import type { RunEvent } from '../contract/events.js';
import type { ResultValue } from '../contract/values.js';
import type { DoneMessage } from './instance/protocol.js';
import { contextFromTraceparent, getTracer, tracingEnabled, type Span } from './telemetry/tracing.js';

// Read once: it is constant per thread, and a getter call on the hot path otherwise.
const TIME_ORIGIN = performance.timeOrigin;

function nowMs(): number {
  return TIME_ORIGIN + performance.now();
}

/**
 * One engine call's bookkeeping: its run id, its events (started … finished/failed, stamped with
 * runId and t), its span, and its duration. A class rather than closures: it is on the hot path.
 */
export class EngineRun {
  readonly events: RunEvent[] = [];
  /** Undefined when no tracer provider is registered. */
  readonly span: Span | undefined;
  device: string;
  private readonly t0 = performance.now();
  /** Set by finish: the result reports the same duration as the finished event (one clock read). */
  private durationMs: number | undefined;

  constructor(
    readonly runId: string,
    private readonly options: CallOptions,
    moduleHash: string,
    moduleName: string | undefined,
    exportName: string,
    device: string,
  ) {
    this.device = device;
    this.span = tracingEnabled()
      ? getTracer().startSpan(
          exportName === '_start' ? 'tensor-wasm.run' : 'tensor-wasm.invoke',
          { attributes: { 'tensor_wasm.module.hash': moduleHash, 'tensor_wasm.export': exportName, 'tensor_wasm.run_id': runId } },
          contextFromTraceparent(options.traceparent),
        )
      : undefined;
    const started: RunEvent = { type: 'started', runId, t: TIME_ORIGIN + this.t0, moduleHash, export: exportName, device };
    if (moduleName !== undefined) started.moduleName = moduleName;
    this.push(started);
  }

  /**
   * Records an event and hands it to the caller's onEvent. A method, not a bound arrow field: that
   * would be a closure made on every call, and only streaming calls need one (`pusher`).
   */
  push(event: RunEvent): void {
    event.runId = this.runId; // events from the worker arrive without it
    this.events.push(event);
    this.options.onEvent?.(event);
  }

  /** `push` as a function, for the pool to call as events stream in. */
  pusher(): (event: RunEvent) => void {
    return (event) => this.push(event);
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  /** The result fields every call has (the caller adds results or exitCode). */
  common(done: DoneMessage) {
    return {
      runId: this.runId,
      stdout: done.stdout ?? '',
      stderr: done.stderr ?? '',
      durationMs: this.durationMs ?? this.elapsed(),
      device: done.device ?? this.device,
      launches: done.launches ?? 0,
      events: this.events,
    };
  }

  finish(results: ResultValue[] | undefined, exitCode: number | undefined): void {
    const now = performance.now();
    this.durationMs = now - this.t0;
    const event: RunEvent = { type: 'finished', runId: this.runId, t: TIME_ORIGIN + now, durationMs: this.durationMs };
    if (results !== undefined) event.results = results;
    if (exitCode !== undefined) event.exitCode = exitCode;
    this.push(event);
    this.span?.end();
  }

  fail(error: unknown): TensorWasmError {
    const info = toErrorInfo(error);
    const err = error instanceof TensorWasmError ? error : TensorWasmError.from(info);
    this.push({ type: 'failed', runId: this.runId, t: nowMs(), durationMs: this.elapsed(), error: info });
    this.span?.setStatus({ code: 2, message: `${info.code}: ${info.message}` });
    this.span?.end();
    return err;
  }
}
