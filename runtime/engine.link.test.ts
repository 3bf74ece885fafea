/**
 * Defect 7 of issue 15: a module importing something no one provides is `invalid_module` naming
 * every such import — at invoke and at run, inline-eligible exports included — never `internal`.
 * Which imports exist is the guide's and V8's word: WASI preview 1 functions, wasi:cuda, memories.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from './engine.js';
import { failure } from './test-support/failure.js';
import { watBytes } from './test-support/wat.js';

let engine: Engine;
beforeAll(() => {
  engine = createEngine({ poolSize: 1 });
});
afterAll(() => engine.close());

describe('imports no one provides', () => {
  it('an invoked export (even one that could run inline) is invalid_module naming the import', async () => {
    const { ref } = await engine.load(watBytes('(module (import "env" "x" (func)) (func (export "g") (result i32) (i32.const 1)) (func (export "h") (call 0)))'), 'one.wasm');
    for (const name of ['g', 'h']) {
      const e = await failure(engine.invoke(ref, name, '[]'));
      expect(e.code).toBe('invalid_module');
      expect(e.message).toContain('"env" "x"');
    }
  });

  it('names every missing import (functions, globals, tables, unknown WASI names) and none of the linked ones', async () => {
    const { ref } = await engine.load(
      watBytes(`(module
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "env" "memory" (memory 1))
        (import "env" "f" (func))
        (import "wasi_unstable" "fd_frobnicate" (func))
        (import "host" "g" (global i32))
        (import "other" "t" (table 1 funcref))
        (func (export "_start")))`),
      'many.wasm',
    );
    // binaryen groups imports by kind and writes consecutive imports of one module in a compact form
    // this V8 refuses, so no two neighbours share a module.
    const e = await failure(engine.run(ref));
    expect(e.code).toBe('invalid_module');
    for (const named of ['"env" "f"', '"host" "g"', '"other" "t"', '"wasi_unstable" "fd_frobnicate"']) expect(e.message).toContain(named);
    expect(e.message).not.toContain('fd_write');
    expect(e.message).not.toContain('"memory"');
    expect(e.details?.missingImports).toHaveLength(4);
  });

  it('quotes at most ~200 characters of import names however many and however long they are', async () => {
    const imports = Array.from({ length: 50 }, (_, i) => `(import "${'m'.repeat(300)}${i}" "f${i}" (func))`).join(' ');
    const { ref } = await engine.load(watBytes(`(module ${imports} (func (export "g")))`));
    const e = await failure(engine.invoke(ref, 'g', '[]'));
    expect(e.code).toBe('invalid_module');
    expect(e.message.length).toBeLessThan(500);
    expect(e.message).toMatch(/and \d+ more/);
    expect(e.details?.missingImports).toHaveLength(50);
  });

  it('a module whose imports are all provided still runs', async () => {
    const { ref } = await engine.load(watBytes('(module (import "env" "memory" (memory 1)) (func (export "g") (result i32) (i32.const 7)))'));
    expect((await engine.invoke(ref, 'g', '[]')).resultsJson).toBe('[7]');
  });
});
