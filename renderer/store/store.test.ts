import { describe, expect, it, vi } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import type { LaunchEvent } from '../../contract/events.js';
import type { LoadedModule, RunRecord, WorkbenchApi, WorkbenchEvent } from '../../contract/workbench.js';
import { DEFAULT_WORKBENCH_SETTINGS } from '../../contract/workbench.js';
import { parseSweep } from './compare-slice.js';
import { defaultExport } from './module-slice.js';
import { createWorkbenchStore } from './store.js';

const moduleFixture: LoadedModule = {
  moduleId: 'f'.repeat(64),
  name: 'k.wasm',
  description: {
    hash: 'f'.repeat(64),
    sizeBytes: 10,
    kind: 'reactor',
    usesWasi: false,
    usesWasiCuda: true,
    memories: [],
    customSections: [],
    imports: [],
    exports: [
      { name: 'memory', kind: 'memory' },
      { name: 'demote', kind: 'func', signature: { params: ['f32'], results: ['f32'] }, callableFromJson: false, notCallableReason: 'f32' },
      { name: 'run', kind: 'func', signature: { params: ['i32'], results: ['i32'] }, callableFromJson: true },
    ],
  },
};

function record(runId: string, extra: Partial<RunRecord> = {}): RunRecord {
  return { runId, moduleId: moduleFixture.moduleId, moduleName: 'k.wasm', exportName: 'run', argsJson: '[1]', startedAt: 1, durationMs: 2, status: 'ok', device: 'cpu', resultsJson: '[1]', stdout: '', stderr: '', launches: [], launchesDropped: 0, offloadEvents: [], settings: DEFAULT_WORKBENCH_SETTINGS, engineVersion: 't', ...extra };
}

function fakeApi(over: Partial<WorkbenchApi> = {}): WorkbenchApi {
  return {
    getTarget: vi.fn(async () => ({ kind: 'local' as const, label: 'x', engineVersion: 't', nativeDialogs: false })),
    listExamples: vi.fn(async () => [{ id: 'ex', title: 'Ex', description: '', fileName: 'ex/k.wasm', sources: [], suggestedExport: 'run', suggestedArgs: '[7]' }]),
    listRecent: vi.fn(async () => []),
    openModule: vi.fn(async () => moduleFixture),
    pickModule: vi.fn(async () => null),
    invoke: vi.fn(async (req) => record(req.runId, { argsJson: req.argsJson })),
    cancel: vi.fn(async () => {}),
    compareOffload: vi.fn(),
    listRuns: vi.fn(async () => []),
    getRun: vi.fn(async (id: string) => record(id)),
    deleteRun: vi.fn(async () => {}),
    exportReport: vi.fn(),
    getSettings: vi.fn(async () => DEFAULT_WORKBENCH_SETTINGS),
    updateSettings: vi.fn(async (p) => ({ ...DEFAULT_WORKBENCH_SETTINGS, ...p })),
    listDevices: vi.fn(async () => []),
    onEvents: () => () => {},
    ...over,
  } as WorkbenchApi;
}

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

const launch = (runId: string, seq: number, kernel = 'k'): LaunchEvent => ({ type: 'launch', runId, t: 0, seq, kernel, ptxHash: 'h', grid: [4, 1, 1], block: [32, 1, 1], sharedMemBytes: 0, args: '', device: 'cpu', startMs: 0, endMs: 1, kernelMs: 1 });

describe('module slice', () => {
  it('preselects the first callable export, or the suggestion', () => {
    expect(defaultExport(moduleFixture)).toBe('run');
    expect(defaultExport(moduleFixture, 'demote')).toBe('demote');
    expect(defaultExport(moduleFixture, 'nope')).toBe('run');
  });
  it('opening an example prefills its suggested arguments and goes to Invoke', async () => {
    const store = createWorkbenchStore({ api: fakeApi() });
    await store.getState().loadModuleLists();
    await store.getState().openModule({ kind: 'example', id: 'ex' });
    expect(store.getState().screen).toBe('invoke');
    expect(store.getState().exportName).toBe('run');
    expect(store.getState().currentArgs()).toBe('[7]');
  });
  it('an open failure is kept with its code', async () => {
    const store = createWorkbenchStore({ api: fakeApi({ openModule: async () => { throw new TensorWasmError('invalid_module', 'bad magic', { offset: 0 }); } }) });
    await store.getState().openModule({ kind: 'bytes', name: 'x', bytes: new Uint8Array() });
    expect(store.getState().openError).toMatchObject({ code: 'invalid_module', details: { offset: 0 } });
  });
});

