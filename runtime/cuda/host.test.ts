import { describe, expect, it } from 'vitest';
import { CUDA_ERROR } from '../../contract/cuda-codes.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { RunEventBody } from '../../contract/events.js';
import type { ImportDescription } from '../../contract/module.js';
import { encodeArgv, type ArgvValue } from './argv.js';
import { CpuDevice } from '../devices/cpu/cpu-device.js';
import { checkWasiCudaImports, createWasiCudaHost, type WasiCudaHostOptions } from './host.js';
import { DeviceError, type Device, type DeviceInfo, type KernelHandle, type KernelParamInfo, type LaunchRequest, type LaunchTiming } from '../../contract/device.js';

class FakeDevice implements Device {
  readonly info: DeviceInfo = {
    id: 'fake',
    kind: 'cpu',
    name: 'Fake device',
    available: true,
    maxThreadsPerBlock: 1024,
    maxSharedMemoryPerBlock: 48 * 1024,
  };
  loads = 0;
  launches: LaunchRequest[] = [];
  syncs = 0;
  disposed = false;
  /** Set to make the next sync throw. */
  failNextSync: DeviceError | undefined;

  loadKernel(ptx: string, ptxHash: string, entry: string): KernelHandle {
    this.loads++;
    if (!ptx.includes('.version')) throw new DeviceError(-4, 'line 1: expected .version at the start of the PTX');
    const match = new RegExp(`\\.entry\\s+${entry}\\s*\\(([^)]*)\\)`).exec(ptx);
    if (match === null) throw new DeviceError(-3, `no .entry ${entry} in the PTX`);
    const params: KernelParamInfo[] = [];
    for (const m of match[1]!.matchAll(/\.param\s+\.(\w+)\s+(\w+)/g)) {
      const type = m[1]!;
      params.push({ name: m[2]!, type, sizeBytes: Number(/\d+/.exec(type)![0]) / 8 });
    }
    return { handle: this.loads, entry, ptxHash, params };
  }

  launch(request: LaunchRequest): LaunchTiming {
    this.launches.push(request);
    const startMs = Date.now();
    const total = request.grid[0] * request.grid[1] * request.grid[2];
    if (request.kernel.entry === 'throw_bug') throw new TypeError('fake device bug');
    if (request.kernel.entry === 'fail_launch') throw new DeviceError(-5, 'out-of-bounds global store by thread (0,0,0) block (0,0,0)');
    if (request.kernel.entry === 'vector_add') {
      const [a, b, out, nArg] = request.args;
      if (a?.kind !== 'pointer' || b?.kind !== 'pointer' || out?.kind !== 'pointer' || nArg?.kind !== 'scalar') throw new DeviceError(-9, 'bad args');
      const n = new DataView(nArg.bytes.buffer, nArg.bytes.byteOffset).getUint32(0, true);
      const view = new DataView(request.memory.buffer, request.memory.byteOffset);
      for (let i = 0; i < n; i++) {
        view.setFloat32(out.offset + 4 * i, view.getFloat32(a.offset + 4 * i, true) + view.getFloat32(b.offset + 4 * i, true), true);
      }
    }
    for (let done = 1; done <= total; done++) request.onProgress?.(done, total);
    const endMs = Date.now();
    return { startMs, endMs, kernelMs: endMs - startMs };
  }

  sync(): void {
    this.syncs++;
    const failure = this.failNextSync;
    this.failNextSync = undefined;
    if (failure) throw failure;
  }

  dispose(): void {
    this.disposed = true;
  }
}

const VECTOR_ADD_PTX = `.version 8.0
.target sm_75
.address_size 64
.visible .entry vector_add(.param .u64 a, .param .u64 b, .param .u64 out, .param .u32 n)
{ ret; }
.visible .entry fail_launch(.param .u64 p)
{ ret; }
.visible .entry throw_bug()
{ ret; }
`;

type Fns = {
  wasi_cuda_load_ptx(ptxPtr: number, ptxLen: number, entryPtr: number, entryLen: number): bigint;
  wasi_cuda_launch(id: bigint, gx: number, gy: number, gz: number, bx: number, by: number, bz: number, shared: number, argsPtr: number, argsLen: number): number;
  wasi_cuda_sync(): number;
  wasi_cuda_last_error_len(): number;
  wasi_cuda_last_error_copy(ptr: number, len: number): number;
};

const ENTRY_AT = 0x10;
const ARGV_AT = 0x100;
const MSG_AT = 0x1400;
const PTX_AT = 0x2000;
const DATA_AT = 0x8000;

