/**
 * The CUDA device end to end against the stub libcuda (native/stub/libcuda-stub.c), each scenario
 * in its own child process (testing/scenario.ts) because the driver is opened once per process.
 */
import { describe, expect, it } from 'vitest';
import { CUDA_ERROR } from '../../../contract/cuda-codes.js';
import { DRIVER_ERROR_MAP, mapDriverResult } from './driver-errors.js';
import { runScenario, stubUnavailableReason } from './testing/stub-harness.js';

const skipReason = stubUnavailableReason();
if (skipReason) console.warn(`skipped: CUDA stub tests (${skipReason})`);

type Failure = { code: number; message: string };

describe.skipIf(skipReason !== undefined)('CUDA device against the stub libcuda', () => {
  it('loads, allocates, copies, launches, syncs, copies back and frees in that order', () => {
    const { result, log } = runScenario<{
      label: string;
      wrong: number;
      first: number[];
      beforeSync: number[];
      progress: number[][];
      timing: { startMs: number; endMs: number; kernelMs: number };
      afterDispose: Failure;
    }>('vector-add');
    expect(result.label).toBe('cuda:0 NVIDIA H100 80GB HBM3');
    expect(result.wrong).toBe(0);
    expect(result.first).toEqual([0.5, 3.5, 6.5]);
    // Results reach guest memory at sync, not before.
    expect(result.beforeSync).toEqual([0, 0, 0, 0]);
    expect(result.progress).toEqual([[4, 4]]);
    expect(result.timing.kernelMs).toBeGreaterThanOrEqual(0);
    expect(result.timing.endMs).toBeGreaterThanOrEqual(result.timing.startMs);
    expect(result.afterDispose.code).toBe(CUDA_ERROR.not_available);

    const calls = log.map((line) => line.split(' ')[0]!);
    const order = ['cuModuleLoadDataEx', 'cuMemAlloc_v2', 'cuMemcpyHtoD_v2', 'cuLaunchKernel', 'cuCtxSynchronize', 'cuMemcpyDtoH_v2', 'cuMemFree_v2', 'cuModuleUnload', 'cuDevicePrimaryCtxRelease_v2'];
    const firsts = order.map((call) => calls.indexOf(call));
    expect(firsts.every((i) => i >= 0)).toBe(true);
    expect([...firsts].sort((a, b) => a - b)).toEqual(firsts);
    const count = (call: string) => calls.filter((c) => c === call).length;
    expect(count('cuMemAlloc_v2')).toBe(3);
    expect(count('cuMemcpyHtoD_v2')).toBe(3);
    expect(count('cuMemcpyDtoH_v2')).toBe(3);
    expect(count('cuMemFree_v2')).toBe(3);
    // Every copy back comes after the sync, and every free after the copies back.
    expect(calls.lastIndexOf('cuMemcpyHtoD_v2')).toBeLessThan(calls.indexOf('cuLaunchKernel'));
    expect(calls.indexOf('cuMemcpyDtoH_v2')).toBeGreaterThan(calls.indexOf('cuCtxSynchronize'));
    expect(calls.indexOf('cuMemFree_v2')).toBeGreaterThan(calls.lastIndexOf('cuMemcpyDtoH_v2'));
    expect(log.at(-1)).toMatch(/^summary allocs=3 frees=3 retains=1 releases=1 modules=1 unloaded=1 events=2 destroyed=2 launches=1$/);
  });

  it('keeps windows on the device across launches until sync, merging overlapping windows', () => {
    const { result, log } = runScenario<{
      mismatches: Record<string, number>;
      mid: { hostToDeviceBytes: number; regions: number };
      merged: { hostToDeviceBytes: number; regions: number };
      end: { deviceToHostBytes: number; regions: number };
    }>('chain');
    expect(result.mismatches).toEqual({ out: 0, a: 0, p: 0 });
    // a, b and out uploaded once; the second launch reuses out and a on the device.
    expect(result.mid).toMatchObject({ hostToDeviceBytes: 3 * 1024, regions: 3 });
    // The spanning window merges a and b (device to device) and uploads only the gap and P.
    expect(result.merged).toMatchObject({ hostToDeviceBytes: 3 * 1024 + 1024 + 1024, regions: 3 });
    expect(log.filter((l) => l.startsWith('cuMemcpyDtoD_v2'))).toHaveLength(2);
    expect(log.filter((l) => l.startsWith('cuMemcpyDtoH_v2'))).toHaveLength(3);
    expect(result.end.regions).toBe(0);
  });

  it('packs every argv tag at its .param offset', () => {
    const { result, log } = runScenario<{
      out: string;
      argBytes: Array<string | null>;
      wrongCount: Failure;
      wrongSize: Failure;
      pointerIntoScalar: Failure;
      outOfMemory: Failure;
      badDims: Failure;
      badShared: Failure;
      foreignHandle: Failure;
      unknownEntry: Failure;
    }>('pack-all');
    // i32 @0, i64 @8, f32 @16, f64 @24, u32 @32, u64 @40: the kernel echoes them into `out`.
    const offsets = [0, 8, 16, 24, 32, 40];
    offsets.forEach((offset, i) => expect(result.out.slice(offset * 2, offset * 2 + result.argBytes[i]!.length)).toBe(result.argBytes[i]));
    expect(result.argBytes.slice(0, 6)).toEqual(['fbffffff', '35fb048ee0feffff', '0000c03f', '00000000000002c0', '00286bee', '0500000000000080']);
    // The parameter buffer the driver received: the same scalars, padding zeroed, the pointer at 48.
    const launch = log.find((l) => l.startsWith('cuLaunchKernel pack_all'))!;
    const params = /params=([0-9a-f]+)/.exec(launch)![1]!;
    expect(params).toHaveLength(56 * 2);
    expect(params.slice(0, 96)).toBe(result.out);
    const pointer = BigInt(`0x${Buffer.from(params.slice(96), 'hex').reverse().toString('hex')}`);
    expect(log.some((l) => l.startsWith('cuMemAlloc_v2 size=48 -> 0x') && BigInt(l.split('-> ')[1]!) === pointer)).toBe(true);

    expect(result.wrongCount).toEqual({ code: CUDA_ERROR.invalid_args, message: 'kernel pack_all takes 7 parameters but the launch passed 6' });
    expect(result.wrongSize.code).toBe(CUDA_ERROR.invalid_args);
    expect(result.pointerIntoScalar).toEqual({
      code: CUDA_ERROR.invalid_args,
      message: 'argument 4 of pack_all is a pointer (8 bytes on the device) but parameter pack_all_param_4 is .u32 (4 bytes)',
    });
    expect(result.outOfMemory.code).toBe(CUDA_ERROR.invalid_pointer);
    expect(result.badDims.code).toBe(CUDA_ERROR.invalid_dimensions);
    expect(result.badShared.code).toBe(CUDA_ERROR.invalid_dimensions);
    expect(result.foreignHandle.code).toBe(CUDA_ERROR.invalid_kernel);
    expect(result.unknownEntry).toEqual({ code: CUDA_ERROR.invalid_kernel, message: 'cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND (500): named symbol not found' });
    // Rejected launches never reached the driver.
    expect(log.filter((l) => l.startsWith('cuLaunchKernel'))).toHaveLength(1);
  });

  it('surfaces the JIT error log and explains error 222', () => {
    const jit = runScenario<{ result: Failure; empty: Failure; nul: Failure }>('jit-error').result;
    expect(jit.result.code).toBe(CUDA_ERROR.malformed_ptx);
    expect(jit.result.message).toContain('cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX (218): a PTX JIT compilation failed');
    expect(jit.result.message).toMatch(/JIT log:\nptxas application ptx input, line \d+; error {3}: Unknown symbol 'TW_STUB_JIT_ERROR'/);
    expect(jit.empty.code).toBe(CUDA_ERROR.malformed_ptx);
    expect(jit.nul.code).toBe(CUDA_ERROR.malformed_ptx);

    const version = runScenario<{ result: Failure }>('ptx-version', { env: { TW_STUB_PTX_MAX: '8.0', TW_STUB_DRIVER_VERSION: '12020' } }).result;
    expect(version.result.code).toBe(CUDA_ERROR.malformed_ptx);
    expect(version.result.message).toContain('CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222)');
    expect(version.result.message).toContain('the PTX .version 9.0 is newer than this driver supports (driver supports CUDA 12.2)');
    expect(version.result.message).toContain("Unsupported .version 9.0; current version is '8.0'");
  });

  it('maps every driver error to its code with the driver name and text', () => {
    const { result, log } = runScenario<{ cases: Array<{ call: string; result: number; error: Failure }> }>('errors');
    const mapped = Object.keys(DRIVER_ERROR_MAP).map(Number);
    expect(result.cases.length).toBe(mapped.length + 5);
    for (const { call, result: code, error } of result.cases) {
      const expected = CUDA_ERROR[mapDriverResult(code, call)];
      expect({ call, code, got: error.code }).toEqual({ call, code, got: expected });
      expect(error.message).toMatch(new RegExp(`^${call} failed: CUDA_ERROR_[A-Z_]+ \\(${code}\\): \\S`));
    }
    expect(result.cases.find((c) => c.call === 'cuMemcpyDtoH_v2')!.error.code).toBe(CUDA_ERROR.internal);
    expect(result.cases.find((c) => c.call === 'cuLaunchKernel' && c.result === 1)!.error.code).toBe(CUDA_ERROR.invalid_dimensions);
    // Whatever failed, every instance gave back all it took.
    const summary = log.at(-1)!;
    const n = (key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(summary)![1]);
    expect(n('allocs')).toBe(n('frees'));
    expect(n('retains')).toBe(n('releases'));
    expect(n('modules')).toBe(n('unloaded'));
    expect(n('events')).toBe(n('destroyed'));
  });

  it('leaks nothing after 10,000 launches', () => {
    type Run = { launches: number; wrong: number; before: { allocations: number; regions: number } };
    const { result, log } = runScenario<{ pooled: Run; unpooled: Run }>('leak');
    for (const run of [result.pooled, result.unpooled]) {
      expect(run.launches).toBe(10_000);
      expect(run.wrong).toBe(0);
      expect(run.before.regions).toBe(0);
    }
    const summary = log.at(-1)!;
    const n = (key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(summary)![1]);
    expect(n('launches')).toBe(20_000);
    expect(n('allocs')).toBeGreaterThan(2_000); // the unpooled run allocates every epoch
    expect(n('allocs')).toBe(n('frees'));
    expect(n('retains')).toBe(n('releases'));
    expect(n('events')).toBe(n('destroyed'));
  });

  it('runs in worker threads, each making the context current on its own thread', () => {
    const { result, log } = runScenario<Array<{ label: string; wrong: number; error?: string }>>('workers');
    expect(result).toHaveLength(2);
    for (const r of result) expect(r).toMatchObject({ label: 'cuda:0 NVIDIA H100 80GB HBM3', wrong: 0 });
    expect(log.some((l) => l.includes('no current context'))).toBe(false);
    expect(log.filter((l) => l.startsWith('cuLaunchKernel vector_add'))).toHaveLength(2);
  });
});
