import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ComparePoint, DispatchMarker } from '../../contract/workbench.js';
import { historyKey } from '../lib/arg-history.js';
import { exportCompare } from '../lib/compare-export.js';
import { downloadReport } from '../lib/download.js';
import { formatMs } from '../lib/format.js';
import { parseSweep } from '../store/compare-slice.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

const OFFLOAD = '#3b82f6';
const FALLBACK = '#f59e0b';
const OUTLIER = '#dc2626';

/** Durations are positive, so a log axis is always drawable; 'auto' bounds keep small ones visible. */
const yScale = (log: boolean) => (log ? { scale: 'log' as const, domain: ['dataMin', 'dataMax'] as [string, string] } : {});

/** A dot that is red and larger for a run marked as an outlier. */
function outlierDot(color: string, outliers: readonly number[] | undefined) {
  return (props: { cx?: number; cy?: number; index?: number }) => {
    const { cx, cy, index } = props;
    if (cx === undefined || cy === undefined) return <g key={`d${index}`} />;
    const out = index !== undefined && outliers?.includes(index);
    return <circle key={`d${index}`} cx={cx} cy={cy} r={out ? 6 : 3} fill={out ? OUTLIER : color} stroke={out ? OUTLIER : color} data-outlier={out ? 'true' : undefined} />;
  };
}

function PerRunChart({ point, log }: { point: ComparePoint; log: boolean }) {
  const data = point.offloadMs.map((ms, i) => ({ run: i + 1, offload: ms, fallback: point.fallbackMs[i] }));
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
        <XAxis dataKey="run" label={{ value: 'run', position: 'insideBottomRight', offset: -4 }} />
        <YAxis unit=" ms" width={70} {...yScale(log)} />
        <Tooltip formatter={(v) => formatMs(Number(v))} />
        <Legend />
        <Line type="monotone" dataKey="offload" stroke={OFFLOAD} isAnimationActive={false} dot={outlierDot(OFFLOAD, point.offloadOutliers)} />
        <Line type="monotone" dataKey="fallback" stroke={FALLBACK} isAnimationActive={false} dot={outlierDot(FALLBACK, point.fallbackOutliers)} />
      </LineChart>
    </ResponsiveContainer>
  );
}

function MedianChart({ point }: { point: ComparePoint }) {
  const data = [
    { name: 'offload', median: point.offload.median, spread: [point.offload.median - point.offload.p05, point.offload.p95 - point.offload.median], fill: OFFLOAD },
    { name: 'fallback', median: point.fallback.median, spread: [point.fallback.median - point.fallback.p05, point.fallback.p95 - point.fallback.median], fill: FALLBACK },
  ];
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
        <XAxis dataKey="name" />
        <YAxis unit=" ms" width={70} />
        <Tooltip formatter={(v) => (Array.isArray(v) ? v.map((x) => formatMs(Number(x))).join(' / ') : formatMs(Number(v)))} />
        <Bar dataKey="median" isAnimationActive={false}>
          <ErrorBar dataKey="spread" width={8} strokeWidth={2} stroke="currentColor" isAnimationActive={false} />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

const MARK: Record<DispatchMarker, string> = { dispatched: '●', 'fell back': '○', mixed: '◐', none: '–' };

/** The offload line's dot says what the loop did at that size: filled dispatched, hollow fell back. */
function dispatchDot(points: ComparePoint[]) {
  return (props: { cx?: number; cy?: number; index?: number }) => {
    const { cx, cy, index } = props;
    const d = index !== undefined ? points[index]?.dispatch : undefined;
    if (cx === undefined || cy === undefined) return <g key={`s${index}`} />;
    const filled = d === 'dispatched' ? OFFLOAD : d === 'mixed' ? '#93c5fd' : 'var(--panel)';
    return <circle key={`s${index}`} cx={cx} cy={cy} r={5} fill={filled} stroke={OFFLOAD} strokeWidth={2} data-dispatch={d ?? 'none'} />;
  };
}

function SweepChart({ points, log }: { points: ComparePoint[]; log: boolean }) {
  const data = points.map((p) => ({ size: p.size, offload: p.offload.median, fallback: p.fallback.median, speedup: p.speedup }));
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
        <XAxis dataKey="size" scale="log" domain={['auto', 'auto']} type="number" label={{ value: 'size', position: 'insideBottomRight', offset: -4 }} />
        <YAxis unit=" ms" width={70} {...yScale(log)} />
        <Tooltip formatter={(v) => formatMs(Number(v))} />
        <Legend />
        <Line dataKey="offload" stroke={OFFLOAD} isAnimationActive={false} dot={dispatchDot(points)} />
        <Line dataKey="fallback" stroke={FALLBACK} isAnimationActive={false} dot />
      </LineChart>
    </ResponsiveContainer>
  );
}

