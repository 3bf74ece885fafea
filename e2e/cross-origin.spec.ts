/**
 * Issue 15, defect 1, in a real browser: a page served by another local server (another origin)
 * tries everything a web page can do against a `serve --ui` server on 127.0.0.1 — read its API,
 * read the page that holds its secret, upload, deploy, change settings (CORS and no-cors fetches,
 * a form post), frame it — and gets nothing, while the workbench that server serves still works.
 * A DNS-rebinding page (a foreign name resolving to 127.0.0.1) is refused as well.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, freshContext, HAVE_CHROMIUM, launchChromium } from './helpers/chromium.js';
import { startWorkbenchServer, type RunningServer } from './helpers/server.js';

// vitest's expect.poll gives up after 1 s; under the full suite's load a save or a redraw can take longer
const POLL = { timeout: 10_000 };

const root = join(import.meta.dirname, '..');
let server: RunningServer;
let evil: Server;
let evilUrl: string;
let browser: Browser | undefined;
let context: BrowserContext | undefined;

/** Everything the other origin's page tries; each step records what it could see. */
function attackerPage(target: string): string {
  return `<!doctype html><html><head><title>another origin</title></head><body>
<iframe id="frame" src="${target}/"></iframe>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="${target}/workbench/invoke" enctype="text/plain" target="sink">
  <input name='{"runId":"evil-form","moduleId":"x","exportName":"add","argsJson":"[1,2]","pad":"' value='"}'>
</form>
<script>
const T = ${JSON.stringify(target)};
const wasm = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
async function attempt(name, run) {
  try { window.results[name] = await run(); } catch (e) { window.results[name] = 'blocked: ' + e.name; }
}
window.results = {};
(async () => {
  await attempt('read runs', async () => (await fetch(T + '/workbench/runs')).text());
  await attempt('read page (the secret)', async () => (await fetch(T + '/')).text());
  await attempt('read functions', async () => (await fetch(T + '/functions')).text());
  await attempt('patch settings', async () => (await fetch(T + '/workbench/settings', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"theme":"dark"}' })).status);
  await attempt('upload (no-cors)', async () => (await fetch(T + '/workbench/modules?name=evil.wasm', { method: 'POST', mode: 'no-cors', body: wasm })).type);
  await attempt('deploy (no-cors)', async () => (await fetch(T + '/functions?name=evil', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: 'x' })).type);
  await attempt('invoke (no-cors)', async () => (await fetch(T + '/workbench/invoke', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"runId":"evil-1","moduleId":"x","exportName":"add","argsJson":"[]"}' })).type);
  await attempt('delete run (no-cors)', async () => (await fetch(T + '/workbench/runs/any', { method: 'DELETE', mode: 'no-cors' })).type);
  await attempt('event stream', () => new Promise((resolve) => { const es = new EventSource(T + '/workbench/events'); es.onopen = () => { es.close(); resolve('open'); }; es.onerror = () => { es.close(); resolve('blocked: error'); }; }));
  document.getElementById('form').submit();
  await new Promise((r) => setTimeout(r, 500));
  window.done = true;
})();
</script></body></html>`;
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  [server, browser] = await Promise.all([startWorkbenchServer(), launchChromium()]);
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(attackerPage(server.url));
  });
  await new Promise<void>((done) => evil.listen(0, '127.0.0.1', done));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (evil ? evil.close(done) : done(undefined)));
  await server?.stop();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** What the server holds, asked as the CLI would (no browser headers). */
async function serverState(): Promise<{ recent: unknown[]; runs: unknown[]; functions: unknown[]; theme: string }> {
  const get = async (path: string) => (await fetch(`${server.url}${path}`)).json() as Promise<never>;
  const [recent, runs, functions, settings] = await Promise.all([get('/workbench/recent'), get('/workbench/runs'), get('/functions'), get('/workbench/settings')]);
  return { recent, runs, functions: (functions as { functions: unknown[] }).functions, theme: (settings as { theme: string }).theme };
}

describe.skipIf(!HAVE_CHROMIUM)('a page on another origin against a local serve --ui', () => {
  it('can neither read nor change anything, nor frame the workbench', async () => {
    const before = await serverState();
    context = await freshContext(browser!);
    const page = await context.newPage();
    await page.goto(evilUrl);
    await page.waitForFunction('window.done === true');
    const results = (await page.evaluate('window.results')) as Record<string, unknown>;
    for (const read of ['read runs', 'read page (the secret)', 'read functions', 'patch settings', 'event stream']) {
      expect(results[read], read).toMatch(/^blocked/);
    }
    // no-cors requests go out but come back opaque; what matters is that the server refused them
    for (const write of ['upload (no-cors)', 'deploy (no-cors)', 'invoke (no-cors)', 'delete run (no-cors)']) {
      expect(String(results[write]), write).toMatch(/^(opaque|blocked)/);
    }
    expect(await serverState()).toEqual(before);
    // the framed workbench never rendered (frame-ancestors 'none' / X-Frame-Options: DENY)
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      expect(await frame.locator('[data-testid=screen-module]').count()).toBe(0);
    }
  });

  it('cannot reach it through DNS rebinding (a foreign name resolving to 127.0.0.1)', async () => {
    const port = new URL(server.url).port;
    // A browser whose resolver maps rebind.test to loopback, as a rebinding DNS server would.
    const rebinding = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
    });
    try {
      const page = await (await rebinding.newContext()).newPage();
      const response = await page.goto(`http://rebind.test:${port}/`);
      expect(response?.status()).toBe(403);
      const text = await page.textContent('body');
      expect(text).toContain('"code":"unauthorized"');
      expect(text).not.toContain('tensor-wasm-secret');
      const api = await page.evaluate(`fetch('/workbench/runs').then((r) => r.status)`);
      expect(api).toBe(403);
    } finally {
      await rebinding.close();
    }
  });

  it('the workbench the server serves still uploads, invokes and saves settings', async () => {
    context = await freshContext(browser!);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=screen-module]');
    await page.setInputFiles('[data-testid=file-input]', join(root, 'fixtures/wasm/add.wasm'));
    await page.waitForSelector('[data-testid=screen-invoke]');
    await page.click('[data-testid=args-editor] .monaco-editor .view-lines');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('[2, 40]');
    await page.click('[data-testid=invoke]');
    await page.waitForSelector('[data-testid=result-value]');
    expect(await page.textContent('[data-testid=result-value]')).toBe('[42]');
    await page.click('[data-testid=nav-settings]');
    await page.fill('[data-testid=setting-deadline]', '4321');
    await page.click('[data-testid=settings-save]');
    await expect.poll(async () => ((await (await fetch(`${server.url}/workbench/settings`)).json()) as { deadlineMs: number }).deadlineMs, POLL).toBe(4321);
  });
});
