import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { analyzeInlineCalls, INLINE_MAX_DEPTH, INLINE_MAX_STEPS } from './inline-calls.js';
import { parseModule } from './parse.js';

function wat(text: string): Uint8Array {
  const module = binaryen.parseText(text);
  module.setFeatures(binaryen.Features.All);
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

function analyze(text: string) {
  const bytes = wat(text);
  return analyzeInlineCalls(bytes, parseModule(bytes));
}

/** f0 calls f1, f1 calls f2, … f(n-1) returns a constant: a call chain n deep. */
function chain(n: number): string {
  const funcs = Array.from({ length: n }, (_, i) =>
    i === n - 1 ? `(func $f${i} (result i32) i32.const 1)` : `(func $f${i} (result i32) call $f${i + 1})`,
  );
  return `(module ${funcs.join('\n')} (export "top" (func $f0)))`;
}

describe('state-free modules', () => {
  it('a module of pure functions is state-free; counts are instructions, each call site adding its callee', () => {
    const calls = analyze(`(module
      (func $one (result i32) i32.const 1)
      (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
      (func (export "twice") (result i32) call $one call $one i32.add)
      (global (export "answer") i32 (i32.const 42)))`);
    expect(calls.stateFree).toBe(true);
    expect(calls.reason).toBeUndefined();
    // local.get, local.get, i32.add, end
    expect(calls.bounded.get('add')).toBe(4);
    // call, call, i32.add, end + 2 × (i32.const, end)
    expect(calls.bounded.get('twice')).toBe(8);
  });

  it.each([
    ['imports', '(module (import "env" "f" (func)) (func (export "g")))', /imports/],
    ['a memory', '(module (memory 1) (func (export "g")))', /memory/],
    ['a mutable global', '(module (global $g (mut i32) (i32.const 0)) (func (export "g")))', /mutable global/],
    ['a start function', '(module (func $s) (start $s) (func (export "g")))', /start function/],
    ['table.set', '(module (table $t 1 funcref) (func $f) (func (export "g") (table.set $t (i32.const 0) (ref.func $f))) (elem declare func $f))', /table or segment/],
    ['a table too large', '(module (table 100000 funcref) (func (export "g")))', /table too large/],
  ])('a module with %s is not state-free', (_what, text, reason) => {
    const calls = analyze(text);
    expect(calls.stateFree).toBe(false);
    expect(calls.reason).toMatch(reason);
    expect(calls.bounded.size).toBe(0);
  });

  it('code it cannot read makes the module not state-free instead of throwing', () => {
    const bytes = wat('(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))');
    const parsed = parseModule(bytes);
    bytes[bytes.lastIndexOf(0x6a)] = 0xfb; // i32.add → a GC prefix with a nonsense sub-opcode
    const calls = analyzeInlineCalls(bytes, parsed);
    expect(calls.stateFree).toBe(false);
    expect(calls.reason).toMatch(/could not be scanned/);
  });
});

describe('bounded exports', () => {
  it('loops, recursion, mutual recursion and indirect calls are unbounded, and so is whatever calls them', () => {
    const calls = analyze(`(module
      (type $v (func))
      (table 1 funcref)
      (elem (i32.const 0) $leaf)
      (func $leaf)
      (func (export "leaf") call $leaf)
      (func (export "loops") (loop $l (br $l)))
      (func $self (export "self") call $self)
      (func $ping (export "ping") call $pong)
      (func $pong call $ping)
      (func (export "indirect") (call_indirect (type $v) (i32.const 0)))
      (func (export "calls_recursive") call $self))`);
    expect(calls.stateFree).toBe(true);
    expect([...calls.bounded.keys()]).toEqual(['leaf']);
  });

  it(`a call chain ${INLINE_MAX_DEPTH} deep is bounded, one deeper is not`, () => {
    expect(analyze(chain(INLINE_MAX_DEPTH)).bounded.has('top')).toBe(true);
    expect(analyze(chain(INLINE_MAX_DEPTH + 1)).bounded.has('top')).toBe(false);
  });

  it(`a call tree over ${INLINE_MAX_STEPS} instructions is unbounded, and measuring it stays cheap`, () => {
    // f_i calls f_{i+1} twice: 2^20 leaf calls, far past the limit, in 21 functions.
    const n = 21;
    const funcs = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `(func $f${i} (result i32) i32.const 1)` : `(func $f${i} (result i32) call $f${i + 1} call $f${i + 1} i32.add)`,
    );
    const calls = analyze(`(module ${funcs.join('\n')} (export "top" (func $f0)) (export "small" (func $f${n - 4})))`);
    expect(calls.bounded.has('top')).toBe(false);
    // f17 → 2 × f18 → 4 × f19 → 8 × f20: 4 + 2·(4 + 2·(4 + 2·2)) = 44
    expect(calls.bounded.get('small')).toBe(44);
  });
});

describe('large modules', () => {
  it('a call chain of 20 000 functions is measured without exhausting the stack', () => {
    const calls = analyze(chain(20_000));
    expect(calls.stateFree).toBe(true);
    expect(calls.bounded.has('top')).toBe(false);
  });
});
