import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';
import { getKernel } from './ptx-cache.js';

const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';

// Registers across barriers: %r2 is recomputable (one pure definition), %r3 is redefined by a
// guarded write between barriers (its save slot goes stale and must be saved again), %r4 loops
// across a barrier inside a backward branch.
const PTX = `${HEADER}.visible .entry k(.param .u64 k_param_0)
{
  .reg .pred %p<3>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [k_param_0];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %r1;
  add.u32 %r3, %r1, 100;
  mov.u32 %r4, 0;
  add.u32 %r5, %r1, 1;
  bar.sync 0;
  setp.lt.u32 %p1, %r1, 16;
  @%p1 add.u32 %r3, %r3, 1;
  bar.sync 0;
  add.u32 %r3, %r3, %r2;
$L__loop:
  add.u32 %r4, %r4, %r5;
  bar.sync 0;
  setp.lt.u32 %p2, %r4, 1000;
  @%p2 bra $L__loop;
  add.u32 %r3, %r3, %r4;
  mul.wide.u32 %rd2, %r1, 4;
  cvta.to.global.u64 %rd1, %rd1;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r3;
  ret;
}
`;

describe('registers across sync sites', () => {
  it("keeps every thread's registers exact when saves are skipped or recomputed", () => {
    const dev = new CpuDevice();
    const k = dev.loadKernel(PTX, 'sync-state-regs', 'k');
    const n = 64;
    const mem = new Uint8Array(n * 4 + 64);
    dev.launch({ kernel: k, grid: [2, 1, 1], block: [n, 1, 1], sharedMemBytes: 0, memory: mem, args: [ptr(0, n * 4)] });
    const out = new Uint32Array(mem.buffer, 0, n);
    for (let t = 0; t < n; t++) {
      let r4 = 0;
      do r4 += t + 1;
      while (r4 < 1000);
      expect(out[t]).toBe(t + 100 + (t < 16 ? 1 : 0) + t + r4);
    }
  });

  it('saves only what a barrier kernel needs', () => {
    // %r1, %r2 and %r5 are recomputed after a barrier; only %r3 and %r4 (written between
    // barriers) need int save slots
    const kernel = getKernel(PTX, 'sync-state-regs', 'k');
    expect(kernel.saveInts).toBe(2);
  });
});
