import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a module next to the caller, whether the caller runs from compiled
 * JavaScript (`dist/`) or from TypeScript source (tests, `TENSOR_WASM_FROM_SOURCE=1`). From source
 * the worker gets tsx's loader, so one code path serves both.
 *
 * @param callerUrl `import.meta.url` of the module that owns the worker entry
 * @param entryBase the entry's file name without extension, relative to the caller (`./instance-worker`)
 */
export function startWorker(callerUrl: string, entryBase: string, options: WorkerOptions = {}): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`${entryBase}${fromSource ? '.ts' : '.js'}`, callerUrl);
  const execArgv = fromSource ? [...(options.execArgv ?? []), '--import', 'tsx'] : options.execArgv;
  return new Worker(url, { ...options, ...(execArgv ? { execArgv } : {}) });
}
