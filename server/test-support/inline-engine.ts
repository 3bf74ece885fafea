import { randomUUID } from 'node:crypto';
import type { CallOptions, EngineApi, InvokeResult, ModuleRef, RunResult } from '../../contract/engine.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import type { ModuleDescription } from '../../contract/module.js';
import { resultsToJson } from '../../contract/values.js';
import { checkArgs, classifyArgs, mapResults } from '../../runtime/marshal/index.js';
import { callableExports, describeModule } from '../../runtime/module/describe.js';
import { compileModule, validateModule } from '../../runtime/module/load.js';

/**
 * A small in-process EngineApi for route tests that must not depend on the worker engine: real
 * validation, description and marshalling (runtime/module, runtime/marshal), instances run on the
 * calling thread (so no deadline), with a bounded number in flight and a bounded queue.
 */
export class InlineEngine implements EngineApi {
  private readonly modules = new Map<string, { module: WebAssembly.Module; description: ModuleDescription }>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limits: { poolSize: number; maxQueue: number; callDelayMs?: number } = { poolSize: 2, maxQueue: 64 }) {}

  async load(source: string | Uint8Array, name?: string): Promise<{ ref: ModuleRef; description: ModuleDescription }> {
    if (typeof source === 'string') throw new TensorWasmError('invalid_args', 'InlineEngine loads bytes only');
    await validateModule(source);
    const description = describeModule(source);
    this.modules.set(description.hash, { module: await compileModule(source), description });
    return { ref: { hash: description.hash, ...(name ? { name } : {}) }, description };
  }

  describe(ref: ModuleRef): ModuleDescription {
    return this.entry(ref).description;
  }

  async invoke(ref: ModuleRef, exportName: string, argsJson: string, options: CallOptions = {}): Promise<InvokeResult> {
    const runId = options.runId ?? randomUUID();
    const events: RunEvent[] = [];
    const emit = (event: RunEvent) => {
      events.push(event);
      options.onEvent?.(event);
    };
    const { module, description } = this.entry(ref);
    const exported = description.exports.find((e) => e.name === exportName && e.kind === 'func');
    if (!exported?.signature) {
      throw new TensorWasmError('unknown_export', `no exported function '${exportName}'`, { callable: callableExports(description) });
    }
    const args = checkArgs(exportName, exported.signature, classifyArgs(argsJson));
    await this.acquire();
    const start = performance.now();
    try {
      emit({ type: 'started', runId, t: Date.now(), moduleHash: ref.hash, export: exportName, device: 'cpu' });
      if (this.limits.callDelayMs) await new Promise((resolve) => setTimeout(resolve, this.limits.callDelayMs));
      const instance = await WebAssembly.instantiate(module, {});
      const fn = instance.exports[exportName] as (...a: unknown[]) => unknown;
      let returned: unknown;
      try {
        returned = fn(...args);
      } catch (error) {
        throw new TensorWasmError('trap', error instanceof Error ? error.message : String(error));
      }
      const results = mapResults(returned, exported.signature.results);
      const durationMs = performance.now() - start;
      emit({ type: 'finished', runId, t: Date.now(), durationMs, results });
      return { runId, results, resultsJson: resultsToJson(results), stdout: '', stderr: '', durationMs, device: 'cpu', launches: 0, events };
    } catch (error) {
      const info = error instanceof TensorWasmError ? error.toJSON() : { code: 'internal' as const, message: String(error) };
      emit({ type: 'failed', runId, t: Date.now(), durationMs: performance.now() - start, error: info });
      throw error;
    } finally {
      this.release();
    }
  }

  async run(): Promise<RunResult> {
    throw new TensorWasmError('internal', 'InlineEngine does not run commands');
  }

  async devices() {
    return [];
  }

  async close(): Promise<void> {}

  private entry(ref: ModuleRef) {
    const entry = this.modules.get(ref.hash);
    if (!entry) throw new TensorWasmError('not_found', `module ${ref.hash} is not loaded`);
    return entry;
  }

  private async acquire(): Promise<void> {
    if (this.running < this.limits.poolSize) {
      this.running++;
      return;
    }
    if (this.waiting.length >= this.limits.maxQueue) throw new TensorWasmError('queue_full', 'the instance queue is full');
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
