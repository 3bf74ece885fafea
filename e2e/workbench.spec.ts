/**
 * The workbench in browser mode, end to end: the real server (buildServer with uiDir, the real
 * engine) serving the vite-built renderer, driven in Debian Chromium through playwright-core.
 * The tests share one page (useSharedPage, each opening its own module), except the remote target's,
 * which switches its page to another server. Screenshots of every screen go to e2e/screenshots/tmp/
 * (ignored), or to e2e/screenshots/ under `npm run screenshots` (helpers/screenshots.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM } from './helpers/chromium.js';
import { shotPath } from './helpers/screenshots.js';
import { startWorkbenchServer } from './helpers/server.js';
import { ROOT as root, typeArgs, uploadFixture } from './helpers/workbench-page.js';
import { useSharedPage, useWorkbenchSuite } from './helpers/workbench-suite.js';

const suite = useWorkbenchSuite();

async function openPage(): Promise<Page> {
  const { page, errors } = await suite.open();
  expect(errors).toEqual([]);
  return page;
}

/** Drops a file on the window as a person dragging it from the file manager would. */
async function dropFixture(page: Page, rel: string): Promise<void> {
  const bytes = [...readFileSync(join(root, rel))];
  const name = rel.split('/').pop()!;
  // Runs in the page (DOM types are not in the test tsconfig, hence the string).
  const dataTransfer = await page.evaluateHandle(
    `(() => { const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array(${JSON.stringify(bytes)})], ${JSON.stringify(name)}, { type: 'application/wasm' })); return dt; })()`,
  );
  await page.dispatchEvent('.app', 'drop', { dataTransfer });
  await page.waitForSelector('[data-testid=screen-invoke]');
}