function harness(overrides: Partial<WasiCudaHostOptions> = {}, memBytes = 1 << 16) {
  let memory = new Uint8Array(memBytes);
  const device = new FakeDevice();
  const events: RunEventBody[] = [];
  const terminations: TensorWasmError[] = [];
  const host = createWasiCudaHost({
    memory: () => memory,
    deviceSelection: 'cpu',
    emit: (e) => events.push(e),
    terminate: (e) => {
      terminations.push(e);
      throw e;
    },
    deviceFactory: () => device,
    ...overrides,
  });
  const fns = host.imports['wasi:cuda/host@0.2.0'] as unknown as Fns;
  const text = new TextEncoder();
  const put = (bytes: Uint8Array, at: number) => memory.set(bytes, at);
  const load = (ptx = VECTOR_ADD_PTX, entry = 'vector_add'): bigint => {
    const p = text.encode(ptx);
    const e = text.encode(entry);
    put(p, PTX_AT);
    put(e, ENTRY_AT);
    return fns.wasi_cuda_load_ptx(PTX_AT, p.length, ENTRY_AT, e.length);
  };
  const launch = (id: bigint, args: ArgvValue[] | Uint8Array, grid: [number, number, number] = [1, 1, 1], block: [number, number, number] = [4, 1, 1], shared = 0): number => {
    const argv = args instanceof Uint8Array ? args : encodeArgv(args);
    put(argv, ARGV_AT);
    return fns.wasi_cuda_launch(id, ...grid, ...block, shared, ARGV_AT, argv.length);
  };
  const lastError = (): string => {
    const len = fns.wasi_cuda_last_error_len();
    const n = fns.wasi_cuda_last_error_copy(MSG_AT, len);
    return new TextDecoder().decode(memory.subarray(MSG_AT, MSG_AT + n));
  };
  const f32s = (at: number, values: number[]) => {
    const v = new DataView(memory.buffer);
    values.forEach((x, i) => v.setFloat32(at + 4 * i, x, true));
  };
  const readF32s = (at: number, n: number) => {
    const v = new DataView(memory.buffer);
    return Array.from({ length: n }, (_, i) => v.getFloat32(at + 4 * i, true));
  };
  const vectorArgs = (n: number, a = DATA_AT, b = DATA_AT + 0x1000, out = DATA_AT + 0x2000): ArgvValue[] => [
    { tag: 'pointer', offset: a, length: 4 * n },
    { tag: 'pointer', offset: b, length: 4 * n },
    { tag: 'pointer', offset: out, length: 4 * n },
    { tag: 'u32', value: n },
  ];
  return {
    host,
    fns,
    device,
    events,
    terminations,
    load,
    launch,
    lastError,
    f32s,
    readF32s,
    vectorArgs,
    put,
    memory: () => memory,
    growMemory: (bytes: number) => {
      const next = new Uint8Array(bytes);
      next.set(memory);
      memory = next;
    },
  };
}

describe('wasi:cuda host imports', () => {
  it('serves the same five functions under @0.2.0 and @0.1.0', () => {
    const { host } = harness();
    const names = ['wasi_cuda_load_ptx', 'wasi_cuda_launch', 'wasi_cuda_sync', 'wasi_cuda_last_error_len', 'wasi_cuda_last_error_copy'];
    expect(Object.keys(host.imports['wasi:cuda/host@0.2.0']!).sort()).toEqual([...names].sort());
    expect(host.imports['wasi:cuda/host@0.1.0']).toBe(host.imports['wasi:cuda/host@0.2.0']);
  });

  it('creates the device lazily, on the first call that needs it', () => {
    const h = harness();
    expect(h.host.deviceLabel()).toBeUndefined();
    expect(h.fns.wasi_cuda_sync()).toBe(0);
    expect(h.host.deviceLabel()).toBeUndefined();
    expect(h.load()).toBe(0n);
    expect(h.host.deviceLabel()).toBe('fake');
  });

  it('runs a vector add: load, launch, sync, results in guest memory, events', () => {
    const h = harness();
    h.f32s(DATA_AT, [1, 2, 3, 4]);
    h.f32s(DATA_AT + 0x1000, [10, 20, 30, 40]);
    const id = h.load();
    expect(h.launch(id, h.vectorArgs(4), [1, 1, 1], [4, 1, 1])).toBe(0);
    expect(h.fns.wasi_cuda_sync()).toBe(0);
    expect(h.readF32s(DATA_AT + 0x2000, 4)).toEqual([11, 22, 33, 44]);
    expect(h.host.launchCount()).toBe(1);
    const launch = h.events.find((e) => e.type === 'launch');
    expect(launch).toMatchObject({
      type: 'launch',
      seq: 1,
      kernel: 'vector_add',
      grid: [1, 1, 1],
      block: [4, 1, 1],
      sharedMemBytes: 0,
      args: 'ptr(0x8000,16) ptr(0x9000,16) ptr(0xa000,16) u32(4)',
      device: 'fake',
    });
    expect(launch && 'ptxHash' in launch ? launch.ptxHash : '').toMatch(/^[0-9a-f]{64}$/);
    expect(launch && 'error' in launch ? launch.error : undefined).toBeUndefined();
    expect(h.events.find((e) => e.type === 'sync')).toMatchObject({ type: 'sync', status: 0 });
    expect(h.device.syncs).toBe(1);
  });

  it('hands the device the memory as it is at the launch (after memory.grow)', () => {
    const h = harness();
    const id = h.load();
    h.growMemory(1 << 17);
    expect(h.launch(id, h.vectorArgs(4, 0x18000, 0x19000, 0x1a000))).toBe(0);
    expect(h.device.launches[0]!.memory.length).toBe(1 << 17);
  });
});

