import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUSED32_PROBES, FUSED_PROBES, fusedMadd32Available, fusedMaddAvailable } from './fused-madd.js';

describe('the fused relaxed_madd probe (fused-madd.ts)', () => {
  it('asks only questions a two-rounding multiply-add answers differently', () => {
    // the exact results, from the operands' binary expansions (IEEE 754: one rounding of a·b + c)
    const exact = [2 ** -60, 2 ** -53 - 2 ** -105, 2 ** -1060, -(2 ** -104), 2 ** -54];
    expect(FUSED_PROBES.length).toBe(exact.length);
    FUSED_PROBES.forEach(([a, b, c], i) => {
      const unfused = a * b + c; // JavaScript: the product rounded, then the sum
      expect(unfused, `probe ${i}`).not.toBe(exact[i]);
    });
  });

  it('asks the f32 form only questions a two-rounding f32 multiply-add answers differently', () => {
    // the exact results, from the operands' binary expansions; fround(0.1) = 13421773·2^-27
    const exact = [2 ** -24, 2 ** -144, -(2 ** -46), 13421773 * 10 * 2 ** -27 - 1];
    expect(FUSED32_PROBES.length).toBe(exact.length);
    FUSED32_PROBES.forEach(([a, b, c], i) => {
      for (const x of [a, b, c, exact[i]!]) expect(Math.fround(x), `probe ${i}: an f32`).toBe(x);
      const unfused = Math.fround(Math.fround(a * b) + c); // the f32 product rounded, then the sum
      expect(unfused, `probe ${i}`).not.toBe(exact[i]);
    });
  });

  const cpuFlags = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1]?.split(/\s+/) ?? [];
    } catch {
      return [];
    }
  })();

  it('finds the engine fused on an x64 CPU with FMA3 (V8 emits vfmadd there)', () => {
    if (process.arch !== 'x64' || !cpuFlags.includes('fma')) {
      // elsewhere the probe's answer is whatever the engine does; both answers are exact
      expect(typeof fusedMaddAvailable()).toBe('boolean');
      return;
    }
    expect(fusedMaddAvailable()).toBe(true);
    expect(fusedMadd32Available()).toBe(true);
  });

  it('is off when TENSOR_WASM_FUSED_MADD=0', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', "import('./runtime/devices/cpu/wasm/fused-madd.ts').then((m) => console.log(m.fusedMaddAvailable() || m.fusedMadd32Available()))"], {
      env: { ...process.env, TENSOR_WASM_FUSED_MADD: '0' },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('false');
  });
});
