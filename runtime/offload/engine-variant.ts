/**
 * The engine's side of auto-offload: for a module and a memory cap, the compiled variant with its
 * promoted loops behind guards, and the plans the instance worker's host imports need. Runs in
 * the main thread (binaryen loads once per process, not once per worker); the result is cached
 * by module hash, cap and offload settings.
 */
import type { OffloadSettings } from '../../contract/engine.js';
import { applyMemoryCap } from '../module/memory-cap.js';
import type { ParsedModule } from '../module/parse.js';
import { prepareOffload } from './prepare.js';
import type { LoopPlan, OffloadReport } from './types.js';

export interface OffloadVariant {
  key: string;
  module: WebAssembly.Module;
  plans: LoopPlan[];
  report: OffloadReport;
}

/**
 * Undefined when offload is off or nothing was promoted: the caller runs its ordinary variant.
 * Never throws for module content: a failed rewrite means the module runs unchanged.
 */
export async function offloadVariant(
  entry: { bytes: Uint8Array; parsed: ParsedModule },
  baseKey: string,
  maxMemoryBytes: number,
  settings: OffloadSettings,
): Promise<OffloadVariant | undefined> {
  if (!settings.enabled) return undefined;
  const capped = applyMemoryCap(entry.bytes, entry.parsed, maxMemoryBytes);
  const prepared = await prepareOffload(capped, settings);
  if (prepared.plans.length === 0) return undefined;
  const suffix = `offload:${settings.tripCountThreshold}:${settings.v128RatioThreshold}:${settings.verify ? 'v' : ''}`;
  return { key: `${baseKey}:${suffix}`, module: prepared.module, plans: prepared.plans, report: prepared.report };
}
