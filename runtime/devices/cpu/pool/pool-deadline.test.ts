/**
 * A deadline ends a launch running on the pool: the engine terminates the thread that launched
 * (its instance worker), and the pool's workers — that thread's own worker_threads — end with it,
 * even while they spin in a kernel that never finishes. Linux's /proc/self/task counts the threads.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startWorker } from '../../../node/worker-url.js';
import { defaultFixtureDir } from '../../conformance/suite.js';

const threads = (): number => readdirSync('/proc/self/task').length;

describe.runIf(existsSync('/proc/self/task'))('the block pool at a deadline', () => {
  it('ends with the thread that launched: no pool worker is left spinning after terminate()', async () => {
    // libuv's thread pool (4 threads) starts at the process's first asynchronous file operation; on
    // Node 22+ that can be the worker's, and those threads never end: start it before counting.
    await readFile(import.meta.filename);
    const before = threads();
    const ptxPath = join(defaultFixtureDir(), '..', 'guests', 'kernels', 'probes.ptx');
    const worker = startWorker(import.meta.url, './spin-launch.worker', { workerData: { ptxPath } });
    const said: string[] = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: string) => {
        said.push(m);
        if (m === 'spinning') resolve();
      });
      worker.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 300));
    // the launching thread and its two pool workers are running
    expect(threads()).toBeGreaterThanOrEqual(before + 3);
    await worker.terminate();
    const until = Date.now() + 10_000;
    while (threads() > before && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(threads()).toBeLessThanOrEqual(before);
    expect(said).toEqual(['spinning']);
  }, 30_000);
});
