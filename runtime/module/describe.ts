import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import type { ExportDescription, ImportDescription, MemoryDescription, ModuleDescription } from '../../contract/module.js';
import { JSON_SELECTABLE, type FunctionSignature } from '../../contract/values.js';
import { parseModule, type ParsedModule } from './parse.js';

const WASI_MODULES: ReadonlySet<string> = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);
const WASI_CUDA_PREFIX = 'wasi:cuda/host@';
/**
 * Modules below this size are hashed in JavaScript (@noble/hashes): loading node:crypto costs a
 * few milliseconds of a CLI's start (`inspect`'s whole start is a few dozen), more than hashing a
 * small module. JavaScript hashes about ten times slower than OpenSSL (≈0.3–0.7 ms for 64 KiB on the
 * development machine, 2026-12-06), so larger modules, and a server hashing many, take node:crypto.
 */
const NATIVE_HASH_FROM = 64 * 1024;

/** Result types the JSON contract can write back (f32 is widened to a JSON number). */
const JSON_RESULT_TYPES: ReadonlySet<string> = new Set(['i32', 'i64', 'f32', 'f64']);

export function sha256Hex(bytes: Uint8Array): string {
  if (bytes.length < NATIVE_HASH_FROM) return bytesToHex(sha256(bytes));
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex');
}

/**
 * Why an export cannot be called from JSON (guide §3.1), or undefined when it can. The wording
 * is shared by `inspect` and the `type_mismatch` error.
 */
export function notCallableReason(signature: FunctionSignature): string | undefined {
  const badParams = [...new Set(signature.params.filter((t) => !JSON_SELECTABLE.has(t)))];
  if (badParams.length > 0) {
    return `${badParams.join(', ')} parameters cannot be given from JSON (only i32, i64 and f64 can); write a thin wrapper export that takes JSON-representable arguments (for example f64 for f32) and demotes or packs them on entry`;
  }
  const badResults = [...new Set(signature.results.filter((t) => !JSON_RESULT_TYPES.has(t)))];
  if (badResults.length > 0) {
    return `${badResults.join(', ')} results cannot be returned as JSON (only i32, i64, f32 and f64 can); write a thin wrapper export that returns JSON-representable values`;
  }
  return undefined;
}

function functionSignature(parsed: ParsedModule, funcIndex: number): FunctionSignature | undefined {
  const importedFuncs = parsed.imports.filter((i) => i.kind === 'func');
  const typeIndex = funcIndex < importedFuncs.length ? importedFuncs[funcIndex]!.typeIndex : parsed.functionTypes[funcIndex - importedFuncs.length];
  return typeIndex === undefined ? undefined : parsed.types[typeIndex];
}

function describeExports(parsed: ParsedModule): ExportDescription[] {
  const imported = (kind: string) => parsed.imports.filter((i) => i.kind === kind);
  const tables = [...imported('table').map((i) => i.table!), ...parsed.tables];
  const memories = [...imported('memory').map((i) => i.memory!), ...parsed.memories];
  const globals = [...imported('global').map((i) => i.global!), ...parsed.globals];
  return parsed.exports.map((e): ExportDescription => {
    switch (e.kind) {
      case 'func': {
        const signature = functionSignature(parsed, e.index);
        if (!signature) return { name: e.name, kind: e.kind, callableFromJson: false, notCallableReason: 'its signature could not be read' };
        const reason = notCallableReason(signature);
        return reason === undefined
          ? { name: e.name, kind: e.kind, signature, callableFromJson: true }
          : { name: e.name, kind: e.kind, signature, callableFromJson: false, notCallableReason: reason };
      }
      case 'memory': {
        const memory = memories[e.index];
        return memory ? { name: e.name, kind: e.kind, memory } : { name: e.name, kind: e.kind };
      }
      case 'table': {
        const table = tables[e.index];
        return table ? { name: e.name, kind: e.kind, table } : { name: e.name, kind: e.kind };
      }
      case 'global': {
        const global = globals[e.index];
        return global ? { name: e.name, kind: e.kind, global } : { name: e.name, kind: e.kind };
      }
      case 'tag':
        return { name: e.name, kind: e.kind };
    }
  });
}

function describeImports(parsed: ParsedModule): ImportDescription[] {
  return parsed.imports.map((i): ImportDescription => {
    const base = { module: i.module, name: i.name, kind: i.kind };
    if (i.kind === 'func') {
      const signature = i.typeIndex === undefined ? undefined : parsed.types[i.typeIndex];
      return signature ? { ...base, signature } : base;
    }
    if (i.memory) return { ...base, memory: i.memory };
    if (i.table) return { ...base, table: i.table };
    if (i.global) return { ...base, global: i.global };
    return base;
  });
}

function describeMemories(parsed: ParsedModule): MemoryDescription[] {
  const out: MemoryDescription[] = [];
  const exportedAs = (index: number) => parsed.exports.filter((e) => e.kind === 'memory' && e.index === index).map((e) => e.name);
  for (const i of parsed.imports) {
    if (i.kind !== 'memory' || !i.memory) continue;
    const index = out.length;
    out.push({ index, ...i.memory, imported: true, exportedAs: exportedAs(index), importedFrom: { module: i.module, name: i.name } });
  }
  for (const m of parsed.memories) {
    const index = out.length;
    out.push({ index, ...m, imported: false, exportedAs: exportedAs(index) });
  }
  return out;
}

/** Describes a module from its bytes (pure). Throws TensorWasmError('invalid_module') with the offset. */
export function describeModule(bytes: Uint8Array, parsed: ParsedModule = parseModule(bytes)): ModuleDescription {
  const exportNames = new Set(parsed.exports.map((e) => e.name));
  return {
    hash: sha256Hex(bytes),
    sizeBytes: bytes.length,
    exports: describeExports(parsed),
    imports: describeImports(parsed),
    memories: describeMemories(parsed),
    customSections: parsed.customSections,
    kind: exportNames.has('_start') ? 'command' : exportNames.has('_initialize') ? 'reactor' : 'library',
    usesWasi: parsed.imports.some((i) => WASI_MODULES.has(i.module)),
    usesWasiCuda: parsed.imports.some((i) => i.module.startsWith(WASI_CUDA_PREFIX)),
  };
}

/** The exports a JSON caller can reach, for `unknown_export` messages. */
export function callableExports(description: ModuleDescription): string[] {
  return description.exports.filter((e) => e.kind === 'func' && e.callableFromJson).map((e) => e.name);
}
