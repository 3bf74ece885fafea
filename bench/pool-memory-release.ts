/**
 * Whether the block pool lets finished guests' shared memories go (pool/block-worker.ts collects
 * once its tasks' memories add up to 1 GiB): ten launches of vector_add on 2 workers, each over a
 * fresh 1 GiB shared guest memory with 128 MiB of it touched, the process's RSS printed after each
 * (after a collection on this thread). Kept alive by a worker, each memory adds its touched pages.
 *
 * Run: npx tsx bench/pool-memory-release.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CpuDevice } from '../runtime/devices/cpu/cpu-device.js';
import { repoRoot } from './repo-root.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const ptx = readFileSync(join(repoRoot(import.meta.dirname), 'fixtures/cuda/vector_add.sm_75.ptx'), 'utf8');
const device = new CpuDevice({ workers: 2, poolMinThreads: 1, adaptivePool: false });
const kernel = device.loadKernel(ptx, 'pool-memory-release', 'vector_add');
const n = 1 << 20;
const count = new Uint8Array(4);
new DataView(count.buffer).setInt32(0, n, true);
const rss: number[] = [];
for (let i = 0; i < 10; i++) {
  const pages = 16384; // 1 GiB
  const wasmMemory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const memory = new Uint8Array(wasmMemory.buffer);
  memory.fill(1, 0, 64 << 20);
  memory.fill(1, (1 << 30) - (64 << 20)); // the top too: the scratch areas go into a gap there
  const ptr = (k: number) => ({ kind: 'pointer' as const, offset: 4 * n * k, length: 4 * n });
  await device.launch({ kernel, grid: [n / 256, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory, wasmMemory, args: [ptr(0), ptr(1), ptr(2), { kind: 'scalar', tag: 'i32', bytes: count }] });
  collect();
  rss.push(Math.round(process.memoryUsage().rss / 2 ** 20));
}
device.dispose();
console.log(`RSS after each of 10 launches over fresh 1 GiB shared guest memories (MiB): ${rss.join(' ')}`);
console.log(`growth from the 3rd to the 10th: ${rss[9]! - rss[2]!} MiB (128 MiB a launch if the workers kept them)`);
process.exit(0);
