/**
 * Test worker for pool-worker-death.test.ts, in the role of a thread that launches: a pool worker
 * dies in the middle of a launch, in each way of workerData.hows (block-worker.ts's test hooks),
 * and this thread reports what that launch and the next one did. Run in a worker so that a launch that never
 * ends (the defect) fails the test by its timeout instead of blocking the test's own thread.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { DeviceError } from '../../../../contract/device.js';
import { defaultFixtureDir } from '../../conformance/suite.js';
import { GuestMemory, launch } from '../../conformance/harness.js';
import { rng } from '../../conformance/reference.js';
import { CpuDevice } from '../cpu-device.js';
import { blockPool } from './block-pool.js';
import { poolTesting } from './pool-launch.js';

const { hows } = workerData as { hows: ('exit' | 'vanish' | 'terminate' | 'supervisor')[] };
const ptx = readFileSync(join(defaultFixtureDir(), 'vector_add.sm_75.ptx'), 'utf8');
const device = new CpuDevice({ workers: 2, poolMinThreads: 1, adaptivePool: false });
const kernel = device.loadKernel(ptx, createHash('sha256').update(ptx).digest('hex'), 'vector_add');

/** vector_add of 64×64 ones and twos: whether every sum came back 3. */
function run(): boolean {
  const mem = new GuestMemory(1 << 20, rng(9), true);
  const n = 64 * 64;
  const c = mem.f32(new Array(n).fill(0));
  launch(device, kernel, mem, [64, 1, 1], [64, 1, 1], [mem.f32(new Array(n).fill(1)), mem.f32(new Array(n).fill(2)), c, ['i32', n]]);
  return mem.readF32(c).every((v) => v === 3);
}

// every block runs on the pool's worker, so the one that dies surely holds some
poolTesting.callerSkips = true;
// a vanished supervisor is noticed by its silence: 1 s here instead of 10
poolTesting.supervisorSilenceMs = 1000;
const pool = blockPool();
if (!pool.warm(1)) throw new Error('the pool worker did not start');
const before = run();
for (const how of hows) {
  const started = pool.started;
  pool.membersForTest()[0]!.port.postMessage({ type: 'die-next', how });
  let error: { code: number; message: string } | string | undefined;
  try {
    run();
  } catch (e) {
    error = e instanceof DeviceError ? { code: e.cudaCode, message: e.message } : String(e);
  }
  const after = run();
  parentPort!.postMessage({ how, before, error, after, replaced: pool.started - started });
}
