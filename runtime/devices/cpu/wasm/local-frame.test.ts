import { describe, expect, it } from 'vitest';
import { DeviceError, type KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';
const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const u32 = (v: number): KernelArg => ({ kind: 'scalar', tag: 'u32', bytes: new Uint8Array(new Uint32Array([v]).buffer) });

/**
 * Each thread fills a 4-word local array with tid·k, waits at a barrier (the frame must survive
 * it), then reads the words back at index %r9 (a parameter: in or out of bounds) and stores them.
 */
const LOCAL = `${HEADER}.visible .entry loc(.param .u64 p0, .param .u32 p1)
{
  .local .align 16 .b8 depot[16];
  .reg .b32 %r<12>;
  .reg .b64 %rd<8>;
  mov.u64 %rd1, depot;
  ld.param.u64 %rd2, [p0];
  ld.param.u32 %r9, [p1];
  mov.u32 %r1, %tid.x;
  mul.lo.s32 %r2, %r1, 3;
  mul.lo.s32 %r3, %r1, 5;
  mul.lo.s32 %r4, %r1, 7;
  st.local.v4.u32 [%rd1], {%r1, %r2, %r3, %r4};
  bar.sync 0;
  ld.local.u32 %r5, [%rd1+12];
  ld.local.u32 %r6, [%rd1];
  mul.wide.u32 %rd3, %r9, 4;
  add.s64 %rd4, %rd1, %rd3;
  ld.local.u32 %r7, [%rd4];
  add.s32 %r8, %r5, %r6;
  add.s32 %r8, %r8, %r7;
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd2, %rd5;
  st.global.u32 [%rd6], %r8;
  ret;
}
`;

function run(wasm: boolean, index: number): { out: number[]; backend: string | undefined; error?: string } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(LOCAL, `local-frame-${index}`, 'loc');
  try {
    dev.launch({ kernel: k, grid: [3, 1, 1], block: [40, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(4096, 160), u32(index)] });
  } catch (e) {
    expect(e).toBeInstanceOf(DeviceError);
    return { out: [], backend: dev.lastBackend, error: (e as DeviceError).message };
  }
  return { out: [...new Uint32Array(memory.buffer, 4096, 40)], backend: dev.lastBackend };
}

describe('.local memory on the WebAssembly backend (a frame per thread in its scratch area)', () => {
  it('keeps each thread\'s frame across a barrier, as the JavaScript backend does', () => {
    for (const index of [0, 1, 2, 3]) {
      const js = run(false, index), wasm = run(true, index);
      expect(wasm.backend).toBe('wasm');
      expect(js.backend).toBe('js');
      // independent: word 3 (7t) + word 0 (t) + word index (t, 3t, 5t, 7t)
      expect(wasm.out).toEqual(Array.from({ length: 40 }, (_, t) => 7 * t + t + [1, 3, 5, 7][index]! * t));
      expect(wasm.out).toEqual(js.out);
    }
  });

  it('reports an access past the frame as the JavaScript backend does', () => {
    const js = run(false, 4), wasm = run(true, 4);
    expect(wasm.error).toMatch(/invalid __local__ read of 4 bytes at offset 16 .*thread \(0,0,0\)/);
    expect(wasm.error).toBe(js.error);
  });
});
