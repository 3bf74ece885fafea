/**
 * The host side of promoted loops: the `tensorwasm:offload` imports a rewritten module calls at
 * each guarded loop entry. Each call decides dispatch or fallback, launches the loop's kernels on
 * the device over the loop's memory windows, and reports what it did as an `offload` run event.
 * Any failure returns 0 and the guest runs its original loop (the CPU fallback); memory the
 * kernels may have touched is restored first, so the fallback sees the loop's real inputs.
 */
import { DeviceError, type Device, type KernelArg, type KernelHandle } from '../../contract/device.js';
import type { DeviceSelection } from '../../contract/device.js';
import type { OffloadSettings } from '../../contract/engine.js';
import type { EmitRunEvent, OffloadEvent } from '../../contract/events.js';
import { summarizeArgs } from '../cuda/argv.js';
import { BLOCK_SIZE, generateKernel, type GeneratedKernel } from './ptx-codegen.js';
import { importNameFor, OFFLOAD_IMPORT_MODULE, VERIFY_IMPORT } from './rewrite.js';
import { computeTripCount } from './trip-count.js';
import type { LaneType, LoopPlan } from './types.js';
import { accessWindows, aliasProblem, type AccessWindow } from './windows.js';
import { compareWindows } from './verify.js';

export interface OffloadHostOptions {
  /** Wired plans in import order (from rewriteModule). */
  plans: readonly LoopPlan[];
  settings: OffloadSettings;
  memory: () => Uint8Array;
  /** The guest's WebAssembly.Memory behind `memory`, when known (see LaunchRequest.wasmMemory). */
  wasmMemory?: () => WebAssembly.Memory | undefined;
  emit: EmitRunEvent;
  deviceSelection?: DeviceSelection;
  /** Device factory (default: runtime/devices/select.ts createDevice); called at most once, lazily. */
  createDevice?: (selection: DeviceSelection) => Device;
  /** Loops demoted by verification in earlier instances of this module: loop id → reason. */
  demoted?: Map<string, string>;
  /** Loops already verified in earlier instances. */
  verified?: Set<string>;
  /** The run's launch numbering, shared with the wasi:cuda host (default: this host's own count). */
  nextLaunchSeq?: () => number;
}

export interface OffloadHost {
  imports: WebAssembly.Imports;
  deviceLabel(): string | undefined;
  dispatchCount(): number;
  launchCount(): number;
  dispose(): void;
}

/** More events than this per loop per instance are summarised (a loop entered in a hot outer loop). */
const MAX_EVENTS_PER_LOOP = 256;

interface LoopState {
  plan: LoopPlan;
  kernels?: { generated: GeneratedKernel; handle: KernelHandle }[];
  events: number;
  /** Verification pending: what the kernels wrote, to compare after the fallback ran. */
  pending?: { windows: AccessWindow[]; kernelBytes: Uint8Array[]; trips: number };
}

function deviceLabelOf(device: Device): string {
  return device.info.kind === 'cpu' ? device.info.id : `${device.info.id} ${device.info.name}`;
}

type ScalarArg = Extract<KernelArg, { kind: 'scalar' }>;

function scalarArg(type: LaneType, value: number | bigint): ScalarArg {
  const bytes = new Uint8Array(type === 'f64' || type === 'i64' ? 8 : 4);
  const view = new DataView(bytes.buffer);
  switch (type) {
    case 'f32': view.setFloat32(0, Number(value), true); return { kind: 'scalar', tag: 'f32', bytes };
    case 'f64': view.setFloat64(0, Number(value), true); return { kind: 'scalar', tag: 'f64', bytes };
    case 'i32': view.setUint32(0, Number(value) >>> 0, true); return { kind: 'scalar', tag: 'u32', bytes };
    case 'i64': view.setBigUint64(0, BigInt.asUintN(64, BigInt(value)), true); return { kind: 'scalar', tag: 'u64', bytes };
  }
}

/** Kernels move vectors as four 32-bit words, which the device requires to be 4-byte aligned. */
function alignmentProblem(windows: readonly AccessWindow[]): string | undefined {
  const bad = windows.find((w) => w.start % 4 !== 0 || w.stride % 4 !== 0);
  return bad ? `the ${bad.kind} window at guest offset ${bad.start} (stride ${bad.stride} B) is not 4-byte aligned; kernels move 32-bit words` : undefined;
}

