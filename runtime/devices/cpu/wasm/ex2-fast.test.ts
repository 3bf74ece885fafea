/**
 * ex2.approx(.ftz).f32 on the WebAssembly backend (ex2-fast.ts): native inside the range where it
 * provably rounds as the JavaScript backend's fround(Math.pow(2, x)), the bridge elsewhere. Bits
 * against the JavaScript backend on every class of input; the native path is really taken (the
 * bridge's Math.pow is called only for the inputs outside the range).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { elementwisePtx, launchElementwise } from '../../../test-support/elementwise-kernel.js';
import { Bytes, OP, encodeModule } from './encoder.js';
import { MARGIN, emitEx2Fast } from './ex2-fast.js';

/** Per thread: x in, (ex2.approx.f32 x, ex2.approx.ftz.f32 x) out. */
const PTX = elementwisePtx(
  'ex2k',
  `  .reg .f32 %f<4>;`,
  `  mul.wide.u32 %rd3, %r5, 4;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  ex2.approx.f32 %f2, %f1;
  ex2.approx.ftz.f32 %f3, %f1;
  mul.wide.u32 %rd5, %r5, 8;
  add.s64 %rd6, %rd2, %rd5;
  st.global.v2.f32 [%rd6], {%f2, %f3};`,
);

function run(xs: number[], wasm: boolean): number[] {
  const n = xs.length;
  const write = (dv: DataView, at: number, i: number): void => dv.setFloat32(at, xs[i]!, true);
  // outputs 8-aligned for the v2 stores
  const { dv, out } = launchElementwise({ ptx: PTX, entry: 'ex2k', hash: 'wasm-ex2-fast', n, inBytes: 4, outBytes: 8, write }, wasm);
  return Array.from({ length: n * 2 }, (_, i) => dv.getUint32(out + i * 4, true));
}

const canon = (bits: number[]): number[] => bits.map((b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 0x7fc00000 : b));
const bitsF = (b: number): number => new Float32Array(new Uint32Array([b >>> 0]).buffer)[0]!;

/**
 * The emitted evaluation alone, as a Wasm function x ↦ y (the f64 2^x before its rounding to f32;
 * NaN where the emission sends x to the bridge).
 */
function ex2Y(): (x: number) => number {
  const body = new Bytes();
  emitEx2Fast(body, { x: 0, f: 1, s: 2, res: 3, ok: 4 });
  body.byte(OP.local_get).u32(1);
  body.byte(OP.f64_const).f64(NaN);
  body.byte(OP.local_get).u32(4);
  body.byte(OP.select);
  const bytes = encodeModule({
    imports: [],
    memory: { module: 'env', name: 'memory' },
    globals: [],
    funcs: [{ type: { params: ['f64'], results: ['f64'] }, locals: ['f64', 'f64', 'f32', 'i32'], body, exportName: 'y' }],
  });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  return inst.exports.y as (x: number) => number;
}

/** The distance in f64 ulps between two positive finite doubles (their bit patterns' difference). */
function ulpsApart(a: number, b: number): number {
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const d = i[0]! - i[1]!;
  return Number(d < 0n ? -d : d);
}

describe('ex2.approx.f32 on the WebAssembly backend', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the JavaScript backend bits at the edges: the range ends, integers, subnormals, ±0, ±Inf, NaN', () => {
    const xs = [0, -0, 1, -1, 0.5, -0.5, 126.99999, 127, 127.5, 128, 129, -124.99999, -125, -125.5, -126, -149, -150, -200, Infinity, -Infinity, NaN, bitsF(1), bitsF(0x80000001), bitsF(0x007fffff), bitsF(0x00800000)];
    for (let i = -130; i <= 130; i++) xs.push(i, i + 0.25, i - 2 ** -20);
    expect(canon(run(xs, true))).toEqual(canon(run(xs, false)));
    // independently: 2^3 = 8, 2^-1 = 0.5, 2^0.5 rounds to f32 0x3fb504f3, 2^-Inf = 0
    const [e3, , eh, , ei, , ez] = run([3, -1, 0.5, -Infinity], true);
    expect([e3, eh, ei, ez]).toEqual([0x41000000, 0x3f000000, 0x3fb504f3, 0]);
  });

  it('agrees with the JavaScript backend on random f32s of every class and dense in the range (fast-check)', () => {
    const inRange = fc.float({ min: -125, max: 127, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.float(), inRange, inRange), { minLength: 2000, maxLength: 2000 }), (xs) => {
        expect(canon(run(xs, true))).toEqual(canon(run(xs, false)));
      }),
      { numRuns: 5 },
    );
  });

  it("evaluates 2^x within a few f64 ulps of Math.pow over a dense sweep, far inside MARGIN (the header's error bound)", () => {
    const y = ex2Y();
    let worst = 0;
    let worstX = 0;
    let bridged = 0;
    const check = (x: number): void => {
      const got = y(x);
      if (Number.isNaN(got)) bridged++; // a near-midpoint: the bridge decides
      else {
        const u = ulpsApart(got, Math.pow(2, x));
        if (u > worst) [worst, worstX] = [u, x];
      }
    };
    // the reduced argument f = x - nearest(x) on a 2^-20 grid of [-1/2, 1/2] (where rounding errors
    // are made: 2^n scales exactly), then random f32s across the range
    for (let k = -(2 ** 19); k <= 2 ** 19; k++) check(k * 2 ** -20);
    fc.assert(
      fc.property(fc.array(fc.float({ min: Math.fround(-124.99), max: Math.fround(126.99), noNaN: true }), { minLength: 10000, maxLength: 10000 }), (xs) => {
        for (const x of xs) check(x);
      }),
      { numRuns: 5 },
    );
    expect(bridged).toBeLessThan(50); // ~2·MARGIN/2^29 of the inputs
    expect(worst, `worst at x = ${worstX}`).toBeLessThanOrEqual(8); // measured 4 (on a 2^-23 grid)
    expect(MARGIN).toBeGreaterThanOrEqual(64 * worst);
  });

  it('runs natively inside the range: the bridge (Math.pow) is called only for the inputs outside it', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => -100 + i * 0.2003);
    const pow = vi.spyOn(Math, 'pow');
    run(xs, true);
    const inside = pow.mock.calls.filter(([b, x]) => b === 2 && (x as number) > -125 && (x as number) < 127).length;
    expect(inside).toBeLessThan(3); // a near-midpoint case takes the bridge; ~4e-6 of inputs
    pow.mockClear();
    run([NaN, 200, -150], true);
    expect(pow.mock.calls.filter(([b]) => b === 2).length).toBe(6);
  });
});
