/** Text renderings of offload reports for the CLI (`inspect --offload`, `bench --compare-offload`). */
import type { CompareOffloadResult, OffloadReport } from '../../contract/offload.js';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function formatOffloadReport(path: string, report: OffloadReport): string {
  const lines: string[] = [];
  const promoted = report.loops.filter((l) => l.decision === 'promoted').length;
  lines.push(`module: ${path}`);
  lines.push(
    `auto-offload: ${report.loops.length} loop${report.loops.length === 1 ? '' : 's'} in ${report.functions} functions, ${promoted} promoted ` +
      `(trip count > ${report.thresholds.tripCountThreshold}, v128 ratio > ${report.thresholds.v128RatioThreshold})`,
  );
  const header = ['function', 'loop', 'offset', 'ops', 'v128', 'scalar', 'ratio', 'trips', 'decision'];
  const widths = [24, 8, 8, 5, 5, 7, 6, 9, 9];
  lines.push(header.map((h, i) => pad(h, widths[i] as number)).join(' ') + ' reason');
  for (const l of report.loops) {
    const cells = [
      l.function,
      l.loopId,
      `0x${l.codeOffset.toString(16)}`,
      String(l.opCounts.instructions),
      String(l.opCounts.v128),
      String(l.opCounts.scalar),
      l.v128Ratio.toFixed(2),
      String(l.tripCount),
      l.decision,
    ];
    lines.push(cells.map((c, i) => pad(c, widths[i] as number)).join(' ') + ' ' + l.reason);
  }
  for (const e of report.errors) lines.push(`not analysed: ${e.function}: ${e.message}`);
  return lines.join('\n') + '\n';
}

export function formatCompare(result: CompareOffloadResult): string {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const lines = [
    `${result.export}${result.args} × ${result.n} on ${result.device} (trip count > ${result.thresholds.tripCountThreshold}, v128 ratio > ${result.thresholds.v128RatioThreshold})`,
    `  offload on:  median ${ms(result.on.medianMs)}  p95 ${ms(result.on.p95Ms)}  launches/run ${result.on.runs[0]?.launches ?? 0}  dispatches/run ${result.on.runs[0]?.dispatches ?? 0}  fallbacks/run ${result.on.runs[0]?.fallbacks ?? 0}`,
    `  offload off: median ${ms(result.off.medianMs)}  p95 ${ms(result.off.p95Ms)}`,
    `  speedup (off/on): ${result.speedup.toFixed(2)}×   outputs equal: ${result.outputsEqual ? 'yes' : 'NO'}`,
    `  runs on  (ms): ${result.on.runs.map((r) => r.durationMs.toFixed(1)).join(' ')}`,
    `  runs off (ms): ${result.off.runs.map((r) => r.durationMs.toFixed(1)).join(' ')}`,
  ];
  return lines.join('\n') + '\n';
}
