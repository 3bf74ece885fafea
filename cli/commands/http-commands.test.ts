import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printError } from '../output.js';
import { register as registerDeploy } from './deploy.js';
import { register as registerFunctions } from './functions.js';
import { register as registerInvoke } from './invoke.js';
import { register as registerRun } from './run.js';
import { register as registerServe } from './serve.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'tensor-wasm.js');
const fixture = (name: string) => join(root, 'fixtures', 'wasm', `${name}.wasm`);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs CLI commands in this process (spawning one `node` + tsx per command is slow on a busy
 * machine), the way cli/main.ts does: same commands, errors through `printError`, same exit codes.
 * stdout/stderr writes are captured, so calls must not overlap.
 */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const program = new Command('tensor-wasm').exitOverride().configureOutput({ outputError: () => undefined });
  for (const register of [registerRun, registerServe, registerDeploy, registerFunctions, registerInvoke]) register(program);
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const savedEnv = { ...process.env };
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  delete process.env.TENSOR_WASM_SERVER;
  delete process.env.TENSOR_WASM_TOKEN;
  Object.assign(process.env, env);
  let code: number;
  try {
    process.exitCode = 0;
    await program.parseAsync(['node', 'tensor-wasm', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    code = printError(error);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.env = savedEnv;
    process.exitCode = 0;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Starts `tensor-wasm serve --port 0` and waits for its `listening on <url>` line. */
async function serve(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, TENSOR_WASM_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

describe('tensor-wasm serve / deploy / functions / invoke', () => {
  let dataDir: string;
  let server: { child: ChildProcess; url: string };
  const token = 'cli-test-token';
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tw-cli-serve-'));
    server = await serve(['--data-dir', dataDir, '--token', token]);
    env = { TENSOR_WASM_SERVER: server.url, TENSOR_WASM_TOKEN: token };
  }, 60_000);
  afterAll(async () => {
    if (server) expect(await stop(server.child)).toBe(0);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('deploys (prints the id), lists, and invokes like run --invoke', async () => {
    const deployed = await cli(['deploy', fixture('reactor'), '--name', 'reactor'], env);
    expect(deployed).toMatchObject({ code: 0, stderr: '' });
    const id = deployed.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    const listed = await cli(['functions'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${id}  reactor  `);
    expect(listed.stdout).toContain('say(i32)->i32');

    const remote = await cli(['invoke', id, 'say', '--args', '[2]'], env);
    const local = await cli(['run', fixture('reactor'), '--invoke', 'say', '--args', '[2]']);
    expect(remote).toEqual(local);
    expect(remote.stdout).toBe('line 0\nline 1\n[2]\n');
  }, 60_000);

  it('prints errors and exits like run --invoke, and resolves names', async () => {
    await cli(['deploy', fixture('add'), '--name', 'add', '--server', server.url, '--token', token]);
    const remote = await cli(['invoke', 'add', 'add', '--args', '[2147483648, 1]'], env);
    const local = await cli(['run', fixture('add'), '--invoke', 'add', '--args', '[2147483648, 1]']);
    expect(remote.code).toBe(2);
    expect(remote).toEqual(local);
    const json = await cli(['invoke', 'add', 'add', '--args', '[40, 2]', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ results: [42], stdout: '', launches: 0 });
  }, 60_000);

  it('needs the token', async () => {
    const denied = await cli(['functions', '--server', server.url]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^unauthorized: /);
  }, 30_000);

  it('refuses to listen beyond loopback without a token', async () => {
    const refused = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^unauthorized: listening on 0\.0\.0\.0/);
  }, 30_000);
});
