import type { ExportedReport } from '../../contract/workbench.js';

/** Saves text as a file through the browser's download (Electron shows its save dialog). */
export function downloadReport(report: ExportedReport): void {
  const url = URL.createObjectURL(new Blob([report.text], { type: report.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = report.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
