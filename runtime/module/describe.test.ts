import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import { describeModule } from './describe.js';
import { compileErrorToTensorWasm, validateModule } from './load.js';
import { applyMemoryCap } from './memory-cap.js';
import { parseModule } from './parse.js';

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, '../../fixtures/wasm', name)));

describe('describeModule', () => {
  it('gives every export its full signature, v128 and reference types included', () => {
    const d = describeModule(fixture('types.wasm'));
    const byName = Object.fromEntries(d.exports.map((e) => [e.name, e]));
    expect(byName.addf32).toMatchObject({ kind: 'func', signature: { params: ['f32', 'f32'], results: ['f32'] }, callableFromJson: false });
    expect(byName.splat!.signature).toEqual({ params: ['v128'], results: ['i32'] });
    expect(byName.make_v128!.signature).toEqual({ params: ['i32'], results: ['v128'] });
    expect(byName.take_ref!.signature).toEqual({ params: ['externref'], results: ['i32'] });
    expect(byName.take_func!.signature).toEqual({ params: ['funcref'], results: ['i32'] });
    expect(byName.ok).toMatchObject({ signature: { params: ['i32', 'i64', 'f64'], results: ['i32'] }, callableFromJson: true });
    expect(byName.addf32!.notCallableReason).toMatch(/wrapper export/);
    expect(byName.table).toMatchObject({ kind: 'table', table: { element: 'funcref', initial: 2 } });
    expect(byName.counter).toMatchObject({ kind: 'global', global: { type: 'i32', mutable: true } });
    expect(d.kind).toBe('library');
    expect(d.usesWasi).toBe(false);
  });

  it('lists imports with their signatures and marks WASI commands', () => {
    const d = describeModule(fixture('hello.wasm'));
    expect(d.kind).toBe('command');
    expect(d.usesWasi).toBe(true);
    expect(d.usesWasiCuda).toBe(false);
    const fdWrite = d.imports.find((i) => i.name === 'fd_write');
    expect(fdWrite).toEqual({ module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'func', signature: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] } });
    expect(d.memories[0]).toMatchObject({ index: 0, imported: false, exportedAs: ['memory'] });
  });

  it('describes multi-value results, reactors, imported memories and custom sections', () => {
    expect(describeModule(fixture('multi.wasm')).exports.find((e) => e.name === 'triple')!.signature).toEqual({ params: ['i32'], results: ['i32', 'i64', 'f64'] });
    expect(describeModule(fixture('reactor.wasm')).kind).toBe('reactor');
    const imported = describeModule(fixture('memory-imported.wasm'));
    expect(imported.memories).toEqual([{ index: 0, initialPages: 1, shared: false, memory64: false, imported: true, exportedAs: [], importedFrom: { module: 'env', name: 'memory' } }]);
    expect(imported.imports[0]).toMatchObject({ module: 'env', name: 'memory', kind: 'memory', memory: { initialPages: 1 } });
    const custom = describeModule(fixture('custom.wasm')).customSections;
    expect(custom.map((c) => c.name)).toContain('tensor-wasm.note');
  });

  it('hashes the bytes with sha256', () => {
    const bytes = fixture('add.wasm');
    expect(describeModule(bytes).hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(describeModule(bytes).sizeBytes).toBe(bytes.length);
  });

  it('refuses bytes that are not Wasm, with the offset', () => {
    const e = (() => {
      try {
        describeModule(new TextEncoder().encode('hello, not wasm'));
      } catch (error) {
        return error as TensorWasmError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('invalid_module');
    expect(e.details?.offset).toBe(0);
  });
});

describe('validateModule (V8) and compile errors', () => {
  it('reports truncated modules as invalid_module with V8\'s reason and byte offset', async () => {
    const truncated = fixture('add.wasm').subarray(0, 40);
    const error = await validateModule(truncated).then(() => undefined, (e: unknown) => e as TensorWasmError);
    expect(error?.code).toBe('invalid_module');
    expect(error?.details?.offset).toEqual(expect.any(Number));
    expect(error?.message).toMatch(/byte offset \d+/);
  });

  it('reports a body that fails validation (i32.add on nothing)', async () => {
    // (func (result i32) i32.add): type-checks fail in the code section.
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x6a, 0x0b]);
    const error = await validateModule(bytes).then(() => undefined, (e: unknown) => e as TensorWasmError);
    expect(error?.code).toBe('invalid_module');
    expect(error?.details?.offset).toBeGreaterThan(20);
  });

  it('parses V8 messages without an offset too', () => {
    expect(compileErrorToTensorWasm(new Error('WebAssembly.Module(): something odd')).message).toBe('something odd');
  });
});

describe('applyMemoryCap', () => {
  it('gives a memory without a maximum the cap as its maximum', () => {
    const bytes = fixture('memory.wasm');
    const capped = applyMemoryCap(bytes, parseModule(bytes), 1024 * 1024);
    expect(parseModule(capped).memories[0]).toMatchObject({ initialPages: 1, maximumPages: 16 });
    expect(WebAssembly.validate(capped)).toBe(true);
  });

  it('refuses an initial memory above the cap with limit_exceeded naming the limit', () => {
    const bytes = fixture('memory-huge.wasm');
    try {
      applyMemoryCap(bytes, parseModule(bytes), 256 * 1024 * 1024);
      throw new Error('no error');
    } catch (error) {
      expect((error as TensorWasmError).code).toBe('limit_exceeded');
      expect((error as TensorWasmError).details).toEqual({ limit: 'max_memory_bytes', limitValue: 268435456 });
    }
  });

  it('leaves modules without memories untouched', () => {
    const bytes = fixture('add.wasm');
    expect(applyMemoryCap(bytes, parseModule(bytes), 65536)).toBe(bytes);
  });
});
