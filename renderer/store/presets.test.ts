/** The presets slice with a fake transport: save sends the whole list, run selects and invokes, a stale preset says why. */
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_WORKBENCH_SETTINGS, type LoadedModule, type RunRecord, type WorkbenchApi, type WorkbenchSettings } from '../../contract/workbench.js';
import { createWorkbenchStore } from './store.js';

const mod: LoadedModule = {
  moduleId: 'b'.repeat(64),
  name: 'p.wasm',
  description: {
    hash: 'b'.repeat(64), sizeBytes: 10, kind: 'reactor', usesWasi: false, usesWasiCuda: false, memories: [], customSections: [], imports: [],
    exports: [
      { name: 'add', kind: 'func', signature: { params: ['i32', 'i32'], results: ['i32'] }, callableFromJson: true },
      { name: 'neg', kind: 'func', signature: { params: ['i32'], results: ['i32'] }, callableFromJson: true },
    ],
  },
};

function setup() {
  let settings: WorkbenchSettings = { ...DEFAULT_WORKBENCH_SETTINGS };
  const invoked: { exportName: string; argsJson: string }[] = [];
  const api = {
    openModule: vi.fn(async () => mod),
    listExamples: vi.fn(async () => []),
    listRecent: vi.fn(async () => []),
    getSettings: vi.fn(async () => settings),
    listDevices: vi.fn(async () => []),
    updateSettings: vi.fn(async (patch: Partial<WorkbenchSettings>) => (settings = { ...settings, ...patch })),
    invoke: vi.fn(async (req) => {
      invoked.push({ exportName: req.exportName, argsJson: req.argsJson });
      return { runId: req.runId, moduleId: mod.moduleId, moduleName: mod.name, exportName: req.exportName, argsJson: req.argsJson, startedAt: 1, durationMs: 1, status: 'ok', device: 'cpu', resultsJson: '[0]', stdout: '', stderr: '', launches: [], launchesDropped: 0, offloadEvents: [], settings, engineVersion: 't' } satisfies RunRecord;
    }),
    onEvents: () => () => {},
  } as unknown as WorkbenchApi;
  const store = createWorkbenchStore({ api });
  return { store, api, invoked, settings: () => settings };
}

describe('presets slice', () => {
  it('saves the current export and arguments, then runs them after the editor changed', async () => {
    const { store, invoked, settings } = setup();
    await store.getState().loadSettings();
    await store.getState().openModule({ kind: 'bytes', name: 'p.wasm', bytes: new Uint8Array([1]) });
    store.getState().selectExport('add');
    store.getState().setArgs('[2, 40]');
    expect(await store.getState().savePreset(' answer ')).toBe(true);
    expect(settings().presets).toEqual([{ moduleName: 'p.wasm', name: 'answer', exportName: 'add', argsJson: '[2, 40]' }]);
    store.getState().selectExport('neg');
    store.getState().setArgs('[7]');
    await store.getState().runPreset(0);
    expect(invoked.at(-1)).toEqual({ exportName: 'add', argsJson: '[2, 40]' });
    expect(store.getState().exportName).toBe('add');
    expect(await store.getState().runPreset(5)).toBeUndefined(); // no such preset: nothing runs
    expect(invoked).toHaveLength(1);
  });

  it('a preset whose export the module no longer has fails with unknown_export, naming both', async () => {
    const { store, api, invoked } = setup();
    await api.updateSettings({ presets: [{ moduleName: 'p.wasm', name: 'old', exportName: 'gone', argsJson: '[]' }] });
    await store.getState().loadSettings();
    await store.getState().openModule({ kind: 'bytes', name: 'p.wasm', bytes: new Uint8Array([1]) });
    await store.getState().runPreset(0);
    expect(store.getState().lastError).toMatchObject({ code: 'unknown_export' });
    expect(store.getState().lastError?.message).toContain("'gone'");
    expect(invoked).toHaveLength(0);
  });

  it('an unnamed preset is not sent; the reason is shown', async () => {
    const { store, api } = setup();
    await store.getState().loadSettings();
    await store.getState().openModule({ kind: 'bytes', name: 'p.wasm', bytes: new Uint8Array([1]) });
    expect(await store.getState().savePreset('   ')).toBe(false);
    expect(api.updateSettings).not.toHaveBeenCalled();
    expect(store.getState().notice?.text).toMatch(/name/);
  });
});
