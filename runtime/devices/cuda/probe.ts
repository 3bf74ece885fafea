import type { DeviceInfo } from '../../../contract/device.js';
import type { CudaAddon, DriverLoadResult } from './addon-types.js';
import { formatDriverVersion } from './driver-errors.js';
import { loadCudaAddon } from './load-addon.js';

export interface CudaProbe {
  available: boolean;
  /** One sentence when unavailable. */
  reason?: string;
  devices: DeviceInfo[];
}

/** CUDA 11.0: the first driver with every entry point the addon resolves (the `_v2` releases). */
export const MIN_DRIVER_VERSION = 11000;

/** Why the driver could not be used, as one sentence. */
export function driverFailureReason(load: Extract<DriverLoadResult, { ok: false }>): string {
  const detail = load.message.replace(/\.$/, '');
  switch (load.stage) {
    case 'library':
      return `the NVIDIA driver is not installed: ${detail}.`;
    case 'symbol':
      return `the NVIDIA driver is too old: ${detail}.`;
    case 'platform':
      return `${detail}.`;
    default:
      if (load.result === 100) return `the NVIDIA driver sees no CUDA device (${detail}).`;
      return `the NVIDIA driver could not be initialised: ${detail}.`;
  }
}

function unavailable(reason: string): CudaProbe {
  return { available: false, reason, devices: [] };
}

/** What the driver reports, device by device; a device whose attributes cannot be read is listed unavailable. */
export function probeWithAddon(addon: CudaAddon): CudaProbe {
  const load = addon.load();
  if (!load.ok) return unavailable(driverFailureReason(load));
  const driverVersion = formatDriverVersion(load.driverVersion);
  if (load.driverVersion < MIN_DRIVER_VERSION) {
    return unavailable(`the NVIDIA driver is too old: it supports CUDA ${driverVersion} and TensorWasm needs ${formatDriverVersion(MIN_DRIVER_VERSION)} or newer.`);
  }
  if (load.deviceCount === 0) return unavailable('the NVIDIA driver sees no CUDA device.');
  const devices: DeviceInfo[] = [];
  for (let ordinal = 0; ordinal < load.deviceCount; ordinal++) {
    try {
      const d = addon.deviceInfo(ordinal);
      devices.push({
        id: `cuda:${ordinal}`,
        kind: 'cuda',
        name: d.name,
        available: true,
        computeCapability: `${d.major}.${d.minor}`,
        totalMemoryBytes: d.totalMemoryBytes,
        driverVersion,
        maxThreadsPerBlock: d.maxThreadsPerBlock,
        maxSharedMemoryPerBlock: d.maxSharedMemoryPerBlock,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      devices.push({
        id: `cuda:${ordinal}`,
        kind: 'cuda',
        name: `CUDA device ${ordinal}`,
        available: false,
        reason: `its attributes could not be read (${message.replace(/\.$/, '')}).`,
        driverVersion,
        maxThreadsPerBlock: 0,
        maxSharedMemoryPerBlock: 0,
      });
    }
  }
  const firstUnavailable = devices.find((d) => !d.available);
  if (!devices.some((d) => d.available)) return { available: false, reason: `no CUDA device is usable: cuda:0 ${firstUnavailable?.reason ?? ''}`.trim(), devices };
  return { available: true, devices };
}

let cached: CudaProbe | undefined;

/**
 * Whether CUDA can be used in this process, and the devices the driver sees. Cached: the addon and
 * the driver are opened once per process, and what they report does not change while it runs.
 */
export function probeCuda(): CudaProbe {
  if (cached) return cached;
  const loaded = loadCudaAddon();
  cached = loaded.addon ? probeWithAddon(loaded.addon) : unavailable(loaded.reason);
  return cached;
}

/** Forgets the cached probe (tests). */
export function resetCudaProbe(): void {
  cached = undefined;
}