describe('PTX cache and kernel table', () => {
  it('returns the same id for the same PTX and entry without loading again (counter)', () => {
    const h = harness();
    for (let i = 0; i < 50; i++) expect(h.load()).toBe(0n);
    expect(h.device.loads).toBe(1);
    expect(h.load(VECTOR_ADD_PTX, 'fail_launch')).toBe(1n);
    expect(h.load(VECTOR_ADD_PTX + '\n// another copy\n', 'vector_add')).toBe(2n);
    expect(h.device.loads).toBe(3);
  });

  it('accepts NUL-terminated PTX and entry names (C strings with strlen + 1)', () => {
    const h = harness();
    expect(h.load(VECTOR_ADD_PTX + '\0', 'vector_add\0')).toBe(0n);
    expect(h.load(VECTOR_ADD_PTX, 'vector_add')).toBe(0n);
    expect(h.device.loads).toBe(1);
  });

  it('cache hits do not count against the 256-kernel limit; the 257th distinct kernel ends the instance', () => {
    const h = harness();
    for (let i = 0; i < 256; i++) expect(h.load(`${VECTOR_ADD_PTX}// ${i}\n`)).toBe(BigInt(i));
    for (let i = 0; i < 256; i += 17) expect(h.load(`${VECTOR_ADD_PTX}// ${i}\n`)).toBe(BigInt(i));
    expect(h.device.loads).toBe(256);
    expect(() => h.load(`${VECTOR_ADD_PTX}// 256\n`)).toThrow(TensorWasmError);
    expect(h.terminations).toHaveLength(1);
    expect(h.terminations[0]!.code).toBe('limit_exceeded');
    expect(h.terminations[0]!.details).toMatchObject({ limit: 'max_kernels', limitValue: 256 });
    expect(h.terminations[0]!.message).toContain('256');
    expect(h.device.loads).toBe(256);
  });

  it('PTX over 8 MiB in one load ends the instance naming max_ptx_bytes', () => {
    const h = harness({}, 9 * 1024 * 1024);
    const big = 8 * 1024 * 1024 + 1;
    h.put(new TextEncoder().encode('vector_add'), ENTRY_AT);
    expect(() => h.fns.wasi_cuda_load_ptx(PTX_AT, big, ENTRY_AT, 10)).toThrow(TensorWasmError);
    expect(h.terminations[0]!.code).toBe('limit_exceeded');
    expect(h.terminations[0]!.details).toMatchObject({ limit: 'max_ptx_bytes', limitValue: 8 * 1024 * 1024 });
    expect(h.device.loads).toBe(0);
  });

  it('exactly 8 MiB of PTX is allowed (the limit is inclusive)', () => {
    const h = harness({}, 9 * 1024 * 1024);
    const ptx = new TextEncoder().encode(VECTOR_ADD_PTX);
    const buf = new Uint8Array(8 * 1024 * 1024).fill(0x20);
    buf.set(ptx, 0);
    h.put(buf, PTX_AT);
    h.put(new TextEncoder().encode('vector_add'), ENTRY_AT);
    expect(h.fns.wasi_cuda_load_ptx(PTX_AT, buf.length, ENTRY_AT, 10)).toBe(0n);
  });

  it('honours configured limits', () => {
    const h = harness({ limits: { maxKernels: 2, maxPtxBytes: 100_000 } });
    h.load(VECTOR_ADD_PTX, 'vector_add');
    h.load(VECTOR_ADD_PTX, 'fail_launch');
    expect(() => h.load(VECTOR_ADD_PTX, 'throw_bug')).toThrow(/max_kernels is 2/);
  });

  it('malformed PTX returns malformed_ptx with the device message and loads nothing', () => {
    const h = harness();
    expect(h.load('this is not ptx')).toBe(BigInt(CUDA_ERROR.malformed_ptx));
    expect(h.lastError()).toContain('expected .version');
    expect(h.load()).toBe(0n);
  });

  it('rejects an empty PTX buffer, binary PTX, an unknown entry and an empty entry', () => {
    const h = harness();
    expect(h.load('', 'vector_add')).toBe(BigInt(CUDA_ERROR.malformed_ptx));
    expect(h.lastError()).toContain('empty');
    h.put(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0xff, 0xfe]), PTX_AT);
    h.put(new TextEncoder().encode('k'), ENTRY_AT);
    expect(h.fns.wasi_cuda_load_ptx(PTX_AT, 6, ENTRY_AT, 1)).toBe(BigInt(CUDA_ERROR.malformed_ptx));
    expect(h.lastError()).toContain('not text');
    expect(h.load(VECTOR_ADD_PTX, 'no_such_kernel')).toBe(BigInt(CUDA_ERROR.invalid_kernel));
    expect(h.load(VECTOR_ADD_PTX, '')).toBe(BigInt(CUDA_ERROR.invalid_kernel));
    expect(h.lastError()).toContain('entry name is empty');
  });

  it('rejects PTX and entry windows outside memory with invalid_pointer, without overflow', () => {
    const h = harness();
    expect(h.fns.wasi_cuda_load_ptx(0xfff0, 0x20, ENTRY_AT, 4)).toBe(BigInt(CUDA_ERROR.invalid_pointer));
    expect(h.lastError()).toContain('PTX buffer');
    expect(h.fns.wasi_cuda_load_ptx(PTX_AT, 10, -16, 32)).toBe(BigInt(CUDA_ERROR.invalid_pointer));
    expect(h.lastError()).toContain('entry name');
    expect(h.fns.wasi_cuda_load_ptx(PTX_AT, -1, ENTRY_AT, 4)).toBe(BigInt(CUDA_ERROR.invalid_pointer));
    expect(h.device.loads).toBe(0);
  });
});

