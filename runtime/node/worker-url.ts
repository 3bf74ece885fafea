import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a module next to the caller, whether the caller runs from compiled
 * JavaScript (`dist/`) or from TypeScript source (tests, `TENSOR_WASM_FROM_SOURCE=1`). From source
 * the worker first registers tsx's loader and then imports the entry, so one code path serves both.
 * (Node 20 ignores `--import tsx` in a worker's execArgv for a `.ts` entry: ERR_UNKNOWN_FILE_EXTENSION.)
 *
 * @param callerUrl `import.meta.url` of the module that owns the worker entry
 * @param entryBase the entry's file name without extension, relative to the caller (`./instance-worker`)
 */
export function startWorker(callerUrl: string, entryBase: string, options: WorkerOptions = {}): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`${entryBase}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(url, options);
  // tsx's ESM register API (its package `exports` map `./esm/api` → this file under `import`).
  const tsxRoot = dirname(createRequire(callerUrl).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
