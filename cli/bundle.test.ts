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
  // at exit, the built-ins the process loaded (process.moduleLoadList: every Node module it compiled)
  writeFileSync(join(scratch, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(scratch, 'hooks.mjs')).href)});\nprocess.on('exit', () => process._rawDebug('BUILTINS ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(',')));\n`);
}, 120_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs `command`'s bundle as the launcher would (cli/main.ts runs when it is started as tensor-wasm.js). */
function bundled(command: string, args: string[], hook = false): Promise<{ stdout: string; modules: string[]; builtins: string[] }> {
  const launcher = join(scratch, `${command}-tensor-wasm`, 'tensor-wasm.js');
  execFileSync('mkdir', ['-p', join(scratch, `${command}-tensor-wasm`)]);
  writeFileSync(launcher, `await import(${JSON.stringify(pathToFileURL(join(out, command, `${command}.js`)).href)});\n`);
  const flags = hook ? ['--import', pathToFileURL(join(scratch, 'register.mjs')).href] : [];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...flags, launcher, ...args], { cwd: root, env: { ...process.env, TENSOR_WASM_LOG: 'warn' }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr.slice(0, 2000)}`));
      const lines = stderr.split('\n');
      const builtins = lines.find((l) => l.startsWith('BUILTINS '))?.slice('BUILTINS '.length).split(',') ?? [];
      resolve({ stdout, modules: lines.filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length)), builtins });
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

  it('starts inspect of a small module without the built-ins it does not use (start-up: docs/CLI.md)', async () => {
    const r = await bundled('inspect', ['inspect', add], true);
    expect(r.stdout).toMatch(/^module: .*\nhash: {3}sha256:[0-9a-f]{64}\n/);
    expect(r.builtins).toContain('fs'); // the list is read at all
    // node:crypto (the hash of a module under 64 KiB is JavaScript's), commander's child_process (it
    // spawns nothing here), fs's streams (an ES module facade of node:fs reads fs.ReadStream) and
    // WebCrypto (crypto's facade)
    for (const unused of ['crypto', 'child_process', 'internal/fs/streams', 'internal/crypto/webcrypto']) expect(r.builtins, unused).not.toContain(unused);
  }, 60_000);
});
