/**
 * The shared deadline timer never asks Node for a delay it cannot keep. Node's setTimeout takes at
 * most 2^31 − 1 ms; given more (or Infinity) it prints a TimeoutOverflowWarning and fires after
 * 1 ms. Two ways the pool used to do that: a call pipelined behind a head whose worker is still
 * loading (its clock is Infinity), and a deadline longer than ~24.8 days. Driven with stand-in
 * workers (the pool's `spawn` option), so nothing runs and no guest is needed.
 */
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InstancePool, MAX_TIMER_DELAY_MS, type PoolJob } from './pool.js';

/** A worker that accepts calls and answers only when told to. */
class StandInWorker extends EventEmitter {
  posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  unref(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  async terminate(): Promise<number> {
    return 0;
  }
}

function job(deadlineMs: number): PoolJob {
  return {
    request: { type: 'call', exportName: 'f', argsJson: '[]' } as unknown as PoolJob['request'],
    compiled: {} as WebAssembly.Module,
    info: { key: 'k' } as PoolJob['info'],
    deadlineMs,
  };
}

/** Every delay the pool handed to setTimeout while `body` ran, and any overflow warning Node emitted. */
async function watchTimers(body: () => Promise<void>): Promise<{ delays: number[]; warnings: string[] }> {
  const delays: number[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const real = globalThis.setTimeout;
  const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return real(fn, ms);
  }) as typeof setTimeout);
  try {
    await body();
    await new Promise((r) => setImmediate(r)); // let Node emit a warning, if one is due
  } finally {
    spy.mockRestore();
    process.off('warning', onWarning);
  }
  return { delays, warnings };
}

const pools: InstancePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function poolWith(workers: StandInWorker[]): InstancePool {
  const pool = new InstancePool({
    size: 1,
    maxQueue: 8,
    spawn: () => {
      const w = new StandInWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
  });
  pools.push(pool);
  return pool;
}

describe('deadline timer delays stay within what setTimeout can keep', () => {
  it('a call pipelined behind one whose worker is still loading arms no Infinity timer', async () => {
    const workers: StandInWorker[] = [];
    const pool = poolWith(workers);
    const { delays, warnings } = await watchTimers(async () => {
      void pool.run(job(1_000)).catch(() => undefined); // head: the worker has not said 'ready'
      void pool.run(job(1_000)).catch(() => undefined); // pipelined behind it
      expect(workers).toHaveLength(1);
    });
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    for (const d of delays) {
      expect(Number.isFinite(d)).toBe(true);
      expect(d).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    }
  });

  it('a deadline past 2^31 − 1 ms is armed clamped, and the call is not ended early', async () => {
    const workers: StandInWorker[] = [];
    const pool = poolWith(workers);
    const longMs = 3 * 2 ** 31; // ~149 days
    let settled = false;
    const { delays, warnings } = await watchTimers(async () => {
      void pool.run(job(longMs)).then(
        () => (settled = true),
        () => (settled = true),
      );
      workers[0]!.emit('message', { type: 'ready' }); // the call starts: its deadline is armed
      await new Promise((r) => setTimeout(r, 20)); // an overflowed timer would have fired after 1 ms
    });
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    expect(delays.some((d) => d === MAX_TIMER_DELAY_MS)).toBe(true);
    expect(delays.every((d) => Number.isFinite(d) && d <= MAX_TIMER_DELAY_MS)).toBe(true);
    expect(settled).toBe(false);
  });
});
