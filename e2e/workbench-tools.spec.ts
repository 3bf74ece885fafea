/**
 * The workbench's tools for repeated work (issue 17), end to end in Debian Chromium against the
 * real server and engine: presets (saved invocations re-run in one key), the offload comparison's
 * statistics and exports, two runs side by side in the timeline, and the PTX view. The tests share
 * one page (useSharedPage), each opening its own module or example.
 */
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM } from './helpers/chromium.js';
import { shotPath } from './helpers/screenshots.js';
import { downloadText, expectNoPageErrors, openExample, typeArgs, uploadFixture } from './helpers/workbench-page.js';
import { useSharedPage, useWorkbenchSuite } from './helpers/workbench-suite.js';

// vitest's expect.poll gives up after 1 s; under the full suite's load a save or a redraw can take longer
const POLL = { timeout: 10_000 };

const suite = useWorkbenchSuite();

describe.skipIf(!HAVE_CHROMIUM)('workbench tools', { timeout: 180_000 }, () => {
  // One page for the file (useSharedPage: a page load is most of a short test's time); each test
  // starts on the Module screen and opens its own module or example.
  const shared = useSharedPage(suite);

  it('presets: save the current invocation, re-run it with Alt+1 after changing the arguments, keep it across a reload, delete it', async () => {
    const { page, errors } = await shared.atModule();
    await uploadFixture(page, 'fixtures/wasm/add.wasm');
    await page.selectOption('[data-testid=export-select]', 'add');
    await typeArgs(page, '[2, 40]');
    await page.waitForSelector('[data-testid=presets-empty]');
    await page.fill('[data-testid=preset-name]', 'forty-two');
    await page.click('[data-testid=preset-save]');
    await page.locator('[data-testid=preset-1]', { hasText: 'forty-two' }).waitFor();
    await typeArgs(page, '[1, 1]');
    await page.click('[data-testid=invoke]');
    await page.locator('[data-testid=result-value]', { hasText: '[2]' }).waitFor();
    await page.click('[data-testid=nav-runs]'); // the key works from any screen
    await page.keyboard.press('Alt+1');
    await page.locator('[data-testid=result-value]', { hasText: '[42]' }).waitFor();
    expect(await page.getAttribute('[data-testid=nav-invoke]', 'aria-current')).toBe('page');
    await page.screenshot({ path: shotPath('invoke-presets.png') });
    // persisted with the settings (the server's data directory), not in this page
    await page.reload();
    await page.waitForSelector('[data-testid=screen-module]');
    await uploadFixture(page, 'fixtures/wasm/add.wasm');
    await page.locator('[data-testid=preset-1]', { hasText: 'forty-two' }).waitFor();
    await page.click('[data-testid=preset-delete-1]');
    await page.waitForSelector('[data-testid=presets-empty]');
    expectNoPageErrors(errors);
  });

  it('compare: warm-ups apart, outliers column, a dispatch marker per sweep point, log scale, HTML export, kept in Runs and reopened', async () => {
    const { page, errors } = await shared.atModule();
    await openExample(page, 'simd-saxpy');
    await page.click('[data-testid=nav-compare]');
    await page.fill('[data-testid=compare-args]', '[1024, 7]');
    await page.fill('[data-testid=compare-reps]', '2'); // 2 points × 2 sides × (1 warm-up + 2 timed): 12 runs
    await page.fill('[data-testid=compare-warmup-count]', '1');
    await page.fill('[data-testid=compare-sweep]', '1024, 32768'); // trip counts 256 and 8192 (four lanes per iteration): below and above the 4096 threshold
    await page.click('[data-testid=compare-run]');
    await page.waitForSelector('[data-testid=compare-result]', { timeout: 150_000 });
    const rows = page.locator('[data-testid=compare-point]');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('data-dispatch')).toBe('fell back');
    expect(await rows.nth(1).getAttribute('data-dispatch')).toBe('dispatched');
    expect(await page.locator('[data-testid=chart-sweep] [data-dispatch=dispatched]').count()).toBe(1);
    // one warm-up per side, shown apart: "x ms / y ms"
    expect(await rows.nth(0).locator('[data-testid=compare-warmup]').textContent()).toMatch(/\d.* \/ .*\d/);
    await page.check('[data-testid=compare-log]');
    expect(await page.getAttribute('[data-testid=chart-sweep]', 'data-scale')).toBe('log');
    await page.screenshot({ path: shotPath('compare-stats.png'), fullPage: true });
    const html = await downloadText(page, '[data-testid=compare-export-html]');
    expect(html).toContain('Offload vs fallback');
    expect(html).toContain('fell back');
    expect(html).toMatch(/after 1 warm-up run /);
    // kept in Runs, and opens again on the Compare screen
    await page.click('[data-testid=nav-runs]');
    const row = page.locator('[data-testid=run-row]', { has: page.locator('[data-testid=run-row-comparison]') });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('2 points');
    await page.reload(); // nothing of the comparison left in the page: it comes back from the history
    await page.waitForSelector('[data-testid=screen-module]');
    await page.click('[data-testid=nav-runs]');
    await row.first().locator('[data-testid=open-run]').click();
    await page.waitForSelector('[data-testid=compare-result]');
    expect(await page.locator('[data-testid=compare-point]').count()).toBe(2);
    expectNoPageErrors(errors);
  });

  it('timeline: two past runs side by side, B under A, aligned at their start; Close B leaves A', async () => {
    const { page, errors } = await shared.atModule();
    await openExample(page, 'multi-launch');
    for (let i = 0; i < 2; i++) {
      await page.click('[data-testid=invoke]');
      await page.locator('[data-testid=invoke]:not([disabled])').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=result-value]').waitFor({ timeout: 60_000 });
    }
    await page.click('[data-testid=nav-runs]');
    const picks = page.locator('[data-testid=pick-run]');
    await expect.poll(() => picks.count(), POLL).toBeGreaterThanOrEqual(2);
    await picks.nth(1).click();
    await picks.nth(0).click();
    await page.click('[data-testid=open-both-timeline]');
    await page.waitForSelector('[data-testid=timeline-side-by-side]');
    const tracks = (await page.getAttribute('[data-testid=timeline]', 'data-tracks'))!.split('|');
    expect(tracks).toEqual(expect.arrayContaining(['invocation', 'host', 'device:cpu', 'B/invocation', 'B/host', 'B/device:cpu']));
    expect(tracks.indexOf('B/invocation')).toBeGreaterThan(tracks.indexOf('device:cpu'));
    await page.screenshot({ path: shotPath('timeline-side-by-side.png'), fullPage: true });
    await page.click('[data-testid=timeline-close-b]');
    await expect.poll(async () => (await page.getAttribute('[data-testid=timeline]', 'data-tracks'))!.includes('B/'), POLL).toBe(false);
    expectNoPageErrors(errors);
  });

  it('launch details: the PTX in a read-only Monaco view at the entry, registers per thread from the PTX; a sanitizer row opens its PTX line', async () => {
    const { page, errors } = await shared.atModule();
    await openExample(page, 'multi-launch');
    await page.click('[data-testid=invoke]');
    // (the page may still show the previous test's result of the same module: wait for this run's end)
    await page.locator('[data-testid=invoke]:not([disabled])').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=result-value]').waitFor({ timeout: 60_000 });
    await page.click('[data-testid=nav-launches]');
    await page.locator('[data-testid=launch-row]', { hasText: 'block_sum' }).first().click();
    const view = page.locator('[data-testid=ptx-view]');
    await view.waitFor();
    // multi.ptx: `.visible .entry block_sum(` is line 57; its body declares %f<9>, %r<15>, %rd<9> (64-bit: twice) = 42
    expect(await view.getAttribute('data-entry-line')).toBe('57');
    await page.locator('[data-testid=ptx-view] .monaco-editor[data-line="57"]').waitFor();
    expect(await page.locator('[data-testid=ptx-view] .view-lines').textContent()).toMatch(/\.entry\s+block_sum/); // Monaco draws spaces as no-break spaces
    expect(await page.textContent('[data-testid=ptx-registers]')).toBe('42');
    expect(await page.inputValue('[data-testid=occupancy-regs]')).toBe('42');
    expect(await page.getAttribute('[data-testid=ptx-view] .monaco-editor textarea', 'readonly')).not.toBeNull();
    await page.locator('[data-testid=ptx]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('launch-ptx.png'), fullPage: true });

    // a fault's PTX line, from the sanitizer
    await page.click('[data-testid=nav-module]');
    await uploadFixture(page, 'fixtures/guests/wasm/explain.wasm');
    await page.selectOption('[data-testid=export-select]', 'explain_out_of_bounds');
    await page.click('[data-testid=invoke]');
    await page.waitForSelector('[data-testid=run-status]', { timeout: 60_000 });
    await page.click('[data-testid=nav-launches]');
    const line = await page.locator('[data-testid=sanitizer] [data-testid=fault-ptx-line]').textContent();
    expect(line).toMatch(/^\d+$/);
    await page.click('[data-testid=sanitizer] [data-testid=fault-ptx-line]');
    await page.locator(`[data-testid=ptx-view][data-target-line="${line}"]`).waitFor();
    await page.locator(`[data-testid=ptx-view] .monaco-editor[data-line="${line}"]`).waitFor();
    // the fault line's decoration comes with a later render (screens refresh up to 4 times a second)
    await page.locator('[data-testid=ptx-view] .ptx-fault-line').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=ptx-view] .ptx-fault-line').count()).toBeGreaterThan(0);
    expectNoPageErrors(errors);
  });
});
