import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError, type KernelArg } from '../../../../contract/device.js';
import { makeContext } from '../../conformance/case.js';
import { GuestMemory } from '../../conformance/harness.js';
import { rng } from '../../conformance/reference.js';
import { CONFORMANCE_ARCHS, CONFORMANCE_CASES, defaultFixtureDir } from '../../conformance/suite.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';

/** Conformance kernels the WebAssembly backend takes (barriers, shared memory and atomics included). */
const WASM_KERNELS = [
  'vector_add', 'saxpy', 'matmul_naive', 'matmul_tiled', 'grid_stride', 'index3d', 'reduce_block', 'histogram', 'dynamic_shared', 'atomics',
  // issue 18: carry chains, 64-bit bit ops, local frames (and call-site .param variables), 16-bit forms, the JavaScript bridge
  'bit_tricks', 'compare_select', 'conversions', 'device_call', 'divergence', 'f64', 'int_arith', 'local_array', 'math_fast',
  // issue 18: the module's .global tables (libdevice's sinf/cosf slow path), warp shuffles
  'math_precise', 'reduce_warp', 'vote', 'shfl_modes',
];

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';
const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const u32 = (v: number): KernelArg => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, v, true);
  return { kind: 'scalar', tag: 'u32', bytes };
};

/** Many instructions with their corner cases; each thread reads 4 floats and 4 ints and writes 128 bytes. */
const OPS = `${HEADER}.visible .entry ops(.param .u64 ops_param_0, .param .u64 ops_param_1, .param .u64 ops_param_2, .param .u32 ops_param_3)
{
  .reg .pred %p<8>;
  .reg .b32 %r<40>;
  .reg .f32 %f<20>;
  .reg .b64 %rd<20>;
  .reg .f64 %fd<6>;
  ld.param.u64 %rd1, [ops_param_0];
  ld.param.u64 %rd2, [ops_param_1];
  ld.param.u64 %rd3, [ops_param_2];
  ld.param.u32 %r1, [ops_param_3];
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mad.lo.s32 %r5, %r3, %r4, %r2;
  setp.ge.u32 %p1, %r5, %r1;
  @%p1 bra $L_end;
  cvta.to.global.u64 %rd4, %rd1;
  cvta.to.global.u64 %rd5, %rd2;
  cvta.to.global.u64 %rd6, %rd3;
  mul.wide.u32 %rd7, %r5, 16;
  add.s64 %rd8, %rd4, %rd7;
  add.s64 %rd9, %rd5, %rd7;
  ld.global.v4.f32 {%f1, %f2, %f3, %f4}, [%rd8];
  ld.global.nc.v4.u32 {%r6, %r7, %r8, %r9}, [%rd9];
  mul.wide.u32 %rd10, %r5, 128;
  add.s64 %rd11, %rd6, %rd10;
  fma.rn.f32 %f5, %f1, %f2, %f3;
  st.global.f32 [%rd11], %f5;
  div.rn.f32 %f6, %f1, %f2;
  st.global.f32 [%rd11+4], %f6;
  setp.ltu.f32 %p2, %f1, %f2;
  selp.u32 %r10, 1, 0, %p2;
  setp.ne.f32 %p3, %f1, %f3;
  selp.u32 %r11, 2, 0, %p3;
  or.b32 %r10, %r10, %r11;
  setp.equ.f32 %p4, %f2, %f3;
  selp.u32 %r11, 4, 0, %p4;
  or.b32 %r10, %r10, %r11;
  setp.nan.f32 %p5, %f1, %f4;
  selp.u32 %r11, 8, 0, %p5;
  or.b32 %r10, %r10, %r11;
  setp.geu.f32 %p6, %f3, %f4;
  selp.u32 %r11, 16, 0, %p6;
  or.b32 %r10, %r10, %r11;
  st.global.u32 [%rd11+8], %r10;
  cvt.rzi.s32.f32 %r12, %f1;
  st.global.u32 [%rd11+12], %r12;
  cvt.rni.s32.f32 %r13, %f2;
  st.global.u32 [%rd11+16], %r13;
  cvt.rmi.u32.f32 %r14, %f3;
  st.global.u32 [%rd11+20], %r14;
  cvt.rpi.s64.f32 %rd12, %f4;
  st.global.u64 [%rd11+24], %rd12;
  cvt.rn.f32.s32 %f7, %r6;
  st.global.f32 [%rd11+32], %f7;
  cvt.f64.f32 %fd1, %f1;
  mul.rn.f64 %fd2, %fd1, %fd1;
  cvt.rn.f32.f64 %f8, %fd2;
  st.global.f32 [%rd11+36], %f8;
  neg.f32 %f9, %f1;
  abs.f32 %f10, %f9;
  sub.f32 %f11, %f10, %f2;
  st.global.f32 [%rd11+40], %f11;
  and.b32 %r15, %r7, 31;
  add.s32 %r15, %r15, 16;
  shl.b32 %r16, %r6, %r15;
  st.global.u32 [%rd11+44], %r16;
  shr.u32 %r17, %r6, %r15;
  st.global.u32 [%rd11+48], %r17;
  shr.s32 %r18, %r6, %r15;
  st.global.u32 [%rd11+52], %r18;
  min.s32 %r19, %r6, %r7;
  max.u32 %r20, %r6, %r7;
  xor.b32 %r21, %r19, %r20;
  not.b32 %r21, %r21;
  st.global.u32 [%rd11+56], %r21;
  mul.lo.s32 %r22, %r6, %r7;
  mad.lo.s32 %r23, %r22, %r8, %r9;
  st.global.u32 [%rd11+60], %r23;
  mul.wide.s32 %rd13, %r6, %r7;
  mad.wide.s32 %rd14, %r8, %r9, %rd13;
  st.global.u64 [%rd11+64], %rd14;
  cvt.s64.s32 %rd15, %r6;
  shl.b64 %rd16, %rd15, %r15;
  st.global.u64 [%rd11+72], %rd16;
  shr.s64 %rd17, %rd14, 63;
  st.global.u64 [%rd11+80], %rd17;
  cvt.u32.u8 %r24, %r6;
  cvt.s32.s8 %r25, %r7;
  add.s32 %r24, %r24, %r25;
  st.global.u8 [%rd11+88], %r24;
  st.global.u16 [%rd11+90], %r25;
  ld.global.s8 %r26, [%rd9+1];
  ld.global.u16 %r27, [%rd9+2];
  add.s32 %r26, %r26, %r27;
  st.global.u32 [%rd11+92], %r26;
  neg.s32 %r28, %r26;
  st.global.u32 [%rd11+96], %r28;
  @%p2 st.global.u32 [%rd11+100], %r28;
  and.b32 %r29, %r6, 7;
  mov.u32 %r30, 0;
  mov.u32 %r31, 0;
$L_loop:
  add.s32 %r31, %r31, %r30;
  add.s32 %r30, %r30, 1;
  setp.le.u32 %p7, %r30, %r29;
  @%p7 bra $L_loop;
  st.global.u32 [%rd11+104], %r31;
  mov.b32 %r32, %f1;
  st.global.u32 [%rd11+108], %r32;
  cvt.rzi.f32.f32 %f12, %f2;
  st.global.f32 [%rd11+112], %f12;
  st.global.v2.f32 [%rd11+120], {%f1, %f12};
$L_end:
  ret;
}
`;

