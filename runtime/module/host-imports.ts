/**
 * Which of a module's imports this host links. The engine provides WASI preview 1 functions (under
 * `wasi_snapshot_preview1` and `wasi_unstable`), the wasi:cuda functions (checked on their own at
 * load: cuda/import-check.ts) and any imported memory (created with the memory cap). Nothing else:
 * a module importing anything else cannot be instantiated, which is the module's fault
 * (`invalid_module`), reported before anything runs and naming every such import.
 */
import { TensorWasmError } from '../../contract/errors.js';
import type { ImportDescription } from '../../contract/module.js';
import { isWasiCudaModule } from '../cuda/import-check.js';
import { isWasiFunction } from '../wasi/preview1-functions.js';
import { quoteInput } from '../marshal/quote.js';

/** The imports no one provides, in the module's order. */
export function missingImports(imports: readonly ImportDescription[]): ImportDescription[] {
  return imports.filter((i) => !(i.kind === 'memory' || isWasiCudaModule(i.module) || (i.kind === 'func' && isWasiFunction(i.module, i.name))));
}

/** Names are the module's text: each quoted and cut, and all of them together kept to ~200 characters. */
const NAME_CHARS = 40;
const NAMES_BUDGET = 200;

function label(i: ImportDescription): string {
  return `${quoteInput(i.module, NAME_CHARS)} ${quoteInput(i.name, NAME_CHARS)} (${i.kind})`;
}

/** The `invalid_module` error for a module with imports no one provides, or undefined when every import is linked. */
export function unlinkedImportsError(imports: readonly ImportDescription[], moduleName?: string): TensorWasmError | undefined {
  const missing = missingImports(imports);
  if (missing.length === 0) return undefined;
  const labels: string[] = [];
  let used = 0;
  for (const i of missing) {
    const l = label(i);
    if (labels.length > 0 && used + l.length > NAMES_BUDGET) break;
    labels.push(l);
    used += l.length;
  }
  const named = labels.join(', ');
  const more = missing.length > labels.length ? ` and ${missing.length - labels.length} more (details.missingImports)` : '';
  const who = moduleName !== undefined ? quoteInput(moduleName, NAME_CHARS) : 'the module';
  return new TensorWasmError(
    'invalid_module',
    `cannot link ${who}: no one provides ${missing.length === 1 ? 'its import' : `${missing.length} of its imports`} ${named}${more}; this host links WASI preview 1 functions, wasi:cuda and imported memories`,
    { missingImports: missing.slice(0, 100).map((i) => ({ module: i.module.slice(0, 200), name: i.name.slice(0, 200), kind: i.kind })) },
  );
}
