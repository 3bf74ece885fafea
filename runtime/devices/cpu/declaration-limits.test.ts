/**
 * Declarations are held to documented limits (docs/LIMITS.md, "The CPU device"): CUDA's own where
 * it has one, and the instance's memory cap for what takes memory — refused at load or at launch
 * before anything is allocated, never `internal`.
 */
import { describe, expect, it } from 'vitest';
import { DeviceError, type KernelArg } from '../../../contract/device.js';
import { TensorWasmError } from '../../../contract/errors.js';
import { CpuDevice, type DeviceMemoryCap } from './cpu-device.js';

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';
const MiB = 1024 * 1024;
let n = 0;
const hash = (): string => `limits-${n++}-${Math.random()}`;

function failure(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

function loadError(ptx: string, device = new CpuDevice()): DeviceError {
  const e = failure(() => device.loadKernel(ptx, hash(), 'k'));
  if (!(e instanceof DeviceError)) throw e;
  return e;
}

/** A kernel whose only thread writes `value` through the variable `name` and reads it back into out[0]. */
const kernel = (decls: string, body = '  ret;'): string => `${HEADER}${decls}\n.visible .entry k(.param .u64 out)\n{\n  .reg .b32 %r<4>;\n  .reg .b64 %rd<4>;\n${body}\n}\n`;

const cap = (capBytes: number, guestBytes = MiB): DeviceMemoryCap => ({ capBytes, guestBytes: () => guestBytes });

function launch(device: CpuDevice, ptx: string, block: [number, number, number], sharedMemBytes = 0, memory = new Uint8Array(64)): void {
  const kernelHandle = device.loadKernel(ptx, hash(), 'k');
  const args: KernelArg[] = [{ kind: 'pointer', offset: 0, length: memory.length }];
  device.launch({ kernel: kernelHandle, grid: [1, 1, 1], block, sharedMemBytes, args, memory });
}

describe('declaration limits', () => {
  it('a 500 MB .global beyond the memory cap ends the instance with limit_exceeded, without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const e = failure(() => new CpuDevice({ memoryCap: cap(256 * MiB) }).loadKernel(kernel('.global .align 1 .b8 g[500000000];'), hash(), 'k'));
    expect(e).toBeInstanceOf(TensorWasmError);
    expect((e as TensorWasmError).code).toBe('limit_exceeded');
    expect((e as TensorWasmError).details).toEqual({ limit: 'max_memory_bytes', limitValue: 256 * MiB });
    expect((e as TensorWasmError).message).toMatch(/take 500000000 bytes, more than the instance has left: max_memory_bytes is 268435456 bytes/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * MiB);
  });

  it('module .global variables of every loaded PTX add up against the cap', () => {
    const device = new CpuDevice({ memoryCap: cap(8 * MiB) });
    device.loadKernel(kernel('.global .b8 a[3000000];'), hash(), 'k');
    device.loadKernel(kernel('.global .b8 b[3000000];'), hash(), 'k');
    const e = failure(() => device.loadKernel(kernel('.global .b8 c[3000000];'), hash(), 'k'));
    expect((e as TensorWasmError).code).toBe('limit_exceeded');
  });

  it('eight arrays of 3e8 bytes or one of 4 GiB are -4 at load (max_global_bytes), never a 32-bit overflow', () => {
    const eight = Array.from({ length: 8 }, (_, i) => `.global .b8 g${i}[300000000];`).join('\n');
    expect(loadError(kernel(eight)).message).toMatch(/^line 11: the \.global variables of this kernel take 2,400,000,000 bytes \(with 'g7'\); the limit max_global_bytes is 2,147,483,648 bytes$/);
    expect(loadError(kernel('.global .b8 g[65536][65536];')).message).toMatch(/^line 4: \.global variable 'g' takes 4,294,967,296 bytes; the limit max_global_bytes/);
  });

  it('.const beyond the 64 KiB constant bank is -4 at load; 64 KiB loads and reads', () => {
    expect(loadError(kernel('.const .align 1 .b8 c[65537];')).message).toMatch(/^line 4: \.const variable 'c' takes 65,537 bytes; the limit max_const_bytes is 65,536 bytes$/);
    expect(loadError(kernel('.const .b8 c[40000];\n.const .b8 d[40000];')).message).toMatch(/^line 5: the \.const variables of this kernel take 80,000 bytes \(with 'd'\); the limit max_const_bytes/);
    expect(loadError(kernel('.const .b8 c[4294967296];')).message).toMatch(/max_const_bytes/);
    const memory = new Uint8Array(16);
    launch(new CpuDevice(), kernel('.const .align 4 .b32 c[16384] = {7, 8};', '  ld.param.u64 %rd1, [out];\n  cvta.to.global.u64 %rd1, %rd1;\n  ld.const.u32 %r1, [c+4];\n  st.global.u32 [%rd1], %r1;\n  ret;'), [1, 1, 1], 0, memory);
    expect(new Uint32Array(memory.buffer)[0]).toBe(8);
  });

  it('.shared beyond 48 KiB is -4 at load; static + dynamic beyond it is -8 at launch', () => {
    expect(loadError(kernel('.shared .b8 s[50000];')).message).toMatch(/^line 4: \.shared variable 's' takes 50,000 bytes; the limit max_shared_bytes is 49,152 bytes$/);
    expect(loadError(kernel('.shared .b8 s[30000];\n.shared .b8 t[30000];')).message).toMatch(/the \.shared variables of this kernel take 60,000 bytes/);
    const e = failure(() => launch(new CpuDevice(), kernel('.shared .b8 s[40000];'), [1, 1, 1], 10_000));
    expect(e).toBeInstanceOf(DeviceError);
    expect((e as DeviceError).cudaCode).toBe(-8);
  });

  it('.local beyond 512 KiB per thread is -4 at load; frames × threads beyond the cap is -6 at launch', () => {
    const start = performance.now();
    expect(loadError(kernel('', '  .local .align 4 .b8 l[2000000000];\n  ret;')).message).toMatch(/^line 9: \.local variable 'l' takes 2,000,000,000 bytes; the limit max_local_bytes_per_thread is 524,288 bytes$/);
    expect(performance.now() - start).toBeLessThan(2000);
    const local = kernel('', '  .local .align 4 .b8 l[400000];\n  mov.u64 %rd1, l;\n  st.local.u32 [%rd1], %r1;\n  ret;');
    const e = failure(() => launch(new CpuDevice({ memoryCap: cap(256 * MiB) }), local, [1024, 1, 1]));
    expect(e).toBeInstanceOf(DeviceError);
    expect((e as DeviceError).cudaCode).toBe(-6);
    expect((e as DeviceError).message).toMatch(/with 1024 threads per block needs \d+ bytes of device memory \(400000 per thread: \.local 400000/);
    launch(new CpuDevice({ memoryCap: cap(256 * MiB) }), local, [32, 1, 1]);
  });

  it('2e9 registers are -4 at load at once', () => {
    const start = performance.now();
    expect(loadError(kernel('', '  .reg .b32 %x<2000000000>;\n  ret;')).message).toMatch(/^line 9: 2,000,000,008 registers declared in one function; the limit max_registers is 262,144$/);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('kernel parameters beyond 32,764 bytes are -4 at load', () => {
    expect(loadError(`${HEADER}.visible .entry k(.param .align 8 .b8 p[1000000000])\n{\n  ret;\n}\n`).message).toMatch(/^line 4: the parameters up to 'p' take 1,000,000,000 bytes; the limit max_param_bytes is 32,764 bytes$/);
  });
});
