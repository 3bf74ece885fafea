/**
 * A self-contained HTML page for a run report: no scripts, no external resources, charts drawn
 * as inline SVG, so it opens anywhere and can be mailed or archived. The full JSON report is
 * embedded too (in a non-executed script block) so the page alone carries all the data.
 */
import { runFaults } from '../contract/launch-faults.js';
import { displayStatus, type CompareResult } from '../contract/workbench.js';
import type { RunReport } from './report-model.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(0)) : '–');

/** Horizontal bar chart; one bar per label. */
export function barChartSvg(title: string, bars: { label: string; value: number }[], unit = 'ms'): string {
  const rowH = 22;
  const labelW = 180;
  const chartW = 420;
  const h = 30 + bars.length * rowH;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const rows = bars
    .map((b, i) => {
      const y = 24 + i * rowH;
      const w = Math.max(1, (b.value / max) * chartW);
      return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end" class="l">${escapeHtml(b.label.slice(0, 28))}</text><rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" class="bar"/><text x="${labelW + w + 4}" y="${y + 14}" class="v">${fmt(b.value)} ${unit}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${labelW + chartW + 90}" height="${h}"><text x="0" y="14" class="t">${escapeHtml(title)}</text>${rows}</svg>`;
}

/** The HTML page draws at most this many launches in its timeline and lists this many rows; it says so. */
export const HTML_TIMELINE_LIMIT = 2000;
export const HTML_TABLE_LIMIT = 500;

/** "N of M" whenever a view shows fewer launches than the run made: never a silent cut. */
export function shownOf(shown: number, report: Pick<RunReport, 'launches' | 'launchesDropped'>): string {
  const total = report.launches.length + report.launchesDropped;
  return shown < total ? `${shown.toLocaleString('en')} of ${total.toLocaleString('en')}` : total.toLocaleString('en');
}

/** Launch timeline: one rectangle per launch on a time axis (the first HTML_TIMELINE_LIMIT launches). */
export function timelineSvg(report: RunReport): string {
  const launches = report.launches.slice(0, HTML_TIMELINE_LIMIT);
  const width = 700;
  const height = 70;
  const origin = report.run.startedAtMs;
  const span = Math.max(report.run.durationMs, ...launches.map((l) => l.endMs - origin), 1e-6);
  const rects = launches
    .map((l) => {
      const x = ((l.startMs - origin) / span) * width;
      const w = Math.max(0.5, ((l.endMs - l.startMs) / span) * width);
      return `<rect x="${x.toFixed(2)}" y="24" width="${w.toFixed(2)}" height="30" class="bar"><title>#${l.seq} ${escapeHtml(l.kernel)} ${fmt(l.kernelMs)} ms</title></rect>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Launch timeline" width="${width + 20}" height="${height}"><text x="0" y="14" class="t">Launch timeline (0 – ${fmt(span)} ms) · ${shownOf(launches.length, report)} launches drawn</text><rect x="0" y="24" width="${width}" height="30" class="track"/>${rects}</svg>`;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const th = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

const list = (values: readonly number[] | undefined) => (values?.length ? values.map(fmt).join(', ') : '–');

/** A comparison's points: warm-ups apart, outliers named, and what the loop did at each point. */
export function comparisonHtml(c: CompareResult): string {
  const parts: string[] = [];
  parts.push(`<h2>Offload vs fallback</h2><p>Outputs equal: <b>${c.outputsEqual ? 'yes' : 'NO'}</b> · ${c.repetitions} timed runs per side and point, after ${c.warmup ?? 0} warm-up run${c.warmup === 1 ? '' : 's'} (timed apart, not in the statistics)${c.cancelled ? ' · <b>cancelled</b>: the points below are the ones that completed' : ''}${c.error ? ` · failed: ${escapeHtml(c.error.code)}: ${escapeHtml(c.error.message.slice(0, 200))}` : ''}</p>`);
  if (c.points.length === 0) return parts.join('\n');
  parts.push(
    barChartSvg(
      'Median time',
      c.points.flatMap((p) => [
        { label: `offload${p.size !== undefined ? ` n=${p.size}` : ''}`, value: p.offload.median },
        { label: `fallback${p.size !== undefined ? ` n=${p.size}` : ''}`, value: p.fallback.median },
      ]),
    ),
  );
  parts.push(
    table(
      ['Point', 'Size', 'Loop', 'Offload median (ms)', 'Offload p05–p95', 'Fallback median (ms)', 'Fallback p05–p95', 'Speedup', 'Outputs equal', 'Warm-up offload (ms)', 'Warm-up fallback (ms)', 'Outliers offload (ms)', 'Outliers fallback (ms)'],
      c.points.map((p, i) => [
        i,
        p.size ?? '–',
        p.dispatch ?? '–',
        fmt(p.offload.median),
        `${fmt(p.offload.p05)}–${fmt(p.offload.p95)}`,
        fmt(p.fallback.median),
        `${fmt(p.fallback.p05)}–${fmt(p.fallback.p95)}`,
        Number.isFinite(p.speedup) ? `${p.speedup.toFixed(2)}×` : '–',
        p.outputsEqual ? 'yes' : 'NO',
        list(p.warmupOffloadMs),
        list(p.warmupFallbackMs),
        list(p.offloadOutliers?.map((j) => p.offloadMs[j]!)),
        list(p.fallbackOutliers?.map((j) => p.fallbackMs[j]!)),
      ]),
    ),
  );
  return parts.join('\n');
}

export function toHtml(report: RunReport): string {
  const r = report.run;
  const summary = report.kernelSummary;
  const faults = runFaults(report.launches);
  const offloaded = report.launches.filter((l) => l.origin === 'offload').length;
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(report.module.name)} · ${escapeHtml(r.export)}</h1>`);
  parts.push(
    table(
      ['Field', 'Value'],
      [
        ['Module hash', report.module.hash],
        ['Engine', `${report.engine.name} ${report.engine.version}`],
        ['Device', r.device],
        ['Status', displayStatus({ status: r.status, launches: report.launches })],
        ['Arguments', r.arguments],
        ['Results', r.results ?? (r.exitCode !== undefined ? `exit ${r.exitCode}` : '–')],
        ['Error', r.error ? `${r.error.code}: ${r.error.message}` : '–'],
        ['Started', r.startedAt],
        ['Duration', `${fmt(r.durationMs)} ms`],
        ['Launches', `${report.launches.length + report.launchesDropped}${report.launchesDropped ? ` (${report.launches.length} kept: the run store keeps at most that many per run)` : ''}${offloaded ? ` · ${offloaded} by auto-offload` : ''}`],
        ['Kernel faults', String(faults.length)],
        ['Settings', `device ${report.settings.device}, deadline ${report.settings.deadlineMs} ms, memory cap ${report.settings.maxMemoryBytes} B, offload ${report.settings.offload.enabled ? 'on' : 'off'}`],
      ],
    ),
  );
  if (summary.length > 0) {
    parts.push('<h2>Kernels</h2>');
    parts.push(barChartSvg('Total kernel time', summary.map((k) => ({ label: k.kernel, value: k.totalMs }))));
    parts.push(
      table(
        ['Time (%)', 'Total (ms)', 'Instances', 'Avg (ms)', 'Med (ms)', 'Min (ms)', 'Max (ms)', 'StdDev (ms)', 'Name'],
        summary.map((k) => [k.timePercent.toFixed(1), fmt(k.totalMs), k.instances, fmt(k.meanMs), fmt(k.medianMs), fmt(k.minMs), fmt(k.maxMs), fmt(k.stdDevMs), k.kernel]),
      ),
    );
    parts.push(timelineSvg(report));
    if (report.launches.length + report.launchesDropped > HTML_TIMELINE_LIMIT)
      parts.push(`<p class="note" id="timeline-note">The timeline draws ${shownOf(Math.min(HTML_TIMELINE_LIMIT, report.launches.length), report)} launches; every kept launch is in the JSON export (embedded at the end of this page) and the Chrome trace.</p>`);
    parts.push(`<h2>Launches (${shownOf(Math.min(HTML_TABLE_LIMIT, report.launches.length), report)})</h2>`);
    if (report.launches.length + report.launchesDropped > HTML_TABLE_LIMIT)
      parts.push(`<p class="note" id="table-note">This table lists ${shownOf(Math.min(HTML_TABLE_LIMIT, report.launches.length), report)} launches; every kept launch is in the JSON export (embedded at the end of this page) and the Chrome trace.</p>`);
    parts.push(
      table(
        ['#', 'Kernel', 'Kind', 'Grid', 'Block', 'Shared (B)', 'Device', 'Kernel (ms)', 'Error'],
        report.launches
          .slice(0, HTML_TABLE_LIMIT)
          .map((l) => [l.seq, l.kernel, l.origin === 'offload' ? `offload ${l.loopId ?? ''}` : 'wasi:cuda', l.grid.join('×'), l.block.join('×'), l.sharedMemBytes, l.backend ? `${l.device} (${l.backend})` : l.device, fmt(l.kernelMs), l.error ? `${l.error.code}` : '']),
      ),
    );
  }
  if (faults.length > 0) {
    parts.push(`<h2>Kernel faults (${faults.length})</h2>`);
    parts.push(
      table(
        ['Launch', 'Kernel', 'Problem', 'Thread', 'Block', 'Address', 'Size', 'Nearest window', 'PTX line'],
        faults.map((f) => [f.launchSeq, f.kernel, f.what, f.thread?.join(',') ?? '', f.block?.join(',') ?? '', f.address ?? '', f.sizeBytes ?? '', f.nearestWindow ?? '', f.ptxLine ?? '']),
      ),
    );
  }
  if (report.offloadDecisions.length > 0 || report.offloadEvents.length > 0) {
    parts.push('<h2>Offload</h2>');
    parts.push(table(['Loop', 'Function', 'Promoted', 'Reason'], report.offloadDecisions.map((d) => [d.loopId, d.function, d.promoted ? 'yes' : 'no', d.reason])));
    if (report.offloadEvents.length) parts.push(table(['Loop', 'Action', 'Reason'], report.offloadEvents.map((o) => [o.loopId, o.action, o.reason])));
  }
  if (report.comparison) parts.push(comparisonHtml(report.comparison));
  if (r.stdout) parts.push(`<h2>stdout</h2><pre>${escapeHtml(r.stdout)}</pre>`);
  if (r.stderr) parts.push(`<h2>stderr</h2><pre>${escapeHtml(r.stderr)}</pre>`);
  // `<` escaped so the JSON cannot close the block; type makes it inert data.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>TensorWasm report · ${escapeHtml(report.module.name)} · ${escapeHtml(r.export)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#16181c}th{background:#23262c!important}.track{fill:#2a2d33!important}svg text{fill:#e6e6e6}}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #8884;padding:3px 8px;text-align:left;font-variant-numeric:tabular-nums}
th{background:#f0f2f5}.note{color:#b45309}.bar{fill:#3b82f6}.track{fill:#eef0f3}.t{font-weight:600}.l,.v{font-size:12px}pre{background:#8881;padding:8px;overflow:auto}
</style></head><body>
${parts.join('\n')}
<script type="application/json" id="report-data">${data}</script>
</body></html>
`;
}
