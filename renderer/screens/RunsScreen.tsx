import { useEffect, useMemo } from 'react';
import { kernelDeltas } from '../../contract/run-stats.js';
import { displayStatus, type ReportFormat, type RunRecord } from '../../contract/workbench.js';
import { downloadReport } from '../lib/download.js';
import { formatMs, formatTime } from '../lib/format.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

const FORMATS: { format: ReportFormat; label: string }[] = [
  { format: 'json', label: 'JSON' },
  { format: 'html', label: 'HTML' },
  { format: 'chrome-trace', label: 'Trace' },
];

function Side({ run, label }: { run: RunRecord; label: string }) {
  return (
    <table className="kv">
      <tbody>
        <tr><th>{label}</th><td className="mono">{run.runId}</td></tr>
        <tr><th>Module</th><td>{run.moduleName}</td></tr>
        <tr><th>Call</th><td className="mono">{run.exportName}({run.argsJson.replace(/^\s*\[|\]\s*$/g, '')})</td></tr>
        <tr><th>Status</th><td>{displayStatus(run)}{run.error ? ` — ${run.error.code}: ${run.error.message}` : ''}</td></tr>
        <tr><th>Result</th><td className="mono">{run.resultsJson ?? (run.exitCode !== undefined ? `exit ${run.exitCode}` : '–')}</td></tr>
        <tr><th>Duration</th><td>{formatMs(run.durationMs)}</td></tr>
        <tr><th>Device</th><td>{run.device}</td></tr>
        <tr><th>Launches</th><td>{run.launches.length + run.launchesDropped}</td></tr>
        <tr><th>Offload</th><td>{run.settings.offload.enabled ? 'on' : 'off'}</td></tr>
      </tbody>
    </table>
  );
}

function SideBySide({ a, b }: { a: RunRecord; b: RunRecord }) {
  const deltas = useMemo(() => kernelDeltas(a.launches, b.launches), [a, b]);
  return (
    <section className="card" data-testid="run-compare">
      <h2>A vs B <button onClick={() => getWorkbenchStore().getState().openPickedInTimeline()} data-testid="open-both-timeline" title="Both runs in one timeline, B under A, aligned at their start">Open both in Timeline</button></h2>
      <div className="two-col">
        <Side run={a} label="A" />
        <Side run={b} label="B" />
      </div>
      <p>Duration change: <b>{formatMs(b.durationMs - a.durationMs)}</b> ({a.durationMs > 0 ? `${(((b.durationMs - a.durationMs) / a.durationMs) * 100).toFixed(1)} %` : '–'})</p>
      {deltas.length ? (
        <table className="grid-table" data-testid="kernel-deltas">
          <thead><tr><th>Kernel</th><th>A total</th><th>A #</th><th>B total</th><th>B #</th><th>Δ</th></tr></thead>
          <tbody>
            {deltas.map((d) => (
              <tr key={d.kernel}><td className="mono">{d.kernel}</td><td>{formatMs(d.aTotalMs)}</td><td>{d.aInstances}</td><td>{formatMs(d.bTotalMs)}</td><td>{d.bInstances}</td><td className={d.deltaMs > 0 ? 'worse' : 'better'}>{d.deltaMs > 0 ? '+' : ''}{formatMs(Math.abs(d.deltaMs)).replace(/^/, d.deltaMs < 0 ? '−' : '')}</td></tr>
            ))}
          </tbody>
        </table>
      ) : <p className="hint">Neither run launched kernels.</p>}
    </section>
  );
}

export function RunsScreen() {
  const runs = useWorkbench((s) => s.runs);
  const runA = useWorkbench((s) => s.runA);
  const runB = useWorkbench((s) => s.runB);
  const store = getWorkbenchStore().getState();
  useEffect(() => {
    void getWorkbenchStore().getState().refreshRuns();
  }, []);
  const exportRun = async (runId: string, format: ReportFormat) => {
    const report = await store.exportReport(runId, format);
    if (report) downloadReport(report);
  };
  return (
    <div className="screen" data-testid="screen-runs">
      <section className="card">
        <h2>Runs history <span className="badge">{runs.length}</span></h2>
        <p className="hint">Pick two runs to compare them side by side{runA && !runB ? ` — A is ${runA.runId}, pick B` : ''}.</p>
        <table className="grid-table" data-testid="runs-table">
          <thead><tr><th>When</th><th>Module</th><th>Call</th><th>Status</th><th>Duration</th><th>Device</th><th>Launches</th><th></th></tr></thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId} data-testid="run-row" className={runA?.runId === r.runId || runB?.runId === r.runId ? 'selected' : ''}>
                <td className="nowrap" title={formatTime(r.startedAt)}>{new Date(r.startedAt).toLocaleTimeString()}</td>
                <td>{r.moduleName}</td>
                <td className="mono">{r.comparisonPoints !== undefined ? <span className="badge" data-testid="run-row-comparison">comparison · {r.comparisonPoints} point{r.comparisonPoints === 1 ? '' : 's'}</span> : null} {r.exportName}({r.argsJson.replace(/^\s*\[|\]\s*$/g, '').slice(0, 40)})</td>
                <td><span className={`badge ${displayStatus(r) === 'ok' ? 'ok' : 'err'}`} data-testid="run-row-status">{displayStatus(r) === 'kernel fault' ? `kernel fault (${r.faultCount})` : r.status === 'ok' ? 'ok' : (r.error?.code ?? r.status)}</span></td>
                <td>{formatMs(r.durationMs)}</td>
                <td>{r.device}</td>
                <td>{r.launchCount}</td>
                <td><div className="actions">
                  <button onClick={() => void store.openRun(r.runId)} data-testid="open-run" title={r.comparisonPoints !== undefined ? 'Show this comparison on the Compare screen' : 'Show this run in Launches and Timeline'}>Open</button>
                  {r.comparisonPoints === undefined ? <button onClick={() => void store.pickRun(r.runId)} data-testid="pick-run">Compare</button> : null}
                  {FORMATS.map((f) => (
                    <button key={f.format} onClick={() => void exportRun(r.runId, f.format)} data-testid={`export-${f.format}`}>{f.label}</button>
                  ))}
                  <button onClick={() => void store.deleteRun(r.runId)} title="Delete from history">✕</button>
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {runA && runB ? <SideBySide a={runA} b={runB} /> : null}
    </div>
  );
}