describe('invoke slice', () => {
  it('invokes with the editor text, keeps a per-export history, persists it', async () => {
    const storage = memoryStorage();
    const api = fakeApi();
    const store = createWorkbenchStore({ api, storage });
    await store.getState().openModule({ kind: 'bytes', name: 'k', bytes: new Uint8Array() });
    store.getState().setArgs('[5]');
    await store.getState().invoke();
    store.getState().setArgs('[6]');
    await store.getState().invoke();
    store.getState().setArgs('[5]');
    await store.getState().invoke();
    const key = `${moduleFixture.moduleId}:run`;
    expect(store.getState().argHistory[key]).toEqual(['[5]', '[6]']);
    expect(JSON.parse(storage.m.get('tensorWasm.argHistory')!)[key]).toEqual(['[5]', '[6]']);
    expect(store.getState().lastRecord?.argsJson).toBe('[5]');
    expect(store.getState().console.at(-1)!.text).toContain('[1]');
    // a reloaded window sees the history
    expect(createWorkbenchStore({ api, storage }).getState().argHistory[key]).toEqual(['[5]', '[6]']);
  });
  it('shows a rejected call with its code', async () => {
    const store = createWorkbenchStore({ api: fakeApi({ invoke: async (req) => record(req.runId, { status: 'failed', error: { code: 'type_mismatch', message: 'argument 0 expects i32' } }) }) });
    await store.getState().openModule({ kind: 'bytes', name: 'k', bytes: new Uint8Array() });
    await store.getState().invoke();
    expect(store.getState().lastError?.code).toBe('type_mismatch');
    expect(store.getState().console.at(-1)).toMatchObject({ stream: 'error' });
  });
  it('cancel goes to the running run id', async () => {
    let release!: () => void;
    const api = fakeApi({ invoke: (req) => new Promise((r) => (release = () => r(record(req.runId, { status: 'cancelled' })))) });
    const store = createWorkbenchStore({ api });
    await store.getState().openModule({ kind: 'bytes', name: 'k', bytes: new Uint8Array() });
    const pending = store.getState().invoke();
    const runId = store.getState().activeRunId!;
    await store.getState().cancelInvoke();
    expect(api.cancel).toHaveBeenCalledWith(runId);
    release();
    await pending;
    expect(store.getState().activeRunId).toBeUndefined();
  });
});

describe('launch slice: batched ingest', () => {
  it('keeps only the active run’s launches and the latest block progress, one version bump per batch', () => {
    const store = createWorkbenchStore({ api: fakeApi() });
    store.getState().beginLaunches('r1');
    store.setState({ activeRunId: 'r1' });
    const v0 = store.getState().launchVersion;
    const batch: WorkbenchEvent[] = [];
    for (let i = 1; i <= 5000; i++) batch.push({ kind: 'run', event: launch('r1', i) });
    batch.push({ kind: 'run', event: launch('other', 1) });
    batch.push({ kind: 'run', event: { type: 'block-progress', runId: 'r1', t: 0, launchSeq: 5001, completedBlocks: 3, totalBlocks: 8 } });
    batch.push({ kind: 'run', event: { type: 'block-progress', runId: 'r1', t: 0, launchSeq: 5001, completedBlocks: 2, totalBlocks: 8 } });
    batch.push({ kind: 'run', event: { type: 'stdout', runId: 'r1', t: 0, text: 'hi' } });
    // (its speed is the workbench bench's to measure, not a timed unit test's: this one failed at load 25)
    store.getState().ingest(batch);
    const s = store.getState();
    expect(s.launches.items).toHaveLength(5000);
    expect(s.launchVersion).toBe(v0 + 1);
    expect(s.progress.get(5001)).toEqual({ completed: 3, total: 8 });
    // A launch that arrived needs no progress entry (its grid is done): no entry per launch of the run.
    expect(s.progress.get(1)).toBeUndefined();
    expect(s.progress.size).toBe(1);
    expect(s.console.at(-1)).toEqual({ stream: 'stdout', text: 'hi' });
  });
  it('routes run-recorded to the history and compare progress to the comparison', () => {
    const store = createWorkbenchStore({ api: fakeApi() });
    store.setState({ compareRunning: 'c1' });
    store.getState().ingest([
      { kind: 'run-recorded', summary: { ...record('r9'), launchCount: 0 } },
      { kind: 'compare-progress', compareId: 'c1', completed: 3, total: 10 },
      { kind: 'compare-progress', compareId: 'old', completed: 9, total: 10 },
    ]);
    expect(store.getState().runs.map((r) => r.runId)).toEqual(['r9']);
    expect(store.getState().compareProgressState).toEqual({ completed: 3, total: 10 });
  });
});

