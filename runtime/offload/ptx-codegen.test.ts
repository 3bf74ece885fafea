import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeOffload } from './analyze.js';
import { generateKernel } from './ptx-codegen.js';

const fixtures = new URL('../../fixtures/offload/', import.meta.url);
const plans = ['simd_maps.wasm', 'auto_vec.wasm', 'rejected.wasm'].flatMap((f) => analyzeOffload(readFileSync(new URL(f, fixtures))).plans);
const kernels = plans.flatMap((plan) => plan.kernels.map((_, i) => generateKernel(plan, i)));
const hasPtxas = spawnSync('ptxas', ['--version']).status === 0;

describe('PTX code generation', () => {
  it('emits one bounds-checked kernel per store, rounding each float op like Wasm', () => {
    expect(kernels.length).toBeGreaterThan(10);
    for (const k of kernels) {
      expect(k.ptx).toContain(`.visible .entry ${k.entry}(`);
      expect(k.ptx).toMatch(/setp\.ge\.u32 %p1, %r\d+, %r\d+;\n\t@%p1 bra DONE;/);
      expect(k.ptx).not.toMatch(/\b(add|sub|mul)\.f(32|64)\b/); // always .rn: no fma contraction
    }
    const saxpy = kernels.find((k) => k.entry.includes('f2_L0') && k.lane === 'f32');
    expect(saxpy?.ptx).toContain('mul.rn.f32');
    expect(saxpy?.ptx).toContain('add.rn.f32');
  });

  it('masks shift amounts to the lane width', () => {
    const shifting = kernels.filter((k) => /shl\.b32/.test(k.ptx));
    expect(shifting.length).toBeGreaterThan(0);
    for (const k of shifting) expect(k.ptx).toMatch(/mov\.b32 %r\d+, 3;|and\.b32 %r\d+, %r\d+, 31;/);
  });

  it.skipIf(!hasPtxas)('every kernel assembles with ptxas for sm_75 and sm_90 (skipped when ptxas is missing)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-ptx-'));
    // Kernels that differ only in their names assemble alike: check each distinct body once.
    const seen = new Set<string>();
    for (const plan of plans) {
      for (let i = 0; i < plan.kernels.length; i++) {
        for (const sm of ['sm_75', 'sm_90']) {
          const { ptx, entry } = generateKernel(plan, i, sm);
          const shape = ptx.split(entry).join('K').replace(/^\/\/.*$/gm, '');
          if (seen.has(shape)) continue;
          seen.add(shape);
          const file = join(dir, `k-${sm}.ptx`);
          writeFileSync(file, ptx);
          execFileSync('ptxas', [`-arch=${sm}`, '-o', join(dir, 'out.cubin'), file]);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(4);
  });
});
