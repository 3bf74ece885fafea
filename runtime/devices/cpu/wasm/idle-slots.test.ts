/**
 * Idle threads of a barrier phase whose test reads a register holding %tid.x across barriers and
 * whose predicate the kernel reads again after later barriers (nvcc's softmax and layer norm:
 * `%r73 = %tid.x` kept, `%p6 = %r73 > 127` reused in the second reduction, `%r73` a loop counter
 * after the last barrier): the phase runs only its working threads, and the idle threads' saved
 * predicate is written into their slots (idle-threads.ts idleSlots, compile-wasm.ts
 * idleSlotWrites). Results against a model written from the PTX's text and the JavaScript backend.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';

const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const i32 = (v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, v, true);
  return { kind: 'scalar', tag: 'i32', bytes };
};

/** `bound`: the split's right operand, the parameter %r9 or an integer constant (then the second use of %p1 is a split too). */
const ptxWith = (bound: string): string => `.version 8.0
.target sm_75
.address_size 64
.visible .entry red(.param .u64 p0, .param .u32 p1)
{
  .reg .pred %p<4>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<6>;
  .shared .align 4 .b8 sh[4096];
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r9, [p1];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %tid.y;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r4, %r2, %r3, %r1;
  shl.b32 %r5, %r4, 2;
  mov.u32 %r6, sh;
  add.s32 %r6, %r6, %r5;
  add.s32 %r7, %r4, 1;
  st.shared.u32 [%r6], %r7;
  bar.sync 0;
  setp.gt.s32 %p1, %r1, ${bound};
  @%p1 bra $L_a;
  ld.shared.u32 %r10, [%r6];
  mul.lo.s32 %r10, %r10, 3;
  st.shared.u32 [%r6], %r10;
$L_a:
  bar.sync 0;
  ld.shared.u32 %r11, [%r6];
  add.s32 %r11, %r11, 5;
  st.shared.u32 [%r6], %r11;
  bar.sync 0;
  @%p1 bra $L_b;
  ld.shared.u32 %r12, [%r6];
  shl.b32 %r12, %r12, 1;
  st.shared.u32 [%r6], %r12;
$L_b:
  bar.sync 0;
  ld.shared.u32 %r13, [%r6];
$L_loop:
  add.s32 %r13, %r13, %r1;
  add.s32 %r1, %r1, %r3;
  setp.lt.u32 %p2, %r1, 40;
  @%p2 bra $L_loop;
  mul.wide.u32 %rd2, %r4, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r13;
  ret;
}
`;

/** The PTX above, read as its text says, per thread. */
function model(ntx: number, nty: number, s: number): number[] {
  return Array.from({ length: ntx * nty }, (_, lin) => {
    const tx = lin % ntx;
    let v = lin + 1;
    if (!(tx > s)) v *= 3;
    v += 5;
    if (!(tx > s)) v *= 2;
    let r1 = tx;
    do {
      v += r1;
      r1 += ntx;
    } while (r1 < 40);
    return v >>> 0;
  });
}

function run(ntx: number, nty: number, s: number, wasm: boolean, constant: boolean): number[] {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const dev = new CpuDevice({ wasmKernels: wasm });
  const ptx = ptxWith(constant ? String(s) : '%r9');
  const k = dev.loadKernel(ptx, `wasm-idle-slots-${constant ? s : 'param'}`, 'red');
  dev.launch({ kernel: k, grid: [2, 1, 1], block: [ntx, nty, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, ntx * nty * 4), i32(s)] });
  expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
  return Array.from(new Uint32Array(memory.buffer, 1024, ntx * nty));
}

describe('idle threads whose barrier saves a predicate, with %tid.x kept in a register', () => {
  it('skips the idle threads in both reductions of softmax and layer norm (nvcc -O3) and in this kernel', () => {
    for (const [file, entry] of [['softmax', 'softmax'], ['layernorm', 'layernorm']] as const) {
      const m = parsePtx(readFileSync(join(__dirname, '../../../../fixtures/bench-kernels', `${file}.sm_75.ptx`), 'utf8'));
      const r = compileWasmKernel(m, m.functions.get(entry)!);
      expect('kernel' in r && r.kernel.idlePhases, file).toBe(16);
    }
    // with a parameter bound only the phase that sets %p1 splits; with a constant one, also the one
    // that reads it again after two barriers
    for (const [bound, phases] of [['%r9', 1], ['7', 2]] as const) {
      const m = parsePtx(ptxWith(bound));
      const r = compileWasmKernel(m, m.functions.get('red')!);
      expect('kernel' in r && r.kernel.idlePhases, bound).toBe(phases);
    }
  });

  it('gives every thread the model\'s value and the JavaScript backend\'s, 2-D blocks, bounds below, inside and past the row (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: -3, max: 52 }), fc.boolean(), (ntx, nty, s, constant) => {
        const want = model(ntx, nty, s);
        expect(run(ntx, nty, s, true, constant)).toEqual(want);
        expect(run(ntx, nty, s, false, constant)).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });
});
