import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';

const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });

// Generic addressing into every space, module .global/.const variables, shared atomics and 64-bit math.
const PTX = `.version 8.0
.target sm_75
.address_size 64
.global .align 4 .u32 counter = 7;
.const .align 4 .b8 table[8] = {1, 0, 0, 0, 2, 0, 0, 0};
.visible .entry k(.param .u64 k_param_0)
{
  .local .align 4 .b8 depot[16];
  .shared .align 4 .u32 sh[4];
  .reg .pred %p<2>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [k_param_0];
  cvta.to.global.u64 %rd1, %rd1;
  mov.u32 %r1, %tid.x;
  // shared through a generic pointer
  mov.u64 %rd2, sh;
  cvta.shared.u64 %rd3, %rd2;
  mul.wide.u32 %rd4, %r1, 4;
  add.s64 %rd5, %rd3, %rd4;
  add.s32 %r2, %r1, 100;
  st.u32 [%rd5], %r2;
  bar.sync 0;
  ld.shared.u32 %r3, [sh+4];
  bar.sync 0;
  // local through a generic pointer
  mov.u64 %rd6, depot;
  cvta.local.u64 %rd7, %rd6;
  st.u32 [%rd7+8], %r1;
  ld.local.u32 %r4, [depot+8];
  // const through ld.const and a generic pointer
  ld.const.u32 %r5, [table+4];
  mov.u64 %rd8, table;
  cvta.const.u64 %rd9, %rd8;
  ld.u32 %r6, [%rd9];
  // module .global variable, atomically incremented by every thread
  mov.u64 %rd10, counter;
  atom.global.add.u32 %r7, [%rd10], 1;
  // shared CAS: only thread 0 swaps 101 (thread 1's value) for 555
  atom.shared.cas.b32 %r8, [sh+4], 101, 555;
  bar.sync 0;
  ld.shared.u32 %r9, [sh+4];
  // 64-bit: (2^40 + tid) * 3 >> 1, and s32 -> s64 sign extension
  mov.u64 %rd11, 1099511627776;
  cvt.u64.u32 %rd12, %r1;
  add.s64 %rd11, %rd11, %rd12;
  mul.lo.s64 %rd13, %rd11, 3;
  shr.u64 %rd14, %rd13, 1;
  mov.u32 %r10, -5;
  cvt.s64.s32 %rd15, %r10;
  // out[tid*8 ..]
  mul.wide.u32 %rd16, %r1, 32;
  add.s64 %rd17, %rd1, %rd16;
  st.global.v4.u32 [%rd17], {%r3, %r4, %r5, %r6};
  st.global.u32 [%rd17+16], %r9;
  st.global.u64 [%rd17+24], %rd14;
  setp.eq.u32 %p1, %r1, 1;
  @%p1 st.global.u64 [%rd1+64], %rd15;
  ld.global.u32 %r11, [counter];
  @%p1 st.global.u32 [%rd1+72], %r11;
  ret;
}
`;

describe('CpuDevice memory spaces', () => {
  it('resolves generic addresses into shared, local and const memory and module variables', () => {
    const dev = new CpuDevice();
    const k = dev.loadKernel(PTX, 'generic-memory-test', 'k');
    const mem = new Uint8Array(4096);
    dev.launch({ kernel: k, grid: [1, 1, 1], block: [2, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(1024, 128)] });
    const dv = new DataView(mem.buffer, 1024);
    const row = (t: number): unknown[] => [dv.getUint32(t * 32, true), dv.getUint32(t * 32 + 4, true), dv.getUint32(t * 32 + 8, true), dv.getUint32(t * 32 + 12, true), dv.getUint32(t * 32 + 16, true), dv.getBigUint64(t * 32 + 24, true)];
    expect(row(0)).toEqual([101, 0, 2, 1, 555, ((2n ** 40n) * 3n) >> 1n]);
    expect(row(1)).toEqual([101, 1, 2, 1, 555, ((2n ** 40n + 1n) * 3n) >> 1n]);
    expect(dv.getBigInt64(64, true)).toBe(-5n);
    // the module variable started at 7 and both threads incremented it; it persists on the device
    expect(dv.getUint32(72, true)).toBe(9);
    dev.launch({ kernel: k, grid: [1, 1, 1], block: [2, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(1024, 128)] });
    expect(dv.getUint32(72, true)).toBe(11);
  });
});
