/**
 * Whether this engine's `f64x2.relaxed_madd` and `f32x4.relaxed_madd` (WebAssembly relaxed SIMD)
 * are fused multiply-adds: one rounding, as PTX `fma.rn.f64` and `fma.rn.f32` require. The relaxed-SIMD proposal lets an engine compute it
 * either fused or as a multiply then an add; V8 fuses it on CPUs with FMA3 (x64) and on arm64, in
 * both of its compilers, and falls back to two roundings elsewhere. So the answer is measured, not
 * assumed: a probe module computes cases whose fused and unfused results differ (an exact product
 * tail, a result below the normal range, a tie that only the exact sum breaks, a sign of zero) and
 * the answer is yes only when every one matches the exact `fmaF64` of math.ts.
 *
 * Node 20 (V8 11.3) has relaxed SIMD behind `--experimental-wasm-relaxed-simd`; later Node and
 * Electron ship it on. Where validation fails, the flag is set once (V8 flags are process-wide, so
 * block-pool workers see it too) and the probe retried. `TENSOR_WASM_FUSED_MADD=0` turns the fused
 * path off (the kernel compiler then emits the error-free-transformation fma of fma64.ts).
 */
import { fmaF64 } from '../math.js';

const fround = Math.fround;

/** (module (func (export "f") (param f64 f64 f64) (result f64) relaxed_madd of the splats, lane 0)) */
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7c, 0x7c, 0x7c, 0x01, 0x7c, 0x03, 0x02,
  0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0x20, 0x00, 0xfd, 0x14, 0x20, 0x01,
  0xfd, 0x14, 0x20, 0x02, 0xfd, 0x14, 0xfd, 0x87, 0x02, 0xfd, 0x21, 0x00, 0x0b,
]);

/** Triples whose fused result differs from the product rounded, then the sum rounded. */
export const FUSED_PROBES: readonly (readonly [number, number, number])[] = [
  [1 + 2 ** -30, 1 + 2 ** -30, -(1 + 2 ** -29)], // the product's tail 2^-60 survives only fused
  [1 + 2 ** -52, 1 - 2 ** -53, -1], // 2^-53 - 2^-105: unfused rounds the product to 1 and gives 0
  [2 ** -500 * (1 + 2 ** -30), 2 ** -500 * (1 + 2 ** -30), -(2 ** -1000) * (1 + 2 ** -29)], // 2^-1060: a subnormal result, 0 unfused
  [-(1 + 2 ** -52), 1 + 2 ** -52, 1 + 2 ** -51], // a negative tail: -2^-104 exactly, 0 unfused
  [0.1, 10, -1], // fused 5.551115123125783e-17, unfused 0
];

/** The same module with f32 types and `f32x4.splat`, `f32x4.relaxed_madd` (0x105), `f32x4.extract_lane`. */
const PROBE32 = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7d, 0x7d, 0x7d, 0x01, 0x7d, 0x03, 0x02,
  0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0x20, 0x00, 0xfd, 0x13, 0x20, 0x01,
  0xfd, 0x13, 0x20, 0x02, 0xfd, 0x13, 0xfd, 0x85, 0x02, 0xfd, 0x1f, 0x00, 0x0b,
]);

/**
 * f32 triples whose fused result differs from the f32 product rounded, then the sum rounded; each
 * fused result is exact in f64 (a 48-bit product plus c), so fround of the f64 expression is it.
 */
export const FUSED32_PROBES: readonly (readonly [number, number, number])[] = [
  [1 + 2 ** -12, 1 + 2 ** -12, -(1 + 2 ** -11)], // 2^-24: the product's tie rounds it away unfused
  [2 ** -60 * (1 + 2 ** -12), 2 ** -60 * (1 + 2 ** -12), -(2 ** -120) * (1 + 2 ** -11)], // 2^-144: a subnormal result
  [-(1 + 2 ** -23), 1 + 2 ** -23, 1 + 2 ** -22], // -2^-46
  [fround(0.1), 10, -1], // fround(0.1)·10 - 1 = 2^-26 + 2^-28 + …: 1.4901161e-8, 0 unfused
];

let cached: { f64: boolean; f32: boolean } | undefined;

function probeFused(bytes: Uint8Array, cases: readonly (readonly [number, number, number])[], exact: (a: number, b: number, c: number) => number, unfused: (a: number, b: number, c: number) => number): boolean {
  if (!WebAssembly.validate(bytes)) return false;
  const { f } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { f: (a: number, b: number, c: number) => number };
  return cases.every(([a, b, c]) => Object.is(f(a, b, c), exact(a, b, c)) && f(a, b, c) !== unfused(a, b, c));
}

function enableRelaxedSimdFlag(): void {
  // Node 20 only: its V8 ships relaxed SIMD behind a flag. Dynamic import keeps this module free of
  // Node built-ins at load (it is also bundled where there is no node:v8, and then simply stays off).
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = proc?.getBuiltinModule?.('node:v8') as { setFlagsFromString?: (f: string) => void } | undefined;
  v8?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
}

function probeBoth(): { f64: boolean; f32: boolean } {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.TENSOR_WASM_FUSED_MADD === '0') return { f64: false, f32: false };
  try {
    if (!WebAssembly.validate(PROBE)) enableRelaxedSimdFlag();
    return {
      f64: probeFused(PROBE, FUSED_PROBES, fmaF64, (a, b, c) => a * b + c),
      // f32: the product of two f32s and the sum are exact in f64 for these cases
      f32: probeFused(PROBE32, FUSED32_PROBES, (a, b, c) => fround(a * b + c), (a, b, c) => fround(fround(a * b) + c)),
    };
  } catch {
    return { f64: false, f32: false };
  }
}

/** True when kernels may compute `fma.rn.f64` with `f64x2.relaxed_madd` (measured once per process). */
export function fusedMaddAvailable(): boolean {
  return (cached ??= probeBoth()).f64;
}

/** True when kernels may compute `fma.rn.f32` with `f32x4.relaxed_madd` (measured once per process). */
export function fusedMadd32Available(): boolean {
  return (cached ??= probeBoth()).f32;
}
