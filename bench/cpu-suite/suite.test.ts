/**
 * The CPU-device bench's kernels as a conformance check: each kernel's nvcc PTX, loaded on the CPU
 * device at a small size, must give the answer of its C version (bench/native/suite/, compiled
 * here by gcc: code that shares nothing with the device) — bit for bit for the integer kernels,
 * within the kernel's stated tolerance for float ones (kernels.ts says why each has one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutputs } from './compare.js';
import { deviceRunner } from './device.js';
import { view } from './image.js';
import { KERNELS } from './kernels.js';
import { compileNative, nativeRunner, writeImage } from './native.js';

const root = join(__dirname, '..', '..');
let dir = '';
let exe = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensor-wasm-bench-suite-'));
  exe = compileNative(root, dir, 'single');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench kernels: CPU device against gcc-compiled C at a small size', () => {
  it('has at least 24 kernels, each entry once', () => {
    expect(KERNELS.length).toBeGreaterThanOrEqual(24);
    expect(new Set(KERNELS.map((k) => k.entry)).size).toBe(KERNELS.length);
  });

  it.each(KERNELS.map((k) => [k.name, k] as const))('%s', async (_name, k) => {
    const l = k.launch('small');
    const device = deviceRunner(root, k, l);
    await device.launch();
    const native = nativeRunner(exe, writeImage(dir, k, l), k, l).result();
    // the C wrote something: a broken harness would otherwise agree with a device that did nothing
    expect(l.outputs.some((r) => view(native, r).some((v) => Number(v) !== 0))).toBe(true);
    expect(compareOutputs(k, l, device.memory(), native)).toBeUndefined();
  });
});
