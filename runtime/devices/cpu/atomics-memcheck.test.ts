/**
 * An atomic outside its window is a write in the memcheck report (an atomic reads and writes the
 * word; compute-sanitizer reports it as a write) — for the 32-bit and the f64 forms, on both
 * backends. `npm run mutate -- js-atomics` found nothing checking the access kind an atomic passes
 * to memcheck (docs/CPU-DEVICE.md, Mutation testing).
 */
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';

function launch(op: string, type: string, wasm: boolean): string {
  const reg = type === 'f64' ? 'f64' : 'b32';
  const ptx = `.version 8.0
.target sm_75
.address_size 64
.visible .entry k(.param .u64 pw)
{
  .reg .b64 %rd<3>;
  .reg .${reg} %v<2>;
  ld.param.u64 %rd1, [pw];
  add.s64 %rd2, %rd1, 16;
  mov.${reg === 'f64' ? 'f64' : 'b32'} %v1, ${reg === 'f64' ? '0d3FF0000000000000' : '1'};
  atom.global.${op}.${type} %v0, [%rd2], %v1;
  ret;
}
`;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(ptx, `atom-oob-${op}-${type}`, 'k');
  const window: KernelArg = { kind: 'pointer', offset: 1024, length: 16 };
  try {
    dev.launch({ kernel: k, grid: [1, 1, 1], block: [1, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [window] });
  } catch (e) {
    return String(e);
  }
  return 'no fault';
}

describe.each([false, true])('an atomic just past its window (wasmKernels %s)', (wasm) => {
  it.each([
    ['add', 'u32', 4],
    ['exch', 'b32', 4],
    ['add', 'f64', 8],
  ])('atom.global.%s.%s is reported as an invalid write of its size', (op, type, size) => {
    expect(launch(op, type, wasm)).toContain(`invalid __global__ write of ${size} bytes at address 0x010000000410 (0 bytes after the end of the nearest window: argument 0`);
  });
});
