/**
 * The workbench's tools for repeated work (issue 17), end to end in Debian Chromium against the
 * real server and engine: presets (saved invocations re-run in one key), the offload comparison's
 * statistics and exports, two runs side by side in the timeline, and the PTX view.
 */
import { describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM } from './helpers/chromium.js';
import { shotPath } from './helpers/screenshots.js';
import { expectNoPageErrors, typeArgs, uploadFixture } from './helpers/workbench-page.js';
import { useWorkbenchSuite } from './helpers/workbench-suite.js';

const suite = useWorkbenchSuite();

describe.skipIf(!HAVE_CHROMIUM)('workbench tools', { timeout: 180_000 }, () => {
  it('presets: save the current invocation, re-run it with Alt+1 after changing the arguments, keep it across a reload, delete it', async () => {
    const { page, errors } = await suite.open();
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
});
