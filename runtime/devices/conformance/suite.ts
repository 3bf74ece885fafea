/**
 * The device conformance suite: every CUDA C kernel in fixtures/cuda, compiled by nvcc for sm_75
 * and sm_90, runs on random inputs in a guest-memory buffer and is checked against a JavaScript
 * reference — exactly, except where CUDA itself is approximate (libm ulp bounds, fast-math
 * intrinsics). It also checks that no byte outside the kernel's pointer windows changed.
 * Used by the CPU device's tests and, with CudaDevice, by `npm run test:gpu`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../contract/device.js';
import { makeContext } from './case.js';
import { CONFORMANCE_ARCHS, CONFORMANCE_CASES } from './cases.js';
import { GuestMemory } from './harness.js';
import { rng } from './reference.js';
import { createHash } from 'node:crypto';

export { CONFORMANCE_ARCHS, CONFORMANCE_CASES };

export interface ConformanceOptions {
  /** Folder holding <name>.<arch>.ptx; defaults to the repository's fixtures/cuda. */
  fixtureDir?: string;
  archs?: readonly string[];
  seed?: number;
  /** Back guest memory with a WebAssembly.Memory and pass it to launches, as the engine does. */
  wasmMemory?: boolean;
}

/** fixtures/cuda of the repository, from the TypeScript source or the built dist/ copy. */
export function defaultFixtureDir(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'fixtures', 'cuda');
    if (existsSync(candidate)) return candidate;
    dir = join(dir, '..');
  }
  throw new Error('cannot find fixtures/cuda above ' + fileURLToPath(import.meta.url));
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
            const mem = new GuestMemory(2 << 20, random, options.wasmMemory ?? false);
            const before = mem.bytes.slice();
            c.run(makeContext(device, kernel, mem, random));
            const stray = mem.strayWrite(before);
            expect(stray, `a byte outside every pointer window changed at guest offset ${stray}`).toBe(-1);
          } finally {
            device.dispose();
          }
        });
      }
    }
  });
}
