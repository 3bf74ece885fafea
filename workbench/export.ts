/** Renders a run report in one of the export formats, with a file name and MIME type. */
import type { ExportedReport, ReportFormat } from '../contract/workbench.js';
import { TensorWasmError } from '../contract/errors.js';
import { reportFileStem, type RunReport } from './report-model.js';
import { toChromeTrace } from './render-chrome-trace.js';
import { toHtml } from './render-html.js';

export function renderReport(report: RunReport, format: ReportFormat): ExportedReport {
  const stem = reportFileStem(report);
  switch (format) {
    case 'json':
      return { fileName: `${stem}.report.json`, mimeType: 'application/json', text: JSON.stringify(report, null, 2) };
    case 'html':
      return { fileName: `${stem}.report.html`, mimeType: 'text/html', text: toHtml(report) };
    case 'chrome-trace':
      return { fileName: `${stem}.trace.json`, mimeType: 'application/json', text: JSON.stringify(toChromeTrace(report)) };
    default:
      throw new TensorWasmError('invalid_args', `unknown report format '${String(format)}'; use json, html or chrome-trace`);
  }
}
