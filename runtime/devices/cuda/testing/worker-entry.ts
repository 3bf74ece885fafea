/** Test support: a worker thread that loads the addon itself and runs one vector_add. */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CudaDevice } from '../cuda-device.js';
import { ptr, readF32, u32, writeF32 } from './args.js';
import { repoRoot } from './stub-harness.js';

const n = (workerData as { n: number }).n;
try {
  const device = new CudaDevice();
  const memory = new Uint8Array(new WebAssembly.Memory({ initial: 1 }).buffer);
  writeF32(memory, 0, Array.from({ length: n }, (_, i) => i));
  writeF32(memory, 0x4000, Array.from({ length: n }, () => threadId));
  const ptx = readFileSync(join(repoRoot, 'native', 'kernels', 'test-kernels.ptx'), 'utf8');
  const kernel = device.loadKernel(ptx, 'h', 'vector_add');
  device.launch({ kernel, grid: [2, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, args: [ptr(0, n * 4), ptr(0x4000, n * 4), ptr(0x8000, n * 4), u32(n)], memory });
  device.sync(memory);
  const wrong = readF32(memory, 0x8000, n).filter((v, i) => v !== i + threadId).length;
  device.dispose();
  parentPort?.postMessage({ thread: threadId, label: device.label, wrong });
} catch (error) {
  parentPort?.postMessage({ thread: threadId, error: String(error) });
}
