/**
 * Electron mode keeps a remote server's token in the main process (safeStorage), not in
 * localStorage: saving a target hands the token over and leaves only the URL here, and a token an
 * older version left in localStorage is moved to main and wiped. The bridge is a stand-in that
 * holds one token per origin, as main's RemoteTokenStore does (main/remote-token.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DesktopBridge } from '../../contract/desktop-bridge.js';
import { loadDesktopRemoteToken, loadRemoteTarget, storeRemoteTarget } from './select-transport.js';

const TOKEN = 'tok-3f9a-very-secret';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k), clear: () => m.clear(), key: () => null, get length() { return m.size; } };
}

function standInMain(): DesktopBridge & { held: () => { origin: string; token: string } | undefined } {
  let held: { origin: string; token: string } | undefined;
  return {
    held: () => held,
    getRemoteToken: async (url) => ({ ok: true, value: held && held.origin === new URL(url).origin ? held.token : null }),
    setRemoteToken: async (url, token) => {
      held = token ? { origin: new URL(url).origin, token } : undefined;
      return { ok: true, value: { persisted: true } };
    },
  };
}

describe('remote target in Electron mode', () => {
  it('saving a target hands the token to main and keeps only the URL in localStorage', async () => {
    const storage = memoryStorage();
    const main = standInMain();
    await storeRemoteTarget({ url: 'https://gpu-box:8080', token: TOKEN }, main, storage);
    expect(storage.getItem('tensorWasm.remoteTarget')).not.toContain(TOKEN);
    expect(loadRemoteTarget(storage)?.url).toBe('https://gpu-box:8080');
    expect(main.held()).toEqual({ origin: 'https://gpu-box:8080', token: TOKEN });
    expect(await loadDesktopRemoteToken(main, storage)).toBe(TOKEN);
  });

  it('a token an older version left in localStorage is moved to main and wiped here', async () => {
    const storage = memoryStorage();
    storage.setItem('tensorWasm.remoteTarget', JSON.stringify({ url: 'https://gpu-box', token: TOKEN }));
    const main = standInMain();
    expect(await loadDesktopRemoteToken(main, storage)).toBe(TOKEN);
    expect(storage.getItem('tensorWasm.remoteTarget')).not.toContain(TOKEN);
    expect(main.held()?.token).toBe(TOKEN);
  });

  it('switching back to this machine clears the token in main', async () => {
    const storage = memoryStorage();
    const main = standInMain();
    await storeRemoteTarget({ url: 'https://gpu-box', token: TOKEN }, main, storage);
    await storeRemoteTarget(undefined, main, storage);
    expect(main.held()).toBeUndefined();
    expect(loadRemoteTarget(storage)).toBeUndefined();
  });

  it('browser mode (no desktop bridge) keeps the token in localStorage as before', async () => {
    const storage = memoryStorage();
    await storeRemoteTarget({ url: 'https://gpu-box', token: TOKEN }, null, storage);
    expect(loadRemoteTarget(storage)).toEqual({ url: 'https://gpu-box', token: TOKEN });
  });
});