export function createOffloadHost(options: OffloadHostOptions): OffloadHost {
  const { plans, settings, emit } = options;
  const demoted = options.demoted ?? new Map<string, string>();
  const verified = options.verified ?? new Set<string>();
  const states = plans.map((plan): LoopState => ({ plan, events: 0 }));
  let device: Device | undefined;
  let deviceError: string | undefined;
  let dispatches = 0;
  let launches = 0;

  const event = (state: LoopState, action: OffloadEvent['action'], reason: string, tripCount?: number): void => {
    state.events++;
    if (state.events > MAX_EVENTS_PER_LOOP + 1) return;
    const summary = state.events === MAX_EVENTS_PER_LOOP + 1;
    emit({
      type: 'offload',
      loopId: state.plan.loopId,
      function: state.plan.function,
      action,
      reason: summary ? `${reason} (further offload events for this loop are not reported)` : reason,
      ...(device ? { device: deviceLabelOf(device) } : {}),
      ...(tripCount !== undefined ? { tripCount } : {}),
    });
  };

  const getDevice = (): Device | undefined => {
    if (device || deviceError) return device;
    try {
      const factory = options.createDevice ?? defaultFactory;
      if (!factory) throw new Error(defaultFactoryError ?? 'device selection is not loaded');
      device = factory(options.deviceSelection ?? 'auto');
    } catch (error) {
      deviceError = (error as Error).message;
    }
    return device;
  };

  const kernelsFor = (state: LoopState, dev: Device): { generated: GeneratedKernel; handle: KernelHandle }[] => {
    state.kernels ??= state.plan.kernels.map((_, i) => {
      const generated = generateKernel(state.plan, i);
      return { generated, handle: dev.loadKernel(generated.ptx, generated.ptxHash, generated.entry) };
    });
    return state.kernels;
  };

  /** Runs the loop's kernels; throws on any device failure. */
  const launchAll = (state: LoopState, dev: Device, windows: AccessWindow[], paramValues: (number | bigint | (number | bigint)[])[], trips: number): void => {
    // One thread per iteration: each computes its iteration's whole vector, lane by lane.
    const n = trips;
    const wasmMemory = options.wasmMemory?.();
    for (const { generated, handle } of kernelsFor(state, dev)) {
      const args: KernelArg[] = [
        ...generated.pointerAccesses.map((a): KernelArg => {
          const w = windows[a] as AccessWindow;
          return { kind: 'pointer', offset: w.start, length: w.length };
        }),
        ...generated.scalarParams.flatMap((p) => {
          const value = paramValues[p] as number | bigint | (number | bigint)[];
          if (Array.isArray(value)) return value.map((lane) => scalarArg('i32', lane));
          return [scalarArg(state.plan.params[p]?.type ?? generated.lane, value)];
        }),
        scalarArg('i32', n),
      ];
      const grid: [number, number, number] = [Math.ceil(n / BLOCK_SIZE), 1, 1];
      const block: [number, number, number] = [BLOCK_SIZE, 1, 1];
      const started = performance.timeOrigin + performance.now();
      launches++;
      const seq = options.nextLaunchSeq ? options.nextLaunchSeq() : launches;
      // Offloaded kernels are launches like any other: one `launch` event each, marked with the
      // loop they came from (the CLI counted them; the event stream did not show them).
      const launchEvent = {
        type: 'launch' as const,
        seq,
        kernel: generated.entry,
        ptxHash: generated.ptxHash,
        grid,
        block,
        sharedMemBytes: 0,
        args: summarizeArgs(args),
        device: deviceLabelOf(dev),
        origin: 'offload' as const,
        loopId: state.plan.loopId,
      };
      try {
        const timing = dev.launch({ kernel: handle, grid, block, sharedMemBytes: 0, args, memory: options.memory(), ...(wasmMemory ? { wasmMemory } : {}) });
        emit({ ...launchEvent, startMs: timing.startMs, endMs: timing.endMs, kernelMs: timing.kernelMs, ...(timing.backend ? { backend: timing.backend } : {}) });
      } catch (error) {
        const ended = performance.timeOrigin + performance.now();
        emit({ ...launchEvent, startMs: started, endMs: ended, kernelMs: 0, error: { code: error instanceof DeviceError ? error.cudaCode : -1, message: (error as Error).message.slice(0, 500) } });
        throw error;
      }
    }
    dev.sync(options.memory());
  };

  const dispatch = (state: LoopState, raw: (number | bigint)[]): number => {
    const { plan } = state;
    const demotion = demoted.get(plan.loopId);
    if (demotion) {
      event(state, 'fallback', `demoted: ${demotion}`);
      return 0;
    }
    const trip = computeTripCount(plan.latch, Number(raw[0]), Number(raw[1]));
    if (!trip.ok) {
      event(state, 'fallback', trip.reason);
      return 0;
    }
    const trips = trip.trips;
    if (trips <= settings.tripCountThreshold) {
      event(state, 'fallback', `trip count ${trips} is not above the threshold ${settings.tripCountThreshold}`, trips);
      return 0;
    }
    const dev = getDevice();
    if (!dev) {
      event(state, 'fallback', `no device: ${deviceError ?? 'none available'}`, trips);
      return 0;
    }
    const bases = raw.slice(2, 2 + plan.accesses.length).map((v) => Number(v));
    const rest = raw.slice(2 + plan.accesses.length);
    const paramValues: (number | bigint | (number | bigint)[])[] = [];
    for (const source of plan.params) {
      if (source.k === 'lanes') {
        // A loop-invariant vector arrives as its four i32 lanes; the kernel takes all four.
        paramValues.push(rest.splice(0, 4));
      } else {
        paramValues.push(rest.shift() as number | bigint);
      }
    }
    const memory = options.memory();
    const windows = accessWindows(plan, bases, trips);
    const problem = aliasProblem(plan, windows, memory.length) ?? alignmentProblem(windows);
    if (problem) {
      event(state, 'fallback', problem, trips);
      return 0;
    }
    const storeWindows = windows.filter((w) => w.kind === 'store');
    const snapshot = storeWindows.map((w) => memory.slice(w.start, w.start + w.length));
    const restore = (): void => {
      const now = options.memory();
      storeWindows.forEach((w, i) => now.set(snapshot[i] as Uint8Array, w.start));
    };
    try {
      launchAll(state, dev, windows, paramValues, trips);
    } catch (error) {
      restore();
      event(state, 'fallback', `launch failed: ${(error as Error).message}`, trips);
      return 0;
    }
    if (settings.verify && !verified.has(plan.loopId)) {
      // First run in verification mode: keep what the kernels wrote, put the inputs back and let
      // the original loop run; verify_done compares the two.
      const now = options.memory();
      state.pending = { windows: storeWindows, kernelBytes: storeWindows.map((w) => now.slice(w.start, w.start + w.length)), trips };
      restore();
      event(state, 'fallback', 'verification run: the kernels ran, the original loop runs too and the results are compared', trips);
      return 0;
    }
    dispatches++;
    event(state, 'dispatch', `${plan.kernels.length} kernel${plan.kernels.length > 1 ? 's' : ''} over ${trips} iterations (${trips * plan.lanesPerIteration} lanes)`, trips);
    return trips;
  };

  const verifyDone = (index: number): void => {
    const state = states[index];
    if (!state?.pending) return;
    const { windows, kernelBytes, trips } = state.pending;
    state.pending = undefined;
    const memory = options.memory();
    for (const [i, w] of windows.entries()) {
      const kernel = state.plan.kernels.find((k) => k.store === w.access);
      const mismatch = compareWindows(kernelBytes[i] as Uint8Array, memory.subarray(w.start, w.start + w.length), kernel?.lane ?? 'i32', w);
      if (mismatch) {
        demoted.set(state.plan.loopId, mismatch);
        event(state, 'demote', mismatch, trips);
        return;
      }
    }
    verified.add(state.plan.loopId);
    event(state, 'verified', `kernel results equal the CPU loop's over ${trips} iterations`, trips);
  };

  const namespace: Record<string, (...args: never[]) => unknown> = {};
  states.forEach((state) => {
    namespace[importNameFor(state.plan)] = (...raw: (number | bigint)[]): number => {
      try {
        return dispatch(state, raw);
      } catch (error) {
        // Never let an offload problem break the guest: fall back and say why.
        event(state, 'fallback', `offload error: ${(error as Error).message}`);
        return 0;
      }
    };
  });
  namespace[VERIFY_IMPORT] = (index: number): void => {
    try {
      verifyDone(index);
    } catch {
      /* comparison problems leave the loop unverified; the fallback already produced the results */
    }
  };

  return {
    imports: { [OFFLOAD_IMPORT_MODULE]: namespace as unknown as WebAssembly.ModuleImports },
    deviceLabel: () => (device ? deviceLabelOf(device) : undefined),
    dispatchCount: () => dispatches,
    launchCount: () => launches,
    dispose: () => {
      device?.dispose();
      device = undefined;
    },
  };
}


let defaultFactory: ((selection: DeviceSelection) => Device) | undefined;
let defaultFactoryError: string | undefined;

/**
 * Loads runtime/devices/select.ts (the CPU and CUDA devices) for hosts created without their own
 * factory. Kept dynamic: the import functions are synchronous, and the device modules are only
 * needed by modules that have promoted loops.
 */
export async function loadDefaultDeviceFactory(): Promise<void> {
  if (defaultFactory) return;
  try {
    const select = await import('../devices/select.js');
    defaultFactory = (selection) => select.createDevice(selection);
  } catch (error) {
    defaultFactoryError = `the device modules could not be loaded: ${(error as Error).message}`;
  }
}