describe('launch', () => {
  it('rejects kernel ids load_ptx did not return with invalid_kernel', () => {
    const h = harness();
    h.load();
    for (const id of [-1n, 1n, 2n ** 40n, -(2n ** 63n)]) {
      expect(h.launch(id, h.vectorArgs(4))).toBe(CUDA_ERROR.invalid_kernel);
    }
    expect(h.lastError()).toContain('was not returned by wasi_cuda_load_ptx');
    expect(h.device.launches).toHaveLength(0);
  });

  it.each([
    ['zero grid', [0, 1, 1], [1, 1, 1], 0, 'gridDim.x is 0'],
    ['negative grid', [1, -1, 1], [1, 1, 1], 0, 'gridDim.y is -1'],
    ['zero block', [1, 1, 1], [1, 1, 0], 0, 'blockDim.z is 0'],
    ['blockDim.x > 1024', [1, 1, 1], [1025, 1, 1], 0, 'blockDim.x is 1025'],
    ['blockDim.y > 1024', [1, 1, 1], [1, 2048, 1], 0, 'blockDim.y is 2048'],
    ['blockDim.z > 64', [1, 1, 1], [1, 1, 65], 0, 'blockDim.z is 65'],
    ['threads per block > 1024', [1, 1, 1], [64, 32, 1], 0, '2048 threads'],
    ['gridDim.x > 2^31-1', [2 ** 31, 1, 1], [1, 1, 1], 0, 'gridDim.x is 2147483648'],
    ['gridDim.x as a wasm i32 past 2^31-1 (negative)', [-(2 ** 31), 1, 1], [1, 1, 1], 0, 'gridDim.x is -2147483648'],
    ['gridDim.y > 65535', [1, 65536, 1], [1, 1, 1], 0, 'gridDim.y is 65536'],
    ['gridDim.z > 65535', [1, 1, 65536], [1, 1, 1], 0, 'gridDim.z is 65536'],
    ['negative shared memory', [1, 1, 1], [1, 1, 1], -4, 'shared_mem is -4'],
    ['shared memory beyond the device', [1, 1, 1], [1, 1, 1], 48 * 1024 + 1, 'at most 49152'],
  ] as const)('rejects %s with invalid_dimensions', (_name, grid, block, shared, words) => {
    const h = harness();
    const id = h.load();
    expect(h.launch(id, h.vectorArgs(4), [...grid], [...block], shared)).toBe(CUDA_ERROR.invalid_dimensions);
    expect(h.lastError()).toContain(words);
    expect(h.device.launches).toHaveLength(0);
  });

  it('accepts the largest legal shapes (grid x 2^31-1 is checked, not run, by the fake)', () => {
    const h = harness();
    const id = h.load(VECTOR_ADD_PTX, 'fail_launch');
    expect(h.launch(id, [{ tag: 'pointer', offset: 0, length: 0 }], [1, 65535, 65535], [1024, 1, 1], 48 * 1024)).toBe(CUDA_ERROR.launch_failed);
    expect(h.device.launches).toHaveLength(1);
  });

  it('respects a device maxThreadsPerBlock lower than CUDA`s', () => {
    const h = harness();
    h.device.info.maxThreadsPerBlock = 256;
    const id = h.load();
    expect(h.launch(id, h.vectorArgs(4), [1, 1, 1], [512, 1, 1])).toBe(CUDA_ERROR.invalid_dimensions);
    expect(h.lastError()).toContain('at most 256 threads');
  });

  it('maps every malformed argv case to its code and never reaches the device', () => {
    const h = harness();
    const id = h.load();
    const good = encodeArgv(h.vectorArgs(4));
    const cases: [string, Uint8Array, number, string][] = [
      ['unknown tag', new Uint8Array([...good.subarray(0, 27), 0x09, 4, 0, 0, 0]), CUDA_ERROR.invalid_args, 'unknown tag 0x09'],
      ['truncated value', good.subarray(0, good.length - 1), CUDA_ERROR.invalid_args, 'truncated'],
      ['too many bytes', new Uint8Array(4097).fill(1), CUDA_ERROR.kernel_args_unsupported, '4097 bytes'],
      ['too many records', encodeArgv(Array.from({ length: 128 }, () => ({ tag: 'i32' as const, value: 0 }))).slice(), CUDA_ERROR.invalid_args, 'takes 4 parameters'],
      ['count mismatch', encodeArgv(h.vectorArgs(4).slice(0, 3)), CUDA_ERROR.invalid_args, 'takes 4 parameters'],
      ['size mismatch', encodeArgv([...h.vectorArgs(4).slice(0, 3), { tag: 'u64', value: 4n }]), CUDA_ERROR.invalid_args, 'argument 3 is u64'],
      ['window past end', encodeArgv(h.vectorArgs(4, 0xfff8)), CUDA_ERROR.invalid_pointer, 'argument 0'],
    ];
    const tooManyRecords = new Uint8Array(129 * 5);
    for (let i = 0; i < 129; i++) tooManyRecords[i * 5] = 0x01;
    cases.push(['129 records', tooManyRecords, CUDA_ERROR.kernel_args_unsupported, 'more than 128 records']);
    for (const [name, argv, code, words] of cases) {
      expect(h.launch(id, argv), name).toBe(code);
      expect(h.lastError(), name).toContain(words);
    }
    expect(h.device.launches).toHaveLength(0);
  });

  it('accepts a zero-length pointer window exactly at the end of memory ("no buffer")', () => {
    const h = harness();
    const id = h.load(VECTOR_ADD_PTX, 'fail_launch');
    h.launch(id, [{ tag: 'pointer', offset: 1 << 16, length: 0 }]);
    expect(h.device.launches).toHaveLength(1);
    expect(h.launch(id, [{ tag: 'pointer', offset: (1 << 16) + 1, length: 0 }])).toBe(CUDA_ERROR.invalid_pointer);
  });

  it('rejects an argv buffer outside memory with invalid_pointer', () => {
    const h = harness();
    const id = h.load();
    expect(h.fns.wasi_cuda_launch(id, 1, 1, 1, 1, 1, 1, 0, 0xfff0, 64)).toBe(CUDA_ERROR.invalid_pointer);
    expect(h.lastError()).toContain('argv buffer');
    expect(h.fns.wasi_cuda_launch(id, 1, 1, 1, 1, 1, 1, 0, ARGV_AT, -1)).toBe(CUDA_ERROR.invalid_pointer);
  });

  it('a device launch failure returns its code, fills the event error, and sync reports it once', () => {
    const h = harness();
    const id = h.load(VECTOR_ADD_PTX, 'fail_launch');
    expect(h.launch(id, [{ tag: 'pointer', offset: 0, length: 4 }])).toBe(CUDA_ERROR.launch_failed);
    expect(h.lastError()).toContain('out-of-bounds global store');
    const launch = h.events.find((e) => e.type === 'launch');
    expect(launch).toMatchObject({ error: { code: CUDA_ERROR.launch_failed } });
    expect(h.fns.wasi_cuda_sync()).toBe(CUDA_ERROR.launch_failed);
    expect(h.fns.wasi_cuda_sync()).toBe(0);
    expect(h.events.filter((e) => e.type === 'sync').map((e) => (e.type === 'sync' ? e.status : 99))).toEqual([CUDA_ERROR.launch_failed, 0]);
  });

  it('host-side validation failures are not reported again by sync', () => {
    const h = harness();
    const id = h.load();
    expect(h.launch(id, h.vectorArgs(4), [0, 1, 1])).toBe(CUDA_ERROR.invalid_dimensions);
    expect(h.fns.wasi_cuda_sync()).toBe(0);
  });

  it('a device sync failure returns its code', () => {
    const h = harness();
    h.load();
    h.device.failNextSync = new DeviceError(-5, 'kernel trapped');
    expect(h.fns.wasi_cuda_sync()).toBe(CUDA_ERROR.launch_failed);
    expect(h.lastError()).toBe('kernel trapped');
  });

  it("the CPU device's declarations count against max_memory_bytes: a .global that cannot fit ends the instance, a launch's .local that cannot is -6", () => {
    const MiB = 1024 * 1024;
    const h = harness({ deviceFactory: () => new CpuDevice(), maxMemoryBytes: 8 * MiB });
    const head = '.version 8.0\n.target sm_75\n.address_size 64\n';
    const local = `${head}.visible .entry k()\n{\n  .local .align 4 .b8 l[400000];\n  .reg .b64 %rd<2>;\n  .reg .b32 %r<2>;\n  mov.u64 %rd1, l;\n  st.local.u32 [%rd1], %r1;\n  ret;\n}\n`;
    const id = h.load(local, 'k');
    expect(h.launch(id, [], [1, 1, 1], [1024, 1, 1])).toBe(CUDA_ERROR.quota_exceeded);
    expect(h.lastError()).toMatch(/needs \d+ bytes of device memory .* max_memory_bytes is 8388608 bytes, of which the guest's memory takes 65536/);
    expect(h.launch(id, [], [1, 1, 1], [16, 1, 1])).toBe(0);
    expect(() => h.load(`${head}.global .b8 g[9000000];\n.visible .entry k()\n{\n  ret;\n}\n`, 'k')).toThrow(TensorWasmError);
    expect(h.terminations.map((t) => [t.code, t.details])).toEqual([['limit_exceeded', { limit: 'max_memory_bytes', limitValue: 8 * MiB }]]);
  });

  it('a host or device bug (not a DeviceError) is internal, and the host keeps working', () => {
    const h = harness();
    const id = h.load(VECTOR_ADD_PTX, 'throw_bug');
    expect(h.launch(id, [])).toBe(CUDA_ERROR.internal);
    expect(h.lastError()).toContain('fake device bug');
    const ok = h.load();
    expect(h.launch(ok, h.vectorArgs(4))).toBe(0);
  });

  it('emits one launch event per call, numbered, including failed ones', () => {
    const h = harness();
    const id = h.load();
    h.launch(id, h.vectorArgs(4));
    h.launch(99n, h.vectorArgs(4));
    h.launch(id, h.vectorArgs(4), [1, 1, 1], [2000, 1, 1]);
    const launches = h.events.filter((e) => e.type === 'launch');
    expect(launches.map((e) => (e.type === 'launch' ? e.seq : 0))).toEqual([1, 2, 3]);
    expect(launches[1]).toMatchObject({ kernel: '<kernel id 99>', error: { code: CUDA_ERROR.invalid_kernel } });
    expect(launches[2]).toMatchObject({ kernel: 'vector_add', error: { code: CUDA_ERROR.invalid_dimensions } });
    expect(h.host.launchCount()).toBe(3);
  });

  it('throttles block-progress events and always reports the last block', () => {
    const h = harness({ progressIntervalMs: 60_000 });
    const id = h.load();
    h.launch(id, h.vectorArgs(4), [100, 1, 1], [4, 1, 1]);
    const progress = h.events.filter((e) => e.type === 'block-progress');
    expect(progress.length).toBeLessThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({ launchSeq: 1, completedBlocks: 100, totalBlocks: 100 });
  });
});

describe('last error', () => {
  it('is empty before any failure and keeps the last failure across successes', () => {
    const h = harness();
    expect(h.fns.wasi_cuda_last_error_len()).toBe(0);
    h.load('bad');
    const message = h.lastError();
    expect(message.length).toBeGreaterThan(0);
    h.load();
    expect(h.lastError()).toBe(message);
  });

  it('copies at most len bytes and returns how many it wrote', () => {
    const h = harness();
    h.load('bad');
    const full = h.lastError();
    h.memory().fill(0, MSG_AT, MSG_AT + 64);
    expect(h.fns.wasi_cuda_last_error_copy(MSG_AT, 5)).toBe(5);
    expect(new TextDecoder().decode(h.memory().subarray(MSG_AT, MSG_AT + 5))).toBe(full.slice(0, 5));
    expect(h.memory()[MSG_AT + 5]).toBe(0);
    expect(h.fns.wasi_cuda_last_error_copy(MSG_AT, 0)).toBe(0);
  });

  it('a destination outside memory returns invalid_pointer and keeps the message', () => {
    const h = harness();
    h.load('bad');
    const before = h.lastError();
    expect(h.fns.wasi_cuda_last_error_copy(0xfffe, 100)).toBe(CUDA_ERROR.invalid_pointer);
    expect(h.lastError()).toBe(before);
  });
});

describe('device selection failures and disposal', () => {
  it('an unavailable explicit device ends the instance with device_unavailable', () => {
    const h = harness({
      deviceSelection: 'cuda',
      deviceFactory: () => {
        throw new TensorWasmError('device_unavailable', 'the CUDA device is unavailable: no libcuda');
      },
    });
    expect(() => h.load()).toThrow(/unavailable/);
    expect(h.terminations[0]!.code).toBe('device_unavailable');
  });

  it('a device that fails to start with a DeviceError gives not_available', () => {
    const h = harness({
      deviceFactory: () => {
        throw new DeviceError(-1, 'cuInit failed: CUDA_ERROR_NO_DEVICE');
      },
    });
    expect(h.load()).toBe(BigInt(CUDA_ERROR.not_available));
    expect(h.lastError()).toContain('CUDA_ERROR_NO_DEVICE');
  });

  it('dispose releases the device', () => {
    const h = harness();
    h.load();
    h.host.dispose();
    expect(h.device.disposed).toBe(true);
  });
});

describe('checkWasiCudaImports', () => {
  const imp = (name: string, params: ImportDescription['signature'] extends infer S ? S : never, module = 'wasi:cuda/host@0.2.0'): ImportDescription => ({
    module,
    name,
    kind: 'func',
    signature: params,
  });

  it('accepts the guide`s declarations under both module names', () => {
    for (const module of ['wasi:cuda/host@0.2.0', 'wasi:cuda/host@0.1.0']) {
      expect(() =>
        checkWasiCudaImports([
          imp('wasi_cuda_load_ptx', { params: ['i32', 'i32', 'i32', 'i32'], results: ['i64'] }, module),
          imp('wasi_cuda_launch', { params: ['i64', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], results: ['i32'] }, module),
          imp('wasi_cuda_sync', { params: [], results: ['i32'] }, module),
          imp('wasi_cuda_last_error_len', { params: [], results: ['i32'] }, module),
          imp('wasi_cuda_last_error_copy', { params: ['i32', 'i32'], results: ['i32'] }, module),
          { module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'func', signature: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] } },
        ]),
      ).not.toThrow();
    }
  });

  function invalid(imports: ImportDescription[]): TensorWasmError {
    try {
      checkWasiCudaImports(imports);
    } catch (error) {
      if (error instanceof TensorWasmError) return error;
      throw error;
    }
    throw new Error('expected invalid_module');
  }

  it('names an unknown function', () => {
    const e = invalid([imp('wasi_cuda_malloc', { params: ['i32'], results: ['i32'] })]);
    expect(e.code).toBe('invalid_module');
    expect(e.message).toContain('wasi_cuda_malloc');
  });

  it('names a function with another signature and shows both', () => {
    const e = invalid([imp('wasi_cuda_load_ptx', { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] })]);
    expect(e.code).toBe('invalid_module');
    expect(e.message).toContain('(i32, i32, i32, i32) -> i32');
    expect(e.message).toContain('(i32, i32, i32, i32) -> i64');
  });

  it('names an unknown wasi:cuda version and a non-function import', () => {
    expect(invalid([imp('wasi_cuda_sync', { params: [], results: ['i32'] }, 'wasi:cuda/host@0.3.0')]).message).toContain('wasi:cuda/host@0.3.0');
    expect(invalid([{ module: 'wasi:cuda/host@0.2.0', name: 'wasi_cuda_sync', kind: 'global' }]).message).toContain('imported as a global');
  });
});

