import { describe, expect, it } from 'vitest';
import { DeviceError, type KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';
import { biasedRegisters, numRegisters } from './compile/num64.js';
import { parsePtx } from './parser.js';

const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const u64 = (v: bigint): KernelArg => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, v, true);
  return { kind: 'scalar', tag: 'u64', bytes };
};

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';

describe('64-bit registers kept as numbers', () => {
  it('switches to exact pairs when a 64-bit argument is 2^52 or more', () => {
    const ptx = `${HEADER}.visible .entry k(.param .u64 k_param_0, .param .u64 k_param_1)
{
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [k_param_0];
  ld.param.u64 %rd2, [k_param_1];
  add.s64 %rd3, %rd2, 7;
  st.global.u64 [%rd1], %rd3;
  ret;
}
`;
    const dev = new CpuDevice();
    const k = dev.loadKernel(ptx, 'num64-big-arg', 'k');
    const mem = new Uint8Array(256);
    const dv = new DataView(mem.buffer);
    for (const v of [5n, 2n ** 60n + 5n, 2n ** 64n - 3n]) {
      dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(64, 8), u64(v)] });
      expect(dv.getBigUint64(64, true)).toBe((v + 7n) % 2n ** 64n);
    }
  });

  it('fails the launch loudly if address arithmetic leaves the exact range', () => {
    const ptx = `${HEADER}.visible .entry k(.param .u64 k_param_0)
{
  .reg .pred %p<2>;
  .reg .b32 %r<3>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [k_param_0];
  mov.u32 %r1, 0;
$L__loop:
  shl.b64 %rd1, %rd1, 8;
  add.s32 %r1, %r1, 1;
  setp.lt.s32 %p1, %r1, 10;
  @%p1 bra $L__loop;
  st.global.u64 [%rd1], %rd1;
  ret;
}
`;
    const dev = new CpuDevice();
    const k = dev.loadKernel(ptx, 'num64-overflow', 'k');
    let err: unknown;
    try {
      dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(256), args: [ptr(64, 8)] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).cudaCode).toBe(-5);
    expect((err as DeviceError).message).toMatch(/reached 2\^52 \(PTX line 12\)/);
  });

  it('keeps pointers biased (guest offsets) and index arithmetic plain, and every value stays exact', () => {
    const ptx = `${HEADER}.visible .entry k(.param .u64 k_param_0, .param .u64 k_param_1)
{
  .reg .pred %p<2>;
  .reg .b32 %r<3>;
  .reg .b64 %rd<9>;
  ld.param.u64 %rd1, [k_param_0];
  ld.param.u64 %rd8, [k_param_1];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r1, 3;
  mul.wide.s32 %rd5, %r1, 8;
  add.s64 %rd3, %rd2, %rd5;
  sub.s64 %rd4, %rd3, %rd2;
  add.s64 %rd6, %rd8, 1;
  st.global.u64 [%rd2], %rd1;
  st.global.u64 [%rd2+8], %rd4;
  setp.gt.u64 %p1, %rd3, %rd2;
  selp.u32 %r2, 1, 0, %p1;
  st.global.u32 [%rd2+16], %r2;
  st.global.u64 [%rd3], %rd6;
  ret;
}
`;
    const module = parsePtx(ptx);
    const fn = module.functions.get('k')!;
    const params = new Set(fn.params.map((p) => p.name));
    const nums = numRegisters(fn.body, fn.regs, (n) => params.has(n), () => false);
    const biased = biasedRegisters(fn.body, nums, (n) => params.has(n));
    // pointers (and the u64 scalar, which is loaded like one) are biased; the index and the
    // pointer difference are not
    expect([...biased].sort()).toEqual(['%rd1', '%rd2', '%rd3', '%rd6', '%rd8']);
    const dev = new CpuDevice();
    const k = dev.loadKernel(ptx, 'num64-biased', 'k');
    const mem = new Uint8Array(256);
    const dv = new DataView(mem.buffer);
    dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(64, 40), u64(41n)] });
    expect(dv.getBigUint64(64, true)).toBe(2n ** 40n + 64n); // the device address, as a GPU would store it
    expect(dv.getBigUint64(72, true)).toBe(24n);
    expect(dv.getUint32(80, true)).toBe(1);
    expect(dv.getBigUint64(88, true)).toBe(42n);
  });
});
