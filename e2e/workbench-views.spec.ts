/**
 * The workbench's profiling views end to end in Debian Chromium (issue 17): the timeline (tracks,
 * live, pan/zoom with keys and wheel, selection), launch details with the occupancy calculator,
 * and reopening a past run. The tests share one page (useSharedPage), each running its own example.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM } from './helpers/chromium.js';
import { shotPath } from './helpers/screenshots.js';
import { expectNoPageErrors, openExample, ROOT } from './helpers/workbench-page.js';
import { useSharedPage, useWorkbenchSuite } from './helpers/workbench-suite.js';

// vitest's expect.poll gives up after 1 s; under the full suite's load a save or a redraw can take longer
const POLL = { timeout: 10_000 };

const suite = useWorkbenchSuite();


const view = async (page: Page) => (await page.getAttribute('[data-testid=timeline]', 'data-view'))!.split(',').map(Number) as [number, number];

/** from, from + step, … below to. */
const range = (from: number, to: number, step: number) => Array.from({ length: Math.max(0, Math.ceil((to - from) / step)) }, (_, i) => from + i * step);

async function runExample(page: Page, id: string): Promise<void> {
  await openExample(page, id);
  await page.click('[data-testid=invoke]');
  await page.waitForSelector('[data-testid=result-value]', { timeout: 60_000 });
}

