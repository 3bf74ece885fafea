/**
 * bin/tensor-wasm.js never runs a stale dist/ (issue 15 defect 9), and runs the bundle of the command
 * named (issue 18): a copy of the launcher in a scratch tree whose dist/, bundle and sources say which
 * one ran.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A tree with the launcher, a dist/ entry printing DIST and a source entry printing SOURCE. */
function tree(withTsx: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'tw-bin-'));
  scratch.push(root);
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  mkdirSync(join(root, 'cli'));
  mkdirSync(join(root, 'runtime'));
  copyFileSync(join(repo, 'bin', 'tensor-wasm.js'), join(root, 'bin', 'tensor-wasm.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  writeFileSync(join(root, 'cli', 'main.ts'), "const where: string = 'SOURCE';\nconsole.log(where);\n");
  writeFileSync(join(root, 'runtime', 'engine.ts'), 'export {};\n');
  writeFileSync(join(root, 'dist', 'cli', 'main.js'), "console.log('DIST');\n");
  if (withTsx) symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  // The build is newer than every source to begin with.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['cli/main.ts', 'runtime/engine.ts']) utimesSync(join(root, f), past, past);
  return root;
}

function touch(path: string): void {
  const now = new Date(Date.now() + 1000);
  utimesSync(path, now, now);
}

/** The tree with a bundle as scripts/bundle-cli.mjs leaves it: main's and run's, and the list of sources it watches. */
function withBundle(root: string): string {
  for (const name of ['main', 'run']) {
    mkdirSync(join(root, 'dist', 'cli-bundle', name), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli-bundle', name, `${name}.js`), `console.log('BUNDLE-${name.toUpperCase()}');\n`);
  }
  writeFileSync(join(root, 'dist', 'cli-bundle', 'sources.json'), JSON.stringify(['cli/main.ts', 'runtime/engine.ts']));
  return root;
}

function launch(root: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.TENSOR_WASM_FROM_SOURCE;
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'tensor-wasm.js'), ...args], { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('bin/tensor-wasm.js', () => {
  it('runs dist/ when it is newer than every source, and the sources once one changed after the build', async () => {
    const root = tree(true);
    expect((await launch(root)).stdout).toBe('DIST\n');
    touch(join(root, 'runtime', 'engine.ts'));
    const after = await launch(root);
    expect(after.stdout).toBe('SOURCE\n');
  });

  it('runs the bundle of the command named (main\'s for any other line) while no listed source is newer than the bundle nor than dist/', async () => {
    const root = withBundle(tree(true));
    expect((await launch(root, 'run', 'x.wasm')).stdout).toBe('BUNDLE-RUN\n');
    expect((await launch(root, '--events', 'run')).stdout).toBe('BUNDLE-RUN\n');
    expect((await launch(root, '--version')).stdout).toBe('BUNDLE-MAIN\n');
    expect((await launch(root, 'inspect', 'x.wasm')).stdout).toBe('BUNDLE-MAIN\n'); // no inspect bundle in this tree
    expect((await launch(root, '../run')).stdout).toBe('BUNDLE-MAIN\n');
    expect((await launch(root)).stdout).toBe('BUNDLE-MAIN\n');
    touch(join(root, 'runtime', 'engine.ts'));
    expect((await launch(root, 'run')).stdout).toBe('SOURCE\n');
  });

  it('takes the older of the bundle and tsc\'s dist/ as the build: a source newer than dist/cli/main.js runs from source', async () => {
    const root = withBundle(tree(true));
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, 'dist', 'cli', 'main.js'), longAgo, longAgo); // the bundle was rebuilt, tsc's dist/ was not
    expect((await launch(root, 'run')).stdout).toBe('SOURCE\n');
  });

  it('refuses a stale bundle with the command that rebuilds it when the sources cannot be run', async () => {
    const root = withBundle(tree(false));
    touch(join(root, 'runtime', 'engine.ts'));
    const r = await launch(root, 'run');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/runtime\/engine\.ts is newer than dist\/.*npm run build/);
  });

  it('refuses a stale dist/ with the command that rebuilds it when the sources cannot be run', async () => {
    const root = tree(false);
    touch(join(root, 'cli', 'main.ts'));
    const r = await launch(root);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cli\/main\.ts is newer than dist\/.*npm run build/);
  });
});
