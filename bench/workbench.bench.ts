/**
 * The workbench UI under load, driven by Playwright in Debian Chromium (not a timed test):
 *   - an idle page's frame time: the machine's baseline, measured in the same run;
 *   - streaming 10,000 launches per second for 10 s (a scripted engine behind the real server,
 *     service, batching, SSE and renderer): frame time p95 ≤ 20 ms, no long task > 100 ms,
 *     switching screens ≤ 150 ms, JS heap ≤ 150 MB;
 *   - the timeline with those 100,000 slices panned and zoomed (W/S/A/D): frame p95 ≤ 20 ms;
 *   - 20,000 characters put into the argument editor: no task > 100 ms, pasted at once and then
 *     typed key by key at its end.
 * Prints each figure with MET / NOT MET.
 *
 *   npm run bench -- workbench
 *   WB_BENCH_RATE=10000 WB_BENCH_SECONDS=10 to change the stream; TENSOR_WASM_CHROMIUM for the browser;
 *   UI_DIR=<a renderer build> to measure another build (dist/renderer, rebuilt if stale, by default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildRendererIfStale } from '../e2e/helpers/build-renderer.js';
import { freshContext, HAVE_CHROMIUM, launchChromium } from '../e2e/helpers/chromium.js';
import { WASM_HEADER } from '../workbench/fake-engine.test-util.js';
import { buildServer } from '../server/app.js';
import { percentile } from './stats.js';
import { RATE, SECONDS, StreamingEngine } from './workbench-stream-engine.js';

/** Page-side: frame intervals (rAF) and long tasks over `ms`, while `during` runs in the page. */
async function measureFrames(page: Page, ms: number, during = ''): Promise<{ p95: number; max: number; frames: number; longest: number }> {
  return (await page.evaluate(`new Promise((resolve) => {
    const frames = [];
    let longest = 0;
    const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) longest = Math.max(longest, e.duration); });
    try { obs.observe({ type: 'longtask', buffered: false }); } catch {}
    let last = performance.now();
    const end = last + ${ms};
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      ${during}
      if (now < end) requestAnimationFrame(tick);
      else { obs.disconnect(); const s = frames.slice(1).sort((a, b) => a - b); resolve({ p95: s[Math.ceil(s.length * 0.95) - 1] ?? 0, max: s[s.length - 1] ?? 0, frames: s.length, longest }); }
    };
    requestAnimationFrame(tick);
  })`)) as { p95: number; max: number; frames: number; longest: number };
}

/** Clicks a nav button in the page and waits for the frame after the new screen rendered. */
async function switchScreen(page: Page, id: string): Promise<number> {
  return (await page.evaluate(`new Promise((resolve) => {
    const t = performance.now();
    document.querySelector('[data-testid=nav-${id}]').click();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t)));
  })`)) as number;
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1e6;
}

const rows: { what: string; value: string; goal: string; met: boolean | undefined }[] = [];
const row = (what: string, value: number, unit: string, goal: number | undefined, digits = 1) =>
  rows.push({ what, value: `${value.toFixed(digits)} ${unit}`, goal: goal === undefined ? '(baseline)' : `≤ ${goal} ${unit}`, met: goal === undefined ? undefined : value <= goal });

