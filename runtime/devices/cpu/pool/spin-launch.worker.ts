/**
 * Test worker for pool-deadline.test.ts, in the role of an engine instance worker: launches a
 * kernel that never finishes with its blocks on 3 threads (this one and two pool workers), after
 * telling the test it is about to. The test ends it with terminate(), as the engine does at a
 * deadline.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CpuDevice } from '../cpu-device.js';
import { blockPool } from './block-pool.js';

const { ptxPath } = workerData as { ptxPath: string };
const ptx = readFileSync(ptxPath, 'utf8');
const device = new CpuDevice({ workers: 3, poolMinThreads: 1, adaptivePool: false });
const kernel = device.loadKernel(ptx, createHash('sha256').update(ptx).digest('hex'), 'spin_forever');
const memory = new WebAssembly.Memory({ initial: 1 });
blockPool().warm(2);
parentPort!.postMessage('spinning');
device.launch({
  kernel,
  grid: [64, 1, 1],
  block: [32, 1, 1],
  sharedMemBytes: 0,
  args: [
    { kind: 'pointer', offset: 1024, length: 4 },
    { kind: 'pointer', offset: 2048, length: 4 },
  ],
  memory: new Uint8Array(memory.buffer),
  wasmMemory: memory,
});
parentPort!.postMessage('finished');
