import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'tensor-wasm.js');
const fixture = (name: string) => join(root, 'fixtures', 'wasm', `${name}.wasm`);
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, TENSOR_WASM_FROM_SOURCE: '1', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
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

    const [remote, local] = await Promise.all([
      cli(['invoke', id, 'say', '--args', '[2]'], env),
      cli(['run', fixture('reactor'), '--invoke', 'say', '--args', '[2]']),
    ]);
    expect(remote).toEqual(local);
    expect(remote.stdout).toBe('line 0\nline 1\n[2]\n');
  }, 60_000);

  it('prints errors and exits like run --invoke, and resolves names', async () => {
    await cli(['deploy', fixture('add'), '--name', 'add', '--server', server.url, '--token', token]);
    const [remote, local] = await Promise.all([
      cli(['invoke', 'add', 'add', '--args', '[2147483648, 1]'], env),
      cli(['run', fixture('add'), '--invoke', 'add', '--args', '[2147483648, 1]']),
    ]);
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
    const refused = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir], { TENSOR_WASM_TOKEN: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^unauthorized: listening on 0\.0\.0\.0/);
  }, 30_000);
});
