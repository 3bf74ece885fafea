import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleRef } from '../../contract/engine.js';
import type { RunEvent } from '../../contract/events.js';
import { createEngine, type Engine } from '../engine.js';
import { wasmFixture } from '../test-support/fixtures.js';

let engine: Engine;
const refs: Record<string, ModuleRef> = {};
const base = realpathSync(mkdtempSync(join(tmpdir(), 'tw-wasi-')));
const box = join(base, 'box');

beforeAll(async () => {
  engine = createEngine({ poolSize: 2 });
  for (const name of ['hello', 'env', 'cat', 'reactor', 'add', 'clock-random']) refs[name] = (await engine.load(wasmFixture(`${name}.wasm`))).ref;
  mkdirSync(join(box, 'sub'), { recursive: true });
  writeFileSync(join(box, 'a.txt'), 'inside the box\n');
  writeFileSync(join(base, 'secret.txt'), 'SECRET\n');
  symlinkSync(base, join(box, 'up'));
  symlinkSync(join(base, 'secret.txt'), join(box, 'secret-link'));
});
afterAll(() => engine.close());

describe('WASI guests', () => {
  it('captures stdout and stderr per invocation, streams them as events, and reports the exit code', async () => {
    const events: RunEvent[] = [];
    const r = await engine.run(refs.hello!, { args: ['3', 'x y'], onEvent: (e) => events.push(e) });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('hello from wasi\narg 1: 3\narg 2: x y\n');
    expect(r.stderr).toBe('a line on stderr\n');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('started');
    expect(types.at(-1)).toBe('finished');
    expect(types).toContain('stdout');
    expect(types).toContain('stderr');
    expect(events.filter((e) => e.type === 'stdout').map((e) => (e as { text: string }).text).join('')).toBe(r.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'finished', exitCode: 3 });
    expect(r.events).toEqual(events);
    const plain = await engine.run(refs.hello!);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toBe('hello from wasi\n');
  });

  it('gives the guest clocks and random bytes', async () => {
    const r = await engine.run(refs['clock-random']!);
    expect(r.exitCode).toBe(0);
    const m = /^seconds=(\d+) random=(yes|no)\n$/.exec(r.stdout);
    expect(Math.abs(Number(m?.[1]) - Date.now() / 1000)).toBeLessThan(60);
    expect(m?.[2]).toBe('yes');
  });

  it('gives the guest an empty environment unless one is given', async () => {
    expect((await engine.run(refs.env!)).stdout).toBe('count=0\n');
    expect((await engine.run(refs.env!, { env: { GREETING: 'hi', N: '2' } })).stdout).toBe('GREETING=hi\nN=2\ncount=2\n');
  });

  it('initialises a reactor once per instance and captures its output per call', async () => {
    expect((await engine.invoke(refs.reactor!, 'init_count', '[]')).resultsJson).toBe('[1]');
    expect((await engine.invoke(refs.reactor!, 'add_seed', '[2]')).resultsJson).toBe('[42]');
    const a = await engine.invoke(refs.reactor!, 'say', '[2]');
    expect(a.stdout).toBe('line 0\nline 1\n');
    const b = await engine.invoke(refs.reactor!, 'say', '[1]');
    expect(b.stdout).toBe('line 0\n');
  });

  it('run on a module without _start is unknown_export', async () => {
    await expect(engine.run(refs.add!)).rejects.toMatchObject({ code: 'unknown_export' });
  });

  it('reads files inside a preopen', async () => {
    const r = await engine.run(refs.cat!, { args: ['/data/a.txt'], preopens: { [box]: '/data' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('inside the box\n');
  });

  it('refuses reading outside the preopen: `..`, symlinked directories and files, absolute paths', async () => {
    for (const path of ['/data/../secret.txt', '/data/up/secret.txt', '/data/secret-link', '/data/sub/../../secret.txt', join(base, 'secret.txt')]) {
      const r = await engine.run(refs.cat!, { args: [path], preopens: { [box]: '/data' } });
      expect(r.exitCode, path).toBe(1);
      expect(r.stdout, path).toBe('');
      expect(r.stderr, path).toMatch(/cannot open/);
    }
  });

  it('has no filesystem at all without preopens', async () => {
    const r = await engine.run(refs.cat!, { args: [join(box, 'a.txt')] });
    expect(r.exitCode).toBe(1);
  });

  it('refuses a preopen host directory that does not exist', async () => {
    await expect(engine.run(refs.cat!, { args: ['/x/a'], preopens: { [join(base, 'nope')]: '/x' } })).rejects.toMatchObject({ code: 'invalid_args' });
  });
});
