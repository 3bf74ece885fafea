/**
 * A remote server's token is kept by the main process, encrypted with safeStorage, never in the
 * renderer's localStorage: the store (with a stand-in safeStorage that really transforms the
 * bytes) and the desktop IPC channels (sender check and schemas as for the workbench). The
 * renderer's side is renderer/transport/select-transport.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WORKBENCH_METHODS } from '../contract/workbench.js';
import { APP_ENTRY } from './app-url.js';
import { createIpcHub, type IpcInvokeEvent } from './ipc-hub.js';
import { RemoteTokenStore, type SafeStorageLike } from './remote-token-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wb-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reverses and XORs the bytes: enough that the clear token never appears in the file. */
function fakeSafeStorage(available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from([...Buffer.from(`v10${text}`)].reverse().map((b) => b ^ 0x5a)),
    decryptString: (data) => {
      const clear = Buffer.from([...data].map((b) => b ^ 0x5a).reverse()).toString();
      if (!clear.startsWith('v10')) throw new Error('bad ciphertext');
      return clear.slice(3);
    },
  };
}

const TOKEN = 'tok-3f9a-very-secret';

describe('RemoteTokenStore', () => {
  it('keeps the token encrypted on disk and gives it back only for the origin it was saved for', async () => {
    const file = join(dir, 'a', 'remote-token.json');
    const store = new RemoteTokenStore(file, fakeSafeStorage());
    expect(await store.set('https://gpu-box:8080/ui', TOKEN)).toEqual({ persisted: true });
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    const again = new RemoteTokenStore(file, fakeSafeStorage()); // after a restart
    expect(await again.get('https://gpu-box:8080/other/path')).toBe(TOKEN);
    expect(await again.get('https://evil.example/')).toBeNull();
    expect(await again.get('http://gpu-box:8080/')).toBeNull(); // another scheme is another origin
    await again.set('https://gpu-box:8080', null);
    expect(existsSync(file)).toBe(false);
    expect(await again.get('https://gpu-box:8080')).toBeNull();
  });

  it('without OS encryption it keeps the token for this session only, never in clear on disk', async () => {
    const file = join(dir, 'b', 'remote-token.json');
    const store = new RemoteTokenStore(file, fakeSafeStorage(false));
    expect(await store.set('https://gpu-box', TOKEN)).toEqual({ persisted: false });
    expect(existsSync(file)).toBe(false);
    expect(await store.get('https://gpu-box')).toBe(TOKEN);
    expect(await new RemoteTokenStore(file, fakeSafeStorage(false)).get('https://gpu-box')).toBeNull();
  });

  it('a file it cannot decrypt (another account, tampered) is as good as none', async () => {
    const file = join(dir, 'c', 'remote-token.json');
    await new RemoteTokenStore(file, fakeSafeStorage()).set('https://gpu-box', TOKEN);
    const broken: SafeStorageLike = { ...fakeSafeStorage(), decryptString: () => { throw new Error('keychain locked'); } };
    expect(await new RemoteTokenStore(file, broken).get('https://gpu-box')).toBeNull();
  });
});

describe('desktop IPC channels', () => {
  function hub() {
    const channels = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
    const impl = Object.fromEntries(WORKBENCH_METHODS.map((m) => [m, vi.fn(async () => null)]));
    const desktop = { getRemoteToken: vi.fn(async () => TOKEN), setRemoteToken: vi.fn(async () => ({ persisted: true })) };
    createIpcHub({ handle: (c, l) => channels.set(c, l), removeHandler: (c) => channels.delete(c) }, impl as never, () => {}, desktop);
    return { channels, desktop };
  }
  it('answers the app page and checks arguments', async () => {
    const { channels, desktop } = hub();
    const app = { senderFrame: { url: APP_ENTRY } };
    expect(await channels.get('desktop:getRemoteToken')!(app, 'https://gpu-box')).toEqual({ ok: true, value: TOKEN });
    expect(await channels.get('desktop:setRemoteToken')!(app, 'https://gpu-box', null)).toEqual({ ok: true, value: { persisted: true } });
    for (const bad of [['file:///etc/passwd'], ['https://u:p@gpu-box'], [42], []]) {
      expect(await channels.get('desktop:getRemoteToken')!(app, ...bad)).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    }
    expect(await channels.get('desktop:setRemoteToken')!(app, 'https://gpu-box', 'x'.repeat(5000))).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(desktop.getRemoteToken).toHaveBeenCalledOnce();
    expect(desktop.setRemoteToken).toHaveBeenCalledOnce();
  });
  it('drops other senders', async () => {
    const { channels, desktop } = hub();
    expect(await channels.get('desktop:getRemoteToken')!({ senderFrame: { url: 'https://evil.example/' } }, 'https://gpu-box')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(desktop.getRemoteToken).not.toHaveBeenCalled();
  });
});