describe.skipIf(!HAVE_CHROMIUM)('profiling views', { timeout: 180_000 }, () => {
  // One page for the file (useSharedPage: a page load is most of a short test's time); each test
  // starts on the Module screen and runs its own example.
  const shared = useSharedPage(suite);

  it('timeline: tracks for the invocation, host calls and kernels; W/S/A/D and the wheel move the view; a click selects a launch', async () => {
    const opened = await shared.atModule();
    const { page, errors } = opened;
    await runExample(page, 'multi-launch');
    await page.keyboard.press('Control+4');
    await page.waitForSelector('[data-testid=screen-timeline]');
    expect(await page.getAttribute('[data-testid=nav-timeline]', 'aria-current')).toBe('page');
    const tracks = (await page.getAttribute('[data-testid=timeline]', 'data-tracks'))!.split('|');
    expect(tracks).toEqual(expect.arrayContaining(['invocation', 'host', 'device:cpu']));
    expect(Number(await page.getAttribute('[data-testid=timeline]', 'data-slices'))).toBeGreaterThanOrEqual(1 + 3 + 3);
    const canvas = page.locator('[data-testid=timeline-canvas]');
    await canvas.focus();
    const [t0, scale] = await view(page);
    await page.keyboard.press('w');
    const [, zoomed] = await view(page);
    expect(zoomed).toBeLessThan(scale);
    await page.keyboard.press('a');
    expect((await view(page))[0]).toBeLessThan(t0 + 1e9);
    const before = await view(page);
    await page.keyboard.press('d');
    expect((await view(page))[0]).toBeGreaterThan(before[0]);
    await canvas.hover({ position: { x: 500, y: 40 } });
    const beforeWheel = (await view(page))[1];
    await page.mouse.wheel(0, 300);
    await expect.poll(async () => (await view(page))[1], POLL).toBeGreaterThan(beforeWheel);
    await page.keyboard.press('f');
    await page.keyboard.press('z'); // nothing selected yet: zooms to the launches
    // Click along the first device row until a kernel is hit. Z fitted the launches with four
    // times their span on each side (Timeline.tsx), so they start at 4/9 of the plot (right of the
    // 170-px labels): the search begins just before that instead of at the left edge (a click is
    // a round trip and a render: ~120 clicks from the edge took 8 s), then covers the rest.
    const box = (await canvas.boundingBox())!;
    const deviceRow = tracks.indexOf('device:cpu');
    const y = 26 + deviceRow * 30 + 15;
    const launchesStart = Math.floor(170 + ((box.width - 170) * 4) / 9) - 8;
    const xs = [...range(launchesStart, box.width, 3), ...range(172, launchesStart, 3)];
    for (const x of xs) {
      if (await page.getAttribute('[data-testid=timeline]', 'data-selected')) break;
      await canvas.click({ position: { x, y } });
    }
    expect(await page.getAttribute('[data-testid=timeline]', 'data-selected')).toMatch(/^\d+$/);
    await page.waitForSelector('[data-testid=launch-details]');
    expect(await page.textContent('[data-testid=detail-kernel]')).not.toBe('');
    await canvas.focus();
    await page.keyboard.press('z');
    expect((await view(page))[1]).toBeLessThan(scale);
    await page.screenshot({ path: shotPath('timeline.png'), fullPage: true });
    expectNoPageErrors(errors);
  });

  // One page for both: reopening needs a second run after the first, and that run is the
  // vector-add whose launch details are read (a page and a run fewer than two tests).
  it('launch details: argv records, and the occupancy for a chosen GPU with its limiting factor; runs reopen: a past run shows in Timeline and Launches as it looked live', async () => {
    const opened = await shared.atModule();
    const { page, errors } = opened;
    await runExample(page, 'multi-launch');
    await page.click('[data-testid=nav-timeline]');
    const live = Number(await page.getAttribute('[data-testid=timeline]', 'data-slices'));
    await page.click('[data-testid=nav-module]');
    await runExample(page, 'vector-add');

    // launch details of the vector-add launch
    await page.click('[data-testid=nav-launches]');
    await page.locator('[data-testid=launch-row]').first().click();
    await page.waitForSelector('[data-testid=launch-details]');
    expect(await page.textContent('[data-testid=detail-kernel]')).toBe('vector_add');
    expect(await page.locator('[data-testid=detail-args] li').count()).toBe(4); // a, b, out, n
    expect(await page.textContent('[data-testid=detail-args]')).toMatch(/ptr\(0x[0-9a-f]+,16384\)/);
    await page.selectOption('[data-testid=occupancy-arch]', 'sm_75');
    await page.fill('[data-testid=occupancy-regs]', '64');
    // 256 threads × 64 registers on sm_75: 16384 registers per block, 4 blocks = 32 warps = 100 %
    expect(await page.textContent('[data-testid=occupancy-result]')).toContain('100 %');
    await page.fill('[data-testid=occupancy-regs]', '128');
    expect(await page.textContent('[data-testid=occupancy-limiter]')).toBe('registers');
    await page.locator('[data-testid=launch-details]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('launch-details.png'), fullPage: true });

    // the multi-launch run, reopened from Runs
    await page.click('[data-testid=nav-runs]');
    await page.locator('[data-testid=run-row]', { hasText: 'run_multi' }).first().locator('[data-testid=open-run]').click();
    await page.waitForSelector('[data-testid=timeline-past-run]');
    // the record keeps launches and offload events (not syncs or stdout): everything but those slices
    const reopened = Number(await page.getAttribute('[data-testid=timeline]', 'data-slices'));
    expect(reopened).toBeGreaterThanOrEqual(1 + 3 + 3);
    expect(reopened).toBeLessThanOrEqual(live);
    await page.click('[data-testid=nav-launches]');
    expect(await page.textContent('[data-testid=launch-count]')).toBe('3');
    expectNoPageErrors(errors);
  });

  it('progress: elapsed time against the deadline while a run is in progress; Esc cancels', async () => {
    const opened = await shared.atModule();
    const { page } = opened;
    await page.setInputFiles('[data-testid=file-input]', `${ROOT}/fixtures/wasm/loop.wasm`);
    await page.waitForSelector('[data-testid=screen-invoke]');
    await page.selectOption('[data-testid=export-select]', 'spin');
    await page.click('[data-testid=invoke]');
    await page.locator('[data-testid=run-elapsed]', { hasText: 'deadline' }).waitFor();
    const first = await page.textContent('[data-testid=run-elapsed]');
    await expect.poll(() => page.textContent('[data-testid=run-elapsed]'), POLL).not.toBe(first);
    expect(await page.textContent('[data-testid=run-rate]')).toContain('0 launches');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=error-code]', { hasText: 'cancelled' }).waitFor();
    expect(await page.locator('[data-testid=run-progress]').count()).toBe(0);
  });
});
