/**
 * Electron hardening, checked under plain Node (the Electron binary cannot be downloaded here):
 * the window options, the navigation / new-window / webview guards, the session's permission
 * and CSP handling, the app:// file mapping and the IPC hub's sender validation are all pure
 * functions over injected Electron-like objects, so each switch is asserted directly.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { WORKBENCH_METHODS } from '../contract/workbench.js';
import { APP_ENTRY, resolveAppFile } from './app-url.js';
import { WORKBENCH_CSP } from './csp.js';
import { createIpcHub, type IpcInvokeEvent, type IpcMainLike } from './ipc-hub.js';
import { guardContents, guardSession, type NavigationEvent } from './security.js';
import { createAppProtocolHandler } from './setup-protocol.js';
import { createWindowOptions } from './window-options.js';

describe('window options', () => {
  const prefs = createWindowOptions('/app/preload.cjs').webPreferences!;
  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['webviewTag', false],
    ['navigateOnDragDrop', false],
  ] as const)('%s is %s', (key, value) => expect(prefs[key]).toBe(value));
  it('uses the bundled preload', () => expect(prefs.preload).toBe('/app/preload.cjs'));
});

function fakeContents() {
  const listeners = new Map<string, (event: NavigationEvent, url?: string) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  return {
    contents: {
      on: (name: string, l: (event: NavigationEvent, url?: string) => void) => listeners.set(name, l),
      setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' | 'allow' }) => (openHandler = h),
    },
    navigate(name: string, url?: string) {
      const event = { preventDefault: vi.fn() };
      listeners.get(name)!(event, url);
      return event.preventDefault.mock.calls.length > 0;
    },
    open: (url: string) => openHandler!({ url }),
  };
}

describe('navigation and new windows', () => {
  it('blocks navigation away from the app, allows app:// pages', () => {
    const f = fakeContents();
    guardContents(f.contents as never, { confirm: async () => false, open: () => {} });
    expect(f.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(f.navigate('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(f.navigate('will-navigate', APP_ENTRY)).toBe(false);
  });
  const links = (answer: boolean) => ({ confirm: vi.fn(async () => answer), open: vi.fn() });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  it('denies every new window; an http(s) link opens in the system browser only after the person confirms', async () => {
    const f = fakeContents();
    const yes = links(true);
    guardContents(f.contents as never, yes);
    expect(f.open('https://example.org/docs')).toEqual({ action: 'deny' });
    expect(yes.open).not.toHaveBeenCalled(); // not before the answer
    await settle();
    expect(yes.confirm.mock.calls).toEqual([['https://example.org/docs']]);
    expect(yes.open.mock.calls).toEqual([['https://example.org/docs']]);
    expect(f.open('http://example.org/')).toEqual({ action: 'deny' });
    await settle();
    expect(yes.open).toHaveBeenCalledTimes(2);
  });
  it('a link the person declines does not open', async () => {
    const f = fakeContents();
    const no = links(false);
    guardContents(f.contents as never, no);
    expect(f.open('https://example.org/docs')).toEqual({ action: 'deny' });
    await settle();
    expect(no.confirm).toHaveBeenCalledOnce();
    expect(no.open).not.toHaveBeenCalled();
  });
  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['a scheme that launches a program', 'ms-settings:privacy'],
    ['smb:', 'smb://host/share'],
    ['data:', 'data:text/html,x'],
    ['credentials in the URL', 'https://user:pw@example.org/'],
    ['the app itself', APP_ENTRY],
    ['a 3000-character URL', `https://example.org/${'a'.repeat(3000)}`],
    ['not a URL', 'not a url'],
  ])('never asks about or opens %s', async (_label, url) => {
    const f = fakeContents();
    const yes = links(true);
    guardContents(f.contents as never, yes);
    expect(f.open(url)).toEqual({ action: 'deny' });
    await settle();
    expect(yes.confirm).not.toHaveBeenCalled();
    expect(yes.open).not.toHaveBeenCalled();
  });
  it('a page opening links in a loop gets one question at a time, not a flood', async () => {
    const f = fakeContents();
    let answer: (yes: boolean) => void = () => {};
    const slow = { confirm: vi.fn(() => new Promise<boolean>((r) => (answer = r))), open: vi.fn() };
    guardContents(f.contents as never, slow);
    for (let i = 0; i < 50; i++) f.open(`https://example.org/${i}`);
    expect(slow.confirm).toHaveBeenCalledOnce();
    answer(false);
    await settle();
    f.open('https://example.org/later');
    expect(slow.confirm).toHaveBeenCalledTimes(2);
  });
  it('refuses <webview>', () => {
    const f = fakeContents();
    guardContents(f.contents as never, links(false));
    expect(f.navigate('will-attach-webview')).toBe(true);
  });
});

describe('session: permissions and CSP', () => {
  const captured: { request?: Function; check?: Function; headers?: Function } = {};
  guardSession({
    setPermissionRequestHandler: (h) => (captured.request = h!),
    setPermissionCheckHandler: (h) => (captured.check = h!),
    webRequest: { onHeadersReceived: (l) => (captured.headers = l) },
  });
  it('denies every permission request and check', () => {
    const cb = vi.fn();
    captured.request!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(captured.check!({}, 'notifications')).toBe(false);
  });
  it('sends a strict CSP header with app:// documents', () => {
    let out: { responseHeaders?: Record<string, string[]> } = {};
    captured.headers!({ url: APP_ENTRY, responseHeaders: {} }, (r: typeof out) => (out = r));
    const csp = out.responseHeaders!['Content-Security-Policy']![0]!;
    expect(csp).toBe(WORKBENCH_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval)/);
    expect(csp).toContain("object-src 'none'");
  });
});

describe('app:// protocol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-proto-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<html>');
  writeFileSync(join(dir, 'assets', 'a.js'), 'x');
  it('maps app URLs into the renderer folder only', () => {
    expect(resolveAppFile('app://workbench/', dir)).toBe(join(dir, 'index.html'));
    expect(resolveAppFile('app://workbench/assets/a.js', dir)).toBe(join(dir, 'assets', 'a.js'));
    // The URL parser already folds `..` away; whatever remains stays inside the folder.
    expect(resolveAppFile('app://workbench/../../etc/passwd', dir)).toBe(join(dir, 'etc', 'passwd'));
    expect(resolveAppFile('app://workbench/%2e%2e/%2e%2e/etc/passwd', dir)).toBe(join(dir, 'etc', 'passwd'));
    // Encoded separators decode after URL parsing: refused rather than trusted.
    expect(resolveAppFile('app://workbench/..%5c..%5csecret', dir)).toBeUndefined();
    expect(resolveAppFile('app://workbench/a%00.js', dir)).toBeUndefined();
    expect(resolveAppFile('app://other/index.html', dir)).toBeUndefined();
    expect(resolveAppFile('file:///etc/passwd', dir)).toBeUndefined();
  });
  it('serves files with their MIME type and 404s the rest', async () => {
    const handler = createAppProtocolHandler(dir);
    const ok = await handler({ url: 'app://workbench/assets/a.js' });
    expect(ok.headers.get('content-type')).toContain('javascript');
    // The CSP comes with the protocol handler's own response (webRequest may never see app://).
    for (const url of ['app://workbench/', 'app://workbench/index.html', 'app://workbench/assets/a.js', 'app://workbench/missing.js']) {
      const res = await handler({ url });
      expect(res.headers.get('content-security-policy'), url).toBe(WORKBENCH_CSP);
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
    expect((await handler({ url: 'app://workbench/..%5csecret' })).status).toBe(404);
    expect((await handler({ url: 'app://workbench/missing.js' })).status).toBe(404);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('IPC sender validation', () => {
  function hubWithSpy() {
    const handlers = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain: IpcMainLike = { handle: (c, l) => handlers.set(c, l), removeHandler: (c) => handlers.delete(c) };
    const spy = vi.fn(async () => ({ kind: 'local' }));
    const impl = Object.fromEntries(WORKBENCH_METHODS.map((m) => [m, m === 'getTarget' ? spy : vi.fn(async () => null)]));
    const log = vi.fn();
    createIpcHub(ipcMain, impl as never, log);
    return { handlers, spy, log };
  }
  it('answers the app page', async () => {
    const { handlers, spy } = hubWithSpy();
    expect(await handlers.get('workbench:getTarget')!({ senderFrame: { url: APP_ENTRY } })).toEqual({ ok: true, value: { kind: 'local' } });
    expect(spy).toHaveBeenCalledOnce();
  });
  it.each([{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'file:///tmp/x.html' } }, { senderFrame: null }])('drops %j without calling the handler', async (event) => {
    const { handlers, spy, log } = hubWithSpy();
    const reply = await handlers.get('workbench:getTarget')!(event as IpcInvokeEvent);
    expect(reply).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(spy).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalled();
  });
});
