/**
 * .ci/check-skips.mjs, the CI gate on skipped tests: with CI=true a test skipped for any reason but
 * "no GPU" or "no Electron binary" fails the run (no silent loss of the stub-driver or browser
 * suites), and so does a test file that ran nothing; without CI it only warns. Its closing line is
 * the plain `label: N passed, N failed, N skipped`. Driven with vitest JSON reports written here,
 * shaped as vitest writes them (the names of the real skips in this repository).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tw-skips-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Status = 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
let n = 0;
function report(files: Record<string, [Status, string][]>): string {
  const file = join(dir, `r${n++}.json`);
  const testResults = Object.entries(files).map(([name, tests]) => ({
    name: join(root, name),
    status: tests.some(([s]) => s === 'failed') ? 'failed' : 'passed',
    assertionResults: tests.map(([status, fullName]) => ({ status, fullName, title: fullName, ancestorTitles: [] })),
  }));
  writeFileSync(file, JSON.stringify({ numTotalTests: 0, testResults }));
  return file;
}

function check(ci: boolean, ...args: string[]) {
  const env = { ...process.env, CI: ci ? 'true' : '' };
  const r = spawnSync(process.execPath, [join(root, '.ci', 'check-skips.mjs'), ...args], { env, encoding: 'utf8', cwd: root });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

const GPU_SKIP: [Status, string] = ['skipped', 'CUDA device on a GPU skipped: no CUDA device (the NVIDIA driver is not installed: libcuda.so.1 could not be loaded)'];
const ELECTRON_SKIP: [Status, string] = ['skipped', 'Electron app (skipped: the Electron binary was not downloaded (node_modules/electron has no path.txt)) opens an example'];

describe('CI skip gate', () => {
  it('passes with only the accepted skips, and prints the plain closing line', () => {
    const r = check(true, '--label', 'node20', report({ 'a.test.ts': [['passed', 'a works'], GPU_SKIP], 'e2e/electron.spec.ts': [ELECTRON_SKIP] }));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('node20: 1 passed, 0 failed, 2 skipped');
  });

  it.each([
    ['the stub-driver suite without gcc', ['skipped', 'CUDA discovery discovers 0, 1 and 2 devices'] as [Status, string]],
    ['the browser suite without Chromium', ['skipped', 'workbench in the browser shows examples on first start'] as [Status, string]],
    ['a todo', ['todo', 'something to write later'] as [Status, string]],
    ['an it.skip left behind', ['pending', 'flaky thing'] as [Status, string]],
  ])('in CI, fails on %s', (_label, skip) => {
    const file = report({ 'b.test.ts': [['passed', 'ok'], skip, GPU_SKIP] });
    const r = check(true, '--label', 'unit', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(skip[1]);
    expect(r.stderr).not.toContain('no CUDA device');
    expect(r.stdout).toBe('unit: 1 passed, 1 failed, 2 skipped');
    // Outside CI the same report only warns.
    const local = check(false, '--label', 'unit', file);
    expect(local.status).toBe(0);
    expect(local.stderr).toMatch(/^warning: 1 test/);
  });

  it('in CI, a test file that ran no test fails the run', () => {
    const r = check(true, report({ 'empty.test.ts': [] }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('empty.test.ts: ran no test');
  });

  it('failed tests fail it whatever CI says; --total adds reports up', () => {
    const a = report({ 'a.test.ts': [['passed', 'x'], ['failed', 'y']] });
    const b = report({ 'b.test.ts': [['passed', 'z'], GPU_SKIP] });
    expect(check(false, a).status).toBe(1);
    const t = check(true, '--total', a, b);
    expect(t.status).toBe(1);
    expect(t.stdout).toBe('total: 2 passed, 1 failed, 1 skipped');
  });
});
