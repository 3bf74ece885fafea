import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleRef } from '../contract/engine.js';
import { createEngine, type Engine } from './engine.js';
import { wasmFixture } from './test-support/fixtures.js';
import { failure } from './test-support/failure.js';

let engine: Engine;
const refs: Record<string, ModuleRef> = {};

beforeAll(async () => {
  engine = createEngine({ poolSize: 1 });
  for (const name of ['add', 'numbers', 'multi', 'traps', 'guide_lib', 'types']) refs[name] = (await engine.load(wasmFixture(`${name}.wasm`))).ref;
});
afterAll(() => engine.close());

describe('engine.invoke under the JSON contract', () => {
  it('calls add(i32, i32)', async () => {
    const r = await engine.invoke(refs.add!, 'add', '[40, 2]');
    expect(r.results).toEqual([42]);
    expect(r.resultsJson).toBe('[42]');
    expect(r.events.map((e) => e.type)).toEqual(['started', 'finished']);
    expect(r.events.every((e) => e.runId === r.runId && typeof e.t === 'number')).toBe(true);
  });

  it('names the device that would run launches, never the word auto', async () => {
    const { deviceLabelFor } = await import('./devices/select.js');
    const r = await engine.invoke(refs.add!, 'add', '[1, 2]');
    expect(r.device).not.toBe('auto');
    expect(r.device).toBe(deviceLabelFor('auto'));
    expect((await engine.invoke(refs.add!, 'add', '[1, 2]', { device: 'cpu' })).device).toBe('cpu');
  });

  it('returns [] for an export returning ()', async () => {
    expect((await engine.invoke(refs.add!, 'nothing', '[]')).resultsJson).toBe('[]');
  });

  it('carries i64 exactly both ways', async () => {
    const r = await engine.invoke(refs.numbers!, 'id64', '[9223372036854775807]');
    expect(r.results).toEqual([9223372036854775807n]);
    expect(r.resultsJson).toBe('[9223372036854775807]');
    expect((await engine.invoke(refs.numbers!, 'id64', '[-9223372036854775808]')).resultsJson).toBe('[-9223372036854775808]');
    expect((await engine.invoke(refs.numbers!, 'add64', '[2147483648, -2147483649]')).resultsJson).toBe('[-1]');
  });

  it('an i32-range literal does not escalate to i64', async () => {
    const e = await failure(engine.invoke(refs.numbers!, 'id64', '[5]'));
    expect(e.code).toBe('type_mismatch');
    expect(e.details).toMatchObject({ argIndex: 0, expected: 'i64', given: 'i32' });
  });

  it('2147483647 reaches an i32 parameter; 2147483648 does not', async () => {
    expect((await engine.invoke(refs.numbers!, 'id32', '[2147483647]')).resultsJson).toBe('[2147483647]');
    expect((await failure(engine.invoke(refs.numbers!, 'id32', '[2147483648]'))).details).toMatchObject({ expected: 'i32', given: 'i64' });
  });

  it('f64 from 1e10 and 1.0; f32 results widened exactly; non-finite as strings', async () => {
    expect((await engine.invoke(refs.numbers!, 'scale', '[1e10]')).resultsJson).toBe('[20000000000]');
    expect((await engine.invoke(refs.numbers!, 'idf64', '[1.0]')).resultsJson).toBe('[1]');
    expect((await engine.invoke(refs.numbers!, 'third_f32', '[]')).resultsJson).toBe('[0.3333333432674408]');
    expect((await engine.invoke(refs.numbers!, 'demote', '[0.1]')).resultsJson).toBe('[0.10000000149011612]');
    expect((await engine.invoke(refs.numbers!, 'nan', '[]')).resultsJson).toBe('["NaN"]');
    expect((await engine.invoke(refs.numbers!, 'inf', '[]')).resultsJson).toBe('["Infinity"]');
    expect((await engine.invoke(refs.numbers!, 'neg_inf', '[]')).resultsJson).toBe('["-Infinity"]');
    expect((await engine.invoke(refs.numbers!, 'mixed', '[1, 4294967296, 0.5]')).results).toEqual([4294967297.5]);
  });

  it('returns every value of a multi-value result in order', async () => {
    expect((await engine.invoke(refs.multi!, 'swap', '[1, 2]')).resultsJson).toBe('[2,1]');
    expect((await engine.invoke(refs.multi!, 'triple', '[3]')).resultsJson).toBe('[3,12884901888,3.5]');
  });

  it('rejects non-number arguments and bodies with invalid_args', async () => {
    for (const args of ['["5"]', '[true]', '[null]', '[[1]]', '{"a":1}', 'nope']) {
      expect((await failure(engine.invoke(refs.add!, 'add', args))).code).toBe('invalid_args');
    }
    expect((await failure(engine.invoke(refs.numbers!, 'id64', '[9223372036854775808]'))).code).toBe('invalid_args');
  });

  it('names the expected count on a wrong number of arguments', async () => {
    const e = await failure(engine.invoke(refs.add!, 'add', '[1]'));
    expect(e.code).toBe('invalid_args');
    expect(e.message).toContain('takes 2 arguments');
  });

  it("calling the guide's add(f32, f32) is a type_mismatch suggesting a wrapper", async () => {
    const e = await failure(engine.invoke(refs.guide_lib!, 'add', '[1.5, 2.5]'));
    expect(e.code).toBe('type_mismatch');
    expect(e.details).toMatchObject({ argIndex: 0, expected: 'f32', given: 'f64' });
    expect(e.message).toMatch(/wrapper export/);
  });

  it("calls the guide's run(ptr, len, out): pointers are plain i32 from JSON", async () => {
    const d = engine.describe(refs.guide_lib!);
    expect(d.exports.find((e) => e.name === 'run')).toMatchObject({ signature: { params: ['i32', 'i32', 'i32'], results: [] }, callableFromJson: true });
    expect(d.exports.find((e) => e.name === 'add')).toMatchObject({ signature: { params: ['f32', 'f32'], results: ['f32'] }, callableFromJson: false });
    expect((await engine.invoke(refs.guide_lib!, 'run', '[1024, 4, 2048]')).resultsJson).toBe('[]');
    // A window past the end of memory traps rather than reading host memory.
    expect((await failure(engine.invoke(refs.guide_lib!, 'run', '[2147483647, 4, 0]'))).code).toBe('trap');
  });

  it('v128 and reference parameters and v128 results are refused before running', async () => {
    expect((await failure(engine.invoke(refs.types!, 'splat', '[1]'))).code).toBe('type_mismatch');
    expect((await failure(engine.invoke(refs.types!, 'take_ref', '[1]'))).message).toMatch(/externref/);
    expect((await failure(engine.invoke(refs.types!, 'make_v128', '[1]'))).message).toMatch(/v128 results/);
  });

  it('unknown_export lists the callable exports', async () => {
    const e = await failure(engine.invoke(refs.add!, 'sub', '[1, 2]'));
    expect(e.code).toBe('unknown_export');
    expect(e.details?.callable).toEqual(['add', 'nothing', 'forty_two']);
    expect(e.message).toContain('add, nothing, forty_two');
    expect((await failure(engine.invoke(refs.types!, 'table', '[]'))).message).toMatch(/table export, not a function/);
  });

  it('a trap carries its message and a stack with function names', async () => {
    const e = await failure(engine.invoke(refs.traps!, 'outer', '[1]'));
    expect(e.code).toBe('trap');
    expect(e.message).toMatch(/unreachable/);
    const stack = e.details?.stack as string[];
    expect(stack.slice(0, 3).map((f) => f.split(' ')[0])).toEqual(['inner', 'middle', 'outer']);
    expect((await failure(engine.invoke(refs.traps!, 'divide', '[1, 0]'))).message).toMatch(/divide by zero/);
    expect((await failure(engine.invoke(refs.traps!, 'oob', '[]'))).message).toMatch(/out of bounds/);
    expect((await failure(engine.invoke(refs.traps!, 'recurse', '[1]'))).message).toMatch(/call stack/);
    // the worker survives traps
    expect((await engine.invoke(refs.add!, 'add', '[1, 1]')).resultsJson).toBe('[2]');
  });

  it('emits started and failed events with the error for a failed call', async () => {
    const events: string[] = [];
    await failure(engine.invoke(refs.traps!, 'outer', '[1]', { onEvent: (e) => events.push(e.type), runId: 'run-1' }));
    expect(events).toEqual(['started', 'failed']);
  });

  it('loads from bytes and describes; bad bytes are invalid_module', async () => {
    const { ref, description } = await engine.load(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(wasmFixture('add.wasm')))));
    expect(ref.hash).toBe(refs.add!.hash);
    expect(engine.describe(ref)).toBe(description);
    const e = await failure(engine.load(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 9])));
    expect(e.code).toBe('invalid_module');
    expect(e.details?.offset).toEqual(expect.any(Number));
    expect((await failure(engine.load(wasmFixture('does-not-exist.wasm')))).code).toBe('not_found');
  });

  it('compiles a module once per memory cap (second instantiation does not compile)', async () => {
    const a = await engine.compiled(refs.add!);
    const b = await engine.compiled(refs.add!);
    expect(a.module).toBe(b.module);
  });
});
