/**
 * The workbench in browser mode, end to end: the real server (buildServer with uiDir, the real
 * engine) serving the vite-built renderer, driven in Debian Chromium through playwright-core.
 * Each test gets a fresh browser profile. Screenshots of every screen go to e2e/screenshots/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshContext, HAVE_CHROMIUM, launchChromium } from './helpers/chromium.js';
import { startWorkbenchServer, type RunningServer } from './helpers/server.js';

const root = join(import.meta.dirname, '..');
const shots = join(import.meta.dirname, 'screenshots');
let server: RunningServer;
let browser: Browser | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  [server, browser] = await Promise.all([startWorkbenchServer(), launchChromium()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

async function openPage(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  context = await freshContext(browser!, { colorScheme });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=screen-module]');
  expect(errors).toEqual([]);
  return page;
}

async function typeArgs(page: Page, text: string): Promise<void> {
  await page.click('[data-testid=args-editor] .monaco-editor .view-lines');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

async function uploadFixture(page: Page, rel: string): Promise<void> {
  await page.setInputFiles('[data-testid=file-input]', join(root, rel));
  await page.waitForSelector('[data-testid=screen-invoke]');
}

describe.skipIf(!HAVE_CHROMIUM)('workbench in the browser', () => {
  it('shows examples on first start; a WASI example runs in one click with its output', async () => {
    const page = await openPage();
    await expect(page.locator('[data-testid=target]').textContent()).resolves.toContain('this server');
    await page.waitForSelector('[data-testid=example-wasi-hello]');
    await page.screenshot({ path: join(shots, 'module-first-start.png') });
    await page.click('[data-testid=example-wasi-hello]');
    await page.waitForSelector('[data-testid=screen-invoke]');
    await page.fill('[data-testid=wasi-args]', '3 two');
    await page.click('[data-testid=invoke]');
    await page.waitForSelector('[data-testid=result-value]');
    expect(await page.textContent('[data-testid=result-value]')).toBe('exit code 3');
    const consoleText = await page.textContent('[data-testid=console]');
    expect(consoleText).toContain('hello from wasi');
    expect(consoleText).toContain('arg 2: two');
    expect(consoleText).toContain('a line on stderr');
    await page.click('[data-testid=nav-module]');
    await page.waitForSelector('[data-testid=module-details]');
    expect(await page.textContent('[data-testid=module-details]')).toContain('WASI');
    await page.screenshot({ path: join(shots, 'module-details.png'), fullPage: true });
  });

  it('invokes an uploaded module with arguments typed in the editor and shows the result', async () => {
    const page = await openPage();
    await uploadFixture(page, 'fixtures/wasm/add.wasm');
    await typeArgs(page, '[2, 40]');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('[data-testid=result-value]');
    expect(await page.textContent('[data-testid=result-value]')).toBe('[42]');
    expect(await page.textContent('[data-testid=result-device]')).not.toBe('');
    await page.screenshot({ path: join(shots, 'invoke-result.png') });
  });

  it('marks a bad argument in the editor as you type, and the engine rejects it with its code', async () => {
    const page = await openPage();
    await uploadFixture(page, 'fixtures/wasm/add.wasm');
    await typeArgs(page, '[2, "x"]');
    await page.waitForSelector('[data-testid=args-editor] .squiggly-error');
    expect(await page.textContent('[data-testid=diagnostics]')).toContain('invalid_args');
    await typeArgs(page, '[2, 1.5]');
    await page.waitForFunction(() => document.querySelector('[data-testid=diagnostics]')?.textContent?.includes('type_mismatch'));
    await page.click('[data-testid=invoke]');
    await page.waitForSelector('[data-testid=error-code]');
    expect(await page.textContent('[data-testid=error-code]')).toBe('type_mismatch');
    await page.screenshot({ path: join(shots, 'invoke-bad-argument.png') });
  });

  it('fills the launch table, grid view and kernel summary from the vector-add guest', async () => {
    const page = await openPage();
    await page.click('[data-testid=example-vector-add]');
    await page.waitForSelector('[data-testid=screen-invoke]');
    await typeArgs(page, '[4096]');
    await page.click('[data-testid=invoke]');
    await page.waitForSelector('[data-testid=result-value]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=result-value]')).toBe('[0]');
    await page.click('[data-testid=nav-launches]');
    await page.waitForSelector('[data-testid=launch-row]');
    expect(await page.locator('[data-testid=launch-row]').count()).toBe(1);
    expect(await page.textContent('[data-testid=launch-row]')).toContain('vector_add');
    const grid = page.locator('[data-testid=grid-view]');
    expect(await grid.getAttribute('data-total')).toBe('16');
    expect(await grid.getAttribute('data-completed')).toBe('16');
    expect(await page.textContent('[data-testid=kernel-summary]')).toContain('vector_add');
    await page.screenshot({ path: join(shots, 'launches.png'), fullPage: true });
  });

  it('compares offload with fallback and draws the charts', async () => {
    const page = await openPage();
    await uploadFixture(page, 'fixtures/wasm/add.wasm');
    await typeArgs(page, '[1, 2]');
    await page.click('[data-testid=nav-compare]');
    await page.fill('[data-testid=compare-reps]', '4');
    await page.click('[data-testid=compare-run]');
    await page.waitForSelector('[data-testid=compare-result]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=outputs-equal]')).toBe('outputs equal');
    await page.waitForSelector('[data-testid=chart-per-run] .recharts-line');
    expect(await page.locator('[data-testid=chart-per-run] .recharts-line-dots circle').count()).toBe(8);
    expect(await page.locator('[data-testid=chart-medians] .recharts-bar-rectangle').count()).toBe(2);
    await page.fill('[data-testid=compare-sweep]', '1, 10, 100');
    await page.click('[data-testid=compare-run]');
    await page.waitForSelector('[data-testid=chart-sweep] .recharts-line', { timeout: 60_000 });
    await page.screenshot({ path: join(shots, 'compare.png'), fullPage: true });
  });

  it('keeps runs in the history, compares two side by side, and exports reports that parse', async () => {
    const page = await openPage();
    await uploadFixture(page, 'fixtures/wasm/add.wasm');
    for (const args of ['[1, 2]', '[3, 4]']) {
      await typeArgs(page, args);
      await page.click('[data-testid=invoke]');
      await page.waitForFunction((want) => document.querySelector('[data-testid=result-value]')?.textContent === want, args === '[1, 2]' ? '[3]' : '[7]');
    }
    await page.click('[data-testid=nav-runs]');
    await page.waitForSelector('[data-testid=run-row]');
    expect(await page.locator('[data-testid=run-row]').count()).toBeGreaterThanOrEqual(2);
    await page.locator('[data-testid=pick-run]').nth(0).click();
    await page.locator('[data-testid=pick-run]').nth(1).click();
    await page.waitForSelector('[data-testid=run-compare]');
    for (const format of ['json', 'chrome-trace', 'html'] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid=export-${format}]`).first().click()]);
      const text = readFileSync((await download.path())!, 'utf8');
      if (format === 'json') expect(JSON.parse(text)).toMatchObject({ format: 'tensor-wasm.run-report', run: { export: 'add', results: '[7]' } });
      else if (format === 'chrome-trace') expect(JSON.parse(text).traceEvents.some((e: { cat?: string }) => e.cat === 'run')).toBe(true);
      else expect(text).toMatch(/^<!doctype html>[\s\S]*report-data/);
    }
    await page.screenshot({ path: join(shots, 'runs.png'), fullPage: true });
    // the history lives in the server's data dir: a fresh page sees it
    const again = await context!.newPage();
    await again.goto(server.url);
    await again.click('[data-testid=nav-runs]');
    await again.waitForSelector('[data-testid=run-row]');
  });

  it('settings persist, list devices with reasons, refuse bad values; dark theme follows the system', async () => {
    const page = await openPage('dark');
    await page.click('[data-testid=nav-settings]');
    await page.waitForSelector('[data-testid=devices] tbody tr');
    expect(await page.textContent('[data-testid=devices]')).toMatch(/cpu/i);
    await page.fill('[data-testid=setting-deadline]', '0');
    await page.click('[data-testid=settings-save]');
    await page.waitForSelector('[data-testid=settings-error]');
    await page.fill('[data-testid=setting-deadline]', '12345');
    await page.click('[data-testid=settings-save]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=settings-error]'));
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.screenshot({ path: join(shots, 'settings-dark.png'), fullPage: true });
    await page.reload();
    await page.click('[data-testid=nav-settings]');
    await page.waitForSelector('[data-testid=setting-deadline]');
    expect(await page.inputValue('[data-testid=setting-deadline]')).toBe('12345');
  });
});
