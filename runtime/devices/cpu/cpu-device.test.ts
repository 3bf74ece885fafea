import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceError, type KernelArg } from '../../../contract/device.js';
import { CPU_DEVICE_INFO, CpuDevice } from './cpu-device.js';
import { ptxParseCount } from './ptx-cache.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda');
const fixture = (name: string): string => readFileSync(join(fixtures, `${name}.sm_75.ptx`), 'utf8');

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';
const i32 = (v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, v, true);
  return { kind: 'scalar', tag: 'i32', bytes };
};
const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });

function errorOf(f: () => unknown): DeviceError {
  try {
    f();
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  }
  throw new Error('expected a DeviceError');
}

let hashCounter = 0;
const uniqueHash = (): string => `test-${hashCounter++}-${Math.random()}`;

describe('CpuDevice', () => {
  it('describes itself', () => {
    expect(CPU_DEVICE_INFO).toMatchObject({ id: 'cpu', kind: 'cpu', available: true, maxThreadsPerBlock: 1024, maxSharedMemoryPerBlock: 49152 });
    expect(new CpuDevice().info.name).toContain('CPU');
  });

  it('reports an unsupported instruction with its line at load time', () => {
    const ptx = `${HEADER}.visible .entry k()\n{\n  .reg .b32 %r<3>;\n  mov.u32 %r1, 1;\n  frobnicate.b32 %r2, %r1;\n  ret;\n}\n`;
    const e = errorOf(() => new CpuDevice().loadKernel(ptx, uniqueHash(), 'k'));
    expect(e.cudaCode).toBe(-4);
    expect(e.message).toBe("line 8: unsupported instruction 'frobnicate.b32'");
  });

  it('reports a carry modifier on a form the ISA has no carry for at load time (add.cc.f32, mul.cc, addc.u16)', () => {
    for (const ins of ['add.cc.f32 %r1, %r1, %r2', 'mul.lo.cc.u32 %r1, %r1, %r2', 'addc.u16 %r1, %r1, %r2', 'mad.cc.u32 %r1, %r1, %r2, %r1']) {
      const ptx = `${HEADER}.visible .entry k()\n{\n  .reg .b32 %r<3>;\n  ${ins};\n  ret;\n}\n`;
      const e = errorOf(() => new CpuDevice().loadKernel(ptx, uniqueHash(), 'k'));
      expect(e.cudaCode).toBe(-4);
      expect(e.message).toMatch(new RegExp(`^line 7: unsupported instruction '${ins.split(' ')[0]!.replaceAll('.', '\\.')}' is not an extended-precision form`));
    }
  });

  it('runs a carry chain: a 64-bit add from 32-bit halves (add.cc + addc), the carry crossing a barrier', () => {
    const ptx = `${HEADER}.visible .entry k(.param .u64 p)\n{\n  .reg .b32 %r<6>;\n  .reg .b64 %rd<3>;\n  ld.param.u64 %rd1, [p];\n  cvta.to.global.u64 %rd2, %rd1;\n  ld.global.v4.u32 {%r1, %r2, %r3, %r4}, [%rd2];\n  add.cc.u32 %r5, %r1, %r3;\n  bar.sync 0;\n  addc.u32 %r4, %r2, %r4;\n  st.global.v2.u32 [%rd2+16], {%r5, %r4};\n  ret;\n}\n`;
    for (const wasm of [false, true]) {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const bytes = new Uint8Array(memory.buffer);
      const dv = new DataView(memory.buffer);
      // 0x00000001_ffffffff + 0x00000002_00000001 = 0x00000004_00000000
      [0xffffffff, 1, 1, 2].forEach((w, i) => dv.setUint32(256 + 4 * i, w, true));
      const dev = new CpuDevice({ wasmKernels: wasm });
      const k = dev.loadKernel(ptx, uniqueHash(), 'k');
      dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [{ kind: 'pointer', offset: 256, length: 32 }] });
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      expect(dv.getBigUint64(256 + 16, true)).toBe(0x4_00000000n);
    }
  });

  it('names the entries present when the entry is missing', () => {
    const e = errorOf(() => new CpuDevice().loadKernel(fixture('vector_add'), uniqueHash(), 'vectorAdd'));
    expect(e.cudaCode).toBe(-3);
    expect(e.message).toBe("no kernel entry 'vectorAdd' in this PTX; entries present: vector_add");
  });

  it('rejects undeclared registers and unknown labels at load time', () => {
    const a = `${HEADER}.visible .entry k()\n{\n  mov.u32 %r1, 1;\n  ret;\n}\n`;
    expect(errorOf(() => new CpuDevice().loadKernel(a, uniqueHash(), 'k')).message).toMatch(/line 6: undeclared register '%r1'/);
    const b = `${HEADER}.visible .entry k()\n{\n  bra $nowhere;\n}\n`;
    expect(errorOf(() => new CpuDevice().loadKernel(b, uniqueHash(), 'k')).message).toMatch(/line 6: branch to unknown label/);
  });

  it('parses a PTX once per worker (cache keyed by hash)', () => {
    const hash = uniqueHash();
    const before = ptxParseCount();
    new CpuDevice().loadKernel(fixture('saxpy'), hash, 'saxpy');
    new CpuDevice().loadKernel(fixture('saxpy'), hash, 'saxpy');
    expect(ptxParseCount()).toBe(before + 1);
  });

  it('fails an out-of-bounds write with kernel, thread, block, address and nearest window', () => {
    const dev = new CpuDevice();
    const k = dev.loadKernel(fixture('vector_add'), uniqueHash(), 'vector_add');
    const mem = new Uint8Array(1 << 16);
    // c is 100 floats but n = 130: thread 100 of block 0 writes 0 bytes past the end of argument 2
    const e = errorOf(() => dev.launch({ kernel: k, grid: [2, 1, 1], block: [128, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(1024, 1024), ptr(4096, 1024), ptr(8192, 400), i32(130)] }));
    expect(e.cudaCode).toBe(-5);
    expect(e.message).toContain("kernel 'vector_add'");
    expect(e.message).toContain('thread (100,0,0) in block (0,0,0)');
    expect(e.message).toContain('invalid __global__ write of 4 bytes at address 0x010000002190');
    expect(e.message).toContain('0 bytes after the end of the nearest window: argument 2 = guest [8192, 8592) (400 bytes)');
    // bytes past the window were not written
    expect(new DataView(mem.buffer).getUint32(8592, true)).toBe(0);
  });

  it('fails a read through a null pointer', () => {
    const ptx = `${HEADER}.visible .entry k(.param .u64 k_param_0)\n{\n  .reg .b32 %r<2>;\n  .reg .b64 %rd<2>;\n  mov.u64 %rd1, 0;\n  ld.global.u32 %r1, [%rd1+8];\n  ret;\n}\n`;
    const dev = new CpuDevice();
    const k = dev.loadKernel(ptx, uniqueHash(), 'k');
    const e = errorOf(() => dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(4096), args: [ptr(64, 64)] }));
    expect(e.message).toMatch(/invalid __global__ read of 4 bytes at address 0x000000000008 .*argument 0 = guest \[64, 128\).* by thread \(0,0,0\) in block \(0,0,0\) \(PTX line 9\)/);
  });

  it('fails a misaligned access and a shared-memory overflow', () => {
    const mis = `${HEADER}.visible .entry k(.param .u64 k_param_0)\n{\n  .reg .b32 %r<2>;\n  .reg .b64 %rd<3>;\n  ld.param.u64 %rd1, [k_param_0];\n  ld.global.u32 %r1, [%rd1+2];\n  ret;\n}\n`;
    const dev = new CpuDevice();
    const k = dev.loadKernel(mis, uniqueHash(), 'k');
    expect(errorOf(() => dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(4096), args: [ptr(64, 64)] })).message).toMatch(/misaligned address/);
    const ds = dev.loadKernel(fixture('dynamic_shared'), uniqueHash(), 'dynamic_shared');
    const mem = new Uint8Array(8192);
    const e = errorOf(() => dev.launch({ kernel: ds, grid: [1, 1, 1], block: [64, 1, 1], sharedMemBytes: 128, memory: mem, args: [ptr(0, 256), ptr(1024, 256), i32(64)] }));
    expect(e.message).toMatch(/invalid __shared__ write of 4 bytes at offset 128 \(the shared space of this launch is 128 bytes\) in kernel 'dynamic_shared' by thread \(32,0,0\)/);
  });

  it('checks arguments against the kernel parameters', () => {
    const dev = new CpuDevice();
    const k = dev.loadKernel(fixture('vector_add'), uniqueHash(), 'vector_add');
    const e = errorOf(() => dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(4096), args: [ptr(0, 4)] }));
    expect(e.cudaCode).toBe(-9);
    expect(e.message).toMatch(/takes 4 parameters but 1 arguments/);
  });

  it('reports sampled block progress, ending with the whole grid', () => {
    const dev = new CpuDevice();
    const k = dev.loadKernel(fixture('vector_add'), uniqueHash(), 'vector_add');
    const calls: [number, number][] = [];
    const mem = new Uint8Array(1 << 16);
    dev.launch({ kernel: k, grid: [1000, 1, 1], block: [4, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(0, 16000), ptr(16000, 16000), ptr(32000, 16000), i32(4000)], onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.length).toBeLessThanOrEqual(65);
    expect(calls.at(-1)).toEqual([1000, 1000]);
  });

  it('runs bfe/bfi/prmt/testp/selp/set and predicated code as the PTX ISA defines them', () => {
    const ptx = `${HEADER}.visible .entry k(.param .u64 k_param_0)
{
  .reg .pred %p<3>;
  .reg .b32 %r<20>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<3>;
  ld.param.u64 %rd1, [k_param_0];
  mov.u32 %r1, 0xF0F0A5C3;
  bfe.u32 %r2, %r1, 4, 8;
  bfe.s32 %r3, %r1, 28, 8;
  bfi.b32 %r4, 0x9, %r1, 8, 4;
  prmt.b32 %r5, %r1, 0x11223344, 0x7351;
  prmt.b32.f4e %r6, %r1, 0x11223344, 2;
  mov.f32 %f1, 0f7FC00000;
  testp.notanumber.f32 %p1, %f1;
  selp.u32 %r7, 11, 22, %p1;
  set.gtu.u32.f32 %r8, %f1, 0f00000000;
  setp.lt.s32 %p2, %r1, 0;
  mov.u32 %r9, 5;
  @%p2 add.s32 %r9, %r9, 1;
  @!%p2 add.s32 %r9, %r9, 100;
  bfind.u32 %r10, 0x00010000;
  st.global.v4.u32 [%rd1], {%r2, %r3, %r4, %r5};
  st.global.v4.u32 [%rd1+16], {%r6, %r7, %r8, %r9};
  st.global.u32 [%rd1+32], %r10;
  ret;
}
`;
    const dev = new CpuDevice();
    const k = dev.loadKernel(ptx, uniqueHash(), 'k');
    const mem = new Uint8Array(4096);
    dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(256, 64)] });
    const out = Array.from(new Uint32Array(mem.buffer, 256, 9));
    expect(out.map((x) => x.toString(16))).toEqual([
      '5c', // bfe.u32: bits 4..11 of 0xF0F0A5C3
      'ffffffff', // bfe.s32 at 28, len 8: bits 28..31 = 0xF, then the sign bit (bit 31) repeats
      'f0f0a9c3', // bfi: bits 8..11 become 9
      '11f033a5', // prmt selector 0x7351 picks bytes 1, 5, 3, 7 of {b, a}
      '3344f0f0', // prmt.f4e with 2: bytes 2, 3, 4, 5
      'b', // selp: NaN tested as NaN
      'ffffffff', // set.gtu with NaN is true
      '6', // 0xF0F0A5C3 < 0 as s32, so only the @%p2 add ran
      '10', // bfind: bit 16
    ]);
  });

  it('sync is a no-op barrier and dispose makes the device unusable', () => {
    const dev = new CpuDevice();
    expect(() => dev.sync(new Uint8Array(0))).not.toThrow();
    dev.dispose();
    expect(errorOf(() => dev.loadKernel(fixture('saxpy'), uniqueHash(), 'saxpy')).cudaCode).toBe(-1);
  });
});
