/**
 * The auto-offload analyser's per-loop verdicts in the workbench's plain shape (contract
 * OffloadDecision), for the module view and the run report.
 */
import type { OffloadSettings } from '../contract/engine.js';
import type { OffloadDecision } from '../contract/workbench.js';
import { analyzeOffload } from '../runtime/offload/analyze.js';

export function offloadDecisions(bytes: Uint8Array, settings: Pick<OffloadSettings, 'tripCountThreshold' | 'v128RatioThreshold'>): OffloadDecision[] {
  const { report } = analyzeOffload(bytes, { tripCountThreshold: settings.tripCountThreshold, v128RatioThreshold: settings.v128RatioThreshold });
  const decisions: OffloadDecision[] = report.loops.map((loop) => {
    const d: OffloadDecision = { loopId: loop.loopId, function: loop.function, promoted: loop.decision === 'promoted', reason: loop.reason, v128Ratio: loop.v128Ratio };
    if (typeof loop.tripCount === 'number') d.tripCount = loop.tripCount;
    return d;
  });
  for (const e of report.errors) decisions.push({ loopId: '–', function: e.function, promoted: false, reason: `not analysed: ${e.message}` });
  return decisions;
}
