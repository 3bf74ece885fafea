/**
 * Reduction-tree phases in SIMD lanes (runtime/devices/cpu/wasm/phase-lanes.ts) off and on, in one
 * process on one guest memory: the bench kernel compiled twice (the switch read as each device
 * compiles it; so 1 worker only: a pool's workers compile their own, switch on), launches alternating off/on, each launch's time without the image reset. Prints
 * the least and the median launch time of each and the on/off ratio of the least; the launches'
 * outputs must be equal byte for byte.
 *
 * Run: [BENCH_SCALE=n] npx tsx bench/phase-lanes-ab.ts <kernel entry> [launches=10]
 */
import { deviceRunner, guestMemoryFor } from './cpu-suite/device.js';
import { KERNELS } from './cpu-suite/kernels.js';
import { repoRoot } from './repo-root.js';
import { phaseLanes } from '../runtime/devices/cpu/wasm/phase-lanes.js';
import { lanesStats } from '../runtime/devices/cpu/wasm/wasm-launch.js';

const [entry = '', launchesArg = '10'] = process.argv.slice(2);
const kernel = KERNELS.find((k) => k.entry === entry);
if (!kernel) {
  console.error(`usage: npx tsx bench/phase-lanes-ab.ts <kernel entry> [launches=10]; no bench kernel '${entry.slice(0, 80)}'`);
  process.exit(2);
}
const l = kernel.launch('bench', Number(process.env.BENCH_SCALE ?? 1));
const memory = guestMemoryFor(l, true);
const root = repoRoot(import.meta.dirname);
const runners = [false, true].map((on) => {
  phaseLanes.enabled = on;
  return deviceRunner(root, kernel, l, { workers: 1, memory, idSuffix: on ? '-phase-lanes' : '-no-phase-lanes' });
});
const times: number[][] = [[], []];
/** Lane groups each ran (lanesStats: counted in this thread). */
const groups = [0, 0];
const outputs: (Uint8Array | undefined)[] = [undefined, undefined];
for (let r = 0; r < Math.max(1, Number(launchesArg)); r++) {
  for (let i = 0; i < 2; i++) {
    const before = lanesStats.blocks;
    times[i]!.push((await runners[i]!.launch()).ns / 1e6);
    groups[i]! += lanesStats.blocks - before;
    outputs[i] = new Uint8Array(runners[i]!.memory()).slice();
  }
}
const summary = (a: number[]): string => {
  const s = [...a].sort((x, y) => x - y);
  return `min ${s[0]!.toFixed(1)} median ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms`;
};
const same = outputs[0]!.length === outputs[1]!.length && outputs[0]!.every((b, i) => b === outputs[1]![i]);
const min = (a: number[]): number => Math.min(...a);
console.log(`${entry}, 1 worker: off ${summary(times[0]!)} | on ${summary(times[1]!)} | on/off ${(min(times[1]!) / min(times[0]!)).toFixed(2)}x; lane groups off ${groups[0]} on ${groups[1]}; outputs ${same ? 'equal' : 'DIFFER'}`);
process.exit(0); // the pools' workers
