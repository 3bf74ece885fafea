/**
 * What instantiation needs when offload is on: the analysis, the rewritten module (promoted loops
 * behind guards) and the plans the host imports serve. Cached per module hash and settings, so a
 * module is analysed and rewritten once per worker, not once per call.
 */
import { createHash } from 'node:crypto';
import type { OffloadSettings } from '../../contract/engine.js';
import { getLogger } from '../telemetry/logger.js';
import { analyzeOffload } from './analyze.js';
import { loadDefaultDeviceFactory } from './offload-host.js';
import { rewriteModule } from './rewrite.js';
import type { LoopPlan, OffloadReport } from './types.js';

export interface PreparedOffload {
  key: string;
  /** The rewritten module, or the original when nothing was promoted. */
  bytes: Uint8Array;
  module: WebAssembly.Module;
  report: OffloadReport;
  /** Plans wired into the module, in import order. */
  plans: LoopPlan[];
  /** Promoted loops the rewriter could not wire (they run on the CPU), with why. */
  skipped: { loopId: string; function: string; reason: string }[];
  /** Verification outcome shared by every instance of this prepared module. */
  demoted: Map<string, string>;
  verified: Set<string>;
}

const cache = new Map<string, Promise<PreparedOffload>>();
const MAX_CACHED = 32;

export function offloadCacheKey(bytes: Uint8Array, settings: OffloadSettings): string {
  const hash = createHash('sha256').update(bytes).digest('hex');
  return `${hash}:${settings.tripCountThreshold}:${settings.v128RatioThreshold}:${settings.verify ? 'v' : ''}`;
}

export function prepareOffload(bytes: Uint8Array, settings: OffloadSettings): Promise<PreparedOffload> {
  const key = offloadCacheKey(bytes, settings);
  let entry = cache.get(key);
  if (!entry) {
    entry = build(key, bytes, settings);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  }
  return entry;
}

async function build(key: string, bytes: Uint8Array, settings: OffloadSettings): Promise<PreparedOffload> {
  const { report, plans } = analyzeOffload(bytes, settings);
  const base = { key, report, demoted: new Map<string, string>(), verified: new Set<string>() };
  if (plans.length === 0) return { ...base, bytes, module: await WebAssembly.compile(bytes), plans: [], skipped: [] };
  const loopCounts = new Map<number, number>();
  for (const loop of report.loops) loopCounts.set(loop.functionIndex, (loopCounts.get(loop.functionIndex) ?? 0) + 1);
  await loadDefaultDeviceFactory();
  try {
    const rewritten = await rewriteModule(bytes, plans, loopCounts, settings.verify === true);
    const skipped = rewritten.skipped.map((s) => ({ loopId: s.plan.loopId, function: s.plan.function, reason: s.reason }));
    for (const s of skipped) {
      const loop = report.loops.find((l) => l.loopId === s.loopId);
      if (loop) {
        loop.decision = 'rejected';
        loop.reason = `promoted, but not wired: ${s.reason}`;
      }
    }
    return { ...base, bytes: rewritten.bytes, module: await WebAssembly.compile(rewritten.bytes), plans: rewritten.wired, skipped };
  } catch (error) {
    // The rewrite is an optimisation: if binaryen cannot do it, run the module as it is.
    getLogger({ component: 'offload' }).warn({ err: error }, 'offload rewrite failed; running the module unchanged');
    for (const plan of plans) {
      const loop = report.loops.find((l) => l.loopId === plan.loopId);
      if (loop) {
        loop.decision = 'rejected';
        loop.reason = `promoted, but the rewrite failed: ${(error as Error).message}`;
      }
    }
    return {
      ...base,
      bytes,
      module: await WebAssembly.compile(bytes),
      plans: [],
      skipped: plans.map((p) => ({ loopId: p.loopId, function: p.function, reason: `rewrite failed: ${(error as Error).message}` })),
    };
  }
}
