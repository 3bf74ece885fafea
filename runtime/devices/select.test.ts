import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceInfo } from '../../contract/device.js';
import { TensorWasmError } from '../../contract/errors.js';

// The probe and the two device classes are replaced so both "GPU present" and "no GPU" are tested
// on any machine; the real CPU device is exercised by the host's guest tests.
const state = vi.hoisted(() => ({
  probe: { available: false, reason: 'the NVIDIA driver is not installed: libcuda.so.1 not found.', devices: [] as DeviceInfo[] },
  cudaThrows: undefined as Error | undefined,
}));

vi.mock('./cuda/probe.js', () => ({ probeCuda: () => state.probe }));
vi.mock('./cuda/cuda-device.js', () => ({
  CudaDevice: class {
    readonly info = { id: 'cuda:0', kind: 'cuda', name: 'NVIDIA H100 80GB HBM3', available: true, maxThreadsPerBlock: 1024, maxSharedMemoryPerBlock: 49152 };
    constructor() {
      if (state.cudaThrows) throw state.cudaThrows;
    }
  },
}));
vi.mock('./cpu/cpu-device.js', () => {
  const CPU_DEVICE_INFO = { id: 'cpu', kind: 'cpu', name: 'CPU (PTX interpreter)', available: true, maxThreadsPerBlock: 1024, maxSharedMemoryPerBlock: 49152 };
  return {
    CPU_DEVICE_INFO,
    CpuDevice: class {
      readonly info = CPU_DEVICE_INFO;
    },
  };
});

const { createDevice, deviceFromEnv, listDevices, resolveDeviceSelection } = await import('./select.js');

const H100: DeviceInfo = {
  id: 'cuda:0',
  kind: 'cuda',
  name: 'NVIDIA H100 80GB HBM3',
  available: true,
  computeCapability: '9.0',
  maxThreadsPerBlock: 1024,
  maxSharedMemoryPerBlock: 49152,
};

beforeEach(() => {
  state.probe = { available: false, reason: 'the NVIDIA driver is not installed: libcuda.so.1 not found.', devices: [] };
  state.cudaThrows = undefined;
});

describe('createDevice', () => {
  it('auto takes the CPU device when there is no GPU', () => {
    expect(createDevice('auto', {}).info.kind).toBe('cpu');
  });

  it('auto takes CUDA when the probe finds a GPU', () => {
    state.probe = { available: true, devices: [H100] } as typeof state.probe;
    expect(createDevice('auto', {}).info.kind).toBe('cuda');
  });

  it('auto falls back to the CPU when the CUDA device will not start', () => {
    state.probe = { available: true, devices: [H100] } as typeof state.probe;
    state.cudaThrows = new Error('cuCtxCreate failed');
    expect(createDevice('auto', {}).info.kind).toBe('cpu');
  });

  it('cpu is the CPU device even with a GPU present', () => {
    state.probe = { available: true, devices: [H100] } as typeof state.probe;
    expect(createDevice('cpu', {}).info.kind).toBe('cpu');
  });

  it('cuda without a GPU is device_unavailable carrying the probe reason', () => {
    let error: unknown;
    try {
      createDevice('cuda', {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TensorWasmError);
    expect((error as TensorWasmError).code).toBe('device_unavailable');
    expect((error as TensorWasmError).message).toContain('libcuda.so.1 not found');
  });

  it('TENSOR_WASM_DEVICE overrides auto but never an explicit selection', () => {
    state.probe = { available: true, devices: [H100] } as typeof state.probe;
    expect(createDevice('auto', { TENSOR_WASM_DEVICE: 'cpu' }).info.kind).toBe('cpu');
    expect(createDevice('cuda', { TENSOR_WASM_DEVICE: 'cpu' }).info.kind).toBe('cuda');
    state.probe = { available: false, reason: 'no driver.', devices: [] };
    expect(() => createDevice('auto', { TENSOR_WASM_DEVICE: 'cuda' })).toThrow(/no driver/);
    expect(createDevice('cpu', { TENSOR_WASM_DEVICE: 'cuda' }).info.kind).toBe('cpu');
  });
});

describe('selection precedence', () => {
  it('flag > TENSOR_WASM_DEVICE > config > auto', () => {
    expect(resolveDeviceSelection('cuda', 'cpu', { TENSOR_WASM_DEVICE: 'cpu' })).toBe('cuda');
    expect(resolveDeviceSelection(undefined, 'cuda', { TENSOR_WASM_DEVICE: 'cpu' })).toBe('cpu');
    expect(resolveDeviceSelection(undefined, 'cuda', {})).toBe('cuda');
    expect(resolveDeviceSelection(undefined, undefined, {})).toBe('auto');
  });

  it('reads TENSOR_WASM_DEVICE case-insensitively and rejects other values by name', () => {
    expect(deviceFromEnv({ TENSOR_WASM_DEVICE: ' CPU ' })).toBe('cpu');
    expect(deviceFromEnv({ TENSOR_WASM_DEVICE: '' })).toBeUndefined();
    expect(() => deviceFromEnv({ TENSOR_WASM_DEVICE: 'gpu' })).toThrow(/TENSOR_WASM_DEVICE=gpu is not a device; use auto, cpu or cuda/);
  });
});

describe('listDevices', () => {
  it('lists CUDA as unavailable with the reason, and the CPU device', () => {
    const devices = listDevices();
    expect(devices.map((d) => [d.id, d.available])).toEqual([
      ['cuda:0', false],
      ['cpu', true],
    ]);
    expect(devices[0]!.reason).toContain('libcuda.so.1');
  });

  it('lists every GPU the probe reports', () => {
    state.probe = { available: true, devices: [H100, { ...H100, id: 'cuda:1' }] } as typeof state.probe;
    expect(listDevices().map((d) => d.id)).toEqual(['cuda:0', 'cuda:1', 'cpu']);
  });
});
