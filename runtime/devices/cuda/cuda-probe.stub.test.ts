/**
 * Discovery against the stub libcuda with 0, 1 and 2 devices, and the one-sentence reasons when the
 * driver is missing, too old or fails to start. Each probe runs in its own child process.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, stubUnavailableReason } from './testing/stub-harness.js';

const skipReason = stubUnavailableReason();
if (skipReason) console.warn(`skipped: CUDA stub tests (${skipReason})`);

describe.skipIf(skipReason !== undefined)('CUDA discovery', () => {
  it('discovers 0, 1 and 2 devices', () => {
    const none = runScenario<{ available: boolean; reason: string; devices: unknown[] }>('probe', { env: { TW_STUB_DEVICES: '0' } }).result;
    expect(none).toEqual({ available: false, reason: 'the NVIDIA driver sees no CUDA device.', devices: [] });

    const one = runScenario<{ available: boolean; devices: Array<Record<string, unknown>> }>('probe', { env: { TW_STUB_DEVICES: '1' } }).result;
    expect(one.available).toBe(true);
    expect(one.devices).toEqual([
      {
        id: 'cuda:0',
        kind: 'cuda',
        name: 'NVIDIA H100 80GB HBM3',
        available: true,
        computeCapability: '9.0',
        totalMemoryBytes: 85520809984,
        driverVersion: '13.0',
        maxThreadsPerBlock: 1024,
        maxSharedMemoryPerBlock: 49152,
      },
    ]);

    const two = runScenario<{ devices: Array<{ id: string; name: string; computeCapability: string }> }>('probe', { env: { TW_STUB_DEVICES: '2' } }).result;
    expect(two.devices.map((d) => `${d.id} ${d.name} ${d.computeCapability}`)).toEqual([
      'cuda:0 NVIDIA H100 80GB HBM3 9.0',
      'cuda:1 NVIDIA A100-SXM4-40GB 8.0',
    ]);
  });

  it('says why in one sentence when the driver is missing, too old or fails to start', () => {
    const missing = runScenario<{ available: boolean; reason: string }>('probe', { stub: false }).result;
    expect(missing.available).toBe(false);
    expect(missing.reason).toMatch(/^the NVIDIA driver is not installed: libcuda\.so\.1 could not be loaded \(.+\)\.$/);

    const old = runScenario<{ reason: string }>('probe', { env: { TW_STUB_DRIVER_VERSION: '10020' } }).result;
    expect(old.reason).toBe('the NVIDIA driver is too old: it supports CUDA 10.2 and TensorWasm needs 11.0 or newer.');

    const init = runScenario<{ reason: string }>('probe', { env: { TW_STUB_FAIL: 'cuInit=100' } }).result;
    expect(init.reason).toBe('the NVIDIA driver sees no CUDA device (cuInit failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected).');

    const broken = runScenario<{ reason: string }>('probe', { env: { TW_STUB_FAIL: 'cuInit=999' } }).result;
    expect(broken.reason).toBe('the NVIDIA driver could not be initialised: cuInit failed: CUDA_ERROR_UNKNOWN (999): unknown error.');
  });

});
