/**
 * fma.rn.f32 on the WebAssembly backend in both native forms — one fused f32x4.relaxed_madd where
 * the engine's is fused (fused-madd.ts), and fma32.ts's f64 sum with its tie fix, which runs
 * wherever it is not (or with TENSOR_WASM_FUSED_MADD=0) — bit for bit against the JavaScript
 * backend, on cases built to land on or next to f32 rounding ties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getKernel } from '../ptx-cache.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { fusedMadd32Available } from './fused-madd.js';
import { elementwisePtx, launchElementwise } from '../../../test-support/elementwise-kernel.js';

/** Per thread: (a, b, c, _) in, fma.rn.f32 of them out. */
const PTX = elementwisePtx(
  'fmak',
  `  .reg .f32 %f<5>;`,
  `  mul.wide.u32 %rd3, %r5, 16;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.v4.f32 {%f1, %f2, %f3, %f4}, [%rd4];
  fma.rn.f32 %f4, %f1, %f2, %f3;
  mul.wide.u32 %rd5, %r5, 4;
  add.s64 %rd6, %rd2, %rd5;
  st.global.f32 [%rd6], %f4;`,
);

/** Result bits per case: the JavaScript backend (`fused` undefined) or the Wasm backend in the given form. */
function run(cases: [number, number, number][], fused?: boolean): number[] {
  const hash = `wasm-fma32-${fused}-${Math.random()}`;
  if (fused !== undefined) {
    // the device compiles the PTX with the default form; the form under test replaces it in the cache
    const m = parsePtx(PTX);
    const r = compileWasmKernel(m, m.functions.get('fmak')!, { fusedMadd32: fused });
    if (!('kernel' in r)) throw new Error(r.unsupported);
    getKernel(PTX, hash, 'fmak').wasm = r.kernel;
  }
  const write = (dv: DataView, at: number, i: number): void => cases[i]!.forEach((x, j) => dv.setFloat32(at + 4 * j, x, true));
  const { dv, out } = launchElementwise({ ptx: PTX, entry: 'fmak', hash, n: cases.length, inBytes: 16, outBytes: 4, write }, fused !== undefined);
  return cases.map((_, i) => dv.getUint32(out + 4 * i, true));
}

const canon = (bits: number[]): number[] => bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b));

// a = 1 + i·2^-12, b = 1 + j·2^-12: a·b has up to 25 significant bits, on or next to an f32 tie; c moves it a little
const nearTie = fc
  .tuple(fc.integer({ min: 1, max: 4095 }), fc.integer({ min: 1, max: 4095 }), fc.integer({ min: -64, max: 64 }), fc.integer({ min: 20, max: 60 }), fc.boolean())
  .map(([i, j, k, sh, neg]): [number, number, number] => [Math.fround((1 + i * 2 ** -12) * (neg ? -1 : 1)), Math.fround(1 + j * 2 ** -12), Math.fround(k * 2 ** -sh)]);
const anyF32 = fc.tuple(fc.float(), fc.float(), fc.float());

describe.each([
  { form: 'f64 sum with the tie fix', fused: false },
  ...(fusedMadd32Available() ? [{ form: 'fused relaxed_madd', fused: true }] : []),
])('fma.rn.f32 on the WebAssembly backend ($form)', ({ fused }) => {
  it('gives the JavaScript backend\'s bits near ties and on every class of float (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(nearTie, anyF32), { minLength: 1, maxLength: 200 }), (cases) => {
        expect(canon(run(cases, fused))).toEqual(canon(run(cases)));
      }),
      { numRuns: 25 },
    );
  });

  it('rounds the exact a·b + c once: (1 + 2^-12)² - (1 + 2^-11) is 2^-24, not 0', () => {
    const [r] = run([[Math.fround(1 + 2 ** -12), Math.fround(1 + 2 ** -12), Math.fround(-(1 + 2 ** -11))]], fused);
    expect(r).toBe(new Uint32Array(new Float32Array([2 ** -24]).buffer)[0]);
  });
});