describe.skipIf(!HAVE_CHROMIUM)('workbench in the browser', () => {
  // These start on the Module screen of one page (useSharedPage: a page load is most of a short
  // test's time); each opens its module itself. The first is the page's first start. The remote
  // target below gets a page of its own (it switches the page to another server).
  describe('one page', () => {
    const shared = useSharedPage(suite);
    /** The shared page back on the Module screen; no page errors so far. */
    async function modulePage(): Promise<Page> {
      expect(shared.errors).toEqual([]);
      return (await shared.atModule()).page;
    }

    it('shows examples on first start; a WASI example runs in one click with its output', async () => {
      const page = await modulePage(); // the group's first test: the page has not opened a module yet
      await expect(page.locator('[data-testid=target]').textContent()).resolves.toContain('this server');
      await page.waitForSelector('[data-testid=example-wasi-hello]');
      await page.screenshot({ path: shotPath('module-first-start.png') });
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
      await page.screenshot({ path: shotPath('module-details.png'), fullPage: true });
    }, 150_000); // the group's page opens before it, while other files may be building the renderer

    it('invokes an uploaded module with arguments typed in the editor and shows the result', async () => {
      const page = await modulePage();
      await uploadFixture(page, 'fixtures/wasm/add.wasm');
      await typeArgs(page, '[2, 40]');
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('[data-testid=result-value]');
      expect(await page.textContent('[data-testid=result-value]')).toBe('[42]');
      expect(await page.textContent('[data-testid=result-device]')).not.toBe('');
      await page.screenshot({ path: shotPath('invoke-result.png') });
      // add changes nothing and is short: the module screen says its calls need no worker.
      await page.click('[data-testid=nav-module]');
      await page.waitForSelector('[data-testid=module-details]');
      expect(await page.locator('[data-testid=module-details] .badge', { hasText: 'inline' }).count()).toBe(3); // add, nothing, forty_two
      await page.screenshot({ path: shotPath('module-inline.png'), fullPage: true });
    });

    it('marks a bad argument in the editor as you type, and the engine rejects it with its code', async () => {
      const page = await modulePage();
      await uploadFixture(page, 'fixtures/wasm/add.wasm');
      await typeArgs(page, '[2, "x"]');
      await page.waitForSelector('[data-testid=args-editor] .squiggly-error');
      expect(await page.textContent('[data-testid=diagnostics]')).toContain('invalid_args');
      await typeArgs(page, '[2, 1.5]');
      await page.locator('[data-testid=diagnostics]', { hasText: 'type_mismatch' }).waitFor();
      await page.click('[data-testid=invoke]');
      await page.waitForSelector('[data-testid=error-code]');
      expect(await page.textContent('[data-testid=error-code]')).toBe('type_mismatch');
      await page.screenshot({ path: shotPath('invoke-bad-argument.png') });
    });

    it('takes a 20,000-character argument put in at once as one edit: the whole text is checked and run, one undo removes it', async () => {
      const page = await modulePage();
      await uploadFixture(page, 'fixtures/wasm/add.wasm');
      await typeArgs(page, '[]');
      await page.keyboard.press('Control+A');
      // insertText is one input event: Monaco would type it one character at a time (a 13 s task).
      await page.keyboard.insertText(`[${'1, '.repeat(6666)}1]`);
      await page.locator('[data-testid=diagnostics]', { hasText: 'invalid_args' }).waitFor();
      expect(await page.textContent('[data-testid=diagnostics]')).toContain('invalid_args');
      await page.click('[data-testid=invoke]');
      await page.waitForSelector('[data-testid=error-code]');
      expect(await page.textContent('[data-testid=error-code]')).toBe('invalid_args');
      // The console line quotes the run's arguments: the editor's whole text reached the run.
      await page.locator('[data-testid=console]', { hasText: '19,999 characters' }).waitFor();
      // (not a click: the error's hover over the marked text would take it)
      await page.focus('[data-testid=args-editor] textarea');
      await page.keyboard.press('Control+Z');
      await expect.poll(async () => (await page.textContent('[data-testid=args-editor] .view-lines'))?.replace(/\s/g, ''), { timeout: 10_000 }).toBe('[]');
    });

    it('keeps runs in the history, compares two side by side, and exports reports that parse', async () => {
      const page = await modulePage();
      await uploadFixture(page, 'fixtures/wasm/add.wasm');
      for (const args of ['[1, 2]', '[3, 4]']) {
        await typeArgs(page, args);
        await page.click('[data-testid=invoke]');
        await page.locator('[data-testid=result-value]', { hasText: args === '[1, 2]' ? '[3]' : '[7]' }).waitFor();
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
      await page.screenshot({ path: shotPath('runs.png'), fullPage: true });
      // the history lives in the server's data dir: a fresh page sees it
      const again = await shared.context.newPage();
      try {
        await again.goto(suite.server.url);
        await again.click('[data-testid=nav-runs]');
        await again.waitForSelector('[data-testid=run-row]');
      } finally {
        await again.close();
      }
    });

    it('opens a dropped module and cancels a runaway guest', async () => {
      const page = await modulePage();
      await dropFixture(page, 'fixtures/wasm/loop.wasm');
      expect(await page.textContent('.titlebar')).toContain('loop.wasm');
      await page.selectOption('[data-testid=export-select]', 'spin');
      await typeArgs(page, '[]');
      await page.click('[data-testid=invoke]');
      await page.click('[data-testid=cancel]');
      await page.waitForSelector('[data-testid=error-code]');
      expect(await page.textContent('[data-testid=error-code]')).toBe('cancelled');
    });

    it('fills the launch table, grid view and kernel summary from the vector-add guest', async () => {
      const page = await modulePage();
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
      // a guest with several launches: every launch listed, the summary groups them per kernel
      await page.click('[data-testid=nav-module]');
      await page.click('[data-testid=example-multi-launch]');
      await page.waitForSelector('[data-testid=screen-invoke]');
      await page.click('[data-testid=invoke]');
      await page.locator('[data-testid=result-value]', { hasText: '[0]' }).waitFor({ timeout: 60_000 });
      await page.click('[data-testid=nav-launches]');
      await page.locator('[data-testid=launch-count]', { hasText: '3' }).waitFor();
      expect(await page.locator('[data-testid=kernel-summary] tbody tr').count()).toBe(2);
      await page.locator('[data-testid=launch-row]').first().click();
      expect(await grid.getAttribute('data-seq')).toBe('1');
      await page.screenshot({ path: shotPath('launches.png'), fullPage: true });
    });

    it('shows the SIMD saxpy example’s offload decisions, compares offload with fallback and draws the charts', async () => {
      const page = await modulePage();
      await page.click('[data-testid=example-simd-saxpy]');
      await page.waitForSelector('[data-testid=screen-invoke]');
      await page.click('[data-testid=nav-module]');
      await page.waitForSelector('[data-testid=offload-decisions]');
      // promoted loops are listed first, each with the analyser's reason
      const firstRow = await page.textContent('[data-testid=offload-decisions] tbody tr');
      expect(firstRow).toContain('saxpy');
      expect(firstRow).toContain('yes');
      expect(firstRow).toContain('element-wise');
      await page.click('[data-testid=nav-compare]');
      await page.fill('[data-testid=compare-args]', '[4096, 7]');
      await page.fill('[data-testid=compare-reps]', '2');
      await page.click('[data-testid=compare-run]');
      await page.waitForSelector('[data-testid=compare-result]', { timeout: 90_000 });
      expect(await page.textContent('[data-testid=outputs-equal]')).toBe('outputs equal');
      await page.waitForSelector('[data-testid=chart-per-run] .recharts-line');
      expect(await page.locator('[data-testid=chart-per-run] .recharts-line-dots circle').count()).toBe(4); // a dot per timed run: 2 per side
      expect(await page.locator('[data-testid=chart-medians] .recharts-bar-rectangle').count()).toBe(2);
      expect(await page.textContent('[data-testid=speedup]')).toMatch(/^\d+\.\d\d×$/);
      await page.fill('[data-testid=compare-reps]', '1'); // the sweep's chart has a dot per size, whatever the repetitions
      await page.fill('[data-testid=compare-sweep]', '1024, 4096, 16384');
      await page.click('[data-testid=compare-run]');
      await page.waitForSelector('[data-testid=chart-sweep] .recharts-line', { timeout: 90_000 });
      expect(await page.locator('[data-testid=chart-sweep] .recharts-line-dots').first().locator('circle').count()).toBe(3);
      await page.screenshot({ path: shotPath('compare.png'), fullPage: true });
    });

    it('settings persist, list devices with reasons, refuse bad values; dark theme follows the system', async () => {
      const page = await modulePage();
      await page.emulateMedia({ colorScheme: 'dark' }); // the system's setting, as a fresh dark context has it
      await page.click('[data-testid=nav-settings]');
      await page.waitForSelector('[data-testid=devices] tbody tr');
      expect(await page.textContent('[data-testid=devices]')).toMatch(/cpu/i);
      await page.fill('[data-testid=setting-deadline]', '0');
      await page.click('[data-testid=settings-save]');
      await page.waitForSelector('[data-testid=settings-error]');
      await page.fill('[data-testid=setting-deadline]', '12345');
      await page.click('[data-testid=settings-save]');
      await page.locator('[data-testid=settings-error]').waitFor({ state: 'detached' });
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      await page.screenshot({ path: shotPath('settings-dark.png'), fullPage: true });
      await page.reload();
      await page.click('[data-testid=nav-settings]');
      await page.waitForSelector('[data-testid=setting-deadline]');
      expect(await page.inputValue('[data-testid=setting-deadline]')).toBe('12345');
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });
  });

  it('drives a remote TensorWasm server as its target, always shown in the title bar', async () => {
    // a remote server answers pages from other origins only when it names them (--cors-origin)
    // (started while the page loads: each takes seconds on a busy machine)
    const opening = openPage();
    const remote = await startWorkbenchServer({ corsOrigins: [new URL(suite.server.url).origin] });
    try {
      const page = await opening;
      await page.click('[data-testid=nav-settings]');
      await page.fill('[data-testid=remote-url]', remote.url);
      await Promise.all([page.waitForEvent('load'), page.getByText('Use this server').click()]);
      await page.locator('[data-testid=target]', { hasText: remote.url }).waitFor();
      await page.click('[data-testid=example-wasi-hello]');
      await page.click('[data-testid=invoke]');
      await page.waitForSelector('[data-testid=result-value]');
      // the run happened on the remote server, not on the one that served the page
      const remoteRuns = (await (await fetch(`${remote.url}/workbench/runs`)).json()) as { moduleName: string }[];
      expect(remoteRuns.map((r) => r.moduleName)).toContain('hello.wasm');
      await page.screenshot({ path: shotPath('remote-target.png') });
    } finally {
      await remote.stop();
    }
  });
});
