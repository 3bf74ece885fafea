/**
 * A module file's description, as `engine.load` makes it (the same validation, the same errors,
 * the wasi:cuda import check) without starting an engine: `inspect` needs no instance pool, no
 * tracing and no logger, and starts faster without them (issue 18).
 */
import type { ModuleDescription } from '../../contract/module.js';
import { checkWasiCudaImports } from '../../runtime/cuda/import-check.js';
import { ModuleCache } from '../../runtime/module/cache.js';

export async function describeFile(modulePath: string): Promise<{ description: ModuleDescription; bytes: Uint8Array }> {
  const entry = await new ModuleCache().load(modulePath);
  if (entry.description.usesWasiCuda) checkWasiCudaImports(entry.description.imports);
  return { description: entry.description, bytes: entry.bytes };
}
