import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { getKernel } from '../ptx-cache.js';
import { fusedMaddAvailable } from './fused-madd.js';

const PTX = `.version 8.0\n.target sm_75\n.address_size 64\n.visible .entry f(.param .u64 p0, .param .u32 p1)
{
  .reg .pred %p1;
  .reg .b32 %r<3>;
  .reg .b64 %rd<5>;
  .reg .f64 %fd<5>;
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r1, [p1];
  mov.u32 %r2, %tid.x;
  setp.ge.u32 %p1, %r2, %r1;
  @%p1 bra $L_end;
  mul.wide.u32 %rd2, %r2, 32;
  add.s64 %rd3, %rd1, %rd2;
  ld.global.v2.f64 {%fd1, %fd2}, [%rd3];
  ld.global.f64 %fd3, [%rd3+16];
  fma.rn.f64 %fd4, %fd1, %fd2, %fd3;
  st.global.f64 [%rd3+24], %fd4;
$L_end:
  ret;
}
`;

/** fma(a, b, c) rounded to nearest-even, computed exactly with BigInts (finite, normal-range results only). */
function exactFma(a: number, b: number, c: number): number {
  const parts = (x: number): [bigint, number] => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, x);
    const bits = dv.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    let m = bits & ((1n << 52n) - 1n);
    if (e > 0) m |= 1n << 52n;
    return [bits >> 63n ? -m : m, (e > 0 ? e : 1) - 1075];
  };
  const [ma, ea] = parts(a), [mb, eb] = parts(b), [mc, ec] = parts(c);
  const e0 = Math.min(ea + eb, ec);
  const sum = ((ma * mb) << BigInt(ea + eb - e0)) + (mc << BigInt(ec - e0));
  if (sum === 0n) return 0;
  const neg = sum < 0n;
  let m = neg ? -sum : sum;
  let e = e0;
  // keep 53 significant bits, round half to even
  const len = m.toString(2).length;
  if (len > 53) {
    const drop = BigInt(len - 53);
    const rest = m & ((1n << drop) - 1n), half = 1n << (drop - 1n);
    m >>= drop;
    e += Number(drop);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  }
  const v = Number(m) * 2 ** e;
  return neg ? -v : v;
}

/** Runs the kernel on `cases` as Wasm, fma.rn.f64 compiled fused (one relaxed_madd) or by fma64.ts's transformations. */
function runWasm(cases: [number, number, number][], fused: boolean): { out: number[]; backend: string | undefined; bridged: string[] } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  const dv = new DataView(memory.buffer);
  cases.forEach(([a, b, c], i) => {
    dv.setFloat64(1024 + i * 32, a, true);
    dv.setFloat64(1024 + i * 32 + 8, b, true);
    dv.setFloat64(1024 + i * 32 + 16, c, true);
  });
  const dev = new CpuDevice({ wasmKernels: true });
  const hash = `fma64-${Math.random()}`;
  const k = dev.loadKernel(PTX, hash, 'f');
  const m = parsePtx(PTX);
  const r = compileWasmKernel(m, m.functions.get('f')!, { fusedMadd: fused });
  if (!('kernel' in r)) throw new Error(`refused: ${r.unsupported}`);
  getKernel(PTX, hash, 'f').wasm = r.kernel;
  const n = cases.length;
  const args: KernelArg[] = [{ kind: 'pointer', offset: 1024, length: 32 * n }, { kind: 'scalar', tag: 'u32', bytes: new Uint8Array(new Uint32Array([n]).buffer) }];
  dev.launch({ kernel: k, grid: [1, 1, 1], block: [n, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args });
  return { out: cases.map((_, i) => dv.getFloat64(1024 + i * 32 + 24, true)), backend: dev.lastBackend, bridged: r.kernel.bridged };
}

// both native forms: fma64.ts's error-free transformations, and one fused relaxed_madd where the
// engine's is fused (fused-madd.ts; on this x64 machine with FMA3 it is: see fused-madd.test.ts)
describe.each([
  { form: 'error-free transformations', fused: false },
  ...(fusedMaddAvailable() ? [{ form: 'fused relaxed_madd', fused: true }] : []),
])('fma.rn.f64 on the WebAssembly backend, natively ($form)', ({ fused }) => {
  it('is natively compiled (no bridge) and rounds once, exactly, at and around halfway cases', () => {
    // a = 1 + i·2^-26, b = 1 + j·2^-27: a·b has up to 54 significant bits, so a·b + c often lands on
    // or next to a tie of the f64 grid; c moves it by a few ulps or by tiny amounts either way
    const near = fc.tuple(fc.integer({ min: 1, max: 1 << 20 }), fc.integer({ min: 1, max: 1 << 20 }), fc.integer({ min: -64, max: 64 }), fc.integer({ min: 40, max: 120 }), fc.boolean(), fc.boolean())
      .map(([i, j, k, sh, negA, negC]): [number, number, number] => {
        const a = (1 + i * 2 ** -26) * (negA ? -1 : 1);
        const b = 1 + j * 2 ** -27;
        return [a, b, k * 2 ** -sh * (negC ? -1 : 1)];
      });
    const anyNormal = fc.tuple(fc.double({ min: -1e100, max: 1e100, noNaN: true }), fc.double({ min: -1e100, max: 1e100, noNaN: true }), fc.double({ min: -1e150, max: 1e150, noNaN: true }))
      .filter(([a, b, c]) => Math.abs(a * b) > 1e-250 && Math.abs(a * b + c) > 1e-250);
    fc.assert(
      fc.property(fc.array(fc.oneof(near, anyNormal), { minLength: 1, maxLength: 64 }), (cases) => {
        const r = runWasm(cases, fused);
        expect(r.backend).toBe('wasm');
        expect(r.bridged).toEqual([]);
        cases.forEach(([a, b, c], i) => expect(Object.is(r.out[i], exactFma(a, b, c)) || (r.out[i] === 0 && exactFma(a, b, c) === 0), `fma(${a}, ${b}, ${c})`).toBe(true));
      }),
      { numRuns: 40 },
    );
  });

  it('gives IEEE results for zeros, infinities, NaN and the ends of the range (the exact slow path)', () => {
    const cases: [number, number, number][] = [[0, 5, -0], [-0, 5, 0], [Infinity, 0, 1], [Infinity, 1, -Infinity], [1e308, 10, -Infinity], [1e308, 10, -1e308], [2 ** -1074, 0.5, 0], [3 * 2 ** -1074, 0.5, 0], [NaN, 1, 2]];
    const r = runWasm(cases, fused);
    // independent expectations: IEEE 754 fma (the product is exact, one rounding)
    expect(Object.is(r.out[0], 0)).toBe(true); // +0 + -0 = +0
    expect(Object.is(r.out[1], 0)).toBe(true); // -0 + +0 = +0
    expect(r.out[2]).toBeNaN();
    expect(r.out[3]).toBeNaN();
    expect(r.out[4]).toBe(-Infinity);
    expect(r.out[5]).toBe(Infinity); // 1e309 - 1e308 = 9e308, past the largest f64
    expect(r.out[6]).toBe(0); // 2^-1075: a tie, to even (0)
    expect(r.out[7]).toBe(2 * 2 ** -1074); // 1.5·2^-1074: a tie, to even (2·2^-1074)
    expect(r.out[8]).toBeNaN();
  });
});
