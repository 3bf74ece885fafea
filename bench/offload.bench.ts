/**
 * Auto-offload benchmark (issue 5).
 * 1. Analysis speed on a large real module (fixtures/offload/big/big.wasm, several MB of code built
 *    from a generated C program by fixtures/offload/big/build.sh; built here when missing), in MB
 *    of code per second — goal ≥ 20 MB/s — against V8's WebAssembly.validate of the same bytes,
 *    measured in the same run.
 * 2. Offload on vs off for each fixture driver on the CPU device (PTX interpreter): medians,
 *    ratio, and whether the outputs were equal. On the CPU device offload is expected to be
 *    slower: the point is that the kernels really run and agree with the CPU loops.
 * Usage: npm run bench -- offload [--quick]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';
import type { OffloadSettings } from '../contract/engine.js';
import { CpuDevice } from '../runtime/devices/cpu/cpu-device.js';
import { analyzeOffload } from '../runtime/offload/analyze.js';
import { createOffloadHost } from '../runtime/offload/offload-host.js';
import { prepareOffload, type PreparedOffload } from '../runtime/offload/prepare.js';
import { percentile, sampleSync } from './stats.js';

const quick = process.argv.includes('--quick');
const fixtures = pathToFileURL(join(repoRoot(import.meta.dirname), 'fixtures', 'offload') + '/');

function analysisSpeed(): void {
  const bigPath = fileURLToPath(new URL('big/big.wasm', fixtures));
  if (!existsSync(bigPath)) {
    console.log('building fixtures/offload/big/big.wasm (a generated C program; takes a few minutes) ...');
    execFileSync('bash', [fileURLToPath(new URL('big/build.sh', fixtures))], { stdio: 'inherit' });
  }
  const bytes = readFileSync(bigPath);
  const warm = analyzeOffload(bytes);
  analyzeOffload(bytes);
  const mb = warm.report.codeBytes / 1e6;
  const cpu: number[] = [];
  const runs = sampleSync(quick ? 3 : 7, () => {
    const before = process.cpuUsage();
    analyzeOffload(bytes);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  });
  // The report is what analysis produces; plans (affine forms, lifted kernels) are built on first
  // read of `plans`, as instantiation with offload on does. Measured here too, so both are shown.
  const cpuWithPlans: number[] = [];
  let planCount = 0;
  const withPlans = sampleSync(quick ? 3 : 7, () => {
    const before = process.cpuUsage();
    planCount = analyzeOffload(bytes).plans.length;
    const used = process.cpuUsage(before);
    cpuWithPlans.push((used.user + used.system) / 1000);
  });
  const validate = sampleSync(quick ? 3 : 7, () => WebAssembly.validate(bytes));
  const median = percentile(runs, 50);
  const validateMedian = percentile(validate, 50);
  const speed = mb / (median / 1000);
  const promoted = warm.report.loops.filter((l) => l.decision === 'promoted').length;
  console.log(`analysis: ${(bytes.length / 1e6).toFixed(2)} MB module, ${mb.toFixed(2)} MB of code, ${warm.report.functions} functions, ${warm.report.loops.length} loops (${promoted} promoted), ${warm.report.errors.length} unreadable functions`);
  console.log(`  median ${median.toFixed(0)} ms (p95 ${percentile(runs, 95).toFixed(0)} ms) → ${speed.toFixed(1)} MB of code/s (goal ≥ 20 MB/s: ${speed >= 20 ? 'met' : 'NOT met'})`);
  const cpuMedian = percentile(cpu, 50);
  console.log(`  process CPU time: median ${cpuMedian.toFixed(0)} ms → ${(mb / (cpuMedian / 1000)).toFixed(1)} MB of code per CPU-second (wall time above includes waiting for a busy machine)`);
  const plansCpu = percentile(cpuWithPlans, 50);
  console.log(`  report + all ${planCount} plans: median ${percentile(withPlans, 50).toFixed(0)} ms, CPU ${plansCpu.toFixed(0)} ms → ${(mb / (plansCpu / 1000)).toFixed(1)} MB of code per CPU-second`);
  console.log(`  baseline WebAssembly.validate: median ${validateMedian.toFixed(0)} ms → ${(mb / (validateMedian / 1000)).toFixed(1)} MB/s; analysis takes ${(median / validateMedian).toFixed(2)}× validate's time`);
}

type Exports = Record<string, (...args: number[]) => number>;

function timeDriver(prepared: PreparedOffload, original: WebAssembly.Module, settings: OffloadSettings, name: string, n: number): void {
  let memory: WebAssembly.Memory | undefined;
  const host = createOffloadHost({ plans: prepared.plans, settings, memory: () => new Uint8Array((memory as WebAssembly.Memory).buffer), emit: () => undefined, createDevice: () => new CpuDevice() });
  const on = new WebAssembly.Instance(prepared.module, host.imports);
  memory = on.exports.memory as WebAssembly.Memory;
  (on.exports._initialize as () => void)();
  const off = new WebAssembly.Instance(original, {});
  (off.exports._initialize as () => void)();
  const onFn = (on.exports as unknown as Exports)[name] as (n: number, seed: number) => number;
  const offFn = (off.exports as unknown as Exports)[name] as (n: number, seed: number) => number;
  const outputs: number[] = [];
  outputs.push(onFn(n, 1), offFn(n, 1)); // warm-up (kernel load, JIT)
  const reps = quick ? 3 : 7;
  const onRuns = sampleSync(reps, () => outputs.push(onFn(n, 2)));
  const offRuns = sampleSync(reps, () => outputs.push(offFn(n, 2)));
  const equal = outputs.slice(2).every((v) => v === outputs[2]) && outputs[0] === outputs[1];
  const onMs = percentile(onRuns, 50);
  const offMs = percentile(offRuns, 50);
  console.log(
    `  ${name.padEnd(22)} n=${n}: on ${onMs.toFixed(1)} ms, off ${offMs.toFixed(2)} ms, on/off ${(onMs / offMs).toFixed(0)}×, launches ${host.launchCount()}, outputs equal: ${equal ? 'yes' : 'NO'}`,
  );
  host.dispose();
}

async function onOff(): Promise<void> {
  const settings: OffloadSettings = { enabled: true, tripCountThreshold: 4096, v128RatioThreshold: 0.5 };
  const n = quick ? 1 << 15 : 1 << 17;
  for (const [file, drivers] of [
    ['simd_maps.wasm', ['run_saxpy', 'run_i32_add_mul_shl', 'run_madd_chain', 'run_f64_mul_add']],
    ['auto_vec.wasm', ['run_auto_scale_add', 'run_auto_i32_xor_add']],
  ] as const) {
    const bytes = readFileSync(new URL(file, fixtures));
    const t0 = performance.now();
    const prepared = await prepareOffload(bytes, settings);
    console.log(`${file}: prepared in ${(performance.now() - t0).toFixed(0)} ms (analysis + binaryen rewrite + compile; the first includes loading binaryen), ${prepared.plans.length} loops wired`);
    const original = new WebAssembly.Module(bytes);
    for (const name of drivers) timeDriver(prepared, original, settings, name, n);
  }
}

analysisSpeed();
await onOff();
