/**
 * Elementwise test kernels: one thread per case, reading its case from an input array and writing
 * its results to an output array. The PTX prologue (parameters, the global index, the bounds exit)
 * and the launch (guest memory, device, arguments) are the same for every such test; only the
 * instructions under test and the layout of a case differ.
 */
import { expect } from 'vitest';
import { CpuDevice } from '../devices/cpu/cpu-device.js';
import { ptr, u32 } from './kernel-args.js';

/**
 * PTX of `entry(p0 in, p1 out, p2 n)`: threads whose global index %r5 (u32) is ≥ n return; the
 * others run `body`, which has %rd1 = in and %rd2 = out (global addresses), %r5, and the
 * registers `regs` declares (%p<2>, %r<6> and %rd<8> are declared already).
 */
export function elementwisePtx(entry: string, regs: string, body: string): string {
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry ${entry}(.param .u64 p0, .param .u64 p1, .param .u32 p2)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<8>;
${regs}
  ld.param.u64 %rd1, [p0];
  ld.param.u64 %rd2, [p1];
  ld.param.u32 %r1, [p2];
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mad.lo.s32 %r5, %r3, %r4, %r2;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra $L_end;
${body}
$L_end:
  ret;
}
`;
}

export interface ElementwiseRun {
  ptx: string;
  entry: string;
  /** A name for the device's PTX cache (one per PTX text). */
  hash: string;
  /** Cases (threads) and the bytes of one case's input and output. */
  n: number;
  inBytes: number;
  outBytes: number;
  /** Where the outputs start is rounded up to this (a v2/v4 store's alignment); default 8. */
  outAlign?: number;
  /** Writes case i's input at `at`. */
  write(dv: DataView, at: number, i: number): void;
}

/**
 * Launches `run` on one backend (64-thread blocks) and checks that backend ran it; the memory's
 * DataView and the byte offset of the outputs (case i's at out + i·outBytes).
 */
export function launchElementwise(run: ElementwiseRun, wasm: boolean): { dv: DataView; out: number } {
  const { n, inBytes, outBytes } = run;
  const base = 256;
  const align = run.outAlign ?? 8;
  const out = Math.ceil((base + n * inBytes) / align) * align;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((out + n * outBytes) / 65536) + 1 });
  const dv = new DataView(memory.buffer);
  for (let i = 0; i < n; i++) run.write(dv, base + i * inBytes, i);
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(run.ptx, run.hash, run.entry);
  dev.launch({ kernel: k, grid: [Math.ceil(n / 64), 1, 1], block: [64, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(base, n * inBytes), ptr(out, n * outBytes), u32(n)] });
  expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
  return { dv, out };
}
