import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './run-in-process.test-util.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'tensor-wasm.js');
const fixture = (name: string) => join(root, 'fixtures', 'wasm', name);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, TENSOR_WASM_FROM_SOURCE: '1', TENSOR_WASM_LOG: 'warn' }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const inProcess = runCliInProcess;

async function sequential<T extends (() => Promise<Outcome>)[]>(runs: [...T]): Promise<{ [K in keyof T]: Outcome }> {
  const outcomes: Outcome[] = [];
  for (const run of runs) outcomes.push(await run());
  return outcomes as { [K in keyof T]: Outcome };
}

describe('the tensor-wasm binary (spawned)', () => {
  it('prints results, errors as one line with exit 2, and _start exit codes with the guest output echoed', async () => {
    const [add, bad, hello] = await sequential([
      () => cli('run', fixture('add.wasm'), '--invoke', 'add', '--args', '[1, 2]'),
      () => cli('run', fixture('add.wasm'), '--invoke', 'add', '--args', '["5", 1]'),
      () => cli('run', fixture('hello.wasm'), '--', '7'),
    ]);
    expect(add).toEqual({ code: 0, stdout: '[3]\n', stderr: '' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^invalid_args: argument 0 is a string[^\n]*\n$/);
    expect(hello).toEqual({ code: 7, stdout: 'hello from wasi\narg 1: 7\n', stderr: 'a line on stderr\n' });
  });
});

describe('tensor-wasm CLI (in process)', () => {
  it('run --invoke prints the results as one JSON line, `ok` for none; --export is an alias', async () => {
    const [a, b, c] = await sequential([
      () => inProcess('run', fixture('add.wasm'), '--invoke', 'add', '--args', '[1, 2]'),
      () => inProcess('run', fixture('add.wasm'), '--export', 'nothing'),
      () => inProcess('run', fixture('numbers.wasm'), '--invoke', 'id64', '--args', '[9223372036854775807]'),
    ]);
    expect(a).toEqual({ code: 0, stdout: '[3]\n', stderr: '' });
    expect(b).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    expect(c.stdout).toBe('[9223372036854775807]\n');
  });

  it('errors are one stderr line starting with the code; exit 2 for the caller\'s mistakes, 1 otherwise', async () => {
    const [badArgs, mismatch, unknown, trap, deadline, badModule] = await sequential([
      () => inProcess('run', fixture('add.wasm'), '--invoke', 'add', '--args', '["5", 1]'),
      () => inProcess('run', fixture('guide_lib.wasm'), '--invoke', 'add', '--args', '[1.5, 2.5]'),
      () => inProcess('run', fixture('add.wasm'), '--invoke', 'sub'),
      () => inProcess('run', fixture('traps.wasm'), '--invoke', 'outer', '--args', '[1]'),
      () => inProcess('run', fixture('loop.wasm'), '--invoke', 'spin', '--deadline', '500ms'),
      () => inProcess('run', join(root, 'package.json'), '--invoke', 'add'),
    ]);
    expect(badArgs.code).toBe(2);
    expect(badArgs.stderr).toMatch(/^invalid_args: argument 0 is a string[^\n]*\n$/);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/^type_mismatch: argument 0 of add: expected f32, given f64/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown_export: .*callable exports: add, nothing, forty_two/);
    expect(trap.code).toBe(1);
    expect(trap.stderr).toMatch(/^trap: unreachable in inner .*stack: inner .* < middle .* < outer/);
    expect(deadline.code).toBe(1);
    expect(deadline.stderr).toMatch(/^deadline_exceeded: /);
    expect(badModule.code).toBe(2);
    expect(badModule.stderr).toMatch(/^invalid_module: .*byte offset 0/);
    for (const o of [badArgs, mismatch, unknown, deadline, badModule]) expect(o.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs _start, echoes the guest\'s output and exits with its exit code; --env and --dir reach the guest', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tw-cli-')));
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'f.txt'), 'file text\n');
    const [hello, env, cat, escape] = await sequential([
      () => inProcess('run', fixture('hello.wasm'), '--', '7'),
      () => inProcess('run', fixture('env.wasm'), '--env', 'A=1', '--env', 'B=two'),
      () => inProcess('run', fixture('cat.wasm'), '--dir', `${join(dir, 'in')}::/in`, '--', '/in/f.txt'),
      () => inProcess('run', fixture('cat.wasm'), '--dir', `${join(dir, 'in')}::/in`, '--', '/in/../in/../f.txt'),
    ]);
    expect(hello).toEqual({ code: 7, stdout: 'hello from wasi\narg 1: 7\n', stderr: 'a line on stderr\n' });
    expect(env.stdout).toBe('A=1\nB=two\ncount=2\n');
    expect(cat).toMatchObject({ code: 0, stdout: 'file text\n' });
    expect(escape.code).toBe(1);
  });

  it('--json prints one object with exact results, output, duration and events; --events streams JSON lines', async () => {
    const [json, events] = await sequential([
      () => inProcess('run', fixture('numbers.wasm'), '--invoke', 'id64', '--args', '[-9223372036854775808]', '--json'),
      () => inProcess('run', fixture('hello.wasm'), '--events'),
    ]);
    expect(json.code).toBe(0);
    expect(json.stdout).toMatch(/^\{"results":\[-9223372036854775808\],"stdout":"","stderr":"","durationMs":[0-9.]+,/);
    const parsed = JSON.parse(json.stdout) as { events: { type: string }[]; durationMs: number };
    expect(parsed.events.map((e) => e.type)).toEqual(['started', 'finished']);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    const lines = events.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; runId: string });
    expect(lines[0]!.type).toBe('started');
    expect(lines.at(-1)!.type).toBe('finished');
    expect(lines.some((l) => l.type === 'stdout')).toBe(true);
    expect(new Set(lines.map((l) => l.runId)).size).toBe(1);
  });

  it('inspect shows signatures, JSON callability, imports, memory and hash; --json is the description', async () => {
    const [text, json] = await sequential([() => inProcess('inspect', fixture('types.wasm')), () => inProcess('inspect', fixture('hello.wasm'), '--json')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/hash: +sha256:[0-9a-f]{64}/);
    expect(text.stdout).toContain('ok(i32, i64, f64) -> i32  [callable from JSON]  [runs inline: short, changes nothing, no worker]');
    expect(text.stdout).toMatch(/addf32\(f32, f32\) -> f32 {2}\[not callable from JSON: .*wrapper export/);
    expect(text.stdout).toContain('splat(v128) -> i32');
    const d = JSON.parse(json.stdout) as { kind: string; usesWasi: boolean; imports: unknown[]; memories: unknown[]; hash: string; exports: { name: string; runsInline?: boolean }[] };
    expect(d).toMatchObject({ kind: 'command', usesWasi: true });
    expect(d.exports.find((e) => e.name === '_start')?.runsInline).toBeUndefined(); // it loops, writes and prints
    expect(d.imports.length).toBeGreaterThan(0);
    expect(d.memories).toHaveLength(1);
  });

  it('usage errors exit 2 with one line; --help works on every command; bad units are explained', async () => {
    const [unknownOption, missing, help, runHelp, inspectHelp, devicesHelp, badDeadline, badSize] = await sequential([
      () => inProcess('run', fixture('add.wasm'), '--bogus'),
      () => inProcess('run'),
      () => inProcess('--help'),
      () => inProcess('run', '--help'),
      () => inProcess('inspect', '--help'),
      () => inProcess('devices', '--help'),
      () => inProcess('run', fixture('add.wasm'), '--invoke', 'add', '--deadline', '30'),
      () => inProcess('run', fixture('add.wasm'), '--invoke', 'add', '--max-memory', 'lots'),
    ]);
    expect(unknownOption).toMatchObject({ code: 2, stderr: "invalid_args: unknown option '--bogus'\n" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^invalid_args: missing required argument/);
    for (const h of [help, runHelp, inspectHelp, devicesHelp]) {
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/^Usage: tensor-wasm/);
    }
    expect(runHelp.stdout).toContain('--max-memory <size>');
    expect(badDeadline).toMatchObject({ code: 2 });
    expect(badDeadline.stderr).toMatch(/^invalid_args: --deadline "30" is not a duration/);
    expect(badSize.stderr).toMatch(/^invalid_args: --max-memory "lots" is not a size/);
  });

  it('devices lists every device, unavailable ones with the reason; --json is DeviceInfo[]', async () => {
    const [text, json] = await sequential([() => inProcess('devices'), () => inProcess('devices', '--json')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^cpu +available/m);
    const devices = JSON.parse(json.stdout) as { id: string; available: boolean; reason?: string }[];
    expect(devices.find((d) => d.id === 'cpu')?.available).toBe(true);
    for (const d of devices.filter((x) => !x.available)) expect(d.reason).toBeTruthy();
  });

  it('--max-memory caps growth', async () => {
    const out = await inProcess('run', fixture('memory.wasm'), '--invoke', 'grow_until_full', '--max-memory', '1MiB');
    expect(out.stdout).toBe('[16]\n');
  });
});