async function main(): Promise<void> {
  if (!HAVE_CHROMIUM) {
    console.log('skipped: no Chromium (set TENSOR_WASM_CHROMIUM)');
    return;
  }
  // UI_DIR: another build of the renderer (before/after comparisons in the same window).
  const uiDir = process.env.UI_DIR ?? (await buildRendererIfStale());
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-bench-wb-'));
  const engine = new StreamingEngine();
  const app = await buildServer({ engine, dataDir, uiDir });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const context = await freshContext(browser);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('[data-testid=screen-module]');
    await page.setInputFiles('[data-testid=file-input]', { name: 'stream.wasm', mimeType: 'application/wasm', buffer: Buffer.from(WASM_HEADER) });
    await page.waitForSelector('[data-testid=screen-invoke]');
    await page.waitForTimeout(1000);

    const idle = await measureFrames(page, 2000);
    row('idle page frame time p95', idle.p95, 'ms', undefined);

    await page.click('[data-testid=invoke]');
    await page.click('[data-testid=nav-launches]');
    const streaming = await measureFrames(page, SECONDS * 1000 * 0.6);
    const switches: number[] = [];
    for (const id of ['invoke', 'launches', 'timeline', 'runs', 'launches', 'timeline', 'launches']) switches.push(await switchScreen(page, id));
    await page.locator('[data-testid=result-value]').or(page.locator('[data-testid=screen-launches]')).first().waitFor();
    await page.click('[data-testid=nav-invoke]');
    await page.waitForSelector('[data-testid=result-value]', { timeout: (SECONDS + 60) * 1000 });
    await page.click('[data-testid=nav-launches]');
    const count = Number(await page.textContent('[data-testid=launch-count]'));
    row(`streaming ${RATE.toLocaleString('en')} launches/s: frame time p95`, streaming.p95, 'ms', 20);
    row('streaming: longest task', streaming.longest, 'ms', 100);
    row('switching screens while streaming (max of 7)', Math.max(...switches), 'ms', 150);
    row(`JS heap after ${count.toLocaleString('en')} launches`, await heapMb(page), 'MB', 150);

    await page.click('[data-testid=nav-timeline]');
    await page.waitForSelector('[data-testid=timeline-canvas]');
    const slices = Number(await page.getAttribute('[data-testid=timeline]', 'data-slices'));
    await page.focus('[data-testid=timeline-canvas]');
    const keys = `{ const k = ['w','w','a','d','s','w','a','s','d','s'][frames.length % 10]; document.querySelector('[data-testid=timeline-canvas]').dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); }`;
    const timeline = await measureFrames(page, 3000, keys);
    row(`timeline with ${slices.toLocaleString('en')} slices, pan/zoom every frame: frame p95`, timeline.p95, 'ms', 20);
    row('timeline pan/zoom: longest task', timeline.longest, 'ms', 100);

    await page.click('[data-testid=nav-invoke]');
    await page.selectOption('[data-testid=export-select]', 'add');
    await page.click('[data-testid=args-editor] .monaco-editor .view-lines');
    await page.keyboard.press('Control+A');
    const text = `[${'1, '.repeat(6666)}1]`;
    await page.evaluate(`(() => { window.__longest = 0; const o = new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration); }); o.observe({ type: 'longtask' }); window.__obs = o; })()`);
    const t = Date.now();
    await page.keyboard.insertText(text);
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    const insertMs = Date.now() - t;
    const longest = (await page.evaluate('(window.__obs.disconnect(), window.__longest)')) as number;
    row(`${text.length.toLocaleString('en')} characters into the argument editor: longest task`, longest, 'ms', 100);
    row('  (wall time to insert them)', insertMs, 'ms', undefined, 0);

    // The insert above is a paste. Typing is key by key: more keys at the end of that argument,
    // each a separate input event, then the pause after which the editor checks the text once.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowLeft'); // before the closing bracket
    await page.evaluate(`(() => { window.__longest = 0; const o = new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration); }); o.observe({ type: 'longtask' }); window.__obs = o; })()`);
    const typed = ', 2'.repeat(40);
    const t1 = Date.now();
    await page.keyboard.type(typed);
    const perKeyMs = (Date.now() - t1) / typed.length;
    await page.waitForTimeout(1500); // the check after typing pauses
    const longestTyping = (await page.evaluate('(window.__obs.disconnect(), window.__longest)')) as number;
    row(`typing ${typed.length} more characters into it, key by key: longest task`, longestTyping, 'ms', 100);
    row('  (wall time per key, as Playwright types)', perKeyMs, 'ms', undefined, 1);
  } finally {
    await browser.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const w = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) console.log(`${r.what.padEnd(w)}  ${r.value.padStart(11)}  ${r.goal.padEnd(12)} ${r.met === undefined ? '' : r.met ? 'MET' : 'NOT MET'}`);
  console.log(`(Chromium headless, ${SECONDS} s stream; frame times include the machine's load: compare with the idle baseline above)`);
}

await main();
// Playwright and fastify handles may linger a moment; the figures are printed.
process.exit(0);
