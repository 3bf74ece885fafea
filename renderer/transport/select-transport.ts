/**
 * Picks the transport: a remote server when the person chose one (kept in this window's
 * localStorage with its token), else Electron's bridge when present, else the page's own server.
 */
import type { WorkbenchApi } from '../../contract/workbench.js';
import { createHttpTransport } from './http-transport.js';
import { createIpcTransport } from './ipc-transport.js';

export interface RemoteTarget {
  url: string;
  token: string;
}

const KEY = 'tensorWasm.remoteTarget';

export function loadRemoteTarget(storage: Pick<Storage, 'getItem'> = localStorage): RemoteTarget | undefined {
  try {
    const raw = storage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as RemoteTarget) : undefined;
    return parsed && typeof parsed.url === 'string' && parsed.url ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function saveRemoteTarget(target: RemoteTarget | undefined, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): void {
  if (target) storage.setItem(KEY, JSON.stringify(target));
  else storage.removeItem(KEY);
}

/** Checks a remote URL before it is used: http(s) only, no credentials in it. */
export function checkRemoteUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL (e.g. http://gpu-box:8080)';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'use http:// or https://';
  if (u.username || u.password) return 'put the token in the token field, not in the URL';
  return undefined;
}

/** The secret the serving server put in the page (server/routes/ui.ts); it goes back to that server only. */
function pageSecret(): string | undefined {
  return document.querySelector<HTMLMetaElement>('meta[name="tensor-wasm-secret"]')?.content || undefined;
}

export function selectTransport(onConnection?: (connected: boolean, reason?: string) => void): { api: WorkbenchApi; mode: 'electron' | 'browser' | 'remote' } {
  const remote = loadRemoteTarget();
  if (remote) return { api: createHttpTransport({ baseUrl: remote.url, token: remote.token, ...(onConnection ? { onConnection } : {}) }), mode: 'remote' };
  if (window.tensorWasm) return { api: createIpcTransport(window.tensorWasm), mode: 'electron' };
  const secret = pageSecret();
  return { api: createHttpTransport({ baseUrl: '', ...(secret ? { pageSecret: secret } : {}), ...(onConnection ? { onConnection } : {}) }), mode: 'browser' };
}
