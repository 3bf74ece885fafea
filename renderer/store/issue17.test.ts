/** Store behaviour behind the issue-17 bug fixes, with a fake transport and a quota-limited storage. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { TensorWasmError } from '../../contract/errors.js';
import type { LaunchEvent } from '../../contract/events.js';
import { DEFAULT_WORKBENCH_SETTINGS, type LoadedModule, type RunRecord, type WorkbenchApi } from '../../contract/workbench.js';
import { HISTORY_ENTRY_MAX_CHARS, HISTORY_TOTAL_MAX_CHARS, boundHistory, pushHistory } from '../lib/arg-history.js';
import { createWorkbenchStore } from './store.js';

const moduleFixture: LoadedModule = {
  moduleId: 'a'.repeat(64),
  name: 'k.wasm',
  description: {
    hash: 'a'.repeat(64), sizeBytes: 10, kind: 'reactor', usesWasi: false, usesWasiCuda: true, memories: [], customSections: [], imports: [],
    exports: [{ name: 'run', kind: 'func', signature: { params: ['i32'], results: ['i32'] }, callableFromJson: true }],
  },
};

function record(runId: string, extra: Partial<RunRecord> = {}): RunRecord {
  return { runId, moduleId: moduleFixture.moduleId, moduleName: 'k.wasm', exportName: 'run', argsJson: '[1]', startedAt: 1, durationMs: 2, status: 'ok', device: 'cpu', resultsJson: '[1]', stdout: '', stderr: '', launches: [], launchesDropped: 0, offloadEvents: [], settings: DEFAULT_WORKBENCH_SETTINGS, engineVersion: 't', ...extra };
}

function launch(seq: number): LaunchEvent {
  return { type: 'launch', runId: 'r', t: seq, seq, kernel: 'k', ptxHash: 'h', grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: '', device: 'cpu', startMs: seq, endMs: seq + 1, kernelMs: 1 };
}

function fakeApi(over: Partial<WorkbenchApi> = {}): WorkbenchApi {
  return {
    getTarget: vi.fn(async () => ({ kind: 'local' as const, label: 'x', engineVersion: 't', nativeDialogs: false })),
    listExamples: vi.fn(async () => []),
    listRecent: vi.fn(async () => []),
    openModule: vi.fn(async () => moduleFixture),
    invoke: vi.fn(async (req) => record(req.runId, { argsJson: req.argsJson })),
    getSettings: vi.fn(async () => DEFAULT_WORKBENCH_SETTINGS),
    listDevices: vi.fn(async () => []),
    onEvents: () => () => {},
    ...over,
  } as unknown as WorkbenchApi;
}

/** localStorage as Chromium bounds it: about 5 M characters per origin, then QuotaExceededError. */
function quotaStorage(quotaChars = 5 * 1024 * 1024) {
  const m = new Map<string, string>();
  const used = () => [...m].reduce((n, [k, v]) => n + k.length + v.length, 0);
  return {
    m,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (used() - (m.get(k)?.length ?? 0) + v.length > quotaChars) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
      m.set(k, v);
    },
  };
}

async function opened(api = fakeApi(), storage = quotaStorage()) {
  const store = createWorkbenchStore({ api, storage });
  await store.getState().openModule({ kind: 'bytes', name: 'k', bytes: new Uint8Array([1]) });
  return { store, api, storage };
}

describe('storage failures never block a run (bug 2)', () => {
  it('runs a 5 MB argument although saving it would overflow the quota, and does not remember it', async () => {
    const { store, api, storage } = await opened();
    const huge = `[${'1, '.repeat(1_800_000)}1]`;
    store.getState().setArgs(huge);
    const result = await store.getState().invoke();
    expect(result?.runId).toBeDefined();
    expect(api.invoke).toHaveBeenCalledOnce();
    expect(store.getState().console[0]!.text.length).toBeLessThan(300);
    expect(storage.m.get('tensorWasm.argHistory') ?? '').not.toContain(huge.slice(0, HISTORY_ENTRY_MAX_CHARS + 1));
  });
  it('runs when the storage refuses every write', async () => {
    const refusing = { getItem: () => null, setItem: () => { throw Object.assign(new Error('full'), { name: 'QuotaExceededError' }); } };
    const { store, api } = await opened(fakeApi(), refusing as never);
    store.getState().setArgs('[3]');
    await store.getState().invoke();
    expect(api.invoke).toHaveBeenCalledOnce();
    expect(store.getState().lastRecord?.argsJson).toBe('[3]');
  });
  it('keeps the whole history under its character bound, the export in use losing entries last (property)', () => {
    const entry = fc.string({ minLength: 1, maxLength: 40_000 }).filter((s) => s.trim() === s && s.length > 0);
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.array(entry, { maxLength: 25 })), fc.string({ minLength: 1, maxLength: 12 }), entry, (history, key, next) => {
        const bounded = boundHistory({ ...history, [key]: pushHistory(history[key], next) }, HISTORY_TOTAL_MAX_CHARS, key);
        const total = Object.entries(bounded).reduce((n, [k, list]) => n + list.reduce((m, e) => m + k.length + e.length, 0), 0);
        expect(total).toBeLessThanOrEqual(HISTORY_TOTAL_MAX_CHARS);
        for (const list of Object.values(bounded)) for (const e of list) expect(e.length).toBeLessThanOrEqual(HISTORY_ENTRY_MAX_CHARS);
        if (next.length <= HISTORY_ENTRY_MAX_CHARS && next.length + key.length <= HISTORY_TOTAL_MAX_CHARS) expect(bounded[key]?.[0]).toBe(next);
      }),
      { numRuns: 60 },
    );
  });
});