const N = 256;
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -3e-39, 3e38, -3e38, 2.5, -2.5, 3.5, 4294967296, -2147483904, 1 + 2 ** -12, 2 ** -60];

/** Fills inputs: special floats, an fma rounding tie (a*b+c lands halfway after the f64 sum), random words. */
function fillInputs(mem: Uint8Array, seed: number): void {
  const dv = new DataView(mem.buffer, mem.byteOffset);
  let x = seed >>> 0;
  const next = (): number => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < N * 4; i++) {
    const pick = next() % 4;
    const f = pick === 0 ? SPECIAL[next() % SPECIAL.length]! : pick === 1 ? (next() / 2 ** 32 - 0.5) * 1e6 : new Float32Array(new Uint32Array([next()]).buffer)[0]!;
    dv.setFloat32(i * 4, f, true);
    dv.setUint32(N * 16 + i * 4, next(), true);
  }
  // thread 3: fma(1 + 2^-12, 1 + 2^-12, 2^-60): the f64 sum is a tie for f32, the exact value is not
  dv.setFloat32(3 * 16, 1 + 2 ** -12, true);
  dv.setFloat32(3 * 16 + 4, 1 + 2 ** -12, true);
  dv.setFloat32(3 * 16 + 8, 2 ** -60, true);
}

function runOps(wasm: boolean): { out: Uint8Array; backend: string | undefined } {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const bytes = new Uint8Array(memory.buffer);
  fillInputs(bytes, 99);
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(OPS, 'wasm-ops', 'ops');
  const out = N * 32;
  dev.launch({ kernel: k, grid: [2, 1, 1], block: [N / 2, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(0, N * 16), ptr(N * 16, N * 16), ptr(out, N * 128), u32(N)] });
  return { out: bytes.slice(out, out + N * 128), backend: dev.lastBackend };
}

/** d = fma.rn.f32(a, b, c) per thread over (a, b, c, _) records. */
const FMA = `${HEADER}.visible .entry fmat(.param .u64 p0, .param .u64 p1, .param .u32 p2)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<5>;
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
  ld.global.v4.f32 {%f1, %f2, %f3, %f4}, [%rd4];
  fma.rn.f32 %f4, %f1, %f2, %f3;
  mul.wide.u32 %rd5, %r5, 4;
  add.s64 %rd6, %rd2, %rd5;
  st.global.f32 [%rd6], %f4;
$L_end:
  ret;
}
`;

/** The f32 results (bits) of fma.rn.f32 on each case, on the WebAssembly or the JavaScript backend. */
function runFma(cases: [number, number, number][], wasm: boolean): number[] {
  const n = cases.length;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const dv = new DataView(memory.buffer);
  cases.forEach(([a, b, c], i) => {
    dv.setFloat32(256 + i * 16, a, true);
    dv.setFloat32(256 + i * 16 + 4, b, true);
    dv.setFloat32(256 + i * 16 + 8, c, true);
  });
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(FMA, 'wasm-fma-ties', 'fmat');
  const out = 256 + n * 16;
  dev.launch({ kernel: k, grid: [Math.ceil(n / 64), 1, 1], block: [64, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(256, n * 16), ptr(out, n * 4), u32(n)] });
  expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
  return Array.from({ length: n }, (_, i) => dv.getUint32(out + i * 4, true));
}

