/**
 * Issue 15 defects 7 and 9 as a user meets them on the command line: closed pipes, deadlines
 * past Node's timers, names with control characters, a trap under --json, imports no one provides.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watBytes } from '../runtime/test-support/wat.js';
import { runCliInProcess as cli } from './run-in-process.test-util.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'tensor-wasm.js');
const fixture = (name: string) => join(root, 'fixtures', 'wasm', name);
const dir = mkdtempSync(join(tmpdir(), 'tw-cli-hard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function module(name: string, wat: string): string {
  const path = join(dir, name);
  writeFileSync(path, watBytes(wat));
  return path;
}

/** A WASI command that prints a line, then traps. */
const printThenTrap = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "printed first\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 14))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    unreachable))`;

describe('tensor-wasm run --json when the guest fails after printing', () => {
  it('prints one JSON object with the error, the output so far and the events; the error line and exit code as usual', async () => {
    const r = await cli('run', module('print-trap.wasm', printThenTrap), '--json');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { error: { code: string; message: string }; stdout: string; stderr: string; events: { type: string }[] };
    expect(out.error.code).toBe('trap');
    expect(out.error.message).toMatch(/unreachable/);
    expect(out.stdout).toBe('printed first\n');
    expect(out.stderr).toBe('');
    const types = out.events.map((e) => e.type);
    expect(types[0]).toBe('started');
    expect(types).toContain('stdout');
    expect(types.at(-1)).toBe('failed');
    expect(r.stderr).toMatch(/^trap: unreachable/);
  });

  it('an error before the guest runs is one JSON object too', async () => {
    const r = await cli('run', join(dir, 'nowhere.wasm'), '--invoke', 'f', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'not_found' }, stdout: '', stderr: '' });
  });
});

describe('deadlines past what Node timers hold', () => {
  it('--deadline 2147484s is refused with invalid_args (exit 2) and one line; the longest one that fits runs', async () => {
    const add = fixture('add.wasm');
    const over = await cli('run', add, '--invoke', 'add', '--args', '[1, 2]', '--deadline', '2147484s');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/^invalid_args: --deadline "2147484s" is longer than the longest supported, 2147483647ms[^\n]*\n$/);
    expect(over.stdout).toBe('');
    const fits = await cli('run', add, '--invoke', 'add', '--args', '[1, 2]', '--deadline', '2147483647ms');
    expect(fits).toEqual({ code: 0, stdout: '[3]\n', stderr: '' });
  });
});

describe('inspect with names holding control characters', () => {
  it('escapes newlines, ESC (ANSI) and bidi overrides in export and import names, one line each', async () => {
    const path = module(
      'names.wasm',
      '(module (import "env\\1b[2J" "mem\\0aory" (memory 1)) (func (export "a\\0aFAKE: b\\1b[31mred\\e2\\80\\ae") (result i32) (i32.const 1)))',
    );
    const r = await cli('inspect', path);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(r.stdout).not.toMatch(/^FAKE/m);
    expect(r.stdout).toContain('a\\nFAKE: b\\x1b[31mred\\u202e() -> i32');
    expect(r.stdout).toContain('env\\x1b[2J mem\\nory: memory');
  });
});

describe('imports no one provides (defect 7)', () => {
  it('run --invoke is invalid_module with exit 2, naming every missing import', async () => {
    const path = module('unlinked.wasm', '(module (import "env" "x" (func)) (import "other" "y" (global i32)) (func (export "g") (result i32) (i32.const 1)))');
    const r = await cli('run', path, '--invoke', 'g');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^invalid_module: cannot link "unlinked.wasm": no one provides 2 of its imports [^\n]*\n$/);
    expect(r.stderr).toContain('"env" "x" (func)');
    expect(r.stderr).toContain('"other" "y" (global)');
  });
});

describe('output into a closed pipe', () => {
  /** Runs the binary with its stdout read by no one: the pipe is closed before the first write. */
  function closedStdout(...args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, TENSOR_WASM_FROM_SOURCE: '1', TENSOR_WASM_LOG: 'warn' } });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('exits quietly (no stack trace, exit 0) for inspect and for a guest echoing output', async () => {
    const inspect = await closedStdout('inspect', fixture('add.wasm'));
    expect(inspect).toEqual({ code: 0, stderr: '' });
    const hello = await closedStdout('run', fixture('hello.wasm'));
    expect(hello.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});

describe('errors never echo more than ~200 characters of input', () => {
  it('a huge export name, option value, unknown option or path is cut in the error line', async () => {
    const huge = 'z'.repeat(100_000);
    const add = fixture('add.wasm');
    const cases = [
      ['run', add, '--invoke', huge],
      ['run', add, '--invoke', 'add', '--args', `[${'9'.repeat(100_000)}]`],
      ['run', add, '--invoke', 'add', '--device', huge],
      ['run', add, '--invoke', 'add', '--deadline', huge],
      ['run', add, `--${huge}`],
      ['run', join(dir, huge.slice(0, 200), huge.slice(0, 200))],
      ['run', add, '--invoke', 'add', '--dir', `${huge}::/x`],
    ];
    for (const args of cases) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr.length).toBeLessThan(500);
    }
  });
});
