/**
 * The bugs a new user hit in the workbench (issue 17), each reproduced end to end in Debian
 * Chromium against the real server and engine. Every test here failed on the workbench as it was.
 * The tests that need no page of their own share one (useSharedPage), each opening its own module.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM } from './helpers/chromium.js';
import { shotPath } from './helpers/screenshots.js';
import { startWorkbenchServer } from './helpers/server.js';
import { downloadText, expectNoPageErrors, openExample, typeArgs, uploadFixture } from './helpers/workbench-page.js';
import { useSharedPage, useWorkbenchSuite } from './helpers/workbench-suite.js';

const suite = useWorkbenchSuite();


function open(url?: string, before?: (c: BrowserContext) => Promise<void>): Promise<{ page: Page; errors: string[] }> {
  return suite.open({ ...(url ? { url } : {}), ...(before ? { before } : {}) });
}

describe.skipIf(!HAVE_CHROMIUM)('bugs a new user hit (issue 17)', { timeout: 180_000 }, () => {
  it('1. a UI served by a server with a token shows the rejection and takes the token', async () => {
    const guarded = await startWorkbenchServer({ token: 'e2e-secret-token' });
    try {
      const { page } = await open(guarded.url);
      await page.click('[data-testid=nav-settings]');
      await page.locator('[data-testid=settings-load-error]', { hasText: 'unauthorized' }).waitFor({ timeout: 15_000 });
      await page.fill('[data-testid=remote-url]', guarded.url);
      await page.fill('[data-testid=remote-token]', 'e2e-secret-token');
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid=use-remote]')]);
      await page.click('[data-testid=nav-settings]');
      await page.waitForSelector('[data-testid=setting-deadline]');
      await page.locator('[data-testid=target]', { hasText: guarded.url }).waitFor();
    } finally {
      await guarded.stop();
    }
  });

  it('2. a full localStorage (QuotaExceededError, as a ~5 MB argument caused) never stops a run', async () => {
    // Fill this origin's storage to the brim before the app starts, so saving the argument history
    // throws QuotaExceededError exactly as it did after a ~5 MB argument had been pasted.
    const { page } = await open(suite.server.url, async (c) => {
      await c.addInitScript(`(() => {
        if (sessionStorage.getItem('filled')) return;
        sessionStorage.setItem('filled', '1');
        let chunk = 'x'.repeat(1 << 20);
        for (let i = 0; chunk.length > 0; ) {
          try { localStorage.setItem('filler-' + i++, chunk); } catch { chunk = chunk.slice(0, chunk.length >> 1); }
        }
      })()`);
    });
    expect(await page.evaluate(`(() => { try { localStorage.setItem('probe', 'y'.repeat(64)); return 'saved'; } catch (e) { return e.name; } })()`)).toBe('QuotaExceededError');
    await uploadFixture(page, 'fixtures/wasm/add.wasm');
    await typeArgs(page, '[20, 22]');
    await page.click('[data-testid=invoke]');
    await page.locator('[data-testid=result-value]', { hasText: '[42]' }).waitFor({ timeout: 20_000 });
  });

  it('6. the launches of a run are all shown when it ends, even if the event stream lags or is down', async () => {
    const { page } = await open(suite.server.url, async (c) => {
      await c.route('**/workbench/events', (route) => route.abort());
    });
    await openExample(page, 'multi-launch');
    await page.click('[data-testid=invoke]');
    await page.locator('[data-testid=result-value]', { hasText: '[0]' }).waitFor({ timeout: 60_000 });
    await page.click('[data-testid=nav-launches]');
    expect(await page.textContent('[data-testid=launch-count]')).toBe('3');
  });

  // These start on the Module screen of one page (useSharedPage: a page load is most of a short
  // test's time); each opens its module itself. The tests above need a page of their own: another
  // server, storage filled before the app starts, the event stream cut off.
  describe('one page', () => {
    const shared = useSharedPage(suite);

    it('1. an unreachable remote target never locks the user out of Settings; switching back works', async () => {
      const { page } = await shared.atModule(); // (it ends with the page back on this server)
      await page.click('[data-testid=nav-settings]');
      await page.fill('[data-testid=remote-url]', 'http://127.0.0.1:9'); // the discard port: nothing listens
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid=use-remote]')]);
      await page.click('[data-testid=nav-settings]');
      const card = page.locator('[data-testid=target-card]');
      await card.waitFor({ timeout: 15_000 });
      await page.locator('[data-testid=settings-load-error]').waitFor({ timeout: 15_000 });
      expect(await page.textContent('[data-testid=target-card]')).toContain('unreachable');
      await page.screenshot({ path: shotPath('settings-unreachable-target.png'), fullPage: true });
      await Promise.all([page.waitForEvent('load'), page.click('[data-testid=use-local]')]);
      await page.locator('[data-testid=target]', { hasText: 'this server' }).waitFor();
      await page.click('[data-testid=nav-settings]');
      await page.waitForSelector('[data-testid=setting-deadline]');
    });

    it('3. a kernel fault makes the run a visible "kernel fault", the block red and the fault listed', async () => {
      const { page } = await shared.atModule();
      await uploadFixture(page, 'fixtures/guests/wasm/explain.wasm');
      await page.selectOption('[data-testid=export-select]', 'explain_out_of_bounds');
      await page.click('[data-testid=invoke]');
      await page.waitForSelector('[data-testid=run-status]', { timeout: 60_000 });
      expect(await page.textContent('[data-testid=run-status]')).toBe('kernel fault');
      const fault = page.locator('[data-testid=fault-row]');
      expect(await fault.count()).toBe(1);
      const text = await fault.textContent();
      // explain.c launches 64 threads over a 16-float window: thread 16 of block 0 is the first out of bounds
      expect(text).toContain('fill_index');
      expect(text).toContain('(16,0,0)');
      expect(text).toContain('(0,0,0)');
      expect(text).toMatch(/write/);
      await page.screenshot({ path: shotPath('invoke-kernel-fault.png'), fullPage: true });
      await page.click('[data-testid=fault-launch]');
      await page.waitForSelector('[data-testid=screen-launches]');
      const grid = page.locator('[data-testid=grid-view]');
      expect(await grid.getAttribute('data-fault-block')).toBe('0');
      expect(await page.locator('[data-testid=launch-row][data-fault=true]').count()).toBe(1);
      expect(await page.locator('[data-testid=sanitizer] [data-testid=fault-row]').count()).toBe(1);
      expect(await page.textContent('[data-testid=sanitizer]')).toContain('nearest window');
      await page.screenshot({ path: shotPath('sanitizer.png'), fullPage: true });
      await page.click('[data-testid=nav-runs]');
      await page.locator('[data-testid=run-row-status]', { hasText: 'kernel fault' }).first().waitFor();
    });

    it('4. with auto-offload on, dispatched loops show as launches with their loop id and kind, and in every export', async () => {
      const { page } = await shared.atModule();
      await page.click('[data-testid=nav-settings]');
      await page.check('[data-testid=setting-offload]');
      await page.click('[data-testid=settings-save]');
      await page.locator('.badge.ok', { hasText: 'saved' }).waitFor();
      await page.click('[data-testid=nav-module]');
      await openExample(page, 'simd-saxpy');
      await typeArgs(page, '[32768, 7]'); // 8192 iterations of four lanes: above the 4096 threshold, so dispatched
      await page.click('[data-testid=invoke]');
      await page.waitForSelector('[data-testid=result-value]', { timeout: 90_000 });
      expect(await page.textContent('[data-testid=result]')).not.toContain(' 0 launches');
      await page.click('[data-testid=nav-launches]');
      await page.waitForSelector('[data-testid=launch-row]');
      const offloaded = page.locator('[data-testid=launch-row][data-origin=offload]');
      expect(await offloaded.count()).toBeGreaterThan(0);
      expect(await offloaded.count()).toBe(await page.locator('[data-testid=launch-row]').count());
      expect(await offloaded.first().locator('[data-testid=launch-kind]').textContent()).toMatch(/^offload · \S+/);
      await page.screenshot({ path: shotPath('launches-offload.png'), fullPage: true });
      await page.click('[data-testid=nav-runs]');
      await page.waitForSelector('[data-testid=run-row]');
      const json = JSON.parse(await downloadText(page, '[data-testid=export-json]')) as { launches: { origin?: string; loopId?: string }[] };
      expect(json.launches.length).toBeGreaterThan(0);
      expect(json.launches.every((l) => l.origin === 'offload' && l.loopId)).toBe(true);
      const trace = JSON.parse(await downloadText(page, '[data-testid=export-chrome-trace]')) as { traceEvents: { cat?: string; args?: { loopId?: string } }[] };
      expect(trace.traceEvents.filter((e) => e.cat?.includes('offload') && e.args?.loopId).length).toBe(json.launches.length);
      const html = await downloadText(page, '[data-testid=export-html]');
      expect(html).toContain('by auto-offload');
    }, 180_000);

    it('5. the HTML report says "N of M" instead of silently dropping launches; JSON and trace keep them all', async () => {
      const { page } = await shared.atModule();
      await uploadFixture(page, 'fixtures/guests/wasm/vector_add.wasm');
      await page.selectOption('[data-testid=export-select]', 'repeat_vector_add');
      // 510 launches: more than the HTML table's 500 (workbench/render-html.ts), so the report must say "500 of 510"
      await typeArgs(page, '[32, 510]');
      await page.click('[data-testid=invoke]');
      await page.locator('[data-testid=result-value]', { hasText: '[0]' }).waitFor({ timeout: 120_000 });
      await page.click('[data-testid=nav-runs]');
      await page.waitForSelector('[data-testid=run-row]');
      const html = await downloadText(page, '[data-testid=export-html]');
      expect(html).toContain('500 of 510');
      const json = JSON.parse(await downloadText(page, '[data-testid=export-json]')) as { launches: unknown[] };
      expect(json.launches).toHaveLength(510);
      const trace = JSON.parse(await downloadText(page, '[data-testid=export-chrome-trace]')) as { traceEvents: { cat?: string }[] };
      expect(trace.traceEvents.filter((e) => e.cat === 'launch')).toHaveLength(510);
    }, 180_000);

    // One page for both: the run whose arguments are checked is the result that switching module clears.
    it('6. Ctrl+Enter runs a _start program, whose arguments keep their quotes; switching module clears the previous result and console', async () => {
      const { page, errors } = await shared.atModule();
      await openExample(page, 'wasi-hello');
      await page.fill('[data-testid=wasi-args]', `3 "two words" 'and three'`);
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('[data-testid=result-value]');
      expect(await page.textContent('[data-testid=result-value]')).toBe('exit code 3');
      const consoleText = await page.textContent('[data-testid=console]');
      expect(consoleText).toContain('hello from wasi');
      expect(consoleText).toContain('arg 2: two words');
      expect(consoleText).toContain('arg 3: and three');
      await page.click('[data-testid=nav-module]');
      await uploadFixture(page, 'fixtures/wasm/add.wasm');
      expect(await page.locator('[data-testid=result-value]').count()).toBe(0);
      expect(await page.textContent('[data-testid=console]')).not.toContain('hello from wasi');
      expectNoPageErrors(errors);
    });

    it('6. the compare screen counts every run, exports its results and says when it was cancelled', async () => {
      const { page } = await shared.atModule();
      await openExample(page, 'simd-saxpy');
      await page.click('[data-testid=nav-compare]');
      await page.fill('[data-testid=compare-args]', '[1024, 7]');
      await page.fill('[data-testid=compare-reps]', '2');
      await page.click('[data-testid=compare-run]');
      // The progress line shows while the comparison runs; on a fast machine it may be gone before it is read.
      const progress = await Promise.race([
        page.locator('.progress').textContent({ timeout: 90_000 }).catch(() => 'gone'),
        page.waitForSelector('[data-testid=compare-result]', { timeout: 90_000 }).then(() => 'done'),
      ]);
      if (progress !== 'done' && progress !== 'gone') expect(progress).toMatch(/\d+\/6 runs/); // (2 timed + 1 warm-up) × 2 sides
      await page.waitForSelector('[data-testid=compare-result]', { timeout: 90_000 });
      const exported = JSON.parse(await downloadText(page, '[data-testid=compare-export-json]')) as { points: { offloadMs: number[] }[] };
      expect(exported.points[0]!.offloadMs).toHaveLength(2);
      const csv = await downloadText(page, '[data-testid=compare-export-csv]');
      expect(csv.trim().split('\n')).toHaveLength(1 + 4 + 2); // header, 4 timed runs, 2 warm-ups
      await page.fill('[data-testid=compare-reps]', '200');
      await page.click('[data-testid=compare-run]');
      await page.click('[data-testid=compare-cancel]');
      await page.locator('[data-testid=compare-cancelled]').waitFor();
      expect(await page.textContent('[data-testid=compare-cancelled]')).toMatch(/Cancelled after \d+ of 402 runs/);
    }, 180_000);

    it('6. module errors: the byte offset said once, an empty file in plain words', async () => {
      const { page } = await shared.atModule();
      await page.setInputFiles('[data-testid=file-input]', { name: 'broken.wasm', mimeType: 'application/wasm', buffer: Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x7f, 0x01]) });
      const error = page.locator('[data-testid=open-error]');
      await error.waitFor();
      expect((await error.textContent())!.match(/at byte/g)).toHaveLength(1);
      await page.setInputFiles('[data-testid=file-input]', { name: 'empty.wasm', mimeType: 'application/wasm', buffer: Buffer.alloc(0) });
      await page.locator('[data-testid=open-error]', { hasText: 'empty' }).waitFor();
      expect(await error.textContent()).not.toContain('BufferSource');
      // the server says the same to any client that uploads an empty module
      const res = await fetch(`${suite.server.url}/workbench/modules?name=empty.wasm`, { method: 'POST', headers: { 'content-type': 'application/wasm' }, body: new Uint8Array(0) });
      expect(JSON.stringify(await res.json())).toContain('is empty (0 bytes)');
    });
  });
});
