import type { Command } from 'commander';
import type { ExportDescription, ImportDescription, MemoryType, ModuleDescription } from '../../contract/module.js';
import type { FunctionSignature } from '../../contract/values.js';
import { describeFile } from './describe-file.js';
import { escapeControl } from '../escape.js';
import { printJson } from '../output.js';

export interface InspectOptions {
  json?: boolean;
  /** Auto-offload report (issue 5). */
  offload?: boolean;
  offloadTripCount?: string;
  offloadV128Ratio?: string;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('describe a module: exports with signatures (and which are callable from JSON), imports, memory, hash')
    .argument('<module>', 'path to the .wasm module')
    .option('--json', 'print the description as JSON')
    .option('--offload', 'list every loop with its auto-offload facts and decision')
    .option('--offload-trip-count <n>', 'trip-count threshold for --offload (default 4096)')
    .option('--offload-v128-ratio <r>', 'v128-ratio threshold for --offload (default 0.5)')
    .action(async (modulePath: string, options: InspectOptions) => {
      // The offload analysis loads only for --offload.
      if (options.offload) return (await import('./inspect-offload.js')).inspectOffload(modulePath, options);
      const { description } = await describeFile(modulePath);
      if (options.json) printJson(description);
      else process.stdout.write(formatDescription(modulePath, description));
    });
}

export function formatSignature(sig: FunctionSignature): string {
  const results = sig.results.length === 0 ? '()' : sig.results.length === 1 ? sig.results[0]! : `(${sig.results.join(', ')})`;
  return `(${sig.params.join(', ')}) -> ${results}`;
}

function formatMemory(m: MemoryType): string {
  const pages = (n: number) => `${n} page${n === 1 ? '' : 's'} (${formatBytes(n * 65536)})`;
  return `${pages(m.initialPages)} initial, ${m.maximumPages !== undefined ? `max ${pages(m.maximumPages)}` : 'no maximum'}${m.shared ? ', shared' : ''}${m.memory64 ? ', memory64' : ''}`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function formatExport(e: ExportDescription): string {
  switch (e.kind) {
    case 'func': {
      const sig = e.signature ? formatSignature(e.signature) : '(unknown signature)';
      const inline = e.runsInline ? '  [runs inline: short, changes nothing, no worker]' : '';
      return `  ${e.name}${sig}  ${e.callableFromJson ? '[callable from JSON]' : `[not callable from JSON: ${e.notCallableReason ?? 'unknown'}]`}${inline}`;
    }
    case 'memory':
      return `  ${e.name}: memory, ${e.memory ? formatMemory(e.memory) : '?'}`;
    case 'table':
      return `  ${e.name}: table of ${e.table?.element ?? '?'}, ${e.table?.initial ?? '?'} initial${e.table?.maximum !== undefined ? `, max ${e.table.maximum}` : ''}`;
    case 'global':
      return `  ${e.name}: global ${e.global ? `${e.global.mutable ? 'mut ' : ''}${e.global.type}` : '?'}`;
    case 'tag':
      return `  ${e.name}: tag`;
  }
}

function formatImport(i: ImportDescription): string {
  const what =
    i.kind === 'func' ? (i.signature ? formatSignature(i.signature) : '(function)')
    : i.kind === 'memory' && i.memory ? `: memory, ${formatMemory(i.memory)}`
    : i.kind === 'global' && i.global ? `: global ${i.global.mutable ? 'mut ' : ''}${i.global.type}`
    : `: ${i.kind}`;
  return `  ${i.module} ${i.name}${what}`;
}

export function formatDescription(path: string, d: ModuleDescription): string {
  const lines: string[] = [];
  lines.push(`module: ${path}`);
  lines.push(`hash:   sha256:${d.hash}`);
  lines.push(`size:   ${d.sizeBytes} bytes`);
  const kind = d.kind === 'command' ? 'command (has _start)' : d.kind === 'reactor' ? 'reactor (has _initialize)' : 'library (no _start)';
  lines.push(`kind:   ${kind}${d.usesWasi ? ', uses WASI' : ''}${d.usesWasiCuda ? ', uses wasi:cuda' : ''}`);
  lines.push(`exports (${d.exports.length}):`);
  for (const e of d.exports) lines.push(formatExport(e));
  lines.push(`imports (${d.imports.length}):`);
  for (const i of d.imports) lines.push(formatImport(i));
  lines.push(`memories (${d.memories.length}):`);
  for (const m of d.memories) {
    const where = m.imported ? `imported from ${m.importedFrom?.module} ${m.importedFrom?.name}` : 'defined';
    const exported = m.exportedAs.length > 0 ? `, exported as ${m.exportedAs.join(', ')}` : '';
    lines.push(`  ${m.index}: ${formatMemory(m)} (${where}${exported})`);
  }
  if (d.customSections.length > 0) {
    lines.push(`custom sections (${d.customSections.length}):`);
    for (const c of d.customSections) lines.push(`  ${c.name} (${c.sizeBytes} bytes)`);
  }
  // Names are the module's (or the caller's) text: escaped, one line each whatever they hold.
  return lines.map(escapeControl).join('\n') + '\n';
}
