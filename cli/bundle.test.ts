/**
 * The CLI's bundle (scripts/bundle-cli.mjs, issue 18 start-up) answers as the sources do, and a
 * `run` of a plain export loads its one bundle and the few chunks shared with its lazy parts: not
 * the devices, the offload rewriter or tracing. Built into a scratch folder of dist/ (removed after).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const name = `cli-bundle-test-${process.pid}`;
const out = join(root, 'dist', name);
const scratch = mkdtempSync(join(tmpdir(), 'tw-bundle-'));
const add = join(root, 'fixtures', 'wasm', 'add.wasm');

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs'), '--out', name], { cwd: root, stdio: 'pipe' });
  writeFileSync(join(scratch, 'hooks.mjs'), "export async function load(url, context, next) { process._rawDebug('LOADED ' + url); return next(url, context); }\n");
  writeFileSync(join(scratch, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(scratch, 'hooks.mjs')).href)});\n`);
}, 120_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs `command`'s bundle as the launcher would (cli/main.ts runs when it is started as tensor-wasm.js). */
function bundled(command: string, args: string[], hook = false): Promise<{ stdout: string; modules: string[] }> {
  const launcher = join(scratch, `${command}-tensor-wasm`, 'tensor-wasm.js');
  execFileSync('mkdir', ['-p', join(scratch, `${command}-tensor-wasm`)]);
  writeFileSync(launcher, `await import(${JSON.stringify(pathToFileURL(join(out, command, `${command}.js`)).href)});\n`);
  const flags = hook ? ['--import', pathToFileURL(join(scratch, 'register.mjs')).href] : [];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...flags, launcher, ...args], { cwd: root, env: { ...process.env, TENSOR_WASM_LOG: 'warn' }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr.slice(0, 2000)}`));
      resolve({ stdout, modules: stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length)) });
    });
  });
}

describe('the CLI bundle', () => {
  it('runs an export, inspects a module and prints the version as the sources do', async () => {
    expect((await bundled('run', ['run', add, '--invoke', 'add', '--args', '[1,2]'])).stdout).toBe('[3]\n');
    expect((await bundled('inspect', ['inspect', add])).stdout).toMatch(/^module: .*\nhash: {3}sha256:[0-9a-f]{64}\n/);
    expect((await bundled('main', ['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  }, 60_000);

  it('loads for run --invoke only its bundle and the chunks it shares with its lazy parts', async () => {
    const r = await bundled('run', ['run', add, '--invoke', 'add', '--args', '[1,2]'], true);
    expect(r.stdout).toBe('[3]\n');
    const files = r.modules.filter((m) => m.startsWith('file:') && !m.endsWith('/tensor-wasm.js'));
    expect(files.every((m) => m.includes(`/dist/${name}/run/`))).toBe(true); // no package, no tsc file
    expect(files.filter((m) => /lazy-(select|engine-variant|tracing|rewrite)/.test(m))).toEqual([]);
    expect(files.length).toBeLessThanOrEqual(8);
  }, 60_000);
});
