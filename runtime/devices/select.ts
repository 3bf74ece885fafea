/**
 * Device selection: `auto` takes CUDA when the probe finds a usable GPU and the CPU device (the PTX
 * interpreter) otherwise; `cpu` and `cuda` are taken as asked, and an unavailable `cuda` is a
 * `device_unavailable` error carrying the probe's reason.
 *
 * Precedence (documented in docs/CUDA-KERNELS.md): the CLI flag / per-call option, then the
 * TENSOR_WASM_DEVICE environment variable, then the engine config, then `auto`. createDevice
 * receives the already-chosen selection and consults the environment only for `auto`, so an
 * explicit `cpu` or `cuda` is never overridden.
 */
import type { Device, DeviceInfo, DeviceSelection } from '../../contract/device.js';
import { TensorWasmError } from '../../contract/errors.js';
import { getLogger } from '../telemetry/logger.js';
import { CPU_DEVICE_INFO, CpuDevice } from './cpu/cpu-device.js';
import { CudaDevice } from './cuda/cuda-device.js';
import { probeCuda } from './cuda/probe.js';

export const DEVICE_SELECTIONS: readonly DeviceSelection[] = ['auto', 'cpu', 'cuda'];

export const DEVICE_ENV = 'TENSOR_WASM_DEVICE';

export function isDeviceSelection(value: string): value is DeviceSelection {
  return (DEVICE_SELECTIONS as readonly string[]).includes(value);
}

/** TENSOR_WASM_DEVICE as a selection, undefined when unset; a bad value is an error naming it. */
export function deviceFromEnv(env: NodeJS.ProcessEnv = process.env): DeviceSelection | undefined {
  const raw = env[DEVICE_ENV]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (!isDeviceSelection(raw)) {
    throw new TensorWasmError('device_unavailable', `${DEVICE_ENV}=${env[DEVICE_ENV]} is not a device; use auto, cpu or cuda`, { env: DEVICE_ENV, given: env[DEVICE_ENV] });
  }
  return raw;
}

/** Flag (or per-call option) > TENSOR_WASM_DEVICE > engine config > `auto`. */
export function resolveDeviceSelection(explicit?: DeviceSelection, configured?: DeviceSelection, env: NodeJS.ProcessEnv = process.env): DeviceSelection {
  return explicit ?? deviceFromEnv(env) ?? configured ?? 'auto';
}

/** Creates the device for a selection; `auto` first defers to TENSOR_WASM_DEVICE when it is set. */
export function createDevice(selection: DeviceSelection, env: NodeJS.ProcessEnv = process.env): Device {
  const chosen = selection === 'auto' ? (deviceFromEnv(env) ?? 'auto') : selection;
  if (chosen === 'cpu') return new CpuDevice();
  const probe = probeCuda();
  if (probe.available) {
    if (chosen === 'cuda') return new CudaDevice();
    try {
      return new CudaDevice();
    } catch (error) {
      // `auto` never fails for want of a GPU: a CUDA device that will not start falls back to the CPU.
      getLogger({ component: 'devices' }).warn({ err: error }, 'the CUDA device did not start; auto selection uses the CPU device');
      return new CpuDevice();
    }
  }
  if (chosen === 'cuda') {
    throw new TensorWasmError('device_unavailable', `the CUDA device is unavailable: ${probe.reason ?? 'no CUDA device was found.'} Use --device cpu (or auto) to run kernels on the CPU device.`, {
      device: 'cuda',
    });
  }
  return new CpuDevice();
}

/** Every device, available or not; unavailable ones carry `reason`. */
export function listDevices(): DeviceInfo[] {
  const probe = probeCuda();
  const cuda: DeviceInfo[] =
    probe.devices.length > 0
      ? probe.devices
      : [{ id: 'cuda:0', kind: 'cuda', name: 'CUDA GPU', available: false, reason: probe.reason ?? 'no CUDA device was found.', maxThreadsPerBlock: 1024, maxSharedMemoryPerBlock: 48 * 1024 }];
  return [...cuda, { ...CPU_DEVICE_INFO }];
}

/**
 * The label a run reports for a selection when no launch has named its device yet: `auto`
 * resolves the way createDevice would (CUDA when usable, else the CPU device), so a face never shows
 * the word `auto` where a device belongs.
 */
export function deviceLabelFor(selection: DeviceSelection): string {
  if (selection === 'cpu') return CPU_DEVICE_INFO.id;
  const gpu = probeCuda().devices.find((d) => d.available);
  if (gpu) return `${gpu.id} ${gpu.name}`;
  return selection === 'auto' ? CPU_DEVICE_INFO.id : 'cuda (unavailable)';
}
