/**
 * Which bench kernels run their threads in SIMD lanes (docs/CPU-DEVICE.md "Threads in SIMD
 * lanes"), which of their instructions still run per lane, and for the others why not: the
 * first thing lanes-plan.ts refuses, or too many per-lane runs (lanes-emit.ts lanesWorthIt).
 *
 * Run: npx tsx bench/lanes-survey.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePtx } from '../runtime/devices/cpu/parser.js';
import { compileWasmKernel } from '../runtime/devices/cpu/wasm/compile-wasm.js';
import { lanesWhy } from '../runtime/devices/cpu/wasm/lanes-plan.js';
import { KERNELS } from './cpu-suite/kernels.js';
import { repoRoot } from './repo-root.js';

const root = repoRoot(import.meta.dirname);
for (const k of KERNELS) {
  const module = parsePtx(readFileSync(join(root, k.ptx), 'utf8'));
  lanesWhy.last = 'not planned: barriers or warp sites (a synchronising kernel)';
  lanesWhy.perLane = '';
  const r = compileWasmKernel(module, module.functions.get(k.entry)!);
  let verdict: string;
  if (!('kernel' in r)) verdict = `no Wasm: ${r.unsupported}`;
  else if (r.kernel.lanes) verdict = `lanes${lanesWhy.perLane ? `; per lane: ${lanesWhy.perLane}` : ''}`;
  else if (r.kernel.rangeLanes) verdict = 'range rounds walking 4 i at once in lanes (lanes-range.ts)';
  else if (r.kernel.lockstep) verdict = 'lock-step loop (lockstep-loop.ts), not lanes';
  else verdict = `scalar: ${lanesWhy.last}`;
  console.log(`${k.entry.padEnd(14)} ${verdict}`);
}
