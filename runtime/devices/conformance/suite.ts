/**
 * The device conformance suite: every CUDA C kernel in fixtures/cuda, compiled by nvcc for sm_75
 * and sm_90, runs on random inputs in a guest-memory buffer and is checked against a JavaScript
 * reference — exactly, except where CUDA itself is approximate (libm ulp bounds, fast-math
 * intrinsics). It also checks that no byte outside the kernel's pointer windows changed.
 * Used by the CPU device's tests and, with CudaDevice, by `npm run test:gpu`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../contract/device.js';
import { makeContext } from './case.js';
import { BASIC_CASES } from './cases-basic.js';
import { MATH_CASES } from './cases-math.js';
import { GuestMemory } from './harness.js';
import { rng } from './reference.js';
import { createHash } from 'node:crypto';

export const CONFORMANCE_CASES = [...BASIC_CASES, ...MATH_CASES];
export const CONFORMANCE_ARCHS = ['sm_75', 'sm_90'] as const;

export interface ConformanceOptions {
  /** Folder holding <name>.<arch>.ptx; defaults to the repository's fixtures/cuda. */
  fixtureDir?: string;
  archs?: readonly string[];
  seed?: number;
}

export function defaultFixtureDir(): string {
  return join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'fixtures', 'cuda');
}

export function defineConformanceSuite(name: string, makeDevice: () => Device, options: ConformanceOptions = {}): void {
  const dir = options.fixtureDir ?? defaultFixtureDir();
  const archs = options.archs ?? CONFORMANCE_ARCHS;
  describe(`device conformance: ${name}`, () => {
    for (const arch of archs) {
      for (const c of CONFORMANCE_CASES) {
        it(`${c.name} (${arch})`, () => {
          const ptx = readFileSync(join(dir, `${c.name}.${arch}.ptx`), 'utf8');
          const hash = createHash('sha256').update(ptx).digest('hex');
          const device = makeDevice();
          try {
            const kernel = device.loadKernel(ptx, hash, c.entry);
            const random = rng((options.seed ?? 1234) + c.name.length * 7919);
            const mem = new GuestMemory(2 << 20, random);
            const before = mem.outside();
            c.run(makeContext(device, kernel, mem, random));
            const after = mem.outside();
            const stray = after.findIndex((b, i) => b !== before[i]);
            expect(stray, `a byte outside every pointer window changed at guest offset ${stray}`).toBe(-1);
          } finally {
            device.dispose();
          }
        });
      }
    }
  });
}
