/**
 * One kernel of the CPU-device bench, launched alone: for profiling (`node --cpu-prof --import tsx
 * bench/cpu-one-kernel.ts …`) and for before/after comparisons on a loaded machine, where the
 * process's CPU time per launch (on one worker) drifts less than wall time.
 *
 * Run: [BENCH_SCALE=n] [BENCH_PTX=variant.ptx] [BENCH_COPY_EVERY_WINDOW=1] npx tsx bench/cpu-one-kernel.ts '<kernel name>' [workers=1] [launches=9] [shared]
 * (`shared`: the guest memory is a shared one, as a guest built with threads declares: the pool runs in it in place;
 * `pooled`: every launch on the pool, the adaptive choice off — to time the pool's window copies of an unshared guest memory)
 * Prints the backend, the wall-clock minimum and median of a launch, and the minimum CPU time of
 * a launch together with resetting the memory to the launch's image before it.
 */
import { deviceRunner, guestMemoryFor } from './cpu-suite/device.js';
import { KERNELS } from './cpu-suite/kernels.js';
import { repoRoot } from './repo-root.js';
import { lastStats, poolTesting } from '../runtime/devices/cpu/pool/pool-launch.js';

const [name = '', workersArg = '1', launchesArg = '9', memoryArg = ''] = process.argv.slice(2);
const found = KERNELS.find((k) => k.name === name || k.entry === name);
// BENCH_PTX: a variant of the kernel's PTX in its place (an ablation: one instruction changed), relative to the repository root
const kernel = found && process.env.BENCH_PTX ? { ...found, ptx: process.env.BENCH_PTX } : found;
if (!kernel) {
  console.error(`no bench kernel named '${name.slice(0, 80)}'; one of: ${KERNELS.map((k) => k.entry).join(', ')}`);
  process.exit(2);
}
const workers = Number(workersArg);
const launches = Math.max(1, Number(launchesArg));
const l = kernel.launch('bench', Number(process.env.BENCH_SCALE ?? 1)); // the bench's size for this kernel: the `sizes:` line of its output
// BENCH_COPY_EVERY_WINDOW=1: the pool copies every window back to an unshared guest memory (before the written-windows masks: an A/B)
if (process.env.BENCH_COPY_EVERY_WINDOW === '1') poolTesting.copyEveryWindow = true;
const runner = deviceRunner(repoRoot(import.meta.dirname), kernel, l, { workers, memory: guestMemoryFor(l, memoryArg === 'shared'), ...(memoryArg === 'pooled' ? { adaptivePool: false } : {}) });
const wall: number[] = [];
/** Pooled launches of an unshared guest memory: the pool's copy-in, blocks and copy-back times (pool-launch.ts lastStats). */
const phases: { copyIn: number[]; run: number[]; copyBack: number[] } = { copyIn: [], run: [], copyBack: [] };
const cpu: number[] = [];
let backend = '?';
let seen = lastStats;
for (let i = 0; i < launches; i++) {
  const c0 = process.cpuUsage();
  const r = await runner.launch();
  const c = process.cpuUsage(c0);
  wall.push(r.ns / 1e6);
  const stats = lastStats;
  if (stats && stats !== seen && !stats.inPlace) {
    seen = stats;
    phases.copyIn.push(stats.copyInMs);
    phases.run.push(stats.runMs);
    phases.copyBack.push(stats.copyBackMs);
  }
  cpu.push((c.user + c.system) / 1000);
  backend = r.backend;
}
wall.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
console.log(`${kernel.name} (${kernel.entry}): ${workers} worker(s)${memoryArg === 'shared' ? ', shared guest memory' : memoryArg === 'pooled' ? ', every launch pooled' : ''}, ${backend}; wall min ${wall[0]!.toFixed(1)} ms, median ${wall[Math.floor(launches / 2)]!.toFixed(1)} ms; cpu min ${cpu[0]!.toFixed(1)} ms (with the image reset)`);
if (phases.run.length > 0) {
  // the first pooled launch's copy-in also faults in the kept launch memory's pages: left out of the minimum
  const min = (xs: number[]): string => Math.min(...(xs.length > 1 ? xs.slice(1) : xs)).toFixed(1);
  console.log(`  pooled launches ${phases.run.length}: copy-in min ${min(phases.copyIn)} ms, blocks min ${min(phases.run)} ms, copy-back min ${min(phases.copyBack)} ms (after the first)`);
}
