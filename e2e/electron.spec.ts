/**
 * The Electron app through Playwright's Electron launcher. Where the Electron binary is absent
 * (it cannot be downloaded in this environment) the suite is reported as skipped, with the reason
 * in its name; nothing here pretends to have run. The hardening it would check live is also
 * checked under plain Node in main/hardening.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRendererIfStale } from './helpers/build-renderer.js';
import { findElectron } from './helpers/electron-binary.js';

const root = join(import.meta.dirname, '..');
const electron = findElectron();
const skipReason = 'reason' in electron ? electron.reason : undefined;

describe.skipIf(skipReason !== undefined)(`Electron app${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;
  let userData: string;

  beforeAll(async () => {
    await buildRendererIfStale();
    spawnSync('npx', ['vite', 'build', '--mode', 'preload', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    spawnSync('npx', ['tsc', '-p', 'tsconfig.node.json'], { cwd: root, stdio: 'inherit' });
    userData = mkdtempSync(join(tmpdir(), 'tw-electron-'));
    app = await _electron.launch({
      executablePath: (electron as { bin: string }).bin,
      args: [join(root, 'dist', 'main', 'main.js'), `--user-data-dir=${userData}`],
      cwd: root,
    });
    page = await app.firstWindow();
    await page.waitForSelector('[data-testid=screen-module]');
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('exposes only the typed bridge: no Node in the page', async () => {
    const shape = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.entries((globalThis as unknown as { tensorWasm: Record<string, unknown> }).tensorWasm).map(([k, v]) => [k, typeof v]),
    }));
    expect(shape.require).toBe('undefined');
    expect(shape.process).toBe('undefined');
    expect(shape.bridge.every(([, t]) => t === 'function')).toBe(true);
    expect(shape.bridge.map(([k]) => k)).toContain('invoke');
  });

  it('blocks navigation away and new windows', async () => {
    const before = page.url();
    await page.evaluate('window.location.href = "https://example.com/"');
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    expect(await page.evaluate('window.open("https://example.com/") === null')).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });

  it('opens an example and invokes it through IPC', async () => {
    await page.click('[data-testid=example-wasi-hello]');
    await page.click('[data-testid=invoke]');
    await page.waitForSelector('[data-testid=result-value]');
    expect(await page.textContent('[data-testid=console]')).toContain('hello from wasi');
    expect(await page.textContent('[data-testid=target]')).toContain('Electron');
  });
});
