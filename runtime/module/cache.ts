import type { ExportDescription, ModuleDescription } from '../../contract/module.js';
import { describeModule, sha256Hex } from './describe.js';
import { compileModule, readModuleSource, validateModule } from './load.js';
import { applyMemoryCap, capPagesFor } from './memory-cap.js';
import { analyzeInlineCalls, type InlineCalls } from './inline-calls.js';
import { parseModule, type ParsedModule } from './parse.js';

/** A module compiled for one memory cap; `key` names it in workers' own caches. */
export interface CompiledVariant {
  key: string;
  module: WebAssembly.Module;
}

export interface LoadedModule {
  hash: string;
  name?: string;
  bytes: Uint8Array;
  parsed: ParsedModule;
  description: ModuleDescription;
  exportsByName: ReadonlyMap<string, ExportDescription>;
  /** Which calls may run on the calling thread from a recycled instance (inline-calls.ts). */
  inlineCalls: InlineCalls;
  /** Compiled variants by cap in pages: a second instantiation never compiles again. */
  variants: Map<number, CompiledVariant>;
  pending: Map<number, Promise<CompiledVariant>>;
}

/**
 * Loaded modules by sha256. Loading validates (V8) and describes once; compiling happens once per
 * memory cap, the first time an instance needs it.
 */
export class ModuleCache {
  private readonly byHash = new Map<string, LoadedModule>();

  async load(source: string | Uint8Array, name?: string): Promise<LoadedModule> {
    const bytes = await readModuleSource(source);
    const hash = sha256Hex(bytes);
    const known = this.byHash.get(hash);
    if (known) {
      if (name !== undefined && known.name === undefined) known.name = name;
      return known;
    }
    await validateModule(bytes);
    const parsed = parseModule(bytes);
    const description = describeModule(bytes, parsed);
    const inlineCalls = analyzeInlineCalls(bytes, parsed);
    for (const e of description.exports) if (inlineCalls.exports.has(e.name)) e.runsInline = true;
    const entry: LoadedModule = {
      hash,
      ...(name !== undefined ? { name } : {}),
      bytes: bytes.slice(),
      parsed,
      description,
      exportsByName: new Map(description.exports.map((e) => [e.name, e])),
      inlineCalls,
      variants: new Map(),
      pending: new Map(),
    };
    this.byHash.set(hash, entry);
    return entry;
  }

  get(hash: string): LoadedModule | undefined {
    return this.byHash.get(hash);
  }

  /** The already-compiled variant for this cap, or undefined (then call `compile`). */
  compiledSync(entry: LoadedModule, maxMemoryBytes: number): CompiledVariant | undefined {
    return entry.variants.get(capPagesFor(maxMemoryBytes));
  }

  /** Compiles (once) the module with its memories capped. Throws `limit_exceeded` when initial > cap. */
  compile(entry: LoadedModule, maxMemoryBytes: number): Promise<CompiledVariant> {
    const capPages = capPagesFor(maxMemoryBytes);
    const done = entry.variants.get(capPages);
    if (done) return Promise.resolve(done);
    let pending = entry.pending.get(capPages);
    if (!pending) {
      pending = (async () => {
        const capped = applyMemoryCap(entry.bytes, entry.parsed, maxMemoryBytes);
        const module = await compileModule(capped);
        const variant = { key: `${entry.hash}:${capPages}`, module };
        entry.variants.set(capPages, variant);
        return variant;
      })();
      entry.pending.set(capPages, pending);
      pending.then(
        () => entry.pending.delete(capPages),
        () => entry.pending.delete(capPages),
      );
    }
    return pending;
  }
}
