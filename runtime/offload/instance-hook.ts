/**
 * The instance worker's side of auto-offload: the `tensorwasm:offload` imports for one guest.
 * Verification outcomes (verified / demoted loops) persist per module key for the worker's life,
 * so a loop is checked once and a demoted loop stays on the CPU.
 */
import type { DeviceSelection } from '../../contract/device.js';
import type { OffloadSettings } from '../../contract/engine.js';
import type { EmitRunEvent } from '../../contract/events.js';
import { createOffloadHost, loadDefaultDeviceFactory, type OffloadHost } from './offload-host.js';
import type { LoopPlan } from './types.js';

const verification = new Map<string, { demoted: Map<string, string>; verified: Set<string> }>();

/** Loads the device modules; await before creating hosts (the import functions are synchronous). */
export async function loadOffloadRuntime(): Promise<void> {
  await loadDefaultDeviceFactory();
}

export function createGuestOffload(options: {
  moduleKey: string;
  plans: readonly LoopPlan[];
  settings: OffloadSettings;
  deviceSelection: DeviceSelection;
  memory: () => Uint8Array;
  /** The guest's WebAssembly.Memory, when known: the CPU device then runs offloaded kernels compiled to Wasm. */
  wasmMemory?: () => WebAssembly.Memory | undefined;
  emit: EmitRunEvent;
  /** The run's launch numbering, shared with the wasi:cuda host. */
  nextLaunchSeq?: () => number;
}): OffloadHost {
  let state = verification.get(options.moduleKey);
  if (!state) {
    state = { demoted: new Map(), verified: new Set() };
    verification.set(options.moduleKey, state);
  }
  return createOffloadHost({
    plans: options.plans,
    settings: options.settings,
    memory: options.memory,
    ...(options.wasmMemory ? { wasmMemory: options.wasmMemory } : {}),
    emit: options.emit,
    deviceSelection: options.deviceSelection,
    demoted: state.demoted,
    verified: state.verified,
    ...(options.nextLaunchSeq ? { nextLaunchSeq: options.nextLaunchSeq } : {}),
  });
}