describe('settings and target (bug 1)', () => {
  it('records why the settings could not be read instead of waiting forever', async () => {
    const api = fakeApi({ getSettings: vi.fn(async () => { throw new TensorWasmError('unauthorized', 'the bearer token is not valid'); }) });
    const store = createWorkbenchStore({ api });
    await store.getState().loadSettings();
    expect(store.getState().settings).toBeUndefined();
    expect(store.getState().settingsLoadError).toMatchObject({ code: 'unauthorized' });
  });
});

describe('runs and modules (bug 6)', () => {
  it('a new module starts with no result, error or console of the previous one', async () => {
    const { store } = await opened();
    await store.getState().invoke();
    expect(store.getState().lastRecord).toBeDefined();
    await store.getState().openModule({ kind: 'bytes', name: 'other', bytes: new Uint8Array([2]) });
    expect(store.getState().lastRecord).toBeUndefined();
    expect(store.getState().console).toEqual([]);
  });
  it('the record completes the launches the event stream has not delivered, without duplicates', async () => {
    const all = [launch(1), launch(2), launch(3)];
    const api = fakeApi({ invoke: vi.fn(async (req) => record(req.runId, { launches: all.map((l) => ({ ...l, runId: req.runId })) })) });
    const { store } = await opened(api);
    const pending = store.getState().invoke();
    const runId = store.getState().activeRunId!;
    store.getState().ingest([{ kind: 'run', event: { ...launch(1), runId } }]);
    await pending;
    store.getState().ingest([{ kind: 'run', event: { ...launch(2), runId } }, { kind: 'run', event: { ...launch(3), runId } }]);
    expect(store.getState().launches.items.map((l) => l.seq)).toEqual([1, 2, 3]);
  });
  it('splits _start arguments with quotes and refuses an unterminated one', async () => {
    const { store, api } = await opened();
    store.getState().setWasiArgs(`3 "two words"`);
    await store.getState().invoke();
    expect(vi.mocked(api.invoke).mock.calls[0]![0].wasiArgs).toEqual(['3', 'two words']);
    store.getState().setWasiArgs(`"open`);
    expect(await store.getState().invoke()).toBeUndefined();
    expect(store.getState().lastError?.code).toBe('invalid_args');
  });
  it('knows a comparison’s run count before the first progress event', async () => {
    let resolve!: (v: unknown) => void;
    const api = fakeApi({ compareOffload: vi.fn(() => new Promise((r) => (resolve = r))) as never });
    const { store } = await opened(api);
    const done = store.getState().startCompare({ exportName: 'run', argsJson: '[1]', repetitions: 3, warmup: 0 });
    expect(store.getState().compareProgressState).toEqual({ completed: 0, total: 6 });
    resolve({ compareId: 'c', moduleId: 'm', exportName: 'run', repetitions: 3, points: [], outputsEqual: true, cancelled: true });
    await done;
    expect(store.getState().compareCancelledAt).toEqual({ completed: 0, total: 6 });
    // warm-up runs count too (one per side by default, as the service runs them)
    const again = store.getState().startCompare({ exportName: 'run', argsJson: '[1]', repetitions: 3, sweep: { argIndex: 0, values: [1, 2] } });
    expect(store.getState().compareProgressState).toEqual({ completed: 0, total: 16 });
    resolve({ compareId: 'c', moduleId: 'm', exportName: 'run', repetitions: 3, points: [], outputsEqual: true, cancelled: false });
    await again;
  });
});
