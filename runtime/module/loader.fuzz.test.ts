/**
 * Fuzz campaign (issue 15): the Wasm loader (read, V8 validation, our parser), describe, the inline
 * analysis, the host-import check and the offload analysis, on mutated modules (byte flips,
 * insertions, deletions, truncations, splices between modules) from every fixture. Oracles:
 * - nothing throws but a TensorWasmError, and never `internal`;
 * - the loader accepts exactly what V8 accepts (`WebAssembly.validate`), and a loaded module's
 *   exports and imports (name, module, kind, in order) are V8's (`WebAssembly.Module.exports/imports`);
 * - every export the inline analysis lets run on the calling thread answers exactly as it does in a
 *   worker (results, or error code and message), on an engine with and one without inline calls.
 * Cases: FUZZ_RUNS (1000 in `npm test`, 100 000 in `npm run fuzz`); the engine differential runs
 * on the valid mutants, at most one case in 200 (each costs a compile and a worker call), at least 5.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import { createEngine } from '../engine.js';
import { analyzeOffload } from '../offload/analyze.js';
import { ModuleCache } from './cache.js';
import { unlinkedImportsError } from './host-imports.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const ENGINE_CASES = Math.max(5, Math.floor(RUNS / 200));

const root = join(import.meta.dirname, '..', '..', 'fixtures');
const seeds: Uint8Array[] = ['wasm', 'offload'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.wasm'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(root, dir, f)))),
);
const small = seeds.filter((s) => s.length <= 4096);
const large = seeds.filter((s) => s.length > 4096);

type Edit = { kind: 'flip' | 'set' | 'insert' | 'delete' | 'cut' | 'splice'; at: number; byte: number; length: number; other: number };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('flip', 'flip', 'set', 'set', 'insert', 'delete', 'cut', 'splice'),
  at: fc.nat(),
  byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff, 0x41, 0x0b, 0x60, 0xfd)),
  length: fc.integer({ min: 1, max: 16 }),
  other: fc.nat(),
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function apply(bytes: Uint8Array, e: Edit): Uint8Array {
  const n = bytes.length;
  const i = n === 0 ? 0 : e.at % (n + 1);
  switch (e.kind) {
    case 'flip':
    case 'set': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      const k = e.at % n;
      out[k] = e.kind === 'flip' ? out[k]! ^ (1 << (e.byte & 7)) : e.byte;
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, i), new Uint8Array(e.length).fill(e.byte), bytes.subarray(i));
    case 'delete':
      return concat(bytes.subarray(0, i), bytes.subarray(i + e.length));
    case 'cut':
      return bytes.slice(0, i);
    case 'splice': {
      const donor = seeds[e.other % seeds.length]!;
      const from = donor.length === 0 ? 0 : e.other % donor.length;
      return concat(bytes.subarray(0, i), donor.subarray(from, from + e.length * 4), bytes.subarray(i));
    }
  }
}

const mutant = fc
  .tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...small) }, { weight: 1, arbitrary: fc.constantFrom(...large) }), fc.array(edit, { minLength: 0, maxLength: 4 }))
  .map(([seed, edits]) => edits.reduce(apply, seed));

const V8_KIND: Record<string, string> = { function: 'func', table: 'table', memory: 'memory', global: 'global', tag: 'tag' };

const inline = createEngine({ poolSize: 1, deadlineMs: 5000 });
const worker = createEngine({ poolSize: 1, deadlineMs: 5000, inlineCalls: false });
afterAll(() => Promise.all([inline.close(), worker.close()]));

function expectDocumented(error: unknown): TensorWasmError {
  expect(error).toBeInstanceOf(TensorWasmError);
  const e = error as TensorWasmError;
  expect(e.code).not.toBe('internal');
  return e;
}

async function answer(engine: typeof inline, bytes: Uint8Array, exportName: string, args: string) {
  try {
    const { ref } = await engine.load(bytes);
    return { ok: true as const, json: (await engine.invoke(ref, exportName, args)).resultsJson };
  } catch (error) {
    const e = expectDocumented(error);
    return { ok: false as const, code: e.code, message: e.message };
  }
}

describe('Wasm loader, describe, inline and offload analysis fuzz', () => {
  it('accepts what V8 accepts, describes it as V8 does, and never fails outside the taxonomy', async () => {
    let valid = 0;
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(mutant, async (bytes) => {
        const v8Valid = WebAssembly.validate(bytes);
        let entry;
        try {
          entry = await new ModuleCache().load(bytes);
        } catch (error) {
          expect(expectDocumented(error).code).toBe('invalid_module');
          expect(v8Valid).toBe(false);
          return;
        }
        expect(v8Valid).toBe(true);
        valid++;
        const module = new WebAssembly.Module(bytes);
        const d = entry.description;
        expect(d.exports.map((e) => [e.name, e.kind])).toEqual(WebAssembly.Module.exports(module).map((e) => [e.name, V8_KIND[e.kind]]));
        expect(d.imports.map((i) => [i.module, i.name, i.kind])).toEqual(WebAssembly.Module.imports(module).map((i) => [i.module, i.name, V8_KIND[i.kind]]));
        unlinkedImportsError(d.imports, 'fuzz.wasm'); // must not throw
        const { report } = analyzeOffload(bytes); // errors are reported in the report, never thrown
        expect(report.moduleBytes).toBe(bytes.length);
        // Inline vs worker, for the exports that run inline (bounded by construction).
        if (compared >= ENGINE_CASES) return;
        const runsInline = d.exports.filter((e) => e.runsInline && e.callableFromJson);
        if (runsInline.length === 0) return;
        compared++;
        for (const e of runsInline.slice(0, 3)) {
          const args = `[${e.signature!.params.map((t) => (t === 'f64' ? '0.5' : t === 'i64' ? '4294967296' : '7')).join(',')}]`;
          const a = await answer(inline, bytes, e.name, args);
          const b = await answer(worker, bytes, e.name, args);
          expect(a).toEqual(b);
        }
      }),
      { numRuns: RUNS },
    );
    // The mutants must reach past validation often enough to test describe and the analyses.
    if (process.env.FUZZ_REPORT) console.log(`loader fuzz: ${RUNS} cases, ${valid} valid mutants, ${compared} inline/worker comparisons`);
    expect(valid).toBeGreaterThan(RUNS / 20);
  });
});
