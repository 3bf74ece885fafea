import { describe, expect, it } from 'vitest';
import { analyzeInlineCalls, INLINE_MAX_DEPTH, INLINE_MAX_STEPS } from './inline-calls.js';
import { parseModule } from './parse.js';
import { watBytes } from '../test-support/wat.js';

function analyze(text: string) {
  const bytes = watBytes(text);
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
    expect(calls.exports.get('add')).toBe(4);
    // call, call, i32.add, end + 2 × (i32.const, end)
    expect(calls.exports.get('twice')).toBe(8);
  });

  it.each([
    ['imports', '(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))) (func (export "g")))'],
    ['a memory', '(module (memory 1) (func (export "g")))'],
    ['a mutable global', '(module (global $g (mut i32) (i32.const 0)) (func (export "g")))'],
    ['table.set', '(module (table $t 1 funcref) (func $f) (func (export "set") (table.set $t (i32.const 0) (ref.func $f))) (func (export "g")) (elem declare func $f))'],
  ])('a module with %s is not state-free, and its exports that change nothing still run inline', (_what, text) => {
    const calls = analyze(text);
    expect(calls.stateFree).toBe(false);
    expect([...calls.exports.keys()]).toEqual(['g']);
  });

  it.each([
    ['a start function', '(module (func $s) (start $s) (func (export "g")))', /start function/],
    ['an imported memory', '(module (import "env" "memory" (memory 1)) (func (export "g")))', /imports a memory/],
    ['an import the engine does not link', '(module (import "env" "f" (func)) (func (export "g")))', /imports env\.f, which the engine does not provide/],
    ['an unknown WASI import', '(module (import "wasi_snapshot_preview1" "fd_frobnicate" (func)) (func (export "g")))', /fd_frobnicate/],
    ['a table too large', '(module (table 100000 funcref) (func (export "g")))', /table too large/],
    ['a looping _initialize', '(module (memory 1) (func (export "_initialize") (loop $l (br $l))) (func (export "g")))', /_initialize/],
    ['an _initialize that calls an import', '(module (import "wasi_snapshot_preview1" "sched_yield" (func $f (result i32))) (func (export "_initialize") (drop (call $f))) (func (export "g")))', /_initialize/],
  ])('a module with %s runs nothing inline: its instance cannot be made on the calling thread', (_what, text, reason) => {
    const calls = analyze(text);
    expect(calls.reason).toMatch(reason);
    expect(calls.exports.size).toBe(0);
  });

  it('code it cannot read makes the module neither state-free nor inline, instead of throwing', () => {
    const bytes = watBytes('(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))');
    const parsed = parseModule(bytes);
    bytes[bytes.lastIndexOf(0x6a)] = 0xfb; // i32.add → a GC prefix with a nonsense sub-opcode
    const calls = analyzeInlineCalls(bytes, parsed);
    expect(calls.stateFree).toBe(false);
    expect(calls.exports.size).toBe(0);
    expect(calls.reason).toMatch(/could not be scanned/);
  });
});

describe('exports that change nothing', () => {
  it('a module with memory, a stack pointer and imports (a compiled library) runs its pure exports inline', () => {
    const calls = analyze(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory 2)
      (global $sp (mut i32) (i32.const 65536))
      (data (i32.const 16) "table")
      (func (export "_initialize") (global.set $sp (i32.const 65536)) (i32.store (i32.const 0) (i32.const 1)))
      (func $read (param i32) (result i32) (i32.load8_u offset=16 (local.get 0)))
      (func (export "read") (param i32) (result i32) (call $read (local.get 0)))
      (func (export "size") (result i32) memory.size)
      (func (export "print") (result i32) (call $fd_write (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))`);
    expect(calls.stateFree).toBe(false);
    expect(calls.reason).toBeUndefined();
    expect([...calls.exports.keys()].sort()).toEqual(['read', 'size']);
  });

  it.each([
    ['global.set', '(global.set $g (i32.const 1))'],
    ['i32.store', '(i32.store (i32.const 0) (i32.const 1))'],
    ['i64.store8', '(i64.store8 (i32.const 0) (i64.const 1))'],
    ['v128.store', '(v128.store (i32.const 0) (v128.const i32x4 0 0 0 0))'],
    ['v128.store8_lane', '(v128.store8_lane 0 (i32.const 0) (v128.const i32x4 0 0 0 0))'],
    ['memory.grow', '(drop (memory.grow (i32.const 1)))'],
    ['memory.fill', '(memory.fill (i32.const 0) (i32.const 0) (i32.const 1))'],
    ['memory.copy', '(memory.copy (i32.const 0) (i32.const 1) (i32.const 1))'],
    ['memory.init', '(memory.init $d (i32.const 0) (i32.const 0) (i32.const 1))'],
    ['data.drop', '(data.drop $d)'],
    ['table.set', '(table.set $t (i32.const 0) (ref.null func))'],
    ['table.grow', '(drop (table.grow $t (ref.null func) (i32.const 1)))'],
  ])('an export that reaches %s, directly or through a call, does not run inline', (_what, write) => {
    const calls = analyze(`(module
      (memory 1) (global $g (mut i32) (i32.const 0)) (table $t 1 funcref) (data $d "x")
      (func $writes ${write})
      (func (export "direct") ${write})
      (func (export "through") call $writes)
      (func (export "pure") (result i32) (i32.load (i32.const 0))))`);
    expect([...calls.exports.keys()]).toEqual(['pure']);
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
    expect([...calls.exports.keys()]).toEqual(['leaf']);
  });

  it(`a call chain ${INLINE_MAX_DEPTH} deep is bounded, one deeper is not`, () => {
    expect(analyze(chain(INLINE_MAX_DEPTH)).exports.has('top')).toBe(true);
    expect(analyze(chain(INLINE_MAX_DEPTH + 1)).exports.has('top')).toBe(false);
  });

  it(`a call tree over ${INLINE_MAX_STEPS} instructions is unbounded, and measuring it stays cheap`, () => {
    // f_i calls f_{i+1} twice: 2^20 leaf calls, far past the limit, in 21 functions.
    const n = 21;
    const funcs = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `(func $f${i} (result i32) i32.const 1)` : `(func $f${i} (result i32) call $f${i + 1} call $f${i + 1} i32.add)`,
    );
    const calls = analyze(`(module ${funcs.join('\n')} (export "top" (func $f0)) (export "small" (func $f${n - 4})))`);
    expect(calls.exports.has('top')).toBe(false);
    // f17 → 2 × f18 → 4 × f19 → 8 × f20: 4 + 2·(4 + 2·(4 + 2·2)) = 44
    expect(calls.exports.get('small')).toBe(44);
  });
});

describe('large modules', () => {
  it('a call chain of 20 000 functions is measured without exhausting the stack', () => {
    const calls = analyze(chain(20_000));
    expect(calls.stateFree).toBe(true);
    expect(calls.exports.has('top')).toBe(false);
  });
});
