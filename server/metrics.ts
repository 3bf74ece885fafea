import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from '../contract/errors.js';

/** Label sets used on every invocation, made once (prom-client only reads them). */
const OK = Object.freeze({ outcome: 'ok' as const });
const ERROR = Object.freeze({ outcome: 'error' as const });

/**
 * The server's Prometheus metrics, in a registry of its own (not prom-client's global one) so
 * several servers in one process — tests — never share counters.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly invocations: Counter<'outcome'>;
  private readonly errors: Counter<'code'>;
  private readonly duration: Histogram<'outcome'>;
  private readonly launches: Counter<'device'>;
  private readonly deploys: Counter;
  /** The outcome-labelled children used on every invocation, looked up once (prom-client hashes labels per call otherwise). */
  private readonly okInvocations: { inc(value?: number): void };
  private readonly errorInvocations: { inc(value?: number): void };
  private readonly okDuration: { observe(value: number): void };
  private readonly errorDuration: { observe(value: number): void };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tensor_wasm_process_' });
    this.invocations = new Counter({
      name: 'tensor_wasm_invocations_total',
      help: 'Invocations answered, by outcome (ok or error).',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: 'tensor_wasm_invocation_errors_total',
      help: 'Failed invocations by error code.',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'tensor_wasm_invocation_duration_seconds',
      help: 'Invocation wall time as the server saw it (queueing included).',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    this.launches = new Counter({
      name: 'tensor_wasm_kernel_launches_total',
      help: 'Kernel launches made by invocations, by device.',
      labelNames: ['device'],
      registers: [this.registry],
    });
    this.deploys = new Counter({
      name: 'tensor_wasm_deploys_total',
      help: 'Modules deployed (new ids only).',
      registers: [this.registry],
    });
    this.okInvocations = this.invocations.labels(OK);
    this.errorInvocations = this.invocations.labels(ERROR);
    this.okDuration = this.duration.labels(OK);
    this.errorDuration = this.duration.labels(ERROR);
  }

  invocationSucceeded(seconds: number, device: string, launches: number): void {
    this.okInvocations.inc(1);
    this.okDuration.observe(seconds);
    if (launches > 0) this.launches.inc({ device }, launches);
  }

  invocationFailed(seconds: number, code: ErrorCode): void {
    this.errorInvocations.inc(1);
    this.errors.inc({ code });
    this.errorDuration.observe(seconds);
  }

  deployed(): void {
    this.deploys.inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
