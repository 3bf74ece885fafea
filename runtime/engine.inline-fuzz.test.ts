/**
 * Differential test of inline calls: random modules whose exports read state, write it (every kind
 * of write), trap, or reach a writer through calls, called in random order on an engine with inline
 * calls and on one that runs every call in a worker with a fresh instance. Every result and error
 * must match. An export wrongly judged to change nothing would run in the shared instance and
 * change what later inline calls read, and the two engines would part.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { rng } from './devices/conformance/reference.js'; // mulberry32: a failure names a seed that reproduces it
import { watBytes } from './test-support/wat.js';

const inline = createEngine({ poolSize: 2 });
const worker = createEngine({ poolSize: 2, inlineCalls: false });
afterAll(async () => {
  await Promise.all([inline.close(), worker.close()]);
});

const READS = [
  '(i32.load (i32.and (local.get 0) (i32.const 60)))',
  '(i32.load8_u offset=3 (i32.and (local.get 0) (i32.const 15)))',
  '(global.get $g)',
  '(memory.size)',
  '(i32.div_s (i32.const 100) (local.get 0))', // traps on 0
  '(i32.load (i32.const 65534))', // traps: out of bounds
];

const WRITES = [
  '(i32.store (i32.and (local.get 0) (i32.const 60)) (i32.const 7))',
  '(i32.store8 offset=3 (i32.const 1) (local.get 0))',
  '(global.set $g (local.get 0))',
  '(drop (memory.grow (i32.const 1)))',
  '(memory.fill (i32.const 0) (local.get 0) (i32.const 16))',
  '(memory.copy (i32.const 0) (i32.const 8) (i32.const 8))',
  '(table.set $t (i32.const 0) (ref.null func))',
];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** Functions f0…f(n-1): each reads something, may write, and may call a later one (no cycles). */
function randomModule(seed: number, n: number): string {
  const next = rng(seed);
  const funcs: string[] = [];
  for (let i = 0; i < n; i++) {
    const body: string[] = [];
    if (next() < 0.3) body.push(pick(next, WRITES));
    if (i + 1 < n && next() < 0.5) body.push(`(drop (call $f${i + 1 + Math.floor(next() * (n - i - 1))} (local.get 0)))`);
    body.push(next() < 0.15 ? pick(next, READS.slice(4)) : pick(next, READS.slice(0, 4)));
    funcs.push(`(func $f${i} (export "f${i}") (param i32) (result i32) ${body.join(' ')})`);
  }
  return `(module (memory 1) (global $g (mut i32) (i32.const 5)) (table $t 1 funcref)
    (data (i32.const 0) "\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10")
    ${funcs.join('\n')})`;
}

/** The exports the inline engine runs on this thread (its module cache is private). */
function inlineExports(hash: string): ReadonlyMap<string, number> {
  const cache = (inline as unknown as { cache: { get(h: string): { inlineCalls: { exports: ReadonlyMap<string, number> } } } }).cache;
  return cache.get(hash).inlineCalls.exports;
}

async function outcome(call: Promise<{ resultsJson: string }>): Promise<string> {
  try {
    return (await call).resultsJson;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return `${e.code}: ${e.message}`;
  }
}

describe('inline calls against workers with fresh instances', () => {
  it('agree on every result and error of random call sequences', async () => {
    let inlineCalls = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = watBytes(randomModule(seed, 6));
      const a = (await inline.load(bytes, `fuzz-${seed}`)).ref;
      const b = (await worker.load(bytes, `fuzz-${seed}`)).ref;
      const runsInline = inlineExports(a.hash);
      const next = rng(seed * 7919);
      for (let k = 0; k < 16; k++) {
        const name = `f${Math.floor(next() * 6)}`;
        const arg = `[${Math.floor(next() * 70)}]`;
        if (runsInline.has(name)) inlineCalls++;
        const [here, there] = await Promise.all([outcome(inline.invoke(a, name, arg)), outcome(worker.invoke(b, name, arg))]);
        expect(here, `seed ${seed}, call ${k}: ${name}(${arg})`).toBe(there);
      }
    }
    // Both kinds were exercised: a good share of the 640 calls ran inline, and the rest in workers.
    expect(inlineCalls).toBeGreaterThan(100);
    expect(inlineCalls).toBeLessThan(540);
  }, 120_000);
});
