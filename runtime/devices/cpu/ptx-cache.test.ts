/**
 * A fault inside the device while loading is the device's bug: it must reach the host as an
 * ordinary exception (which the host reports as `internal` and logs), never as -4 malformed PTX.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DeviceError } from '../../../contract/device.js';
import { getKernel } from './ptx-cache.js';

vi.mock('./wasm/compile-wasm.js', () => ({
  compileWasmKernel: () => {
    const missing: { kind: string } | undefined = undefined;
    return missing!.kind; // the TypeError a real compiler bug throws
  },
}));

const ptx = readFileSync(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda', 'vector_add.sm_75.ptx'), 'utf8');

describe('PTX cache', () => {
  it('lets a device fault through as an internal error, not as -4 malformed PTX', () => {
    let error: unknown;
    try {
      getKernel(ptx, 'ptx-cache-fault', 'vector_add');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DeviceError);
    expect((error as Error).message).toMatch(/^the CPU device failed while loading PTX ptx-cache-fault: Cannot read properties of undefined/);
  });
});
