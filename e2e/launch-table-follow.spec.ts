/**
 * The launch table while a run streams, end to end in Debian Chromium: it follows the newest
 * launches (without scrolling: LaunchTable.tsx places them), stops following when the person
 * scrolls up (wheel, keys) and keeps the rows they read still while launches keep coming, and
 * follows again on End or when they scroll back to the bottom. The run is the bench's scripted
 * engine streaming 200 launches a second behind the real server, batching, SSE and renderer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamingEngine } from '../bench/workbench-stream-engine.js';
import { buildServer } from '../server/app.js';
import { WASM_HEADER } from '../workbench/fake-engine.test-util.js';
import { buildRendererIfStale } from './helpers/build-renderer.js';
import { HAVE_CHROMIUM, launchChromium } from './helpers/chromium.js';
import { expectNoPageErrors, openWorkbench } from './helpers/workbench-page.js';

interface Shown { count: number; first: number; last: number; following: string }

/** What the table body shows, read at once: the launch count and the seqs of the rows wholly inside the body. */
const shown = (page: Page) =>
  page.evaluate(`(() => {
    const body = document.querySelector('[data-testid=launch-table-body]');
    const box = body.getBoundingClientRect();
    const seqs = [...body.querySelectorAll('[data-testid=launch-row]')]
      .filter((row) => { const r = row.getBoundingClientRect(); return r.top >= box.top - 1 && r.bottom <= box.bottom + 1; })
      .map((row) => Number(row.firstElementChild.textContent));
    return { count: Number(document.querySelector('[data-testid=launch-table]').dataset.count), first: Math.min(...seqs), last: Math.max(...seqs), following: body.dataset.following };
  })()`) as Promise<Shown>;

/** Following: the newest launch is the body's last whole row (read in the same task as the count). */
async function expectFollowing(page: Page): Promise<Shown> {
  await expect.poll(async () => { const s = await shown(page); return s.following === 'true' && s.count > 20 && s.last === s.count; }, { timeout: 10_000 }).toBe(true);
  return shown(page);
}

/** Not following: the rows shown stay where they are while launches keep arriving. */
async function expectStill(page: Page): Promise<void> {
  await expect.poll(async () => (await shown(page)).following, { timeout: 5_000 }).toBe('false');
  const before = await shown(page);
  await expect.poll(async () => (await shown(page)).count, { timeout: 5_000 }).toBeGreaterThan(before.count + 50);
  const after = await shown(page);
  expect(after.following).toBe('false');
  expect([after.first, after.last]).toEqual([before.first, before.last]);
  expect(after.last).toBeLessThan(after.count);
}

describe.skipIf(!HAVE_CHROMIUM)('launch table while a run streams', { timeout: 120_000 }, () => {
  let browser: Browser | undefined;
  let app: Awaited<ReturnType<typeof buildServer>> | undefined;
  let url = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-e2e-follow-'));
  beforeAll(async () => {
    const uiDir = await buildRendererIfStale();
    app = await buildServer({ engine: new StreamingEngine({ rate: 200, seconds: 40 }), dataDir, uiDir });
    [url, browser] = await Promise.all([app.listen({ host: '127.0.0.1', port: 0 }), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('follows the newest rows, stops following when the person scrolls up, and follows again on End or at the bottom', async () => {
    const { page, errors, context } = await openWorkbench(browser!, url);
    try {
      await page.setInputFiles('[data-testid=file-input]', { name: 'stream.wasm', mimeType: 'application/wasm', buffer: Buffer.from(WASM_HEADER) });
      await page.waitForSelector('[data-testid=screen-invoke]');
      await page.selectOption('[data-testid=export-select]', 'stream');
      await page.click('[data-testid=invoke]');
      await page.click('[data-testid=nav-launches]');
      const body = page.locator('[data-testid=launch-table-body]');

      // Follows: at two moments the newest launch is the last row.
      const a = await expectFollowing(page);
      await expect.poll(async () => (await shown(page)).count, { timeout: 5_000 }).toBeGreaterThan(a.count + 50);
      await expectFollowing(page);

      // The wheel up stops following, and the page behind the table does not scroll.
      const box = (await body.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const pageScroll = await page.evaluate('document.scrollingElement.scrollTop');
      await page.mouse.wheel(0, -120);
      await expectStill(page);
      expect(await page.evaluate('document.scrollingElement.scrollTop')).toBe(pageScroll);

      // End follows again.
      await body.focus();
      await page.keyboard.press('End');
      await expectFollowing(page);

      // ArrowUp stops following too; scrolling back to the bottom (as dragging the scroll bar to
      // its end does) follows again.
      await page.keyboard.press('ArrowUp');
      await expectStill(page);
      await page.keyboard.press('PageUp');
      await expect.poll(async () => (await shown(page)).first, { timeout: 5_000 }).toBeLessThan((await shown(page)).count - 20);
      // (Scrolled to the end again until it follows: on a loaded machine rows can arrive between
      // the scroll and its event, which then finds the end below — as a person drags again.)
      await expect
        .poll(async () => {
          await body.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
          return (await shown(page)).following;
        }, { timeout: 10_000 })
        .toBe('true');
      await expectFollowing(page);

      await page.keyboard.press('Escape');
      await page.locator('[data-testid=run-progress]').waitFor({ state: 'detached' });
      await page.click('[data-testid=nav-invoke]');
      await page.locator('[data-testid=error-code]', { hasText: 'cancelled' }).waitFor();
      expectNoPageErrors(errors);
    } finally {
      await context.close();
    }
  });
});
