/**
 * The CUDA device test scenarios. Each runs against whatever libcuda.so.1 the loader finds: the
 * stub in a child process (scenario.ts), or a real driver in the GPU suite (cuda-device.gpu.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceError, type KernelArg } from '../../../../contract/device.js';
import { CudaDevice } from '../cuda-device.js';
import { DRIVER_ERROR_MAP } from '../driver-errors.js';
import { probeCuda } from '../probe.js';
import { repoRoot } from './stub-harness.js';
import { f32, f64, i32, i64, ptr, readF32, u32, u64, writeF32 } from './args.js';
import { runWorkers } from './worker-run.js';

export const PTX = readFileSync(join(repoRoot, 'native', 'kernels', 'test-kernels.ptx'), 'utf8');

function newMemory(pages = 4): Uint8Array {
  return new Uint8Array(new WebAssembly.Memory({ initial: pages }).buffer);
}

function errorInfo(error: unknown): { code: number; message: string } | { thrown: string } {
  if (error instanceof DeviceError) return { code: error.cudaCode, message: error.message };
  return { thrown: String(error) };
}

function attempt(fn: () => unknown): { code: number; message: string } | { thrown: string } | { ok: true } {
  try {
    fn();
    return { ok: true };
  } catch (error) {
    return errorInfo(error);
  }
}

export const scenarios: Record<string, () => unknown> = {
  probe: () => probeCuda(),

  'vector-add': () => {
    const device = new CudaDevice();
    const memory = newMemory();
    const n = 1000;
    const [A, B, O] = [0x1000, 0x2000, 0x3000];
    writeF32(memory, A, Array.from({ length: n }, (_, i) => i));
    writeF32(memory, B, Array.from({ length: n }, (_, i) => 2 * i + 0.5));
    const kernel = device.loadKernel(PTX, 'hash-test-kernels', 'vector_add');
    const progress: number[][] = [];
    const timing = device.launch({
      kernel,
      grid: [4, 1, 1],
      block: [256, 1, 1],
      sharedMemBytes: 0,
      args: [ptr(A, n * 4), ptr(B, n * 4), ptr(O, n * 4), u32(n)],
      memory,
      onProgress: (done, total) => progress.push([done, total]),
    });
    const beforeSync = readF32(memory, O, 4);
    device.sync(memory);
    const out = readF32(memory, O, n);
    const wrong = out.filter((v, i) => v !== i + 2 * i + 0.5).length;
    const stats = device.stats();
    device.dispose();
    device.dispose(); // idempotent
    const afterDispose = attempt(() => device.sync(memory));
    return { label: device.label, info: device.info, kernel, timing, progress, beforeSync, wrong, first: out.slice(0, 3), stats, afterDispose };
  },

  chain: () => {
    const device = new CudaDevice();
    const memory = newMemory();
    const n = 256;
    const [A, B, O, P] = [0x1000, 0x1800, 0x3000, 0x5000];
    const a0 = Array.from({ length: n }, (_, i) => i);
    const b0 = Array.from({ length: n }, (_, i) => 1000 - i);
    const p0 = Array.from({ length: n }, () => 7);
    writeF32(memory, A, a0);
    writeF32(memory, B, b0);
    writeF32(memory, P, p0);
    const add = device.loadKernel(PTX, 'h', 'vector_add');
    const saxpy = device.loadKernel(PTX, 'h', 'saxpy');
    const shape = { grid: [1, 1, 1] as const, block: [256, 1, 1] as const, sharedMemBytes: 0, memory };
    // out = a + b; a = 2*out + a (reads the unsynced out on the device); P += x where x is a window
    // spanning a, the gap and b (merged with both regions on the device).
    device.launch({ ...shape, kernel: add, args: [ptr(A, n * 4), ptr(B, n * 4), ptr(O, n * 4), u32(n)] });
    device.launch({ ...shape, kernel: saxpy, args: [f32(2), ptr(O, n * 4), ptr(A, n * 4), u32(n)] });
    const mid = device.stats();
    device.launch({ ...shape, kernel: saxpy, args: [f32(1), ptr(A, B - A + n * 4), ptr(P, n * 4), u32(n)] });
    const merged = device.stats();
    device.sync(memory);
    const out = readF32(memory, O, n);
    const a = readF32(memory, A, n);
    const p = readF32(memory, P, n);
    const expectOut = a0.map((v, i) => v + b0[i]!);
    const expectA = a0.map((v, i) => 2 * expectOut[i]! + v);
    const expectP = p0.map((v, i) => v + expectA[i]!);
    const mismatches = {
      out: out.filter((v, i) => v !== expectOut[i]).length,
      a: a.filter((v, i) => v !== expectA[i]).length,
      p: p.filter((v, i) => v !== expectP[i]).length,
    };
    const end = device.stats();
    device.dispose();
    return { mismatches, mid, merged, end };
  },

  'pack-all': () => {
    const device = new CudaDevice();
    const memory = newMemory();
    const kernel = device.loadKernel(PTX, 'h', 'pack_all');
    const args: KernelArg[] = [i32(-5), i64(-1234567890123n), f32(1.5), f64(-2.25), u32(4000000000), u64(2n ** 63n + 5n), ptr(0x100, 48)];
    device.launch({ kernel, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args, memory });
    device.sync(memory);
    const out = Buffer.from(memory.subarray(0x100, 0x100 + 48)).toString('hex');
    const argBytes = args.map((a) => (a.kind === 'scalar' ? Buffer.from(a.bytes).toString('hex') : null));
    const wrongCount = attempt(() => device.launch({ kernel, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: args.slice(1), memory }));
    const wrongSize = attempt(() =>
      device.launch({ kernel, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: [i64(1n), ...args.slice(1)], memory }),
    );
    const pointerIntoScalar = attempt(() =>
      device.launch({ kernel, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: [...args.slice(0, 4), ptr(0, 8), args[5]!, args[6]!], memory }),
    );
    const outOfMemory = attempt(() =>
      device.launch({ kernel, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args: [...args.slice(0, 6), ptr(memory.length - 8, 48)], memory }),
    );
    const badDims = attempt(() => device.launch({ kernel, grid: [0, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args, memory }));
    const badShared = attempt(() => device.launch({ kernel, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 1 << 20, args, memory }));
    const foreignHandle = attempt(() =>
      device.launch({ kernel: { ...kernel }, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, args, memory }),
    );
    const unknownEntry = attempt(() => device.loadKernel(PTX, 'h', 'no_such_kernel'));
    device.dispose();
    return { out, argBytes, params: kernel.params, wrongCount, wrongSize, pointerIntoScalar, outOfMemory, badDims, badShared, foreignHandle, unknownEntry };
  },

  'jit-error': () => {
    const device = new CudaDevice();
    const broken = PTX.replace('ld.param.u64', 'ld.param.u64 TW_STUB_JIT_ERROR');
    const result = attempt(() => device.loadKernel(broken, 'broken', 'vector_add'));
    const empty = attempt(() => device.loadKernel('', 'empty', 'vector_add'));
    const nul = attempt(() => device.loadKernel('.version 9.0\0', 'nul', 'vector_add'));
    device.dispose();
    return { result, empty, nul };
  },

  // A real JIT error (for a real driver; the stub only knows its marker).
  'jit-real': () => {
    const device = new CudaDevice();
    const ptx = '.version 7.0\n.target sm_75\n.address_size 64\n.visible .entry bad()\n{\n\tbogus.instruction %r1;\n\tret;\n}\n';
    const result = attempt(() => device.loadKernel(ptx, 'bad', 'bad'));
    device.dispose();
    return { result };
  },

  // PTX from a newer toolkit (nvcc 13 stamps .version 9.0) on an older driver.
  'ptx-version': () => {
    const device = new CudaDevice();
    const result = attempt(() => device.loadKernel(PTX.replace(/^\.version .*$/m, '.version 9.0'), 'new', 'vector_add'));
    device.dispose();
    return { result };
  },

  errors: () => {
    // Each mapped CUresult, injected into the call where a driver returns it.
    const callFor = (code: number): string => {
      const name = DRIVER_ERROR_MAP[code];
      if (name === 'malformed_ptx') return 'cuModuleLoadDataEx';
      if (name === 'invalid_kernel') return 'cuModuleGetFunction';
      if (name === 'quota_exceeded') return 'cuMemAlloc_v2';
      if (name === 'not_available') return 'cuCtxSynchronize';
      return 'cuLaunchKernel';
    };
    const cases = Object.keys(DRIVER_ERROR_MAP).map((c) => ({ call: callFor(Number(c)), result: Number(c) }));
    cases.push(
      { call: 'cuLaunchKernel', result: 1 },
      { call: 'cuEventSynchronize', result: 700 },
      { call: 'cuMemcpyDtoH_v2', result: 999 },
      { call: 'cuMemcpyHtoD_v2', result: 2 },
      { call: 'cuDevicePrimaryCtxRetain', result: 46 },
    );
    const memory = newMemory();
    const out = cases.map(({ call, result }) => {
      process.env.TW_STUB_FAIL = call === 'cuDevicePrimaryCtxRetain' ? `${call}=${result}` : '';
      let device: CudaDevice | undefined;
      let error: ReturnType<typeof attempt>;
      try {
        device = new CudaDevice();
        process.env.TW_STUB_FAIL = `${call}=${result}`;
        error = attempt(() => {
          const kernel = device!.loadKernel(PTX, 'h', 'vector_add');
          device!.launch({ kernel, grid: [1, 1, 1], block: [64, 1, 1], sharedMemBytes: 0, args: [ptr(0, 256), ptr(256, 256), ptr(512, 256), u32(64)], memory });
          device!.sync(memory);
        });
      } catch (e) {
        error = errorInfo(e);
      }
      process.env.TW_STUB_FAIL = '';
      device?.dispose();
      return { call, result, error };
    });
    return { cases: out };
  },

  leak: () => ({ pooled: leakRun(undefined), unpooled: leakRun(0) }),

  workers: async () => runWorkers(2),

  // Through runtime/devices/select.ts, as the engine picks a device.
  select: async () => {
    const { createDevice, listDevices } = await import('../../select.js');
    const device = createDevice('auto');
    const auto = { kind: device.info.kind, id: device.info.id, name: device.info.name };
    device.dispose();
    let cuda: unknown;
    try {
      const explicit = createDevice('cuda');
      cuda = { id: explicit.info.id };
      explicit.dispose();
    } catch (error) {
      cuda = { code: (error as { code?: string }).code, message: (error as Error).message };
    }
    return { auto, cuda, list: listDevices().map((d) => ({ id: d.id, available: d.available, reason: d.reason })) };
  },

  // A wasi:cuda guest through the engine (instance worker, `auto` device).
  engine: async () => {
    const { createEngine } = await import('../../../engine.js');
    const { listDevices } = await import('../../select.js');
    const engine = createEngine({ device: 'auto', poolSize: 1 });
    try {
      const { ref } = await engine.load(join(repoRoot, 'fixtures', 'guests', 'wasm', 'vector_add.wasm'));
      const r = await engine.invoke(ref, 'run_vector_add', '[1000]');
      const launch = r.events.find((e) => e.type === 'launch');
      return {
        results: r.results,
        device: r.device,
        launchDevice: launch && 'device' in launch ? launch.device : undefined,
        cuda: listDevices().filter((d) => d.kind === 'cuda').map((d) => ({ id: d.id, available: d.available, reason: d.reason })),
      };
    } finally {
      await engine.close();
    }
  },
};

/** 10,000 launches of varying windows, synced every fifth; `poolLimitBytes` 0 frees at every sync. */
function leakRun(poolLimitBytes: number | undefined) {
  {
    const device = new CudaDevice(poolLimitBytes === undefined ? {} : { poolLimitBytes });
    const memory = newMemory(8);
    const kernel = device.loadKernel(PTX, 'h', 'vector_add');
    const launches = 10_000;
    let wrong = 0;
    for (let i = 0; i < launches; i++) {
      const n = 64 + (i % 7) * 32;
      const base = (i % 3) * 0x4000;
      const [A, B, O] = [base, base + 0x1000, base + (i % 2 === 0 ? 0x2000 : 0x1800)];
      if (i % 5 === 0) {
        writeF32(memory, A, Array.from({ length: n }, (_, k) => k + i));
        writeF32(memory, B, Array.from({ length: n }, () => 1));
      }
      device.launch({ kernel, grid: [1, 1, 1], block: [n, 1, 1], sharedMemBytes: 0, args: [ptr(A, n * 4), ptr(B, n * 4), ptr(O, n * 4), u32(n)], memory });
      if (i % 5 === 4) {
        device.sync(memory);
        const out = readF32(memory, O, n);
        const a = readF32(memory, A, n);
        const b = readF32(memory, B, n);
        if (O !== B && out.some((v, k) => v !== a[k]! + b[k]!)) wrong++;
      }
    }
    device.sync(memory);
    const before = device.stats();
    device.dispose();
    return { launches, wrong, before };
  }
}