describe('the fixture guests against the host (fake device; the real one runs in guests-engine.test.ts)', () => {
  const guest = async (file: string) => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const bytes = await readFile(join(import.meta.dirname, '../../fixtures/guests/wasm', file));
    let memory: WebAssembly.Memory | undefined;
    const device = new FakeDevice();
    const host = createWasiCudaHost({
      memory: () => new Uint8Array(memory!.buffer),
      deviceSelection: 'cpu',
      emit: () => {},
      terminate: (e) => {
        throw e;
      },
      deviceFactory: () => device,
    });
    const { instance } = await WebAssembly.instantiate(bytes, host.imports);
    memory = instance.exports.memory as WebAssembly.Memory;
    return { exports: instance.exports as Record<string, (...args: number[]) => number>, device };
  };

  it('the C vector add guest encodes its argv as the host decodes it', async () => {
    const { exports, device } = await guest('vector_add.wasm');
    expect(exports.run_vector_add!(1000)).toBe(0);
    expect(exports.repeat_vector_add!(10, 20)).toBe(0);
    expect(device.loads).toBe(1);
  });

  it('host-side bad inputs from a real guest get their codes', async () => {
    const { exports } = await guest('bad_inputs.wasm');
    expect(exports.argv_unknown_tag!()).toBe(CUDA_ERROR.invalid_args);
    expect(exports.argv_truncated!()).toBe(CUDA_ERROR.invalid_args);
    expect(exports.argv_too_many_bytes!()).toBe(CUDA_ERROR.kernel_args_unsupported);
    expect(exports.argv_too_many_records!()).toBe(CUDA_ERROR.kernel_args_unsupported);
    expect(exports.argv_window_past_end!()).toBe(CUDA_ERROR.invalid_pointer);
    expect(exports.argv_window_wraps!()).toBe(CUDA_ERROR.invalid_pointer);
    expect(exports.argv_count_mismatch!()).toBe(CUDA_ERROR.invalid_args);
    expect(exports.argv_size_mismatch!()).toBe(CUDA_ERROR.invalid_args);
    expect(exports.argv_outside_memory!()).toBe(CUDA_ERROR.invalid_pointer);
    expect(exports.unknown_kernel_id!()).toBe(CUDA_ERROR.invalid_kernel);
    expect(exports.ptx_outside_memory!()).toBe(CUDA_ERROR.invalid_pointer);
    expect(exports.last_error_outside_memory!()).toBe(CUDA_ERROR.invalid_pointer);
    for (let s = 0; s <= 8; s++) expect(exports.bad_shape!(s)).toBe(CUDA_ERROR.invalid_dimensions);
    expect(exports.last_error_len!()).toBeGreaterThan(0);
  });
});

