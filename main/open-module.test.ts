/**
 * Defect 3 of issue 15, as a compromised renderer would try it: `openModule` by path over IPC.
 * Driven through setupWorkbench (the real engine, service and IPC hub, with a stand-in ipcMain and
 * dialog) under plain Node — the Electron binary is not available here. A renderer may open a path
 * only after the person chose it in the Open dialog; every other path gets one answer, the same
 * whether the file exists or not, quoting none of its bytes, and nothing is copied into the app's
 * data. Chosen files must be regular files under the size cap.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../contract/errors.js';
import { MAX_MODULE_BYTES } from '../contract/workbench-schemas.js';
import type { IpcReply, LoadedModule, RecentModule } from '../contract/workbench.js';
import { wasmFixture } from '../runtime/test-support/fixtures.js';
import { APP_ENTRY } from './app-url.js';
import type { IpcInvokeEvent } from './ipc-hub.js';
import { setupWorkbench, type WorkbenchSetup } from './setup-workbench.js';

const ADD_WASM = readFileSync(wasmFixture('add.wasm'));
const base = mkdtempSync(join(tmpdir(), 'wb-open-'));
const userData = join(base, 'userData');
const elsewhere = join(base, 'elsewhere');
mkdirSync(elsewhere);
const secret = join(elsewhere, 'shadow');
writeFileSync(secret, 'root:$y$j9T$secretsecret:19000:0:99999:7:::\n');
const strayWasm = join(elsewhere, 'stray.wasm');
writeFileSync(strayWasm, ADD_WASM);
const missing = join(elsewhere, 'no-such-file.wasm');

const handlers = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
let dialogAnswer: { canceled: boolean; filePaths: string[] } = { canceled: true, filePaths: [] };
let workbench: WorkbenchSetup;

function call<T>(method: string, ...args: unknown[]): Promise<IpcReply<T>> {
  return handlers.get(`workbench:${method}`)!({ senderFrame: { url: APP_ENTRY } }, ...structuredClone(args)) as Promise<IpcReply<T>>;
}
async function failure(method: string, ...args: unknown[]): Promise<ErrorInfo> {
  const reply = await call(method, ...args);
  expect(reply.ok, `${method} should fail`).toBe(false);
  return (reply as { ok: false; error: ErrorInfo }).error;
}
const storedModules = () => {
  try {
    return readdirSync(join(userData, 'workbench', 'modules'));
  } catch {
    return [];
  }
};

beforeAll(() => {
  workbench = setupWorkbench({
    ipcMain: { handle: (c, l) => handlers.set(c, l), removeHandler: (c) => handlers.delete(c) },
    openDialog: async () => dialogAnswer,
    userDataDir: userData,
    examplesDir: join(base, 'no-examples'),
    engineVersion: 'test',
  });
});
afterAll(async () => {
  await workbench.close();
  rmSync(base, { recursive: true, force: true });
});

describe('openModule by a path the person did not choose', () => {
  it('gets one answer for a secret file, a missing file and a valid module: no existence, no bytes, no copy', async () => {
    const answers = await Promise.all([secret, missing, strayWasm, '/etc/shadow', '/etc/passwd'].map((path) => failure('openModule', { kind: 'path', path })));
    for (const e of answers) {
      expect(e.code).toBe('invalid_args');
      expect(e.message).toBe(answers[0]!.message);
      expect(e.message).not.toMatch(/root|72 6f 6f 74|ENOENT|EACCES|no such file|exist/i);
      expect(e.details).toBeUndefined();
    }
    expect(storedModules()).toEqual([]);
    expect(((await call<RecentModule[]>('listRecent')) as { value: RecentModule[] }).value).toEqual([]);
  });

  it('any path string at all, never granted, gets that same answer (property)', async () => {
    const expected = (await failure('openModule', { kind: 'path', path: missing })).message;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom(secret, strayWasm, `${elsewhere}/../elsewhere/stray.wasm`, `${strayWasm}/`, 'stray.wasm')), async (path) => {
        const e = await failure('openModule', { kind: 'path', path });
        expect(e.code).toBe('invalid_args');
        if (e.message !== expected) expect(e.message).toMatch(/^openModule: argument/); // refused by the schema (empty, too long)
      }),
      { numRuns: 200 },
    );
    expect(storedModules()).toEqual([]);
  });
});

describe('openModule by a path chosen in the Open dialog', () => {
  const chosenDir = join(base, 'chosen');
  mkdirSync(chosenDir);
  const good = join(chosenDir, 'add.wasm');
  writeFileSync(good, ADD_WASM);

  async function pick(path: string): Promise<IpcReply<LoadedModule | null>> {
    dialogAnswer = { canceled: false, filePaths: [path] };
    try {
      return await call<LoadedModule | null>('pickModule');
    } finally {
      dialogAnswer = { canceled: true, filePaths: [] };
    }
  }

  it('opens it, keeps it in main’s recent list with its path, and may reopen it by path', async () => {
    const picked = await pick(good);
    expect(picked.ok).toBe(true);
    const loaded = (picked as { value: LoadedModule }).value;
    expect(loaded.name).toBe('add.wasm');
    const recent = ((await call<RecentModule[]>('listRecent')) as { value: RecentModule[] }).value;
    expect(recent[0]).toMatchObject({ moduleId: loaded.moduleId, path: good });
    const again = await call<LoadedModule>('openModule', { kind: 'path', path: good });
    expect(again).toMatchObject({ ok: true, value: { moduleId: loaded.moduleId } });
    // The same path spelled with `..` is the same granted file.
    expect(await call<LoadedModule>('openModule', { kind: 'path', path: join(chosenDir, '..', 'chosen', 'add.wasm') })).toMatchObject({ ok: true });
  });

  it('a chosen file that is not a module is refused without quoting its bytes', async () => {
    const text = join(chosenDir, 'notes.wasm');
    writeFileSync(text, 'root:x:0:0:root:/root:/bin/bash\n');
    const e = ((await pick(text)) as { error: ErrorInfo }).error;
    expect(e.code).toBe('invalid_module');
    expect(e.message).toContain('notes.wasm');
    expect(e.message).not.toMatch(/root|72 6f 6f 74|found/);
  });

  it('a chosen file with a valid header and a broken body is refused without V8 quoting its bytes', async () => {
    const broken = join(chosenDir, 'broken.wasm');
    writeFileSync(broken, Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x72, 0x6f, 0x6f, 0x74, 0x01, 0x02]));
    const e = ((await pick(broken)) as { error: ErrorInfo }).error;
    expect(e.code).toBe('invalid_module');
    expect(e.message).not.toMatch(/72|6f|74|found|root/);
  });

  it('a directory, a FIFO and a file over the size cap are refused', async () => {
    const dir = join(chosenDir, 'dir.wasm');
    mkdirSync(dir);
    expect(((await pick(dir)) as { error: ErrorInfo }).error).toMatchObject({ code: 'invalid_module', message: expect.stringContaining('not a regular file') });
    const fifo = join(chosenDir, 'fifo.wasm');
    execFileSync('mkfifo', [fifo]);
    expect(((await pick(fifo)) as { error: ErrorInfo }).error).toMatchObject({ code: 'invalid_module', message: expect.stringContaining('not a regular file') });
    const huge = join(chosenDir, 'huge.wasm');
    writeFileSync(huge, ADD_WASM);
    truncateSync(huge, MAX_MODULE_BYTES + 1); // sparse: nothing is written or read
    expect(((await pick(huge)) as { error: ErrorInfo }).error).toMatchObject({ code: 'payload_too_large', details: { limitValue: MAX_MODULE_BYTES } });
  });

  it('a chosen file removed since gets "can no longer be read", not the OS message', async () => {
    const gone = join(chosenDir, 'gone.wasm');
    writeFileSync(gone, ADD_WASM);
    expect((await pick(gone)).ok).toBe(true);
    rmSync(gone);
    const e = await failure('openModule', { kind: 'path', path: gone });
    expect(e.code).toBe('not_found');
    expect(e.message).not.toMatch(/ENOENT|no such file/i);
  });
});
