import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError, type KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { bridgeFunction } from './js-bridge.js';

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';
const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const u32 = (v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, v, true);
  return { kind: 'scalar', tag: 'u32', bytes };
};

/**
 * Forms with no native Wasm code (they go through the bridge): per thread, from an input record of
 * two u64 and two f32 (24 bytes), an output record of 32 bytes. A guarded bridged instruction whose
 * guard is false must leave its register alone; `out + 28` then holds 0x55 from the mov.
 */
const BRIDGED = `${HEADER}.visible .entry bridged(.param .u64 p0, .param .u64 p1, .param .u32 p2)
{
  .reg .pred %p<4>;
  .reg .b16 %h<3>;
  .reg .b32 %r<8>;
  .reg .f32 %f<6>;
  .reg .b64 %rd<12>;
  ld.param.u64 %rd1, [p0];
  ld.param.u64 %rd2, [p1];
  ld.param.u32 %r1, [p2];
  mov.u32 %r2, %tid.x;
  setp.ge.u32 %p1, %r2, %r1;
  @%p1 bra $L_end;
  mul.wide.u32 %rd3, %r2, 24;
  add.s64 %rd4, %rd1, %rd3;
  mul.wide.u32 %rd5, %r2, 32;
  add.s64 %rd6, %rd2, %rd5;
  ld.global.u64 %rd7, [%rd4];
  ld.global.u64 %rd8, [%rd4+8];
  ld.global.f32 %f1, [%rd4+16];
  ld.global.f32 %f2, [%rd4+20];
  cvt.sat.u64.s64 %rd9, %rd7;
  st.global.u64 [%rd6], %rd9;
  add.rz.f32 %f3, %f1, %f2;
  st.global.f32 [%rd6+8], %f3;
  testp.finite.f32 %p2, %f1;
  selp.u32 %r3, 1, 0, %p2;
  st.global.u32 [%rd6+12], %r3;
  cvt.rn.f16.f32 %h1, %f2;
  st.global.b16 [%rd6+16], %h1;
  bfind.u64 %r4, %rd8;
  st.global.u32 [%rd6+20], %r4;
  sin.approx.f32 %f4, %f2;
  st.global.f32 [%rd6+24], %f4;
  mov.u32 %r5, 85;
  setp.eq.u32 %p3, %r2, 100000;
  @%p3 add.rz.u32 %r5, %r5, 1;
  @%p3 popc.b32 %r5, %r2;
  st.global.u32 [%rd6+28], %r5;
$L_end:
  ret;
}
`;

const N = 64;

function inputs(bytes: Uint8Array, seed: number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  fc.sample(fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.float(), fc.float()), { seed, numRuns: N }).forEach(([a, b, x, y], t) => {
    dv.setBigUint64(t * 24, a, true);
    dv.setBigUint64(t * 24 + 8, b, true);
    dv.setFloat32(t * 24 + 16, x, true);
    dv.setFloat32(t * 24 + 20, y, true);
  });
}

function run(wasm: boolean, seed: number): { out: Uint8Array; input: Uint8Array; backend: string | undefined } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  inputs(bytes.subarray(1024), seed);
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(BRIDGED, 'bridged', 'bridged');
  dev.launch({ kernel: k, grid: [1, 1, 1], block: [N, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(1024, 24 * N), ptr(8192, 32 * N), u32(N)] });
  return { out: bytes.slice(8192, 8192 + 32 * N), input: bytes.slice(1024, 1024 + 24 * N), backend: dev.lastBackend };
}

describe('the WebAssembly backend\'s JavaScript bridge for forms without native code', () => {
  it('keeps a kernel with such forms on the Wasm backend, one import per bridged instruction', () => {
    const m = parsePtx(BRIDGED);
    const r = compileWasmKernel(m, m.functions.get('bridged')!);
    if (!('kernel' in r)) throw new Error(r.unsupported);
    // an i64 pair in and out (cvt.sat), f32 (add.rz, sin.approx), a predicate out (testp), a 16-bit register out (cvt.f16), a guarded one (add.rz.u32)
    expect(new Set(r.kernel.bridged)).toEqual(new Set(['cvt.sat.u64.s64', 'add.rz.f32', 'testp.finite.f32', 'cvt.rn.f16.f32', 'sin.approx.f32', 'add.rz.u32']));
    expect(Object.keys(r.kernel.bridges)).toHaveLength(r.kernel.bridged.length);
    // a worker thread rebuilds them from their sources (closures do not cross threads)
    for (const [name, source] of Object.entries(r.kernel.bridgeSources)) {
      const rebuilt = bridgeFunction(source), original = r.kernel.bridges[name]!;
      const args = Array.from({ length: original.length }, (_, i) => (i % 2 === 0 ? -7 : 3.5));
      expect(rebuilt(...args)).toEqual(original(...args));
    }
  });

  it('computes what the JavaScript backend computes, i64 pairs, predicates, 16-bit registers and guards included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const js = run(false, seed), wasm = run(true, seed);
        expect(js.backend).toBe('js');
        expect(wasm.backend).toBe('wasm');
        const dv = new DataView(wasm.out.buffer), inp = new DataView(wasm.input.buffer);
        for (let t = 0; t < N; t++) {
          // independent of both backends: cvt.sat.u64.s64 clamps a negative s64 to 0; the guarded ops did not run
          const a = inp.getBigUint64(t * 24, true), b = inp.getBigUint64(t * 24 + 8, true);
          expect(dv.getBigUint64(t * 32, true)).toBe(BigInt.asIntN(64, a) < 0n ? 0n : a);
          expect(dv.getUint32(t * 32 + 12, true)).toBe(Number.isFinite(inp.getFloat32(t * 24 + 16, true)) ? 1 : 0);
          expect(dv.getUint32(t * 32 + 20, true)).toBe(b === 0n ? 0xffffffff : b.toString(2).length - 1);
          expect(dv.getUint32(t * 32 + 28, true)).toBe(85);
        }
        const diff = wasm.out.findIndex((x, i) => x !== js.out[i]);
        expect(diff, `thread ${Math.floor(diff / 32)}, offset ${diff % 32}`).toBe(-1);
      }),
      { numRuns: 5 },
    );
  });

  it('reports a fault after a bridged instruction as the JavaScript backend does (the fault call follows the bridge imports)', () => {
    const ptx = `${HEADER}.visible .entry oob(.param .u64 p0, .param .u32 p1)
{
  .reg .b32 %r<4>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r1, [p1];
  mov.u32 %r2, %tid.x;
  cvt.rn.f32.u32 %f1, %r2;
  sin.approx.f32 %f2, %f1;
  mul.wide.u32 %rd3, %r2, 4;
  add.s64 %rd4, %rd1, %rd3;
  st.global.f32 [%rd4], %f2;
  ret;
}
`;
    const messages = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm });
      const k = dev.loadKernel(ptx, 'bridge-oob', 'oob');
      try {
        dev.launch({ kernel: k, grid: [1, 1, 1], block: [10, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(256, 32), u32(7)] });
      } catch (e) {
        expect(e).toBeInstanceOf(DeviceError);
        return (e as DeviceError).message;
      }
      throw new Error('the launch did not fail');
    });
    expect(messages[1]).toMatch(/invalid __global__ write of 4 bytes .* by thread \(8,0,0\)/);
    expect(messages[1]).toBe(messages[0]);
  });
});