describe('the fixture guests against the host with the real CPU device (no engine)', () => {
  const guest = async (file: string) => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const bytes = await readFile(join(import.meta.dirname, '../../fixtures/guests/wasm', file));
    let memory: WebAssembly.Memory | undefined;
    const events: RunEventBody[] = [];
    const host = createWasiCudaHost({
      memory: () => new Uint8Array(memory!.buffer),
      deviceSelection: 'cpu', // default factory: runtime/devices/select.ts → CpuDevice
      emit: (e) => events.push(e),
      terminate: (e) => {
        throw e;
      },
    });
    const { instance } = await WebAssembly.instantiate(bytes, host.imports);
    memory = instance.exports.memory as WebAssembly.Memory;
    return { exports: instance.exports as Record<string, (...args: number[]) => number>, host, events };
  };

  it('runs the multi-launch guest and labels the device', async () => {
    const { exports, host, events } = await guest('multi_launch.wasm');
    expect(exports.run_multi!(5000, 2)).toBe(0);
    expect(host.deviceLabel()).toBe('cpu');
    expect(host.launchCount()).toBe(3);
    expect(events.filter((e) => e.type === 'launch').every((e) => e.type === 'launch' && e.error === undefined && e.device === 'cpu')).toBe(true);
    host.dispose();
  });

  it('every argv tag reaches a real kernel, and an out-of-bounds store is launch_failed with coordinates', async () => {
    expect((await guest('argv_types.wasm')).exports.run_all_types!()).toBe(0);
    const bad = await guest('bad_inputs.wasm');
    expect(bad.exports.out_of_bounds_kernel!()).toBe(CUDA_ERROR.launch_failed);
    const launch = bad.events.find((e) => e.type === 'launch');
    expect(launch?.type === 'launch' ? launch.error?.message : '').toMatch(/thread \(\d+,\d+,\d+\).*block \(\d+,\d+,\d+\)/);
    expect(bad.exports.all_bad_inputs!()).toBe(0);
  });
});

