/**
 * The device's time for some of the bench's kernels (bench sizes), for before/after comparisons on
 * a machine others load: per launch the wall time and this process's CPU time (process.cpuUsage:
 * every thread of it, so on 2 workers the pool's too), the minimum of N launches, on 1 and 2
 * workers. No C side and no output check: `npm run bench -- cpu-device` does those.
 *
 *   npx tsx bench/cpu-suite/cpu-time.ts [entries, comma-separated] [N = 7]
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deviceRunner } from './device.js';
import { KERNELS } from './kernels.js';
import { repoRoot } from '../repo-root.js';
const root = repoRoot(dirname(fileURLToPath(import.meta.url)));
const names = (process.argv[2] ?? 'warp_reduce,softmax,layernorm,reduce_block').split(',');
const reps = Number(process.argv[3] ?? 7);
for (const k of KERNELS.filter((k) => names.includes(k.entry))) {
  const l = k.launch('bench');
  for (const workers of [1, 2]) {
    const r = deviceRunner(root, k, l, { workers });
    let bestCpu = Infinity, bestWall = Infinity, backend = '';
    for (let i = 0; i < reps; i++) {
      const c0 = process.cpuUsage();
      const x = await r.launch();
      const c = process.cpuUsage(c0);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
      bestWall = Math.min(bestWall, x.ns / 1e6);
      if (process.env.EACH) console.log(`  launch ${i}: ${(x.ns / 1e6).toFixed(1)} ms`);
      backend = x.backend;
    }
    console.log(`${k.entry.padEnd(14)} ${workers}w  wall min ${bestWall.toFixed(1).padStart(7)} ms  cpu min ${bestCpu.toFixed(1).padStart(7)} ms  ${backend}`);
  }
}