describe('console', () => {
  it('shows the record’s output once, whether the output events come before or after the reply', async () => {
    let emit!: (batch: WorkbenchEvent[]) => void;
    const api = fakeApi({
      invoke: async (req) => {
        emit([{ kind: 'run', event: { type: 'stdout', runId: req.runId, t: 0, text: 'part 1\n' } }]);
        return record(req.runId, { stdout: 'part 1\npart 2\n', stderr: 'warn\n' });
      },
    });
    const store = createWorkbenchStore({ api });
    emit = (batch) => store.getState().ingest(batch);
    await store.getState().openModule({ kind: 'bytes', name: 'k', bytes: new Uint8Array() });
    const rec = await store.getState().invoke();
    // late events for the finished run are ignored
    store.getState().ingest([{ kind: 'run', event: { type: 'stdout', runId: rec!.runId, t: 0, text: 'part 2\n' } }]);
    const out = store.getState().console.filter((l) => l.stream === 'stdout' || l.stream === 'stderr');
    expect(out).toEqual([
      { stream: 'stdout', text: 'part 1\npart 2\n' },
      { stream: 'stderr', text: 'warn\n' },
    ]);
  });
});

describe('runs slice', () => {
  it('first pick is A, second B, third starts over', async () => {
    const store = createWorkbenchStore({ api: fakeApi() });
    await store.getState().pickRun('a');
    await store.getState().pickRun('b');
    expect([store.getState().runA?.runId, store.getState().runB?.runId]).toEqual(['a', 'b']);
    await store.getState().pickRun('c');
    expect([store.getState().runA?.runId, store.getState().runB?.runId]).toEqual(['c', undefined]);
  });
});

describe('settings slice', () => {
  it('keeps a refused update’s error', async () => {
    const store = createWorkbenchStore({ api: fakeApi({ updateSettings: async () => { throw new TensorWasmError('invalid_args', "setting 'deadlineMs' must be…"); } }) });
    expect(await store.getState().updateSettings({ deadlineMs: -1 })).toBe(false);
    expect(store.getState().settingsError?.code).toBe('invalid_args');
  });
});

describe('parseSweep', () => {
  it.each([
    ['', []],
    ['1024, 4096 16384', [1024, 4096, 16384]],
    ['1024..65536 x4', [1024, 4096, 16384, 65536]],
  ])('%j → %j', (text, values) => expect(parseSweep(text)).toEqual(values));
  it.each(['1.5', 'abc', '10..1 x2', '1..100 x1'])('refuses %j with a reason', (text) => expect(typeof parseSweep(text)).toBe('string'));
});

describe('launch slice: quiet ingest, announced later', () => {
  it('takes the launches in at once but bumps the version only when announced, once for many batches', () => {
    const store = createWorkbenchStore({ api: fakeApi() });
    store.getState().beginLaunches('r1');
    const v0 = store.getState().launchVersion;
    store.getState().ingest([{ kind: 'run', event: launch('r1', 1) }], true);
    store.getState().ingest([{ kind: 'run', event: { type: 'block-progress', runId: 'r1', t: 0, launchSeq: 3, completedBlocks: 1, totalBlocks: 8 } }, { kind: 'run', event: launch('r1', 2) }], true);
    expect(store.getState().launches.items.map((l) => l.seq)).toEqual([1, 2]);
    expect(store.getState().runIndex.launches).toBe(2);
    expect(store.getState().launchVersion).toBe(v0);
    store.getState().announceLaunches();
    expect(store.getState().launchVersion).toBe(v0 + 1);
    expect(store.getState().progressSeq).toBe(3);
    store.getState().announceLaunches();
    expect(store.getState().launchVersion).toBe(v0 + 1);
  });
  it('an announcement after a new run began does not carry the old run’s progress', () => {
    const store = createWorkbenchStore({ api: fakeApi() });
    store.getState().beginLaunches('r1');
    store.getState().ingest([{ kind: 'run', event: { type: 'block-progress', runId: 'r1', t: 0, launchSeq: 9, completedBlocks: 1, totalBlocks: 8 } }], true);
    store.getState().beginLaunches('r2');
    store.getState().announceLaunches();
    expect(store.getState().progressSeq).toBe(0);
  });
});
