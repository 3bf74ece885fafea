/**
 * The CUDA device on a real GPU (`npm run test:gpu`): B's conformance suite against CudaDevice, then
 * the scenarios the stub tests run, this time checked against the hardware. Without a usable GPU
 * every test is reported as `skipped: no CUDA device (<reason>)` — never a silent pass; with
 * TENSOR_WASM_REQUIRE_GPU=1 (a GPU CI job) the missing GPU is a failure instead.
 */
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_ARCHS, defineConformanceSuite } from '../conformance/suite.js';
import { CudaDevice } from './cuda-device.js';
import { probeCuda } from './probe.js';
import { scenarios } from './testing/scenarios.js';

const probe = probeCuda();
const skipLine = `skipped: no CUDA device (${probe.reason ?? 'unknown reason'})`;

/** The fixture archs this GPU can run: PTX for sm_XY needs compute capability X.Y or newer. */
function runnableArchs(computeCapability: string | undefined): string[] {
  const cc = Number(computeCapability ?? '0') * 10;
  return CONFORMANCE_ARCHS.filter((arch) => Number(arch.slice(3)) <= cc + 1e-9);
}

if (!probe.available) {
  console.log(skipLine);
  describe('CUDA device on a GPU', () => {
    if (process.env.TENSOR_WASM_REQUIRE_GPU === '1') {
      it('has a GPU (TENSOR_WASM_REQUIRE_GPU=1)', () => {
        throw new Error(skipLine);
      });
    } else {
      it.skip(skipLine, () => {});
    }
  });
} else {
  console.log(`CUDA device: ${probe.devices.map((d) => `${d.id} ${d.name} (compute ${d.computeCapability}, driver ${d.driverVersion})`).join(', ')}`);
  const archs = runnableArchs(probe.devices[0]?.computeCapability);
  console.log(`conformance archs for cuda:0: ${archs.join(', ') || 'none'}`);
  defineConformanceSuite('CudaDevice', () => new CudaDevice(), { archs });

  describe('CudaDevice on the GPU', () => {
    const run = <T>(name: string) => scenarios[name]!() as T;

    it('runs vector_add and shows the results only after sync', () => {
      const r = run<{ wrong: number; first: number[]; timing: { kernelMs: number } }>('vector-add');
      expect(r.wrong).toBe(0);
      expect(r.first).toEqual([0.5, 3.5, 6.5]);
      expect(r.timing.kernelMs).toBeGreaterThan(0);
    });

    it('chains kernels on device-resident windows and merges overlapping windows', () => {
      expect(run<{ mismatches: unknown }>('chain').mismatches).toEqual({ out: 0, a: 0, p: 0 });
    });

    it('passes every argv tag to the kernel intact', () => {
      const r = run<{ out: string; argBytes: Array<string | null> }>('pack-all');
      [0, 8, 16, 24, 32, 40].forEach((offset, i) => expect(r.out.slice(offset * 2, offset * 2 + r.argBytes[i]!.length)).toBe(r.argBytes[i]));
    });

    it('surfaces the driver JIT log for malformed PTX', () => {
      const r = run<{ result: { code: number; message: string } }>('jit-real');
      expect(r.result.message).toMatch(/CUDA_ERROR_INVALID_PTX \(218\)[\s\S]*JIT log:\n[\s\S]*bogus/);
    });

    it('keeps allocations balanced over 10,000 launches', () => {
      const r = run<{ pooled: { wrong: number; launches: number }; unpooled: { wrong: number } }>('leak');
      expect(r.pooled).toMatchObject({ wrong: 0, launches: 10_000 });
      expect(r.unpooled.wrong).toBe(0);
    });

    it('runs from worker threads', async () => {
      const r = (await scenarios.workers!()) as Array<{ wrong: number }>;
      expect(r.map((x) => x.wrong)).toEqual([0, 0]);
    });
  });
}
