/**
 * cvt forms `npm run mutate -- js-cvt` found the oracle table (cvt-oracle.test.ts) silent on
 * (docs/CPU-DEVICE.md, Mutation testing), on both backends:
 *  - u64/s64 → f32 in .rn must round once: 2^60 + 2^36 + 1 rounds up to 2^60 + 2^37, where going
 *    through f64 first (2^60 + 2^36, then a tie to even) gives 2^60. Expected: gcc's own
 *    `(float)` conversion of the integer (C's integer → float conversion rounds once, in the
 *    current mode), compiled at test time; skipped with a reason without gcc.
 *  - .sat and .ftz on an f64 → f32 conversion. Expected from the ISA's cvt text: ".sat: clamps
 *    the result to [0.0, 1.0]. NaN results are flushed to +0.0f", and .ftz: "subnormal results are
 *    flushed to sign-preserving zero".
 *  - .sat between two 64-bit integers of the same signedness changes nothing (the ISA: .sat limits
 *    the result to MININT..MAXINT of the destination, which holds every source value).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';

const hasGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
const width = (t: string): number => Number(t.slice(1));
const regOf = (t: string): string => (t === 'f32' || t === 'f64' ? t : `b${Math.max(16, width(t))}`);
const memOf = (t: string): string => (t === 'f32' || t === 'f64' ? t : `b${width(t)}`);

/** Runs `cvt<modifiers>.dst.src` on each 64-bit input pattern; returns the output patterns (hex, 16 digits). */
function cvt(modifiers: string, dst: string, src: string, inputs: bigint[], wasm: boolean): string[] {
  const ptx = `.version 8.0
.target sm_75
.address_size 64
.visible .entry k(.param .u64 pin, .param .u64 pout)
{
  .reg .b32 %r<2>;
  .reg .b64 %rd<6>;
  .reg .${regOf(src)} %s;
  .reg .${regOf(dst)} %d;
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd3, %r1, 8;
  add.s64 %rd4, %rd1, %rd3;
  add.s64 %rd5, %rd2, %rd3;
  ld.global.${memOf(src)} %s, [%rd4];
  cvt${modifiers}.${dst}.${src} %d, %s;
  st.global.${memOf(dst)} [%rd5], %d;
  ret;
}
`;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const dv = new DataView(memory.buffer);
  const IN = 1024, OUT = 2048;
  inputs.forEach((v, i) => dv.setBigUint64(IN + 8 * i, BigInt.asUintN(64, v), true));
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(ptx, `cvt${modifiers}.${dst}.${src}`, 'k');
  const ptr = (offset: number): KernelArg => ({ kind: 'pointer', offset, length: 8 * inputs.length });
  dev.launch({ kernel: k, grid: [1, 1, 1], block: [inputs.length, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(IN), ptr(OUT)] });
  const bytes = width(dst) / 8;
  return inputs.map((_, i) => {
    const at = OUT + 8 * i;
    const v = bytes === 4 ? BigInt(dv.getUint32(at, true)) : dv.getBigUint64(at, true);
    return v.toString(16).padStart(16, '0');
  });
}

const f64 = (x: number): bigint => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x, true);
  return b.getBigUint64(0, true);
};
const f32hex = (x: number): string => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x, true);
  return b.getUint32(0, true).toString(16).padStart(16, '0');
};

/** gcc's (float) of each integer, as the f32 bit pattern. */
function gccToF32(type: 'uint64_t' | 'int64_t', values: bigint[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cvt-edges-'));
  try {
    const src = join(dir, 'o.c'), bin = join(dir, 'o');
    const list = values.map((v) => `(${type})${BigInt.asUintN(64, v)}ULL`).join(', ');
    writeFileSync(src, `#include <stdio.h>
#include <stdint.h>
#include <string.h>
int main(void) { ${type} v[] = { ${list} }; for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) { float f = (float)v[i]; uint32_t b; memcpy(&b, &f, 4); printf("%016x\\n", b); } return 0; }
`);
    const cc = spawnSync('gcc', ['-O0', '-o', bin, src], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr.slice(0, 200)}`);
    return spawnSync(bin, [], { encoding: 'utf8' }).stdout.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([false, true])('cvt edges (wasmKernels %s)', (wasm) => {
  it.skipIf(!hasGcc)('u64/s64 → f32 in .rn rounds once, as gcc’s (float) does', () => {
    const u = [(1n << 60n) + (1n << 36n) + 1n, (1n << 63n) + (1n << 39n) + 1n, 16777217n, (1n << 64n) - 1n];
    expect(cvt('.rn', 'f32', 'u64', u, wasm)).toEqual(gccToF32('uint64_t', u));
    const s = [(1n << 60n) + (1n << 36n) + 1n, -((1n << 60n) + (1n << 36n) + 1n), -(1n << 63n)];
    expect(cvt('.rn', 'f32', 's64', s, wasm)).toEqual(gccToF32('int64_t', s));
  });

  it('f64 → f32 with .sat clamps to [0, 1] and flushes NaN to +0; with .ftz flushes a subnormal result to a signed zero', () => {
    // (-0 is left out: whether clamping to [0.0, 1.0] keeps its sign the ISA does not say)
    const ins = [1.5, -0.5, 0.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(f64);
    expect(cvt('.rn.sat', 'f32', 'f64', ins, wasm)).toEqual([1, 0, 0.25, 0, 1, 0].map(f32hex));
    const tiny = [1e-40, -1e-40, 1e-30].map(f64);
    expect(cvt('.rn.ftz', 'f32', 'f64', tiny, wasm)).toEqual([0, -0, Math.fround(1e-30)].map(f32hex));
    expect(cvt('.rn', 'f32', 'f64', tiny, wasm)).toEqual([Math.fround(1e-40), Math.fround(-1e-40), Math.fround(1e-30)].map(f32hex));
  });

  it('.sat between 64-bit integers of the same signedness keeps the value', () => {
    const s = [-5n, -(1n << 63n), (1n << 63n) - 1n, 7n];
    expect(cvt('.sat', 's64', 's64', s, wasm)).toEqual(s.map((v) => BigInt.asUintN(64, v).toString(16).padStart(16, '0')));
    const u = [1n << 63n, (1n << 64n) - 1n, 3n];
    expect(cvt('.sat', 'u64', 'u64', u, wasm)).toEqual(u.map((v) => v.toString(16).padStart(16, '0')));
  });
});
