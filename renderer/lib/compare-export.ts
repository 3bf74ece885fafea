/**
 * A comparison's results as files the person keeps: the complete JSON, and CSV with one row per
 * timed run (point, size, side, repetition, ms) that any spreadsheet opens. Pure.
 */
import type { CompareResult, ExportedReport } from '../../contract/workbench.js';

const csvCell = (v: string | number | boolean | undefined): string => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function compareToCsv(result: CompareResult): string {
  const lines = ['point,size,args,side,repetition,ms,outputs_equal'];
  result.points.forEach((p, i) => {
    for (const [side, list] of [['offload', p.offloadMs], ['fallback', p.fallbackMs]] as const) {
      list.forEach((ms, rep) => lines.push([i, p.size, p.argsJson, side, rep + 1, ms, p.outputsEqual].map(csvCell).join(',')));
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
