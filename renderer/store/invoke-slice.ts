import { toErrorInfo, type ErrorInfo } from '../../contract/errors.js';
import type { RunRecord } from '../../contract/workbench.js';
import { boundHistory, historyKey, loadJson, pushHistory, saveJson } from '../lib/arg-history.js';
import { newId } from '../lib/ids.js';
import { splitArgv } from '../lib/split-argv.js';
import type { SliceCreator } from './types.js';

export interface ConsoleLine {
  stream: 'stdout' | 'stderr' | 'info' | 'error';
  text: string;
}

export interface InvokeSlice {
  exportName?: string;
  /** Argument text per module+export (what the editor shows). */
  argsText: Record<string, string>;
  /** Past argument texts per module+export, newest first (persisted). */
  argHistory: Record<string, string[]>;
  wasiArgs: string;
  activeRunId?: string;
  /** When the active run was started (Date.now()), for its progress line. */
  runStartedAt?: number;
  lastRecord?: RunRecord;
  lastError?: ErrorInfo;
  console: ConsoleLine[];
  selectExport(name: string): void;
  setArgs(text: string): void;
  setWasiArgs(text: string): void;
  currentArgs(): string;
  invoke(): Promise<RunRecord | undefined>;
  cancelInvoke(): Promise<void>;
  appendConsole(lines: ConsoleLine[]): void;
}

const HISTORY_KEY = 'tensorWasm.argHistory';
/** Console lines kept: enough for any reading, bounded for a guest that prints forever. */
const CONSOLE_LIMIT = 5000;

export const createInvokeSlice: SliceCreator<InvokeSlice> =
  ({ api, storage }) =>
  (set, get) => ({
    argsText: {},
    argHistory: loadJson(storage, HISTORY_KEY, {}),
    wasiArgs: '',
    console: [],
    selectExport: (name) => set({ exportName: name }),
    setArgs: (text) => {
      const { module, exportName } = get();
      if (!module || !exportName) return;
      set({ argsText: { ...get().argsText, [historyKey(module.moduleId, exportName)]: text } });
    },
    setWasiArgs: (text) => set({ wasiArgs: text }),
    currentArgs: () => {
      const { module, exportName, argsText } = get();
      if (!module || !exportName) return '[]';
      return argsText[historyKey(module.moduleId, exportName)] ?? '[]';
    },
    appendConsole: (lines) => {
      const next = get().console.concat(lines);
      set({ console: next.length > CONSOLE_LIMIT ? next.slice(next.length - CONSOLE_LIMIT) : next });
    },
    invoke: async () => {
      const { module, exportName, activeRunId } = get();
      if (!module || !exportName || activeRunId) return undefined;
      const argsJson = get().currentArgs();
      const key = historyKey(module.moduleId, exportName);
      const argHistory = boundHistory({ ...get().argHistory, [key]: pushHistory(Object.hasOwn(get().argHistory, key) ? get().argHistory[key] : undefined, argsJson) }, undefined, key);
      // A full or refusing localStorage costs the history entry, never the run.
      saveJson(storage, HISTORY_KEY, argHistory);
      const runId = newId('run');
      const split = splitArgv(get().wasiArgs);
      if (!Array.isArray(split)) {
        set({ lastError: { code: 'invalid_args', message: `program arguments: ${split.error}` }, lastRecord: undefined });
        return undefined;
      }
      const wasiArgs = split.length ? split : undefined;
      const shown = argsJson.replace(/^\s*\[|\]\s*$/g, '');
      set({ activeRunId: runId, runStartedAt: Date.now(), argHistory, lastError: undefined, lastRecord: undefined, console: [{ stream: 'info', text: `▶ ${exportName}(${shown.length > 200 ? `${shown.slice(0, 200)}… ${shown.length.toLocaleString()} characters` : shown})` }] });
      get().beginLaunches(runId);
      try {
        const record = await api.invoke({ runId, moduleId: module.moduleId, exportName, argsJson, ...(wasiArgs ? { wasiArgs } : {}) });
        get().completeLaunches(runId, record.launches);
        // The record holds the run's complete output; events may still be in flight (they come
        // batched), so unless everything already streamed, show the record's output instead.
        const streamed = get().console.filter((l) => l.stream === 'stdout' || l.stream === 'stderr');
        const streamedLength = streamed.reduce((n, l) => n + l.text.length, 0);
        const lines: ConsoleLine[] = [];
        if (streamedLength !== record.stdout.length + record.stderr.length) {
          set({ console: get().console.filter((l) => l.stream !== 'stdout' && l.stream !== 'stderr') });
          if (record.stdout) lines.push({ stream: 'stdout', text: record.stdout });
          if (record.stderr) lines.push({ stream: 'stderr', text: record.stderr });
        }
        lines.push(
          record.status === 'ok'
            ? { stream: 'info', text: `✓ ${record.resultsJson ?? `exit ${record.exitCode}`} in ${record.durationMs.toFixed(2)} ms on ${record.device}` }
            : { stream: 'error', text: `✗ ${record.error?.code}: ${record.error?.message}` },
        );
        get().appendConsole(lines);
        set({ lastRecord: record, activeRunId: undefined, ...(record.error ? { lastError: record.error } : {}) });
        return record;
      } catch (error) {
        const info = toErrorInfo(error);
        get().appendConsole([{ stream: 'error', text: `✗ ${info.code}: ${info.message}` }]);
        set({ lastError: info, activeRunId: undefined });
        return undefined;
      }
    },
    cancelInvoke: async () => {
      const id = get().activeRunId;
      if (id) await api.cancel(id).catch((error: unknown) => get().notify('error', error));
    },
  });
