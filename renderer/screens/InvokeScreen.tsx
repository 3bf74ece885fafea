import { displayStatus } from '../../contract/workbench.js';
import { PresetBar } from '../components/PresetBar.js';
import { RunProgress } from '../components/RunProgress.js';
import { SanitizerList } from '../components/SanitizerList.js';
import { useState } from 'react';
import type { ArgDiagnostic } from '../../contract/json-args.js';
import { historyKey } from '../lib/arg-history.js';
import { formatMs, formatSignature } from '../lib/format.js';
import { ArgsEditor } from '../components/ArgsEditor.js';
import { Console } from '../components/Console.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';
import { useTheme } from '../components/theme.js';

export function InvokeScreen() {
  const module = useWorkbench((s) => s.module);
  const exportName = useWorkbench((s) => s.exportName);
  const argsText = useWorkbench((s) => (s.module && s.exportName ? s.argsText[historyKey(s.module.moduleId, s.exportName)] : undefined)) ?? '[]';
  const history = useWorkbench((s) => (s.module && s.exportName ? s.argHistory[historyKey(s.module.moduleId, s.exportName)] : undefined)) ?? [];
  const running = useWorkbench((s) => s.activeRunId);
  const record = useWorkbench((s) => s.lastRecord);
  const error = useWorkbench((s) => s.lastError);
  const wasiArgs = useWorkbench((s) => s.wasiArgs);
  const theme = useTheme();
  const faultCount = record ? record.launches.filter((l) => l.error).length : 0;
  const faulted = record ? displayStatus(record) === 'kernel fault' : false;
  const store = getWorkbenchStore().getState();

  const fns = module?.description.exports.filter((e) => e.kind === 'func') ?? [];
  const fn = fns.find((e) => e.name === exportName);
  const isStart = exportName === '_start' && module?.description.kind === 'command';
  // The editor checks the text (once, for its markers and this list; long texts once typing pauses).
  const [diagnostics, setDiagnostics] = useState<ArgDiagnostic[]>([]);

  if (!module) return <div className="screen"><p className="hint">Open a module first (Module screen).</p></div>;

  return (
    <div className="screen" data-testid="screen-invoke">
      <section className="card">
        <div className="row">
          <label>
            Export{' '}
            <select value={exportName ?? ''} onChange={(e) => store.selectExport(e.target.value)} data-testid="export-select">
              {fns.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name} {formatSignature(e.signature)}
                  {e.callableFromJson === false ? ' — not callable from JSON' : ''}
                </option>
              ))}
            </select>
          </label>
          {history.length > 0 && !isStart ? (
            <label>
              History{' '}
              <select value="" onChange={(e) => e.target.value && store.setArgs(e.target.value)} data-testid="args-history">
                <option value="">{history.length} earlier…</option>
                {history.map((h) => <option key={h} value={h}>{h.length > 60 ? `${h.slice(0, 60)}…` : h}</option>)}
              </select>
            </label>
          ) : null}
        </div>
        {fn?.callableFromJson === false ? <p className="warn-text">{fn.notCallableReason ?? 'This export cannot be called from JSON.'}</p> : null}
        {isStart ? (
          <label className="block">
            Program arguments (argv[1..], separated by spaces; quote with "…" or '…' to keep spaces)
            <input className="mono wide" value={wasiArgs} onChange={(e) => store.setWasiArgs(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) void store.invoke(); }} data-testid="wasi-args" />
          </label>
        ) : (
          <>
            <div className="hint">Arguments — a JSON array for {formatSignature(fn?.signature)}. Integers in i32 range are i32, larger ones i64, numbers with a fraction f64.</div>
            <ArgsEditor value={argsText} signature={fn?.signature} theme={theme} onChange={(t) => store.setArgs(t)} onSubmit={() => void store.invoke()} onDiagnostics={setDiagnostics} />
            <ul className="diagnostics" data-testid="diagnostics">
              {diagnostics.map((d, i) => (
                <li key={i} className="error"><b>{d.code}</b>: {d.message}</li>
              ))}
            </ul>
          </>
        )}
        <div className="row">
          <button className="primary" onClick={() => void store.invoke()} disabled={!!running} data-testid="invoke">
            {isStart ? 'Run' : 'Invoke'} <span className="kbd">Ctrl/⌘+Enter</span>
          </button>
          {running ? <button onClick={() => void store.cancelInvoke()} data-testid="cancel">Cancel</button> : null}
          {running ? <span className="spinner" aria-label="running" /> : null}
          <RunProgress />
        </div>
        <PresetBar />
      </section>

      {record && record.status === 'ok' ? (
        <section className={`card result${faulted ? ' error-card' : ''}`} data-testid="result">
          <h3>
            Result <span className={`badge ${faulted ? 'err' : 'ok'}`} data-testid="run-status">{displayStatus(record)}</span>
          </h3>
          <div className="result-value mono" data-testid="result-value">{record.resultsJson ?? `exit code ${record.exitCode}`}</div>
          <div className="hint">
            {formatMs(record.durationMs)} · device <b data-testid="result-device">{record.device || '–'}</b> · {record.launches.length + record.launchesDropped} launches
          </div>
          {faulted ? (
            <>
              <p className="error">The call returned, but {faultCount === 1 ? 'a kernel faulted' : `${faultCount} kernels faulted`} on the device: the results may be wrong.</p>
              <SanitizerList launches={record.launches} compact />
            </>
          ) : null}
        </section>
      ) : null}
      {error ? (
        <section className="card error-card" data-testid="error">
          <h3>Error <span className="badge err" data-testid="error-code">{error.code}</span></h3>
          <p>{error.message}</p>
          {error.details ? <pre className="mono small">{JSON.stringify(error.details, null, 2)}</pre> : null}
        </section>
      ) : null}
      <Console />
    </div>
  );
}