describe('shared linear memory (threads proposal)', () => {
  it('reads PTX, entry and argv out of a SharedArrayBuffer-backed memory', () => {
    const memory = new Uint8Array(new SharedArrayBuffer(1 << 16));
    const device = new FakeDevice();
    const host = createWasiCudaHost({
      memory: () => memory,
      deviceSelection: 'cpu',
      emit: () => {},
      terminate: (e) => {
        throw e;
      },
      deviceFactory: () => device,
    });
    const fns = host.imports['wasi:cuda/host@0.2.0'] as unknown as Fns;
    const ptx = new TextEncoder().encode(VECTOR_ADD_PTX);
    memory.set(ptx, PTX_AT);
    memory.set(new TextEncoder().encode('vector_add'), ENTRY_AT);
    const id = fns.wasi_cuda_load_ptx(PTX_AT, ptx.length, ENTRY_AT, 10);
    expect(id).toBe(0n);
    const argv = encodeArgv([
      { tag: 'pointer', offset: DATA_AT, length: 16 },
      { tag: 'pointer', offset: DATA_AT + 16, length: 16 },
      { tag: 'pointer', offset: DATA_AT + 32, length: 16 },
      { tag: 'u32', value: 4 },
    ]);
    memory.set(argv, ARGV_AT);
    expect(fns.wasi_cuda_launch(id, 1, 1, 1, 4, 1, 1, 0, ARGV_AT, argv.length)).toBe(0);
  });
});
