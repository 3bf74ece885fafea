/**
 * Before/after on a loaded machine: one bench kernel launched alternately from another checkout
 * (the baseline: `git archive <commit> | tar -x -C <dir>`, with node_modules linked) and from
 * this one, in one process, on one shared guest memory, so that both see the same load over
 * time. Prints the minimum, first quartile and median launch wall time of each.
 *
 * Run: [BENCH_SCALE=n] npx tsx bench/cpu-ab-kernel.ts <baseline dir> <kernel entry> [workers=1] [launches=10]
 */
import { resolve } from 'node:path';
import { repoRoot } from './repo-root.js';

const [baseline = '', entry = '', workersArg = '1', launchesArg = '10'] = process.argv.slice(2);
if (!baseline || !entry) {
  console.error('usage: npx tsx bench/cpu-ab-kernel.ts <baseline dir> <kernel entry> [workers=1] [launches=10]');
  process.exit(2);
}
const trees = [resolve(baseline), repoRoot(import.meta.dirname)];
type Device = typeof import('./cpu-suite/device.js');
type Kernels = typeof import('./cpu-suite/kernels.js');
const mods = await Promise.all(trees.map(async (t) => ({ dev: (await import(`${t}/bench/cpu-suite/device.ts`)) as Device, ks: (await import(`${t}/bench/cpu-suite/kernels.ts`)) as Kernels })));
const kernel = mods[1]!.ks.KERNELS.find((k) => k.entry === entry);
if (!kernel) {
  console.error(`no bench kernel '${entry.slice(0, 80)}'`);
  process.exit(2);
}
const l = kernel.launch('bench', Number(process.env.BENCH_SCALE ?? 1));
const memory = mods[1]!.dev.guestMemoryFor(l, true);
const runners = mods.map((m, i) => m.dev.deviceRunner(trees[i]!, kernel, l, { workers: Number(workersArg), memory }));
const times: number[][] = [[], []];
for (let r = 0; r < Math.max(1, Number(launchesArg)); r++) {
  for (let i = 0; i < 2; i++) times[i]!.push((await runners[i]!.launch()).ns / 1e6);
}
const summary = (a: number[]): string => {
  const s = [...a].sort((x, y) => x - y);
  return `min ${s[0]!.toFixed(1)} q1 ${s[Math.floor(s.length / 4)]!.toFixed(1)} median ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms`;
};
console.log(`${entry}, ${workersArg} worker(s), shared guest memory: baseline ${summary(times[0]!)} | this checkout ${summary(times[1]!)}`);
process.exit(0); // the pools' workers
