/**
 * Every WorkbenchApi method is wired end to end through Electron's path, under plain Node: the
 * renderer's IPC transport → the preload bridge (with a stand-in `electron` module) → the IPC hub
 * → the main-process handlers → the WorkbenchService. The stand-in ipcRenderer routes invoke()
 * to the hub's handlers, with the app page as sender.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WORKBENCH_EVENTS_CHANNEL, WORKBENCH_METHODS, workbenchChannel, type WorkbenchApi, type WorkbenchBridge, type WorkbenchEvent } from '../contract/workbench.js';
import { createIpcTransport } from '../renderer/transport/ipc-transport.js';
import { FakeEngine, WASM_HEADER } from '../workbench/fake-engine.test-util.js';
import { WorkbenchService } from '../workbench/workbench-service.js';
import { APP_ENTRY } from './app-url.js';
import { ChosenFiles } from './chosen-files.js';
import { createIpcHub, type IpcHub, type IpcInvokeEvent } from './ipc-hub.js';
import { createWorkbenchHandlers } from './workbench-handlers.js';

const mainHandlers = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
const rendererListeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
const exposed: Record<string, unknown> = {};

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: {
    invoke: (channel: string, ...args: unknown[]) => {
      const h = mainHandlers.get(channel);
      if (!h) throw new Error(`no handler for ${channel}`);
      // structuredClone: what crosses IPC is a copy, as in Electron.
      return h({ senderFrame: { url: APP_ENTRY } }, ...structuredClone(args));
    },
    on: (channel: string, l: (event: unknown, ...args: unknown[]) => void) => rendererListeners.set(channel, l),
    removeListener: (channel: string) => rendererListeners.delete(channel),
  },
}));

let dir: string;
let hub: IpcHub;
let api: WorkbenchApi;
let bridge: WorkbenchBridge;
const dialog = vi.fn(async () => ({ canceled: true, filePaths: [] as string[] }));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wb-wiring-'));
  const service = new WorkbenchService({ engine: new FakeEngine(), dataDir: dir, engineVersion: 't' });
  hub = createIpcHub({ handle: (c, l) => mainHandlers.set(c, l), removeHandler: (c) => mainHandlers.delete(c) }, createWorkbenchHandlers(service, dialog, 't', new ChosenFiles(join(dir, 'chosen-files.json'))));
  await import('../preload/preload.js');
  bridge = exposed.tensorWasm as WorkbenchBridge;
  api = createIpcTransport(bridge);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WorkbenchApi wiring', () => {
  it('the hub registers exactly one channel per method', () => {
    expect([...mainHandlers.keys()].sort()).toEqual(WORKBENCH_METHODS.map(workbenchChannel).sort());
    expect(hub.channels).toHaveLength(WORKBENCH_METHODS.length);
  });

  it('the preload exposes one function per method and nothing generic', () => {
    expect(Object.keys(exposed)).toEqual(['tensorWasm', 'tensorWasmDesktop']);
    expect(Object.keys(exposed.tensorWasmDesktop as object).sort()).toEqual(['getRemoteToken', 'setRemoteToken']);
    expect(Object.keys(bridge).sort()).toEqual([...WORKBENCH_METHODS, 'onEvents'].sort());
    for (const key of Object.keys(bridge)) expect(typeof (bridge as unknown as Record<string, unknown>)[key]).toBe('function');
    expect(bridge).not.toHaveProperty('invoke.length', 2); // no (channel, ...args) signature
    expect(Object.keys(bridge)).not.toContain('send');
  });

  it('each method reaches its handler and returns its value', async () => {
    expect(await api.getTarget()).toMatchObject({ kind: 'local', nativeDialogs: true });
    expect(await api.listExamples()).toEqual([]);
    const mod = await api.openModule({ kind: 'bytes', name: 'k.wasm', bytes: WASM_HEADER });
    expect(mod.description.exports.map((e) => e.name)).toContain('add');
    expect((await api.listRecent())[0]!.moduleId).toBe(mod.moduleId);
    expect(await api.pickModule()).toBeNull();
    expect(dialog).toHaveBeenCalledOnce();
    const rec = await api.invoke({ runId: 'w-1', moduleId: mod.moduleId, exportName: 'add', argsJson: '[40, 2]' });
    expect(rec.resultsJson).toBe('[42]');
    await api.cancel('nothing');
    const cmp = await api.compareOffload({ compareId: 'c-1', moduleId: mod.moduleId, exportName: 'launch_twice', argsJson: '[1]', repetitions: 1 });
    expect(cmp.points).toHaveLength(1);
    expect((await api.listRuns()).map((r) => r.runId).sort()).toEqual(['c-1', 'w-1']); // the comparison is kept in Runs too
    expect((await api.getRun('w-1')).runId).toBe('w-1');
    expect(JSON.parse((await api.exportReport('w-1', 'json')).text).run.results).toBe('[42]');
    expect((await api.updateSettings({ theme: 'dark' })).theme).toBe('dark');
    expect((await api.getSettings()).theme).toBe('dark');
    expect((await api.listDevices()).map((d) => d.id)).toEqual(['cpu', 'cuda']);
    await api.deleteRun('w-1');
    expect((await api.listRuns()).map((r) => r.runId)).toEqual(['c-1']);
  });

  it('errors keep their code across the bridge', async () => {
    await expect(api.getRun('missing')).rejects.toMatchObject({ code: 'not_found' });
    await expect(api.openModule({ kind: 'bytes', name: 'x', bytes: new Uint8Array([9]) })).rejects.toMatchObject({ code: 'invalid_module' });
  });

  it('event batches reach the renderer listener', () => {
    const got: WorkbenchEvent[][] = [];
    const off = api.onEvents((b) => got.push(b));
    const batch: WorkbenchEvent[] = [{ kind: 'compare-progress', compareId: 'c', completed: 1, total: 2 }];
    hub.sendEvents({ isDestroyed: () => false, send: (channel, ...args) => rendererListeners.get(channel)!({}, ...args) }, batch);
    expect(got).toEqual([batch]);
    off();
    expect(rendererListeners.has(WORKBENCH_EVENTS_CHANNEL)).toBe(false);
  });
});

describe('only one module per side touches IPC', () => {
  const root = join(import.meta.dirname, '..');
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((name) => {
      const rel = join(dir, name);
      if (statSync(join(root, rel)).isDirectory()) return sources(rel);
      return /\.(ts|tsx)$/.test(name) && !/\.(test|spec)\.tsx?$/.test(name) ? [rel] : [];
    });
  const files = ['main', 'preload', 'renderer', 'contract', 'server', 'runtime'].flatMap(sources);
  const using = (pattern: RegExp) => files.filter((f) => pattern.test(readFileSync(join(root, f), 'utf8')));

  it('main: only ipc-hub.ts registers handlers or sends to windows', () => {
    expect(using(/\.handle\(\s*channel|ipcMain\.(handle|on)\(|\.send\(\s*WORKBENCH_EVENTS_CHANNEL/)).toEqual(['main/ipc-hub.ts']);
  });
  it('renderer side: only preload.ts uses ipcRenderer; the renderer never does', () => {
    expect(using(/ipcRenderer\./)).toEqual(['preload/preload.ts']);
  });
});
