/**
 * Picks the transport: a remote server when the person chose one (its URL kept in this window's
 * localStorage; its token there too in browser mode, but in Electron kept by the main process,
 * encrypted with safeStorage), else Electron's bridge when present, else the page's own server.
 */
import type { DesktopBridge } from '../../contract/desktop-bridge.js';
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

declare global {
  interface Window {
    tensorWasmDesktop?: DesktopBridge;
  }
}

/**
 * Electron: the remote token lives in the main process; localStorage keeps only the URL. A token
 * an older version left in localStorage is moved to main (and wiped here) on the way.
 */
export async function loadDesktopRemoteToken(desktop: DesktopBridge, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = localStorage): Promise<string | undefined> {
  const remote = loadRemoteTarget(storage);
  if (!remote) return undefined;
  if (remote.token) {
    const moved = await desktop.setRemoteToken(remote.url, remote.token);
    if (moved.ok) saveRemoteTarget({ url: remote.url, token: '' }, storage);
    return remote.token;
  }
  const reply = await desktop.getRemoteToken(remote.url);
  return reply.ok && reply.value ? reply.value : undefined;
}

/** Saves the chosen target: in Electron the token goes to main and only the URL stays here. */
export async function storeRemoteTarget(target: RemoteTarget | undefined, desktop: DesktopBridge | null = window.tensorWasmDesktop ?? null, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): Promise<void> {
  if (!desktop) return saveRemoteTarget(target, storage);
  // An empty token field keeps what main holds (it answers only for the origin it was saved for).
  if (!target || target.token) {
    const reply = await desktop.setRemoteToken(target?.url ?? 'http://localhost', target?.token || null);
    if (!reply.ok) throw new Error(reply.error.message);
  }
  saveRemoteTarget(target ? { url: target.url, token: '' } : undefined, storage);
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

/** `desktopToken`: in Electron, the remote token main gave back (loadDesktopRemoteToken). */
export function selectTransport(onConnection?: (connected: boolean, reason?: string) => void, desktopToken?: string): { api: WorkbenchApi; mode: 'electron' | 'browser' | 'remote' } {
  const remote = loadRemoteTarget();
  const token = desktopToken ?? remote?.token;
  if (remote) return { api: createHttpTransport({ baseUrl: remote.url, ...(token ? { token } : {}), ...(onConnection ? { onConnection } : {}) }), mode: 'remote' };
  if (window.tensorWasm) return { api: createIpcTransport(window.tensorWasm), mode: 'electron' };
  const secret = pageSecret();
  return { api: createHttpTransport({ baseUrl: '', ...(secret ? { pageSecret: secret } : {}), ...(onConnection ? { onConnection } : {}) }), mode: 'browser' };
}
