/**
 * End to end through the engine: the wasi:cuda guests in fixtures/guests run in the instance
 * worker with the real CPU device, check their own results, and get the documented codes for
 * bad input; limit breaches end the instance with limit_exceeded, a kernel that never finishes
 * ends with deadline_exceeded, and the engine keeps serving calls after each.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUDA_ERROR } from '../../contract/cuda-codes.js';
import type { CallOptions, InvokeResult } from '../../contract/engine.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { LaunchEvent, RunEvent } from '../../contract/events.js';
import { createEngine, type Engine } from '../engine.js';

const GUESTS = join(import.meta.dirname, '../../fixtures/guests/wasm');

let engine: Engine;

beforeAll(() => {
  engine = createEngine({ device: 'cpu', poolSize: 1 });
});

afterAll(async () => {
  await engine.close();
});

async function invoke(file: string, exportName: string, args = '[]', options: CallOptions = {}): Promise<InvokeResult> {
  const { ref } = await engine.load(join(GUESTS, file));
  return engine.invoke(ref, exportName, args, options);
}

async function failure(promise: Promise<unknown>): Promise<TensorWasmError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TensorWasmError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const launches = (events: RunEvent[]) => events.filter((e): e is LaunchEvent => e.type === 'launch');

describe('wasi:cuda guests on the CPU device, through the engine', () => {
  it('vector add checks its own results and reports one launch, one sync', async () => {
    const r = await invoke('vector_add.wasm', 'run_vector_add', '[1000]');
    expect(r.results).toEqual([0]);
    expect(r.device).toBe('cpu');
    expect(r.launches).toBe(1);
    const [launch] = launches(r.events);
    // the engine hands the device the guest's WebAssembly.Memory: vector_add runs compiled to Wasm
    expect(launch).toMatchObject({ seq: 1, kernel: 'vector_add', grid: [4, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, device: 'cpu', backend: 'wasm' });
    expect(launch!.args).toMatch(/^ptr\(0x[0-9a-f]+,4000\) ptr\(0x[0-9a-f]+,4000\) ptr\(0x[0-9a-f]+,4000\) u32\(1000\)$/);
    expect(launch!.ptxHash).toMatch(/^[0-9a-f]{64}$/);
    expect(launch!.endMs).toBeGreaterThanOrEqual(launch!.startMs);
    expect(r.events.filter((e) => e.type === 'sync')).toMatchObject([{ status: 0 }]);
    expect(r.events.some((e) => e.type === 'block-progress' && e.completedBlocks === 4 && e.totalBlocks === 4)).toBe(true);
  });

  it('vector add built with threads (a shared memory it imports) runs its kernel compiled to Wasm, in that memory', async () => {
    // 1024 blocks: over the pool's threshold, so a device with workers runs it on the pool, in place
    const r = await invoke('vector_add_shared.wasm', 'run_vector_add', '[262144]');
    expect(r.results).toEqual([0]);
    expect(launches(r.events)).toMatchObject([{ kernel: 'vector_add', grid: [1024, 1, 1], backend: 'wasm' }]);
  });

  it('loading the same PTX on every call returns the same kernel id', async () => {
    const r = await invoke('vector_add.wasm', 'repeat_vector_add', '[300, 5]');
    expect(r.results).toEqual([0]);
    expect(new Set(launches(r.events).map((e) => e.ptxHash)).size).toBe(1);
  });

  it('saxpy with an f32 scalar record', async () => {
    expect((await invoke('saxpy.wasm', 'run_saxpy', '[5000, 2.5]')).results).toEqual([0]);
  });

  it('several launches with dynamic shared memory and one sync', async () => {
    const r = await invoke('multi_launch.wasm', 'run_multi', '[20000, 3]');
    expect(r.results).toEqual([0]);
    const l = launches(r.events);
    expect(l.map((e) => e.kernel)).toEqual(['scale', 'block_sum', 'block_sum']);
    expect(l[1]!.sharedMemBytes).toBe(1024);
    expect(l.map((e) => e.error)).toEqual([undefined, undefined, undefined]);
  });

  it('every argv tag reaches the kernel intact', async () => {
    expect((await invoke('argv_types.wasm', 'run_all_types')).results).toEqual([0]);
  });

  it('a guest importing the earlier ABI name wasi:cuda/host@0.1.0 runs the same', async () => {
    expect((await invoke('vector_add_v0_1.wasm', 'run_vector_add', '[500]')).results).toEqual([0]);
  });

  it('a wasi:cuda import we do not provide, or with another signature, fails at load naming it', async () => {
    const wrong = await failure(engine.load(join(GUESTS, 'wrong_signature.wasm')));
    expect(wrong.code).toBe('invalid_module');
    expect(wrong.message).toContain('wasi_cuda_load_ptx');
    expect(wrong.message).toContain('(i32, i32, i32, i32) -> i64');
    const unknown = await failure(engine.load(join(GUESTS, 'unknown_import.wasm')));
    expect(unknown.code).toBe('invalid_module');
    expect(unknown.message).toContain('wasi_cuda_malloc');
  });

  it("the guide's Rust vector_add_gpu, through its checking wrapper", async () => {
    const r = await invoke('vector_add_gpu.wasm', 'check_vector_add', '[4096]');
    expect(r.results).toEqual([0]);
    expect(launches(r.events)[0]).toMatchObject({ kernel: 'vector_add', grid: [16, 1, 1], block: [256, 1, 1] });
  });
});

describe('bad input: documented codes, and the process stays alive', () => {
  it('all_bad_inputs: every case returns its code and leaves a message', async () => {
    expect((await invoke('bad_inputs.wasm', 'all_bad_inputs')).results).toEqual([0]);
  });

  it.each([
    ['malformed_ptx', CUDA_ERROR.malformed_ptx],
    ['unknown_entry', CUDA_ERROR.invalid_kernel],
    ['ptx_outside_memory', CUDA_ERROR.invalid_pointer],
    ['unknown_kernel_id', CUDA_ERROR.invalid_kernel],
    ['argv_unknown_tag', CUDA_ERROR.invalid_args],
    ['argv_truncated', CUDA_ERROR.invalid_args],
    ['argv_too_many_bytes', CUDA_ERROR.kernel_args_unsupported],
    ['argv_too_many_records', CUDA_ERROR.kernel_args_unsupported],
    ['argv_window_past_end', CUDA_ERROR.invalid_pointer],
    ['argv_window_wraps', CUDA_ERROR.invalid_pointer],
    ['argv_count_mismatch', CUDA_ERROR.invalid_args],
    ['argv_size_mismatch', CUDA_ERROR.invalid_args],
    ['argv_outside_memory', CUDA_ERROR.invalid_pointer],
    ['out_of_bounds_kernel', CUDA_ERROR.launch_failed],
    ['last_error_outside_memory', CUDA_ERROR.invalid_pointer],
    ['argv_no_buffer_at_end', 0],
  ])('%s returns %i', async (name, code) => {
    expect((await invoke('bad_inputs.wasm', name)).results).toEqual([code]);
  });

  it('a guest reads the last error back and prints it: words a kernel author can act on', async () => {
    const argv = await invoke('explain.wasm', 'explain_bad_argv');
    expect(argv.results).toEqual([CUDA_ERROR.invalid_args]);
    expect(argv.stderr).toContain('wasi:cuda error -9');
    expect(argv.stderr).toContain('unknown tag 0x09');
    const oob = await invoke('explain.wasm', 'explain_out_of_bounds');
    expect(oob.results).toEqual([CUDA_ERROR.launch_failed]);
    expect(oob.stderr).toMatch(/fill_index.*thread \(16,0,0\) in block \(0,0,0\)/);
  });

  it('bad launch shapes return invalid_dimensions', async () => {
    for (let which = 0; which <= 8; which++) {
      expect((await invoke('bad_inputs.wasm', 'bad_shape', `[${which}]`)).results).toEqual([CUDA_ERROR.invalid_dimensions]);
    }
  });

  it('an out-of-bounds kernel fails with the thread, block and address in the launch event', async () => {
    const r = await invoke('bad_inputs.wasm', 'out_of_bounds_kernel');
    expect(r.results).toEqual([CUDA_ERROR.launch_failed]);
    const [launch] = launches(r.events);
    expect(launch!.error?.code).toBe(CUDA_ERROR.launch_failed);
    expect(launch!.error?.message).toMatch(/fill_index/);
    expect(launch!.error?.message).toMatch(/thread/i);
    expect(launch!.error?.message).toMatch(/block/i);
  });
});

describe('limits end the instance', () => {
  it('256 distinct kernels load; the 257th ends the instance naming max_kernels', async () => {
    expect((await invoke('limits.wasm', 'load_distinct_kernels', '[256]')).results).toEqual([256]);
    const e = await failure(invoke('limits.wasm', 'load_distinct_kernels', '[257]'));
    expect(e.code).toBe('limit_exceeded');
    expect(e.details).toMatchObject({ limit: 'max_kernels', limitValue: 256 });
  });

  it('the same PTX a thousand times never reaches the kernel limit', async () => {
    expect((await invoke('limits.wasm', 'load_same_kernel', '[1000]')).results).toEqual([0]);
  });

  it('8 MiB of PTX loads; 8 MiB + 1 ends the instance naming max_ptx_bytes', async () => {
    expect((await invoke('limits.wasm', 'load_padded_ptx', '[8388608]')).results).toEqual([0]);
    const e = await failure(invoke('limits.wasm', 'load_padded_ptx', '[8388609]'));
    expect(e.code).toBe('limit_exceeded');
    expect(e.details).toMatchObject({ limit: 'max_ptx_bytes', limitValue: 8388608 });
  });

  it("a PTX whose .global cannot fit in max_memory_bytes ends the instance; a launch whose .local cannot is -6", async () => {
    const e = await failure(invoke('declared_memory.wasm', 'load_big_global', '[]', { maxMemoryBytes: 64 * 1024 * 1024 }));
    expect(e.code).toBe('limit_exceeded');
    expect(e.details).toMatchObject({ limit: 'max_memory_bytes', limitValue: 64 * 1024 * 1024 });
    expect((await invoke('declared_memory.wasm', 'launch_big_local', '[1024]', { maxMemoryBytes: 64 * 1024 * 1024 })).results).toEqual([CUDA_ERROR.quota_exceeded]);
    expect((await invoke('declared_memory.wasm', 'launch_big_local', '[32]', { maxMemoryBytes: 64 * 1024 * 1024 })).results).toEqual([0]);
  });

  it('a store that starts inside a pointer window and ends past it gets the memcheck report and writes nothing past the window, on both backends (issue 14, defect 4)', async () => {
    // launch rc * 65536 + the u16 just past the 30-byte window: a silent write would leave 0x0102 there
    for (const fn of ['store_straddling_wasm_backend', 'store_straddling_js_backend']) {
      const r = await invoke('straddle_window.wasm', fn, '[]');
      expect(r.results, fn).toEqual([CUDA_ERROR.launch_failed * 65536]);
    }
  });

  it('a kernel that never finishes ends with deadline_exceeded, and the engine keeps working', async () => {
    const e = await failure(invoke('spin.wasm', 'spin_forever', '[]', { deadlineMs: 1500 }));
    expect(e.code).toBe('deadline_exceeded');
    expect((await invoke('vector_add.wasm', 'run_vector_add', '[64]')).results).toEqual([0]);
  });
});
