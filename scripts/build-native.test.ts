/**
 * `npm ci` on a machine without a compiler says why the CUDA addon was not built: the reason in
 * native/build/BUILD_FAILED.txt (what `tensor-wasm devices` and the stub tests report) names the
 * missing tool, not make's "Error 127". Runs scripts/build-native.mjs on a copy of native/ in a
 * temporary folder (TENSOR_WASM_NATIVE_DIR), so the real build is left alone; the install never
 * fails (exit 0) whatever is missing.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const base = mkdtempSync(join(tmpdir(), 'tw-native-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A copy of native/ (no build), with the project's node_modules above it for node-addon-api. */
function nativeCopy(name: string): string {
  const dir = join(base, name, 'native');
  mkdirSync(dir, { recursive: true });
  for (const entry of ['binding.gyp', 'src']) cpSync(join(root, 'native', entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(base, name, 'node_modules'));
  return dir;
}

function which(program: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A PATH holding only node, make and python3: a machine with no C/C++ compiler. */
function pathWithoutCompiler(): string {
  const bin = join(base, 'bin-no-compiler');
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    for (const tool of ['make', 'python3']) {
      const at = which(tool);
      if (at) symlinkSync(at, join(bin, tool));
    }
  }
  return bin;
}

function build(nativeDir: string, env: Record<string, string | undefined>) {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, TENSOR_WASM_NATIVE_DIR: nativeDir, TENSOR_WASM_SKIP_NATIVE: undefined, CXX: undefined, CC: undefined, ...env })) if (v !== undefined) childEnv[k] = v;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { env: childEnv, encoding: 'utf8', timeout: 120_000 });
  const failedFile = join(nativeDir, 'build', 'BUILD_FAILED.txt');
  return { status: r.status, output: `${r.stdout}${r.stderr}`, reason: existsSync(failedFile) ? readFileSync(failedFile, 'utf8').trim() : undefined };
}

describe('build-native.mjs without a working compiler', () => {
  it('no compiler on PATH: the reason says so (not make\'s "Error 127"), and the install goes on', () => {
    const r = build(nativeCopy('no-compiler'), { PATH: pathWithoutCompiler() });
    expect(r.status).toBe(0);
    expect(r.reason).toMatch(/no C\+\+ compiler was found/);
    expect(r.reason).not.toMatch(/Error 127|\*\*\*/);
    expect(r.output).toContain(r.reason!);
  });

  it('CXX naming a compiler that is not there: the reason names CXX', () => {
    const r = build(nativeCopy('bad-cxx'), { CXX: join(base, 'nowhere', 'g++') });
    expect(r.status).toBe(0);
    expect(r.reason).toMatch(/^CXX is set to '.*nowhere\/g\+\+', which cannot be run$/);
  });

  it('a compiler that fails: the reason is its error line, not make\'s summary', () => {
    const fake = join(base, 'fake-cxx');
    writeFileSync(fake, "#!/bin/sh\necho \"src/addon.cc:3:5: error: 'cuInit' was not declared in this scope\" >&2\nexit 1\n");
    chmodSync(fake, 0o755);
    const r = build(nativeCopy('failing-cxx'), { CXX: fake, CC: fake });
    expect(r.status).toBe(0);
    expect(r.reason).toContain("error: 'cuInit' was not declared in this scope");
    expect(r.reason).not.toMatch(/Error 1$/);
  });
});
