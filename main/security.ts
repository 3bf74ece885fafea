/**
 * Hardening applied to every web contents and the session: navigation and new windows blocked
 * (links open in the system browser after the person confirms), <webview> refused, permissions
 * denied, CSP sent as a header (also by the app:// protocol handler itself, setup-protocol.ts). Written against the small parts of
 * Electron's API it uses, so tests drive it with plain objects under Node.
 */
import { isAppUrl } from './app-url.js';
import { WORKBENCH_CSP } from './csp.js';

export interface NavigationEvent {
  preventDefault(): void;
}

/** The parts of Electron's WebContents the guards use. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: NavigationEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface GuardedSession {
  setPermissionRequestHandler(handler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((contents: unknown, permission: string) => boolean) | null): void;
  webRequest: {
    onHeadersReceived(listener: (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void): void;
  };
}

/** How a link leaves the app: the person is asked first, then the system browser opens it. */
export interface ExternalLinks {
  /** Asks the person (a native dialog in main.ts); resolves true to open. */
  confirm(url: string): Promise<boolean>;
  /** shell.openExternal. */
  open(url: string): void | Promise<void>;
}

const MAX_LINK_CHARS = 2048;

/**
 * The URL to hand to the system browser, or undefined: http(s) only (never file:, javascript:,
 * a custom scheme that launches another program, ...), no user name or password in it, bounded
 * in length. Returns the parsed form, so what the person confirms is what opens.
 */
export function externalLinkUrl(url: string): string | undefined {
  if (typeof url !== 'string' || url.length > MAX_LINK_CHARS) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || !u.hostname) return undefined;
  return u.href;
}

/**
 * New windows are always denied; an http(s) link asks the person before it opens in the system
 * browser. One question at a time per window: a page that calls window.open in a loop gets one
 * dialog, not a flood.
 */
export function guardContents(contents: GuardedContents, links: ExternalLinks): void {
  let asking = false;
  contents.setWindowOpenHandler(({ url }) => {
    const link = externalLinkUrl(url);
    if (link && !asking) {
      asking = true;
      links
        .confirm(link)
        .then((yes) => (yes ? links.open(link) : undefined))
        .catch(() => undefined)
        .finally(() => {
          asking = false;
        });
    }
    return { action: 'deny' };
  });
  const stayInApp = (event: NavigationEvent, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function guardSession(session: GuardedSession): void {
  // The workbench needs no camera, microphone, notifications, geolocation, ...: deny all.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    if (isAppUrl(details.url)) headers['Content-Security-Policy'] = [WORKBENCH_CSP];
    callback({ responseHeaders: headers });
  });
}
