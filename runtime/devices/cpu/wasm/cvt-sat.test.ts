/**
 * cvt.sat between floats (nvcc's __saturatef: cvt.sat.f32.f32, ten per softmax element) natively
 * on the WebAssembly backend, bit for bit against the JavaScript backend's M.sat: NaN and
 * negatives to +0, −0 kept, above 1 to 1. The C oracle (oracle/instruction-forms.test.ts) checks
 * the same forms against gcc on both backends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';


/** Per thread: (f32 x, pad, f64 y) in; cvt.sat.f32.f32 x, cvt.rni.sat.f32.f32 x, cvt.rn.sat.f32.f64 y, cvt.sat.f64.f32 x out. */
const PTX = `.version 8.0
.target sm_75
.address_size 64
.visible .entry sat(.param .u64 p0, .param .u64 p1, .param .u32 p2)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<6>;
  .reg .f64 %fd<4>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [p0];
  ld.param.u64 %rd2, [p1];
  ld.param.u32 %r1, [p2];
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mad.lo.s32 %r5, %r3, %r4, %r2;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra $L_end;
  mul.wide.u32 %rd3, %r5, 16;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  ld.global.f64 %fd1, [%rd4+8];
  cvt.sat.f32.f32 %f2, %f1;
  cvt.rni.sat.f32.f32 %f3, %f1;
  cvt.rn.sat.f32.f64 %f4, %fd1;
  cvt.sat.f64.f32 %fd2, %f1;
  mul.wide.u32 %rd5, %r5, 24;
  add.s64 %rd6, %rd2, %rd5;
  st.global.f32 [%rd6], %f2;
  st.global.f32 [%rd6+4], %f3;
  st.global.f32 [%rd6+8], %f4;
  st.global.f64 [%rd6+16], %fd2;
$L_end:
  ret;
}
`;

function run(cases: [number, number][], wasm: boolean): string[] {
  const n = cases.length;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((256 + n * 40) / 65536) + 1 });
  const dv = new DataView(memory.buffer);
  cases.forEach(([x, y], i) => {
    dv.setFloat32(256 + i * 16, x, true);
    dv.setFloat64(256 + i * 16 + 8, y, true);
  });
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(PTX, 'wasm-cvt-sat', 'sat');
  const out = 256 + n * 16;
  dev.launch({ kernel: k, grid: [Math.ceil(n / 64), 1, 1], block: [64, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(256, n * 16), ptr(out, n * 24), u32(n)] });
  expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
  // saturated results are never NaN: the bits compare exactly
  return Array.from({ length: n }, (_, i) => [0, 4, 8].map((q) => dv.getUint32(out + i * 24 + q, true).toString(16)).join(',') + ',' + dv.getBigUint64(out + i * 24 + 16, true).toString(16));
}

describe('cvt.sat between floats on the WebAssembly backend', () => {
  it('compiles to native code (no JavaScript bridge)', () => {
    const m = parsePtx(PTX);
    const r = compileWasmKernel(m, m.functions.get('sat')!);
    expect('kernel' in r && r.kernel.bridged).toEqual([]);
  });

  it('clamps as the JavaScript backend does: NaN, ±0, ±Inf, the ends of [0, 1], subnormals', () => {
    const xs = [NaN, 0, -0, Infinity, -Infinity, 1, -1, 0.5, 1.5, 1 + 2 ** -23, 1 - 2 ** -24, 2 ** -149, -(2 ** -149), 0.49999997, 0.5000001];
    const cases = xs.map((x): [number, number] => [x, x]);
    expect(run(cases, true)).toEqual(run(cases, false));
    // independently: −0 stays −0, NaN and −1 give +0, 1.5 gives 1
    expect(run([[-0, -0], [NaN, NaN], [-1, -1], [1.5, 1.5]], true)).toEqual(['80000000,80000000,80000000,8000000000000000', '0,0,0,0', '0,0,0,0', '3f800000,3f800000,3f800000,3ff0000000000000']);
  });

  it('agrees with the JavaScript backend on random floats of every class (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.float(), fc.float({ min: -2, max: 2 })), fc.oneof(fc.double(), fc.double({ min: -2, max: 2 }))), { minLength: 500, maxLength: 500 }), (cases) => {
        expect(run(cases, true)).toEqual(run(cases, false));
      }),
      { numRuns: 5 },
    );
  });
});
