/**
 * A comparison's results as files the person keeps: the complete JSON, and CSV with one row per
 * run (point, size, phase — warm-up or timed —, side, repetition, ms, whether it is an outlier,
 * what the loop did at that point) that any spreadsheet opens. Pure. The HTML page is the
 * service's report of the comparison's record in Runs (one renderer for every face).
 */
import type { CompareResult, ExportedReport } from '../../contract/workbench.js';

const csvCell = (v: string | number | boolean | undefined): string => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function compareToCsv(result: CompareResult): string {
  const lines = ['point,size,args,phase,side,repetition,ms,outlier,loop,outputs_equal'];
  result.points.forEach((p, i) => {
    const loop = p.dispatch ?? '';
    for (const [side, list] of [['offload', p.warmupOffloadMs ?? []], ['fallback', p.warmupFallbackMs ?? []]] as const) {
      list.forEach((ms, rep) => lines.push([i, p.size, p.argsJson, 'warm-up', side, rep + 1, ms, '', loop, p.outputsEqual].map(csvCell).join(',')));
    }
    for (const [side, list, outliers] of [['offload', p.offloadMs, p.offloadOutliers ?? []], ['fallback', p.fallbackMs, p.fallbackOutliers ?? []]] as const) {
      list.forEach((ms, rep) => lines.push([i, p.size, p.argsJson, 'timed', side, rep + 1, ms, outliers.includes(rep), loop, p.outputsEqual].map(csvCell).join(',')));
    }
  });
  return `${lines.join('\n')}\n`;
}

export function exportCompare(result: CompareResult, format: 'json' | 'csv', now = new Date()): ExportedReport {
  const stem = `compare-${result.exportName.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40)}-${now.toISOString().replace(/[:.]/g, '-')}`;
  return format === 'json'
    ? { fileName: `${stem}.json`, mimeType: 'application/json', text: `${JSON.stringify({ format: 'tensor-wasm.offload-comparison', version: 1, ...result }, null, 2)}\n` }
    : { fileName: `${stem}.csv`, mimeType: 'text/csv', text: compareToCsv(result) };
}
