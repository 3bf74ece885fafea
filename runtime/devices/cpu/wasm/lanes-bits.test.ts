/**
 * The bit instructions' SIMD forms in lanes (lanes-bits.ts) against the JavaScript backend, the
 * differential oracle: every form (popc, clz, brev 32/64-bit, bfe/bfi with constant fields at
 * the edges, shf with constant, uniform and varying counts, shl/shr by constants past the width,
 * by a uniform register and by each lane's own count) in a kernel of nvcc's `if (i < n)` shape,
 * on inputs biased to the edges (0, 0xffffffff, 1 << 31, counts around 32 and 64). Both backends
 * must leave the same bytes, the blocks must run in lanes, and the forms meant as SIMD must not
 * fall back to the per-lane scalar code.
 */
import { describe, it } from 'vitest';
import { checkLaneForm } from './lanes-differential.js';

/** Every form, with whether it must be a SIMD form (false: some run per lane, by design). */
function forms(): { body: string; simd: boolean }[] {
  const out: { body: string; simd: boolean }[] = [];
  const r32 = (ins: string, simd = true): void => void out.push({ body: `${ins}\n  mov.b64 %rd11, %rd10;`, simd });
  const r64 = (ins: string, simd = true): void => void out.push({ body: `${ins}\n  mov.b32 %r10, %r6;`, simd });
  for (const op of ['popc', 'clz', 'brev']) r32(`${op}.b32 %r10, %r5;`);
  r32('popc.b64 %r10, %rd9;');
  r32('clz.b64 %r10, %rd9;');
  r64('brev.b64 %rd11, %rd9;');
  const fields32 = [[0, 0], [0, 32], [3, 5], [31, 1], [31, 8], [32, 4], [200, 3], [5, 255], [16, 16], [0, 31], [28, 8], [1, 0]];
  const fields64 = [[0, 0], [0, 64], [32, 32], [63, 1], [63, 8], [64, 4], [250, 3], [5, 255], [29, 40], [0, 63], [60, 9], [31, 2]];
  for (const [p, l] of fields32) {
    for (const t of ['u32', 's32']) r32(`bfe.${t} %r10, %r5, ${p}, ${l};`);
    r32(`bfi.b32 %r10, %r5, %r6, ${p}, ${l};`);
  }
  for (const [p, l] of fields64) {
    for (const t of ['u64', 's64']) r64(`bfe.${t} %rd11, %rd9, ${p}, ${l};`);
    r64(`bfi.b64 %rd11, %rd9, %rd10, ${p}, ${l};`);
  }
  for (const dir of ['l', 'r']) {
    for (const mode of ['wrap', 'clamp']) {
      for (const c of [0, 1, 7, 25, 31, 32, 33, 255, 4294967295]) r32(`shf.${dir}.${mode}.b32 %r10, %r5, %r6, ${c};`);
      // a uniform count: SIMD when wrapping; clamping (and a varying count) runs per lane
      r32(`shf.${dir}.${mode}.b32 %r10, %r5, %r6, %r9;`, mode === 'wrap');
      r32(`shf.${dir}.${mode}.b32 %r10, %r5, %r6, %r6;`, false);
    }
  }
  for (const op of ['shl.b32', 'shr.u32', 'shr.s32']) for (const c of ['%r6', '%r9', '0', '5', '31', '32', '40', '4294967295']) r32(`${op} %r10, %r5, ${c};`);
  for (const op of ['shl.b64', 'shr.u64', 'shr.s64']) {
    for (const c of ['%r9', '0', '29', '63', '64', '100']) r64(`${op} %rd11, %rd9, ${c};`);
    // each lane's own count, 64-bit: per lane
    r64(`${op} %rd11, %rd9, %r6;`, false);
  }
  return out;
}

describe('bit instructions in SIMD lanes (lanes-bits.ts)', () => {
  const runs = Math.max(1, Math.round(Number(process.env.FUZZ_RUNS ?? 1000) / 400));
  it.each(forms())('$body: the JavaScript backend\'s bytes, in lanes', ({ body, simd }) => checkLaneForm(body, simd, runs));
});
