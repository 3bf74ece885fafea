/**
 * Hardening applied to every web contents and the session: navigation and new windows blocked,
 * <webview> refused, permissions denied, CSP sent as a header. Written against the small parts of
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

/** Links the person clicks (e.g. docs) open in the system browser; nothing opens in the app. */
export function guardContents(contents: GuardedContents, openExternal: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) openExternal(url);
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