describe('the WebAssembly backend of the CPU device', () => {
  it('takes the conformance kernels in its subset and says why it leaves the others to the JavaScript backend', () => {
    const verdict = (name: string, entry: string): string => {
      const m = parsePtx(readFileSync(join(defaultFixtureDir(), `${name}.sm_75.ptx`), 'utf8'));
      const r = compileWasmKernel(m, m.functions.get(entry)!);
      return 'kernel' in r ? 'wasm' : r.unsupported;
    };
    for (const k of WASM_KERNELS) expect(verdict(k, CONFORMANCE_CASES.find((c) => c.name === k)?.entry ?? k), k).toBe('wasm');
  });

  // The conformance cases check results against references; here they run on a recording device
  // so that every launch of these kernels is known to have run as WebAssembly, barriers included.
  for (const c of CONFORMANCE_CASES.filter((x) => WASM_KERNELS.includes(x.name))) {
    for (const arch of CONFORMANCE_ARCHS) {
      it(`runs the ${c.name} conformance case (${arch}) as WebAssembly`, () => {
        const ptx = readFileSync(join(defaultFixtureDir(), `${c.name}.${arch}.ptx`), 'utf8');
        const backends: (string | undefined)[] = [];
        const device = new (class extends CpuDevice {
          override launch(req: Parameters<CpuDevice['launch']>[0]): ReturnType<CpuDevice['launch']> {
            const timing = super.launch(req);
            backends.push(timing.backend);
            return timing;
          }
        })();
        const kernel = device.loadKernel(ptx, `${c.name}-${arch}-wasm`, c.entry);
        const random = rng(4321 + c.name.length);
        const mem = new GuestMemory(2 << 20, random, true);
        const before = mem.bytes.slice();
        c.run(makeContext(device, kernel, mem, random));
        expect(mem.strayWrite(before)).toBe(-1);
        expect(backends.length).toBeGreaterThan(0);
        expect(new Set(backends)).toEqual(new Set(['wasm']));
      });
    }
  }

  it('computes exactly what the JavaScript backend computes, bit for bit, corner cases included', () => {
    const js = runOps(false);
    const wasm = runOps(true);
    expect(js.backend).toBe('js');
    expect(wasm.backend).toBe('wasm');
    const dv = new DataView(wasm.out.buffer);
    // independent checks, so a shared bug would not pass: the fma tie rounds up (exactly), shifts clamp
    expect(dv.getFloat32(3 * 128, true)).toBe(Math.fround(1 + 2 ** -11 + 2 ** -23));
    const input = new DataView(new Uint8Array(N * 32).buffer);
    fillInputs(new Uint8Array(input.buffer), 99);
    for (let t = 0; t < N; t++) {
      const a = input.getUint32(N * 16 + t * 16, true), amount = (input.getUint32(N * 16 + t * 16 + 4, true) & 31) + 16;
      expect(dv.getUint32(t * 128 + 44, true)).toBe(amount >= 32 ? 0 : (a << amount) >>> 0);
      expect(dv.getInt32(t * 128 + 52, true)).toBe((a | 0) >> Math.min(amount, 31));
    }
    const firstDiff = wasm.out.findIndex((b, i) => b !== js.out[i]);
    expect(firstDiff, `first differing byte: thread ${Math.floor(firstDiff / 128)}, offset ${firstDiff % 128}`).toBe(-1);
  });

  it('reports an out-of-bounds access exactly as the JavaScript backend does', () => {
    const ptx = `${HEADER}.visible .entry oob(.param .u64 oob_param_0, .param .u32 oob_param_1)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [oob_param_0];
  ld.param.u32 %r1, [oob_param_1];
  mov.u32 %r2, %tid.x;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r2, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r1;
  ret;
}
`;
    const messages = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const bytes = new Uint8Array(memory.buffer);
      const dev = new CpuDevice({ wasmKernels: wasm });
      const k = dev.loadKernel(ptx, 'wasm-oob', 'oob');
      bytes.fill(0xa5);
      bytes.fill(0, 256, 256 + 36);
      try {
        // 10 threads write 4 bytes each into a 32-byte window: thread 8 is the first out of bounds
        dev.launch({ kernel: k, grid: [1, 1, 1], block: [10, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(256, 32), u32(7)] });
      } catch (e) {
        expect(e).toBeInstanceOf(DeviceError);
        expect(dev.lastBackend).toBe(undefined);
        expect(new DataView(memory.buffer).getUint32(256 + 28, true)).toBe(7); // thread 7 wrote before the fault
        expect(new DataView(memory.buffer).getUint32(256 + 32, true)).toBe(0); // nothing past the window
        // the scratch area the Wasm kernel used is restored even though the launch failed
        expect(bytes.findIndex((b, i) => (i < 256 || i >= 256 + 36) && b !== 0xa5)).toBe(-1);
        return (e as DeviceError).message;
      }
      throw new Error('the launch did not fail');
    });
    expect(messages[1]).toMatch(/invalid __global__ write of 4 bytes .* by thread \(8,0,0\) in block \(0,0,0\) \(PTX line 14\)/);
    expect(messages[1]).toBe(messages[0]);
  });

  it('checks an access again after its address register changes or when the earlier access was guarded', () => {
    // the store repeats the load's address: unchecked only when that load ran and %rd4 is unchanged
    const kernel = (between: string, guard: string): string => `${HEADER}.visible .entry again(.param .u64 p0, .param .u32 p1)
{
  .reg .pred %p<2>;
  .reg .b32 %r<4>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r1, [p1];
  mov.u32 %r2, %tid.x;
  mul.wide.u32 %rd3, %r2, 4;
  add.s64 %rd4, %rd1, %rd3;
  setp.lt.u32 %p1, %r2, %r1;
  ${guard} ld.global.u32 %r3, [%rd4];
  ${between}
  st.global.u32 [%rd4], %r3;
  ret;
}
`;
    const run = (ptx: string, wasm: boolean, limit: number): string => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm });
      const k = dev.loadKernel(ptx, `wasm-again-${ptx.length}`, 'again');
      try {
        // 10 threads, a 32-byte window
        dev.launch({ kernel: k, grid: [1, 1, 1], block: [10, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(256, 32), u32(limit)] });
      } catch (e) {
        expect(e).toBeInstanceOf(DeviceError);
        return (e as DeviceError).message;
      }
      throw new Error('the launch did not fail');
    };
    // threads 8 and 9 skip the guarded load: thread 8's store is the first access out of bounds
    const guarded = kernel('', '@%p1');
    expect(run(guarded, true, 8)).toMatch(/invalid __global__ write of 4 bytes .* by thread \(8,0,0\)/);
    expect(run(guarded, true, 8)).toBe(run(guarded, false, 8));
    // the address moves 32 bytes on between the load and the store: thread 0's store is out of bounds
    const moved = kernel('add.s64 %rd4, %rd4, 32;', '');
    expect(run(moved, true, 0)).toMatch(/invalid __global__ write of 4 bytes .* by thread \(0,0,0\)/);
    expect(run(moved, true, 0)).toBe(run(moved, false, 0));
    // unchanged and unguarded: thread 8's load faults first, as on the JavaScript backend
    const same = kernel('', '');
    expect(run(same, true, 0)).toMatch(/invalid __global__ read of 4 bytes .* by thread \(8,0,0\)/);
    expect(run(same, true, 0)).toBe(run(same, false, 0));
  });

  it('rounds fma.rn.f32 exactly at ties, in every binade, both signs and the subnormal range', () => {
    // (a, b, c): a*b lands exactly halfway between two f32s; c nudges the exact sum off the tie
    // (lost in the f64 sum), leaves it there (ties to even), or the product is a subnormal tie
    const cases: [number, number, number][] = [];
    const t = 1 + 2 ** -12;
    for (const scale of [2 ** -60, 2 ** -20, 1, 2 ** 20, 2 ** 60]) {
      for (const sign of [1, -1]) {
        for (const c of [2 ** -60, -(2 ** -60), 0, 2 ** -100]) cases.push([sign * t * scale, t * scale, sign * c * scale * scale]);
      }
    }
    for (const k of [1, 3, 5, 7]) for (const sign of [1, -1]) cases.push([sign * k * 2 ** -75, 2 ** -75, 0], [sign * k * 2 ** -75, 2 ** -75, 2 ** -149]);
    // and 200 random ones in (-4, 4), drawn by fast-check (a failure shrinks them and prints the seed)
    const unit = fc.double({ min: -4, max: 4, maxExcluded: true, noNaN: true });
    let results: number[][] = [];
    fc.assert(
      fc.property(fc.array(fc.tuple(unit, unit, unit), { minLength: 200, maxLength: 200 }), (random) => {
        results = [false, true].map((wasm) => runFma([...cases, ...random], wasm));
        expect(results[1]).toEqual(results[0]);
      }),
      { numRuns: 1 },
    );
    // independently, at scale 1 (cases 16–18): the tie 1 + 2^-11 + 2^-24 with a positive nudge rounds
    // up, with a negative one down, with none to the even neighbour (1 + 2^-11)
    const f32 = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0]!;
    expect(results[1]!.slice(16, 19)).toEqual([f32(1 + 2 ** -11 + 2 ** -23), f32(1 + 2 ** -11), f32(1 + 2 ** -11)]);
  });

  it('rounds fma.rn.f32 exactly across 2^-126 (subnormal and normal ties) and at overflow', () => {
    const bitsF = (b: number): number => new Float32Array(new Uint32Array([b]).buffer)[0]!;
    // a*b = 2^-150 (1 + 2^-36) or 2^-150 (1 - 2^-40), exactly (factors of 24 bits at most): half a
    // subnormal step plus or minus a nudge the f64 sum loses, so the sum is a tie and only the
    // exact error tells which way to round
    const up: [number, number] = [(2 ** 12 + 1) * 2 ** -87, (2 ** 24 - 2 ** 12 + 1) * 2 ** -99];
    const down: [number, number] = [(2 ** 20 - 1) * 2 ** -95, (2 ** 20 + 1) * 2 ** -95];
    const t = 1 + 2 ** -12;
    const cases: [number, number, number, number][] = [];
    for (const sign of [1, -1]) {
      const [ua, ub] = [sign * up[0], up[1]];
      const [da, db] = [sign * down[0], down[1]];
      const s = sign < 0 ? 0x80000000 : 0;
      const c = (bits: number): number => sign * bitsF(bits);
      cases.push(
        [ua, ub, c(0x007fffff), s | 0x00800000], // just above the top subnormal tie: up to 2^-126
        [da, db, c(0x007fffff), s | 0x007fffff], // just below it: stays subnormal (the even choice is 2^-126)
        [ua, ub, c(0x007ffffe), s | 0x007fffff], // up, against the even neighbour
        [da, db, c(0x007ffffe), s | 0x007ffffe],
        [ua, ub, c(0x00800000), s | 0x00800001], // 2^-126 itself: a normal-range tie
        [da, db, c(0x00800000), s | 0x00800000],
        [ua, ub, c(0), s | 0x00000001], // 2^-150 ± a nudge: the smallest subnormal, or zero
        [da, db, c(0), s | 0x00000000],
        [da, db, -c(0x00000001), (s ^ 0x80000000) | 0x00000001], // -2^-149 + (2^-150 - nudge): away from zero
        [ua, ub, -c(0x00000001), (s ^ 0x80000000) | 0x00000000], // -2^-149 + (2^-150 + nudge): to -0
        // a*b = 2^128 + 2^117 + 2^104 (a tie pattern beyond the largest f32): Inf whatever c says
        [sign * 2 ** 64 * t, 2 ** 64 * t, -sign * 2 ** 60, s | 0x7f800000],
        [sign * 2 ** 64 * t, 2 ** 64 * t, sign * 2 ** 60, s | 0x7f800000],
      );
    }
    const js = runFma(cases.map(([a, b, c]) => [a, b, c]), false);
    const wasm = runFma(cases.map(([a, b, c]) => [a, b, c]), true);
    expect(wasm.map((b) => b.toString(16))).toEqual(cases.map((x) => (x[3] >>> 0).toString(16)));
    expect(wasm).toEqual(js);
  });

  it('falls back to the JavaScript backend when pointer windows leave no room for its scratch area', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const bytes = new Uint8Array(memory.buffer);
    const f = new Float32Array(memory.buffer);
    for (let i = 0; i < 4096; i++) {
      f[i] = i;
      f[4096 + i] = 2 * i;
    }
    const ptx = readFileSync(join(defaultFixtureDir(), 'vector_add.sm_75.ptx'), 'utf8');
    const dev = new CpuDevice();
    const k = dev.loadKernel(ptx, 'wasm-no-room', 'vector_add');
    // a, b and c cover the whole 64 KiB page (c is 32 KiB, of which the kernel writes 16)
    const n = 4096;
    const i32 = new Uint8Array(4);
    new DataView(i32.buffer).setInt32(0, n, true);
    dev.launch({ kernel: k, grid: [n / 256, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(0, n * 4), ptr(n * 4, n * 4), ptr(n * 8, 65536 - n * 8), { kind: 'scalar', tag: 'i32', bytes: i32 }] });
    expect(dev.lastBackend).toBe('js');
    expect(f[8192 + 100]).toBe(300);
    // with room to spare the same launch runs as Wasm
    dev.launch({ kernel: k, grid: [n / 256, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(0, n * 4), ptr(n * 4, n * 4), ptr(n * 8, n * 4), { kind: 'scalar', tag: 'i32', bytes: i32 }] });
    expect(dev.lastBackend).toBe('wasm');
    expect(f[8192 + 4095]).toBe(3 * 4095);
  });

  it('reuses its instance across launches but never a window from an earlier launch', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const bytes = new Uint8Array(memory.buffer);
    const ptx = readFileSync(join(defaultFixtureDir(), 'vector_add.sm_75.ptx'), 'utf8');
    const dev = new CpuDevice();
    const k = dev.loadKernel(ptx, 'wasm-reuse', 'vector_add');
    const n = (v: number): KernelArg => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v, true);
      return { kind: 'scalar', tag: 'i32', bytes: b };
    };
    // first launch: c's window is 4 KiB, so the site caches remember [8192, 12288)
    dev.launch({ kernel: k, grid: [4, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(0, 4096), ptr(4096, 4096), ptr(8192, 4096), n(1024)] });
    expect(dev.lastBackend).toBe('wasm');
    // second launch: c's window is 64 bytes; thread 16 writing c[16] is out of bounds
    expect(() =>
      dev.launch({ kernel: k, grid: [4, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(0, 4096), ptr(4096, 4096), ptr(8192, 64), n(1024)] }),
    ).toThrow(/invalid __global__ write of 4 bytes .* by thread \(16,0,0\) in block \(0,0,0\)/);
  });

  it('runs phases whose threads wait at different barriers (the general copy) as the JS backend does', () => {
    // threads 0–15 and 16–63 stop at two different bar.sync instructions: a mixed phase
    const ptx = `${HEADER}.visible .entry divbar(.param .u64 p0)
{
  .reg .pred %p<3>;
  .reg .b32 %r<9>;
  .reg .b64 %rd<5>;
  .shared .align 4 .b8 sh[256];
  ld.param.u64 %rd1, [p0];
  mov.u32 %r1, %tid.x;
  shl.b32 %r2, %r1, 2;
  mov.u32 %r3, sh;
  add.s32 %r4, %r3, %r2;
  st.shared.u32 [%r4], %r1;
  setp.lt.u32 %p1, %r1, 16;
  @%p1 bra $L_a;
  bar.sync 0;
  mov.u32 %r8, 0;
  bra.uni $L_join;
$L_a:
  bar.sync 0;
  mov.u32 %r8, 1000;
$L_join:
  add.s32 %r5, %r1, 1;
  and.b32 %r5, %r5, 63;
  shl.b32 %r6, %r5, 2;
  add.s32 %r6, %r3, %r6;
  ld.shared.u32 %r7, [%r6];
  add.s32 %r7, %r7, %r8;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r7;
  ret;
}
`;
    const outs = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm });
      const k = dev.loadKernel(ptx, 'wasm-divbar', 'divbar');
      dev.launch({ kernel: k, grid: [2, 1, 1], block: [64, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, 256)] });
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return Array.from(new Uint32Array(memory.buffer, 1024, 64));
    });
    // each thread continues after its own barrier: threads 0–15 add 1000
    expect(outs[1]).toEqual(Array.from({ length: 64 }, (_, t) => ((t + 1) % 64) + (t < 16 ? 1000 : 0)));
    expect(outs[1]).toEqual(outs[0]);
  });

  it('carries a register across a barrier once per block only when every thread has the same value', () => {
    // reduce_block's halving stride (%r14) is block-uniform: no per-thread register slot at all
    const fixture = parsePtx(readFileSync(join(defaultFixtureDir(), 'reduce_block.sm_75.ptx'), 'utf8'));
    const reduce = compileWasmKernel(fixture, fixture.functions.get('reduce_block')!);
    expect('kernel' in reduce && reduce.kernel.slotBytes).toBe(0);
    // uniform-looking definitions that some threads skip (%r2), or repeat a per-thread number of
    // times (%r4), are not: each thread keeps its own value across the barrier
    const ptx = `${HEADER}.visible .entry unif(.param .u64 p0)
{
  .reg .pred %p<3>;
  .reg .b32 %r<8>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [p0];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, 0;
  setp.lt.u32 %p1, %r1, 5;
  @%p1 bra $L_skip;
  mov.u32 %r2, 7;
$L_skip:
  and.b32 %r3, %r1, 3;
  mov.u32 %r4, 0;
$L_loop:
  add.s32 %r4, %r4, 10;
  setp.ne.u32 %p2, %r3, 0;
  sub.s32 %r3, %r3, 1;
  @%p2 bra $L_loop;
  bar.sync 0;
  add.s32 %r5, %r2, %r4;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r5;
  ret;
}
`;
    const m = parsePtx(ptx);
    const k = compileWasmKernel(m, m.functions.get('unif')!);
    expect('kernel' in k && k.kernel.slotBytes).toBe(16);
    const outs = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm });
      const h = dev.loadKernel(ptx, 'wasm-unif', 'unif');
      dev.launch({ kernel: h, grid: [2, 1, 1], block: [32, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, 128)] });
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return Array.from(new Uint32Array(memory.buffer, 1024, 32));
    });
    expect(outs[1]).toEqual(Array.from({ length: 32 }, (_, t) => (t < 5 ? 0 : 7) + 10 * ((t & 3) + 1)));
    expect(outs[1]).toEqual(outs[0]);
  });

  it('keeps threads that left by a guarded ret out of later barrier phases', () => {
    // threads 20–39 return at once; the others loop through a barrier with a block-uniform counter
    const ptx = `${HEADER}.visible .entry early(.param .u64 p0, .param .u32 p1)
{
  .reg .pred %p<4>;
  .reg .b32 %r<12>;
  .reg .b64 %rd<5>;
  .shared .align 4 .b8 sh[256];
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r9, [p1];
  mov.u32 %r1, %tid.x;
  setp.ge.u32 %p1, %r1, 20;
  @%p1 ret;
  mov.u32 %r2, 0;
  mov.u32 %r5, 0;
  shl.b32 %r6, %r1, 2;
  mov.u32 %r7, sh;
  add.s32 %r7, %r7, %r6;
$L_loop:
  setp.lt.u32 %p2, %r1, %r2;
  @%p2 bra $L_skip;
  add.s32 %r5, %r5, %r2;
$L_skip:
  st.shared.u32 [%r7], %r5;
  bar.sync 0;
  add.s32 %r2, %r2, 3;
  ld.shared.u32 %r10, [%r7];
  add.s32 %r5, %r10, %r2;
  setp.lt.u32 %p3, %r2, %r9;
  @%p3 bra $L_loop;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r5;
  ret;
}
`;
    const outs = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm });
      const h = dev.loadKernel(ptx, 'wasm-early', 'early');
      dev.launch({ kernel: h, grid: [2, 1, 1], block: [40, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, 160), u32(30)] });
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return Array.from(new Uint32Array(memory.buffer, 1024, 40));
    });
    // per thread t: r5 gains r2 in the rounds where t >= r2 (r2 = 0, 3, …, 27) and r2 after each barrier
    const expected = Array.from({ length: 40 }, (_, t) => {
      if (t >= 20) return 0;
      let r5 = 0;
      for (let r2 = 0; r2 < 30; r2 += 3) {
        if (t >= r2) r5 += r2;
        r5 += r2 + 3;
      }
      return r5;
    });
    expect(outs[1]).toEqual(expected);
    expect(outs[1]).toEqual(outs[0]);
  });

  it('skips the threads of a phase that only test %tid.x and wait or exit, with every register as the JS backend has it', () => {
    // reduce_block's halving loop and its final `t == 0`: two phases run only their working threads
    const fixture = parsePtx(readFileSync(join(defaultFixtureDir(), 'reduce_block.sm_75.ptx'), 'utf8'));
    const reduce = compileWasmKernel(fixture, fixture.functions.get('reduce_block')!);
    expect('kernel' in reduce && reduce.kernel.idlePhases).toBe(2);
    // a signed bound on the left of the test that goes negative (every thread idle: the uniform
    // %r9 and the next phase must still come from the idle threads), a per-thread sum %r10 the idle
    // threads carry, a 2-D block, `tid.x != 2` threads exiting, and early exits (no thread skipped)
    const ptx = `${HEADER}.visible .entry idle(.param .u64 p0, .param .u32 p1, .param .u32 p2)
{
  .reg .pred %p<6>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<6>;
  .shared .align 4 .b8 sh[1024];
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r9, [p1];
  ld.param.u32 %r12, [p2];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %tid.y;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r4, %r2, %r3, %r1;
  setp.ge.u32 %p4, %r4, %r12;
  @%p4 ret;
  shl.b32 %r5, %r4, 2;
  mov.u32 %r6, sh;
  add.s32 %r6, %r6, %r5;
  st.shared.u32 [%r6], %r4;
  mov.u32 %r10, 0;
  bar.sync 0;
$L_loop:
  setp.gt.s32 %p1, %r9, %r1;
  @!%p1 bra $L_wait;
  ld.shared.u32 %r11, [%r6];
  add.s32 %r10, %r10, %r11;
  add.s32 %r11, %r11, %r9;
  st.shared.u32 [%r6], %r11;
$L_wait:
  bar.sync 0;
  add.s32 %r9, %r9, -3;
  setp.gt.s32 %p2, %r9, -7;
  @%p2 bra $L_loop;
  mul.wide.u32 %rd2, %r4, 8;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r10;
  bar.sync 0;
  setp.ne.s32 %p3, %r1, 2;
  @%p3 bra $L_end;
  ld.shared.u32 %r13, [%r6];
  add.s32 %r13, %r13, %r9;
  st.global.u32 [%rd3+4], %r13;
$L_end:
  ret;
}
`;
    const m = parsePtx(ptx);
    const k = compileWasmKernel(m, m.functions.get('idle')!);
    expect('kernel' in k && k.kernel.idlePhases).toBe(3);
    const model = (ntx: number, nty: number, start: number, exitFrom: number): number[] => {
      const out = new Array<number>(2 * ntx * nty).fill(0xdeadbeef);
      for (let lin = 0; lin < Math.min(exitFrom, ntx * nty); lin++) {
        const x = lin % ntx;
        let sh = lin, sum = 0, bound = start;
        do {
          if (x < bound) {
            sum = (sum + sh) >>> 0;
            sh = (sh + bound) >>> 0;
          }
          bound -= 3;
        } while (bound > -7);
        out[2 * lin] = sum;
        if (x === 2) out[2 * lin + 1] = (sh + bound) >>> 0;
      }
      return out;
    };
    for (const [ntx, nty, start, exitFrom] of [[8, 4, 7, 1000], [8, 4, 20, 1000], [16, 1, 5, 1000], [8, 4, 7, 13], [5, 3, 2, 1000]] as const) {
      const outs = [false, true].map((wasm) => {
        const memory = new WebAssembly.Memory({ initial: 1 });
        new Uint32Array(memory.buffer, 1024, 2 * ntx * nty).fill(0xdeadbeef);
        const dev = new CpuDevice({ wasmKernels: wasm });
        const h = dev.loadKernel(ptx, 'wasm-idle', 'idle');
        dev.launch({ kernel: h, grid: [2, 1, 1], block: [ntx, nty, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, 8 * ntx * nty), u32(start), u32(exitFrom)] });
        expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
        return Array.from(new Uint32Array(memory.buffer, 1024, 2 * ntx * nty));
      });
      expect(outs[1]).toEqual(model(ntx, nty, start, exitFrom));
      expect(outs[1]).toEqual(outs[0]);
    }
    // idle threads (20–63) waiting at another barrier than the working ones: the next phase is
    // mixed, each thread resuming where it waits (thread 20 still at the old entry would write its
    // cell a phase late, after thread 19 has read it)
    const split = `${HEADER}.visible .entry split(.param .u64 p0, .param .u32 p1)
{
  .reg .pred %p<3>;
  .reg .b32 %r<12>;
  .reg .b64 %rd<5>;
  .shared .align 4 .b8 sh[256];
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r9, [p1];
  mov.u32 %r1, %tid.x;
  shl.b32 %r2, %r1, 2;
  mov.u32 %r3, sh;
  add.s32 %r4, %r3, %r2;
  st.shared.u32 [%r4], %r1;
  bar.sync 0;
  setp.ge.u32 %p1, %r1, %r9;
  @%p1 bra $L_a;
  bar.sync 0;
  mov.u32 %r8, 100;
  bra.uni $L_join;
$L_a:
  bar.sync 0;
  mov.u32 %r8, 1000;
$L_join:
  ld.shared.u32 %r5, [%r4];
  add.s32 %r5, %r5, %r8;
  st.shared.u32 [%r4], %r5;
  bar.sync 0;
  add.s32 %r6, %r1, 1;
  and.b32 %r6, %r6, 63;
  shl.b32 %r6, %r6, 2;
  add.s32 %r6, %r3, %r6;
  ld.shared.u32 %r7, [%r6];
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r7;
  ret;
}
`;
    const ms = parsePtx(split);
    const ks = compileWasmKernel(ms, ms.functions.get('split')!);
    expect('kernel' in ks && ks.kernel.idlePhases).toBe(1);
    const outs = [false, true].map((wasm) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const dev = new CpuDevice({ wasmKernels: wasm });
      const h = dev.loadKernel(split, 'wasm-split', 'split');
      dev.launch({ kernel: h, grid: [2, 1, 1], block: [64, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(1024, 256), u32(20)] });
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return Array.from(new Uint32Array(memory.buffer, 1024, 64));
    });
    expect(outs[1]).toEqual(Array.from({ length: 64 }, (_, t) => ((t + 1) % 64) + ((t + 1) % 64 < 20 ? 100 : 1000)));
    expect(outs[1]).toEqual(outs[0]);
  });

  it('checks a shared access only when its address may leave the static shared variables and was not checked before', () => {
    // a byte times 4 indexes a 1024-byte table: [0, 1020] is inside, aligned; 4 bytes further may
    // not be, but the load repeats the atomic's access (checked once)
    const ptx = `${HEADER}.visible .entry bytes(.param .u64 p0, .param .u64 p1)
{
  .reg .b16 %rs<2>;
  .reg .b32 %r<9>;
  .reg .b64 %rd<8>;
  .shared .align 4 .b8 sh[1024];
  ld.param.u64 %rd1, [p0];
  ld.param.u64 %rd2, [p1];
  mov.u32 %r1, %tid.x;
  cvt.u64.u32 %rd3, %r1;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.u8 %rs1, [%rd4];
  mul.wide.u16 %r2, %rs1, 4;
  mov.u32 %r3, sh;
  add.s32 %r4, %r3, %r2;
  atom.shared.add.u32 %r5, [%r4], 1;
  atom.shared.add.u32 %r6, [%r4+4], 2;
  ld.shared.u32 %r8, [%r4+4];
  add.s32 %r7, %r5, %r6;
  add.s32 %r7, %r7, %r8;
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd2, %rd5;
  st.global.u32 [%rd6], %r7;
  ret;
}
`;
    const m = parsePtx(ptx);
    const k = compileWasmKernel(m, m.functions.get('bytes')!);
    expect('kernel' in k && k.kernel.sharedChecks).toBe(1);
    const run = (wasm: boolean, last: number): number[] | string => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const bytes = new Uint8Array(memory.buffer);
      for (let t = 0; t < 64; t++) bytes[t] = (t * 37) % 250;
      bytes[63] = last;
      const dev = new CpuDevice({ wasmKernels: wasm });
      const h = dev.loadKernel(ptx, 'wasm-bytes', 'bytes');
      try {
        dev.launch({ kernel: h, grid: [1, 1, 1], block: [64, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(0, 64), ptr(1024, 256)] });
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return Array.from(new Uint32Array(memory.buffer, 1024, 64));
    };
    // every address in bounds: the same counts as the JS backend
    const ok = run(true, 254);
    expect(Array.isArray(ok)).toBe(true);
    expect(ok).toEqual(run(false, 254));
    // byte 255: the second access reaches sh[1024], a fault reported as the JS backend reports it
    const fault = run(true, 255);
    expect(fault).toMatch(/invalid __shared__ write of 4 bytes/);
    expect(fault).toEqual(run(false, 255));
  });

  it('checks an access once per block when its address is affine in %tid.x, with the same results and faults', () => {
    // dst[i] = src[index(i)] for i = ctaid.x * ntid.x + tid.x < n
    const kernel = (index: string): string => `${HEADER}.visible .entry aff(.param .u64 p0, .param .u64 p1, .param .u32 p2, .param .u32 p3)
{
  .reg .pred %p<2>;
  .reg .b32 %r<9>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [p0];
  ld.param.u64 %rd2, [p1];
  ld.param.u32 %r1, [p2];
  ld.param.u32 %r6, [p3];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r5, %r2, %r3, %r4;
  ${index}
  setp.ge.s32 %p1, %r5, %r1;
  @%p1 bra DONE;
  cvta.to.global.u64 %rd3, %rd1;
  mul.wide.s32 %rd4, %r7, 4;
  add.s64 %rd5, %rd3, %rd4;
  ld.global.u32 %r8, [%rd5];
  mul.wide.s32 %rd6, %r5, 4;
  add.s64 %rd7, %rd2, %rd6;
  st.global.u32 [%rd7], %r8;
DONE:
  ret;
}
`;
    const up = kernel('add.s32 %r7, %r5, %r6;');
    const down = kernel('sub.s32 %r7, %r6, %r5;');
    const run = (ptx: string, wasm: boolean, srcWords: number, n: number, bias: number): number[] | string => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const bytes = new Uint8Array(memory.buffer);
      for (let t = 0; t < 64; t++) new DataView(memory.buffer).setUint32(256 + 4 * t, 1000 + t, true);
      const dev = new CpuDevice({ wasmKernels: wasm });
      const h = dev.loadKernel(ptx, `wasm-aff-${ptx.length}`, 'aff');
      try {
        // 4 blocks of 8 threads
        dev.launch({ kernel: h, grid: [4, 1, 1], block: [8, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(256, 4 * srcWords), ptr(1024, 128), u32(n), u32(bias)] });
      } catch (e) {
        expect(e).toBeInstanceOf(DeviceError);
        return (e as DeviceError).message;
      }
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return Array.from(new Uint32Array(memory.buffer, 1024, 32));
    };
    for (const ptx of [up, down]) {
      const m = parsePtx(ptx);
      const k = compileWasmKernel(m, m.functions.get('aff')!);
      expect('kernel' in k && k.kernel.blockChecks).toBe(2);
    }
    // in bounds: every block runs unchecked
    const ok = run(up, true, 32, 32, 0);
    expect(ok).toEqual(Array.from({ length: 32 }, (_, i) => 1000 + i));
    expect(run(down, true, 32, 32, 31)).toEqual(run(down, false, 32, 32, 31));
    // the last block's last two threads read past a 30-word window: thread 6 of block 3 faults first
    const fault = run(up, true, 30, 32, 0);
    expect(fault).toMatch(/invalid __global__ read of 4 bytes .* by thread \(6,0,0\) in block \(3,0,0\)/);
    expect(fault).toBe(run(up, false, 30, 32, 0));
    // the same threads stopped by the guard: the last block fails its block check and runs checked, without a fault
    expect(run(up, true, 30, 30, 0)).toEqual(run(up, false, 30, 30, 0));
    // descending addresses: the first threads of block 0 read past the window (index 33, 32)
    const below = run(down, true, 32, 32, 33);
    expect(below).toMatch(/invalid __global__ read of 4 bytes .* by thread \(0,0,0\) in block \(0,0,0\)/);
    expect(below).toBe(run(down, false, 32, 32, 33));
    // a 32-bit index that wraps inside block 0 (2^31 - 4 + i): the same fault as the JS backend
    expect(run(up, true, 32, 32, 0x7ffffffc)).toBe(run(up, false, 32, 32, 0x7ffffffc));
    // a register with two definitions is not block-checked
    const twice = parsePtx(kernel('add.s32 %r7, %r5, %r6;\n  add.s32 %r7, %r7, 1;'));
    const k2 = compileWasmKernel(twice, twice.functions.get('aff')!);
    expect('kernel' in k2 && k2.kernel.blockChecks).toBe(1);
  });

  it('checks a grid-stride self-loop once as it is entered, with the same results and faults', () => {
    // dst[tid] = sum of src[i] for i = start + tid, i += step, while i < n (the first iteration always runs);
    // src's base is lowered by `bias` bytes so that indices near 2^31 address the buffer
    const ptx = `${HEADER}.visible .entry gs(.param .u64 p0, .param .u64 p1, .param .u32 p2, .param .u32 p3, .param .u32 p4, .param .u64 p5)
{
  .reg .pred %p<2>;
  .reg .b32 %r<9>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [p0];
  ld.param.u64 %rd2, [p1];
  ld.param.u32 %r1, [p2];
  ld.param.u32 %r2, [p3];
  ld.param.u32 %r3, [p4];
  ld.param.u64 %rd9, [p5];
  mov.u32 %r4, %tid.x;
  add.s32 %r5, %r2, %r4;
  mov.u32 %r6, 0;
  cvta.to.global.u64 %rd3, %rd1;
  sub.s64 %rd8, %rd3, %rd9;
LOOP:
  mul.wide.s32 %rd4, %r5, 4;
  add.s64 %rd5, %rd8, %rd4;
  ld.global.u32 %r7, [%rd5];
  add.s32 %r6, %r6, %r7;
  add.s32 %r5, %r5, %r3;
  setp.lt.s32 %p1, %r5, %r1;
  @%p1 bra LOOP;
  mul.wide.u32 %rd6, %r4, 4;
  add.s64 %rd7, %rd2, %rd6;
  st.global.u32 [%rd7], %r6;
  ret;
}
`;
    const u64 = (v: bigint): KernelArg => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, v, true);
      return { kind: 'scalar', tag: 'u64', bytes };
    };
    let kernel = ptx;
    const run = (wasm: boolean, srcWords: number, n: number, start: number, step: number, bias = 0n): number[] | string => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const bytes = new Uint8Array(memory.buffer);
      for (let t = 0; t < 32; t++) new DataView(memory.buffer).setUint32(256 + 4 * t, 1 << (t % 24), true);
      const dev = new CpuDevice({ wasmKernels: wasm });
      const h = dev.loadKernel(kernel, `wasm-gs-${kernel === ptx}`, 'gs');
      try {
        dev.launch({ kernel: h, grid: [1, 1, 1], block: [8, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(256, 4 * srcWords), ptr(1024, 32), u32(n), u32(start), u32(step), u64(bias)] });
      } catch (e) {
        expect(e).toBeInstanceOf(DeviceError);
        return (e as DeviceError).message;
      }
      expect(dev.lastBackend).toBe(wasm ? 'wasm' : 'js');
      return Array.from(new Uint32Array(memory.buffer, 1024, 8));
    };
    const checks = (text: string): number | false => {
      const m = parsePtx(text);
      const k = compileWasmKernel(m, m.functions.get('gs')!);
      return 'kernel' in k && k.kernel.selfLoopChecks;
    };
    const unsigned = ptx.replace('setp.lt.s32', 'setp.lt.u32').replace('mul.wide.s32 %rd4', 'mul.wide.u32 %rd4');
    expect(checks(ptx)).toBe(1);
    expect(checks(unsigned)).toBe(1);
    // a zero extension under a signed test (not monotone across 0) is left checked per iteration
    expect(checks(ptx.replace('mul.wide.s32 %rd4', 'mul.wide.u32 %rd4'))).toBe(0);
    // in bounds (the loop runs unchecked): the same sums as the JS backend
    const ok = run(true, 32, 32, 0, 8);
    expect(Array.isArray(ok)).toBe(true);
    expect(ok).toEqual(run(false, 32, 32, 0, 8));
    // a buffer one element too short: thread 7's last iteration faults, reported as the JS backend reports it
    const short = run(true, 31, 32, 0, 8);
    expect(short).toMatch(/invalid __global__ read of 4 bytes .* by thread \(7,0,0\)/);
    expect(short).toBe(run(false, 31, 32, 0, 8));
    // start past the bound: only the first iteration runs, past the buffer
    const first = run(true, 32, 32, 40, 8);
    expect(first).toMatch(/invalid __global__ read of 4 bytes .* by thread \(0,0,0\)/);
    expect(first).toBe(run(false, 32, 32, 40, 8));
    // i up to 2^31 - 2 in bounds through the bias, step 1: nothing wraps, the same sums
    const bias = 0x7fffffdfn;
    expect(run(true, 32, 0x7fffffff, 0x7fffffdf, 1, 4n * bias)).toEqual(run(false, 32, 0x7fffffff, 0x7fffffdf, 1, 4n * bias));
    // step 8: thread 1's i wraps past 2^31 - 1 to a negative index that still passes i < n: its fault as the JS backend reports it
    const wrap = run(true, 32, 0x7fffffff, 0x7fffffdf, 8, 4n * bias);
    expect(wrap).toMatch(/invalid __global__ read of 4 bytes .* by thread \(1,0,0\)/);
    expect(wrap).toBe(run(false, 32, 0x7fffffff, 0x7fffffdf, 8, 4n * bias));
    // start past the bound near 2^31: i0 + 8 wraps for threads 4.. even though bound - 1 + 8 does not
    const past = run(true, 32, 0x7ffffff0, 0x7ffffff4, 8, 4n * bias);
    expect(past).toMatch(/invalid __global__ read of 4 bytes .* by thread \(4,0,0\)/);
    expect(past).toBe(run(false, 32, 0x7ffffff0, 0x7ffffff4, 8, 4n * bias));
    // a negative step: i runs down past the buffer's start
    const down = run(true, 32, 32, 0, 0xffffffff);
    expect(down).toMatch(/invalid __global__ read of 4 bytes .* by thread \(0,0,0\)/);
    expect(down).toBe(run(false, 32, 32, 0, 0xffffffff));
    // random bounds, starts and steps around the buffer and around 2^31: the same bytes or fault as the JS backend
    const near = fc.integer({ min: -8, max: 39 });
    fc.assert(
      fc.property(
        fc.boolean(), fc.boolean(), fc.integer({ min: 30, max: 32 }), fc.option(near, { freq: 4 }), near,
        fc.constantFrom(1, 2, 3, 5, 8, 16, 0xffffffff, 0x7fffffff, 0x80000000),
        (high, signed, srcWords, nNear, startNear, step) => {
          const b = high ? 0x7fffffdf : 0;
          const n = nNear === null ? 0x7fffffff : (b + nNear) >>> 0;
          const args = [srcWords, n, (b + startNear) >>> 0, step, 4n * BigInt(b)] as const;
          kernel = signed ? ptx : unsigned;
          expect(run(true, ...args)).toEqual(run(false, ...args));
        },
      ),
      { numRuns: 150 },
    );
  });
});
