/**
 * Discovery and device selection with the stub libcuda, with no libcuda, and with the addon
 * missing or broken: `auto` picks CUDA only when it can be used, and otherwise the engine runs on
 * the CPU device and the device list says why in one sentence.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario, stubUnavailableReason } from './testing/stub-harness.js';

const skipReason = stubUnavailableReason();
if (skipReason) console.warn(`skipped: CUDA stub tests (${skipReason})`);

type Listed = { id: string; available: boolean; reason?: string };
type Selection = { auto: { kind: string; id: string; name: string }; cuda: { id?: string; code?: string; message?: string }; list: Listed[] };
type EngineRun = { results: number[]; device: string; launchDevice: string; cuda: Listed[] };

const missingAddon = { TENSOR_WASM_CUDA_ADDON: join(tmpdir(), 'no-such-dir', 'tensorwasm_cuda.node') };

function brokenAddon(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-broken-addon-'));
  const file = join(dir, 'tensorwasm_cuda.node');
  writeFileSync(file, 'this is not a shared object');
  return { TENSOR_WASM_CUDA_ADDON: file };
}

describe.skipIf(skipReason !== undefined)('CUDA discovery and selection', () => {
  it('auto picks CUDA through select.ts when the stub reports a device', () => {
    const { result } = runScenario<Selection>('select', { env: { TW_STUB_DEVICES: '1' } });
    expect(result.auto).toEqual({ kind: 'cuda', id: 'cuda:0', name: 'NVIDIA H100 80GB HBM3' });
    expect(result.cuda).toEqual({ id: 'cuda:0' });
    expect(result.list.map((d) => d.id)).toEqual(['cuda:0', 'cpu']);
  });

  it('auto falls back to the CPU with the reason when the driver sees no device; cuda is device_unavailable', () => {
    const { result } = runScenario<Selection>('select', { env: { TW_STUB_DEVICES: '0' } });
    expect(result.auto.kind).toBe('cpu');
    expect(result.cuda.code).toBe('device_unavailable');
    expect(result.cuda.message).toContain('the NVIDIA driver sees no CUDA device.');
    expect(result.list[0]).toEqual({ id: 'cuda:0', available: false, reason: 'the NVIDIA driver sees no CUDA device.' });
  });

  it('a missing or broken addon leaves the CPU device in charge and says why', () => {
    const missing = runScenario<Selection>('select', { env: missingAddon }).result;
    expect(missing.auto.kind).toBe('cpu');
    expect(missing.list[0]!.reason).toMatch(/^the CUDA addon was not found at .*tensorwasm_cuda\.node \(TENSOR_WASM_CUDA_ADDON\)\.$/);

    const broken = runScenario<Selection>('select', { env: brokenAddon() }).result;
    expect(broken.auto.kind).toBe('cpu');
    expect(broken.list[0]!.reason).toMatch(/^the CUDA addon at .*tensorwasm_cuda\.node failed to load \(.+\)\.$/);
    expect(broken.cuda.code).toBe('device_unavailable');
  });

  it('the engine runs a wasi:cuda guest on the stub GPU, and on the CPU when the addon is missing', () => {
    const gpu = runScenario<EngineRun>('engine', { env: { TW_STUB_DEVICES: '1' } });
    expect(gpu.result.results).toEqual([0]);
    expect(gpu.result.launchDevice).toBe('cuda:0 NVIDIA H100 80GB HBM3');
    expect(gpu.result.device).toBe('cuda:0 NVIDIA H100 80GB HBM3');
    expect(gpu.log.some((l) => l.startsWith('cuLaunchKernel vector_add'))).toBe(true);
    expect(gpu.log.at(-1)).toMatch(/allocs=(\d+) frees=\1 retains=(\d+) releases=\2/);

    const cpu = runScenario<EngineRun>('engine', { env: missingAddon });
    expect(cpu.result.results).toEqual([0]);
    expect(cpu.result.launchDevice).toBe('cpu');
    expect(cpu.result.device).toBe('cpu');
    expect(cpu.result.cuda[0]!.reason).toContain('the CUDA addon was not found');
  });
});