function PointsTable({ points, selected, onSelect }: { points: ComparePoint[]; selected: number; onSelect: (i: number) => void }) {
  return (
    <table className="grid-table" data-testid="compare-points">
      <thead><tr><th>Size</th><th>Loop</th><th>Offload median</th><th>Fallback median</th><th>Speedup</th><th>Warm-up (offload / fallback, excluded)</th><th>Outliers</th></tr></thead>
      <tbody>
        {points.map((p, i) => (
          <tr key={i} className={i === selected ? 'selected' : ''} onClick={() => onSelect(i)} data-testid="compare-point" data-dispatch={p.dispatch ?? 'none'}>
            <td>{p.size ?? '–'}</td>
            <td title="what the offload runs did with the loop at this point"><span className={`dispatch ${(p.dispatch ?? 'none').replace(' ', '-')}`}>{MARK[p.dispatch ?? 'none']} {p.dispatch ?? 'no report'}</span></td>
            <td>{formatMs(p.offload.median)}</td>
            <td>{formatMs(p.fallback.median)}</td>
            <td>{Number.isFinite(p.speedup) ? `${p.speedup.toFixed(2)}×` : '–'}</td>
            <td className="hint" data-testid="compare-warmup">{(p.warmupOffloadMs ?? []).map(formatMs).join(', ') || '–'} / {(p.warmupFallbackMs ?? []).map(formatMs).join(', ') || '–'}</td>
            <td data-testid="compare-outliers">{(p.offloadOutliers?.length ?? 0) + (p.fallbackOutliers?.length ?? 0) === 0 ? '–' : [...(p.offloadOutliers ?? []).map((j) => `offload run ${j + 1}: ${formatMs(p.offloadMs[j]!)}`), ...(p.fallbackOutliers ?? []).map((j) => `fallback run ${j + 1}: ${formatMs(p.fallbackMs[j]!)}`)].join(' · ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CompareScreen() {
  const module = useWorkbench((s) => s.module);
  const exportName = useWorkbench((s) => s.exportName);
  const currentArgs = useWorkbench((s) => (s.module && s.exportName ? s.argsText[historyKey(s.module.moduleId, s.exportName)] : undefined)) ?? '[]';
  const running = useWorkbench((s) => s.compareRunning);
  const progress = useWorkbench((s) => s.compareProgressState);
  const result = useWorkbench((s) => s.compareResult);
  const error = useWorkbench((s) => s.compareError);
  const cancelledAt = useWorkbench((s) => s.compareCancelledAt);
  const [args, setArgs] = useState<string | undefined>(undefined);
  const [reps, setReps] = useState(5);
  const [warmup, setWarmup] = useState(1);
  const [log, setLog] = useState(false);
  const [sweepIndex, setSweepIndex] = useState(0);
  const [sweepText, setSweepText] = useState('');
  const [selected, setSelected] = useState(0);
  const store = getWorkbenchStore().getState();

  const sweep = parseSweep(sweepText);
  const start = () => {
    if (typeof sweep === 'string' || !exportName) return;
    setSelected(0);
    void store.startCompare({ exportName, argsJson: args ?? currentArgs, repetitions: reps, warmup, ...(sweep.length ? { sweep: { argIndex: sweepIndex, values: sweep } } : {}) });
  };
  const point = result?.points[Math.min(selected, (result?.points.length ?? 1) - 1)];
  const exportHtml = async () => {
    // The comparison is kept in Runs under its id: the HTML page is that record's report.
    if (!result) return;
    const report = await store.exportReport(result.compareId, 'html');
    if (report) downloadReport(report);
  };

  return (
    <div className="screen" data-testid="screen-compare">
      {!module || !exportName ? <section className="card"><p className="hint">Open a module and pick an export to run a comparison.</p></section> : (
      <section className="card">
        <h2>Offload vs fallback · <span className="mono">{exportName}</span></h2>
        <div className="form-grid">
          <label>Arguments<input className="mono" value={args ?? currentArgs} onChange={(e) => setArgs(e.target.value)} data-testid="compare-args" /></label>
          <label>Repetitions<input type="number" min={1} max={1000} value={reps} onChange={(e) => setReps(Number(e.target.value))} data-testid="compare-reps" /></label>
          <label title="Runs of each side before the timed ones: timed apart and left out of the statistics">Warm-up runs<input type="number" min={0} max={100} value={warmup} onChange={(e) => setWarmup(Number(e.target.value))} data-testid="compare-warmup-count" /></label>
          <label>Sweep argument #<input type="number" min={0} value={sweepIndex} onChange={(e) => setSweepIndex(Number(e.target.value))} /></label>
          <label>Sizes (e.g. 1024, 4096 or 1024..65536 x4)<input className="mono" value={sweepText} onChange={(e) => setSweepText(e.target.value)} placeholder="no sweep" data-testid="compare-sweep" /></label>
        </div>
        {typeof sweep === 'string' ? <p className="error">{sweep}</p> : null}
        <div className="row">
          <button className="primary" disabled={!!running || typeof sweep === 'string'} onClick={start} data-testid="compare-run">Compare</button>
          {running ? <button onClick={() => void store.cancelCompare()} data-testid="compare-cancel">Cancel</button> : null}
          {running && progress ? (
            <span className="progress"><progress max={progress.total} value={progress.completed} /> {progress.completed}/{progress.total} runs</span>
          ) : null}
        </div>
        {cancelledAt ? (
          <p className="warn-text" data-testid="compare-cancelled">
            Cancelled after {cancelledAt.completed} of {cancelledAt.total} runs{result?.points.length ? ` — ${result.points.length} complete point${result.points.length > 1 ? 's' : ''} shown below` : ' — no point completed, so there is nothing to chart'}.
          </p>
        ) : null}
        {error ? <p className="error" data-testid="compare-error"><b>{error.code}</b>: {error.message}</p> : null}
      </section>
      )}
      {result && point ? (
        <section className="card" data-testid="compare-result">
          <div className="row">
            <span className={`badge ${result.outputsEqual ? 'ok' : 'err'}`} data-testid="outputs-equal">{result.outputsEqual ? 'outputs equal' : 'OUTPUTS DIFFER'}</span>
            {result.cancelled ? <span className="badge warn">cancelled</span> : null}
            <span>
              speedup <b data-testid="speedup">{Number.isFinite(point.speedup) ? `${point.speedup.toFixed(2)}×` : '–'}</b> (fallback median {formatMs(point.fallback.median)} / offload median {formatMs(point.offload.median)})
            </span>
            <span className="actions">
              <button onClick={() => downloadReport(exportCompare(result, 'json'))} data-testid="compare-export-json">JSON</button>
              <button onClick={() => downloadReport(exportCompare(result, 'csv'))} data-testid="compare-export-csv">CSV</button>
              <button onClick={() => void exportHtml()} data-testid="compare-export-html" title="A self-contained page; the comparison is also kept in Runs">HTML</button>
            </span>
            <label><input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} data-testid="compare-log" /> log scale</label>
            {result.points.length > 1 ? (
              <label>
                Point{' '}
                <select value={selected} onChange={(e) => setSelected(Number(e.target.value))}>
                  {result.points.map((p, i) => <option key={i} value={i}>size {p.size}</option>)}
                </select>
              </label>
            ) : null}
          </div>
          {point.offloadActions.length ? <p className="hint">Offload: {point.offloadActions.join(' · ')}</p> : <p className="hint">The offload run reported no dispatches (nothing was promoted, or the analyser is not on this target).</p>}
          <p className="hint">{result.warmup ?? 0} warm-up run{result.warmup === 1 ? '' : 's'} per side and point, timed apart and left out of the statistics; outliers (beyond 1.5 × IQR from the quartiles) are marked red and still counted.</p>
          <PointsTable points={result.points} selected={Math.min(selected, result.points.length - 1)} onSelect={setSelected} />
          <div className="two-col">
            <div data-testid="chart-per-run" data-scale={log ? 'log' : 'linear'}><h3>Per-run timings{result.points.length > 1 ? ` · size ${point.size}` : ''}</h3><PerRunChart point={point} log={log} /></div>
            <div data-testid="chart-medians"><h3>Median with 5–95 % spread</h3><MedianChart point={point} /></div>
          </div>
          {result.points.length > 1 ? <div data-testid="chart-sweep" data-scale={log ? 'log' : 'linear'}><h3>Size sweep (median; offload dot ● dispatched, ○ fell back, ◐ both)</h3><SweepChart points={result.points} log={log} /></div> : null}
        </section>
      ) : null}
    </div>
  );
}
