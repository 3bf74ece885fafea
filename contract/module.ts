import type { FunctionSignature, WasmValueType } from './values.js';

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export interface MemoryType {
  /** In 64 KiB pages. */
  initialPages: number;
  maximumPages?: number;
  shared: boolean;
  memory64: boolean;
}

export interface TableType {
  element: WasmValueType;
  initial: number;
  maximum?: number;
}

export interface GlobalType {
  type: WasmValueType;
  mutable: boolean;
}

export interface ExportDescription {
  name: string;
  kind: ExternKind;
  /** For functions. */
  signature?: FunctionSignature;
  memory?: MemoryType;
  table?: TableType;
  global?: GlobalType;
  /** Functions only: whether every parameter can be given from JSON (guide §3.1). */
  callableFromJson?: boolean;
  /**
   * Functions only: its calls run on the caller's thread from one shared instance, with no worker:
   * it provably changes nothing and ends within a few thousand instructions (docs/LIMITS.md). A
   * property of the module: an engine configured with `inlineCalls: false` still uses a worker.
   */
  runsInline?: boolean;
  /** When not callable from JSON: why, in words, with the wrapper-export suggestion. */
  notCallableReason?: string;
}

export interface ImportDescription {
  module: string;
  name: string;
  kind: ExternKind;
  signature?: FunctionSignature;
  memory?: MemoryType;
  table?: TableType;
  global?: GlobalType;
}

export interface MemoryDescription extends MemoryType {
  index: number;
  imported: boolean;
  /** Names this memory is exported under. */
  exportedAs: string[];
  /** Import module/name when imported. */
  importedFrom?: { module: string; name: string };
}

export interface CustomSectionDescription {
  name: string;
  sizeBytes: number;
}

export interface ModuleDescription {
  /** sha256 of the module bytes, lowercase hex. */
  hash: string;
  sizeBytes: number;
  exports: ExportDescription[];
  imports: ImportDescription[];
  memories: MemoryDescription[];
  customSections: CustomSectionDescription[];
  /** `command` has `_start`, `reactor` has `_initialize`, `library` has neither. */
  kind: 'command' | 'reactor' | 'library';
  /** Whether the module imports anything from wasi_snapshot_preview1 / wasi_unstable. */
  usesWasi: boolean;
  /** Whether the module imports wasi:cuda/host functions. */
  usesWasiCuda: boolean;
}
