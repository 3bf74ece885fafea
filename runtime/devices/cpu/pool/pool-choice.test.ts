/** The pool's adaptive choice and the workers setting's validation. */
import { describe, expect, it } from 'vitest';
import { TensorWasmError } from '../../../../contract/errors.js';
import { CPU_WORKERS_ENV, CpuDevice, defaultCpuWorkers } from '../cpu-device.js';
import type { WasmKernel } from '../wasm/compile-wasm.js';
import { POOL_MIN_MS, longEnoughToPool, recordCopy, recordCopyBack, recordKernelTime, worthPooling } from './pool-choice.js';

const kernel = (): WasmKernel => ({}) as WasmKernel;

describe('pool choice', () => {
  it("sends a kernel's first launch to the pool, then only when the time it saves beats copying its windows", () => {
    const k = kernel();
    expect(worthPooling(k, 1024, 2, 100 << 20)).toBe(true);
    recordCopy(64 << 20, 32); // 2 MB/ms: 100 MiB in and out ≈ 105 ms
    recordCopy(64 << 20, 32);
    recordKernelTime(k, 20, 1024, 1); // a 20 ms kernel on one thread saves 10 ms on two
    expect(worthPooling(k, 1024, 2, 100 << 20)).toBe(false);
    recordKernelTime(k, 1000, 1024, 1); // a 1 s kernel saves 500 ms
    expect(worthPooling(k, 1024, 2, 100 << 20)).toBe(true);
    // a pooled launch's time counts as threads × its time
    recordKernelTime(k, 10, 1024, 2);
    expect(worthPooling(k, 1024, 2, 100 << 20)).toBe(false);
  });
});

describe('the pool choice weighs only the windows a kernel writes on the way back', () => {
  it('a kernel whose last pooled launch copied back a third of its window bytes pools where one copying all would not', () => {
    const all = kernel(), third = kernel();
    recordCopy(64 << 20, 32); // 2 MB/ms: 100 MiB in and out ≈ 105 ms, in and a third back ≈ 70 ms
    recordCopy(64 << 20, 32);
    for (const k of [all, third]) recordKernelTime(k, 250, 1024, 1); // saves 125 ms on two threads
    recordCopyBack(all, 100 << 20, 100 << 20);
    recordCopyBack(third, 100 << 20, Math.round((100 << 20) / 3));
    expect(worthPooling(all, 1024, 2, 100 << 20)).toBe(false); // 1.5 × 105 ms > 125 ms
    expect(worthPooling(third, 1024, 2, 100 << 20)).toBe(true); // 1.5 × 70 ms < 125 ms
  });
});

describe('the pool for a small grid of a long kernel', () => {
  it(`takes a launch under poolMinThreads when the kernel's last launch says its blocks take ${POOL_MIN_MS} ms or more`, () => {
    const k = kernel();
    expect(longEnoughToPool(k, 1 << 20)).toBe(false); // no launch yet: nothing known
    recordKernelTime(k, 10, 20, 1); // 0.5 ms a block on one thread
    expect(longEnoughToPool(k, 4)).toBe(true);
    expect(longEnoughToPool(k, 3)).toBe(false);
    recordKernelTime(k, 10, 20, 2); // on two threads: 1 ms a block
    expect(longEnoughToPool(k, 2)).toBe(true);
    expect(longEnoughToPool(k, 1)).toBe(false);
    // a launch of one long block says nothing of four: only of up to twice the blocks measured
    recordKernelTime(k, 50, 1, 1);
    expect(longEnoughToPool(k, 2)).toBe(true);
    expect(longEnoughToPool(k, 3)).toBe(false);
  });
});

describe('the workers setting', () => {
  it(`reads ${CPU_WORKERS_ENV}, defaults to the cores, and refuses what is not an integer from 1 to 256`, () => {
    expect(defaultCpuWorkers({})).toBeGreaterThanOrEqual(1);
    expect(defaultCpuWorkers({ [CPU_WORKERS_ENV]: ' 3 ' })).toBe(3);
    for (const bad of ['0', '-1', '2.5', 'many', '257', 'x'.repeat(500)]) {
      const error = (() => {
        try {
          defaultCpuWorkers({ [CPU_WORKERS_ENV]: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error, bad).toBeInstanceOf(TensorWasmError);
      expect((error as TensorWasmError).code).toBe('invalid_args');
      expect((error as Error).message.length).toBeLessThan(200);
    }
    expect(() => new CpuDevice({ workers: 0 })).toThrow(/workers must be an integer from 1 to 256/);
    expect(new CpuDevice({ workers: 4 }).workers).toBe(4);
  });
});
