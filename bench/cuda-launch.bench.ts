/**
 * CUDA launch overhead: one `noop` kernel launch through TensorWasm against a small C program
 * (bench/native/raw-launch.c) calling cuLaunchKernel directly — same PTX, same entry, same GPU.
 *
 *   raw C      record event, cuLaunchKernel, record event, wait, read the time: the driver work the
 *              CUDA device does for every launch (it waits so the launch event carries kernel time)
 *   device     CudaDevice.launch from TypeScript: validation, parameter packing, the addon, the driver
 *   stack      a Wasm guest calling wasi_cuda_launch in a loop inside the engine's instance worker:
 *              guest → wasi:cuda host (argv decode, checks, launch event) → device → addon → driver
 *
 * Each figure is the fastest of three rounds. Goal (issue 4): the whole stack ≤ 2× the raw launch. Without a GPU it prints why it could not run.
 *
 *   npm run bench -- cuda-launch        (or: npx tsx bench/cuda-launch.bench.ts)
 *   CUDA_BENCH_LAUNCHES=20000 to change the number of launches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CudaDevice } from '../runtime/devices/cuda/cuda-device.js';
import { probeCuda } from '../runtime/devices/cuda/probe.js';
import { createEngine } from '../runtime/engine.js';
import { noopLaunchGuest } from './noop-launch-guest.js';

const launches = Number(process.env.CUDA_BENCH_LAUNCHES ?? 10_000);
/** Each figure is the best of this many rounds, so a busy machine inflates it least. */
const ROUNDS = 3;
// The repository root from bench/ (tsx) or dist/bench/ (compiled).
const root = [join(import.meta.dirname, '..'), join(import.meta.dirname, '..', '..')].find((dir) => existsSync(join(dir, 'native', 'kernels'))) ?? join(import.meta.dirname, '..');
const ptxPath = join(root, 'native', 'kernels', 'test-kernels.ptx');
const ptx = readFileSync(ptxPath, 'utf8');

function couldNotRun(reason: string): never {
  console.log(`cuda-launch: could not be run: ${reason}`);
  process.exit(0);
}

function rawLaunch(): { waitUs: number; enqueueUs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tw-raw-launch-'));
  const exe = join(dir, 'raw-launch');
  try {
    execFileSync('gcc', ['-O2', '-o', exe, join(root, 'bench', 'native', 'raw-launch.c'), '-ldl'], { stdio: 'pipe' });
  } catch (error) {
    couldNotRun(`the C baseline did not build (${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0]})`);
  }
  const runs = Array.from({ length: ROUNDS }, () => {
    const out = JSON.parse(execFileSync(exe, [ptxPath, 'noop', String(launches)], { encoding: 'utf8' }).trim()) as { waitUs: number; enqueueUs: number; error?: string };
    if (out.error) couldNotRun(`the C baseline failed: ${out.error}`);
    return out;
  });
  return { waitUs: Math.min(...runs.map((r) => r.waitUs)), enqueueUs: Math.min(...runs.map((r) => r.enqueueUs)) };
}

function deviceLaunch(): number {
  const device = new CudaDevice();
  try {
    const memory = new Uint8Array(new WebAssembly.Memory({ initial: 1 }).buffer);
    const kernel = device.loadKernel(ptx, 'bench-noop', 'noop');
    const request = {
      kernel,
      grid: [1, 1, 1] as const,
      block: [1, 1, 1] as const,
      sharedMemBytes: 0,
      args: [{ kind: 'scalar' as const, tag: 'u32' as const, bytes: new Uint8Array(4) }],
      memory,
    };
    for (let i = 0; i < 2000; i++) device.launch(request); // warm-up: JIT, caches
    const rounds = Array.from({ length: ROUNDS }, () => {
      const t0 = performance.now();
      for (let i = 0; i < launches; i++) device.launch(request);
      return ((performance.now() - t0) * 1000) / launches;
    });
    device.sync(memory);
    return Math.min(...rounds);
  } finally {
    device.dispose();
  }
}

function guestBytes(): Uint8Array {
  return noopLaunchGuest(ptx);
}

async function stackLaunch(): Promise<number> {
  const engine = createEngine({ device: 'cuda', poolSize: 1 });
  try {
    const { ref } = await engine.load(guestBytes(), 'cuda-launch-bench');
    const call = async (n: number): Promise<number> => {
      const t0 = performance.now();
      const r = await engine.invoke(ref, 'bench', `[${n}]`);
      const elapsed = performance.now() - t0;
      if (r.results?.[0] !== 0) throw new Error(`the guest returned ${JSON.stringify(r.results)}`);
      return elapsed;
    };
    await call(2000); // warm-up: worker, module, JIT
    const empty = Math.min(await call(0), await call(0), await call(0));
    let full = Infinity;
    for (let r = 0; r < ROUNDS; r++) full = Math.min(full, await call(launches));
    return ((full - empty) * 1000) / launches;
  } finally {
    await engine.close();
  }
}

const probe = probeCuda();
if (!probe.available) couldNotRun(`no CUDA device (${probe.reason ?? 'unknown reason'})`);
const gpu = probe.devices.find((d) => d.available)!;
console.log(`cuda-launch: ${launches} launches of noop on ${gpu.id} ${gpu.name} (driver ${gpu.driverVersion})`);
const raw = rawLaunch();
const device = deviceLaunch();
const stack = await stackLaunch();
const rows = [
  ['raw C: event + cuLaunchKernel + wait', raw.waitUs],
  ['raw C: enqueue only (reference)', raw.enqueueUs],
  ['CudaDevice.launch', device],
  ['whole stack: guest → wasi:cuda → device', stack],
] as const;
for (const [name, us] of rows) console.log(`  ${name.padEnd(44)} ${us.toFixed(2).padStart(8)} µs/launch  ${(us / raw.waitUs).toFixed(2)}× raw`);
const ratio = stack / raw.waitUs;
console.log(`cuda-launch: whole stack ${ratio.toFixed(2)}× the raw launch (goal ≤ 2×): ${ratio <= 2 ? 'met' : 'NOT met'}`);
