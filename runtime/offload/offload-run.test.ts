/**
 * Promoted loops really run as kernels on the CPU device (B's PTX interpreter) and give the same
 * outputs as the original loops; every failure path falls back and the result stays right.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device, LaunchRequest } from '../../contract/device.js';
import type { OffloadSettings } from '../../contract/engine.js';
import type { OffloadEvent, RunEventBody } from '../../contract/events.js';
import { CpuDevice } from '../devices/cpu/cpu-device.js';
import { createOffloadHost } from './offload-host.js';
import { prepareOffload, type PreparedOffload } from './prepare.js';

const fixtures = new URL('../../fixtures/offload/', import.meta.url);
const simdBytes = readFileSync(new URL('simd_maps.wasm', fixtures));
const autoBytes = readFileSync(new URL('auto_vec.wasm', fixtures));
const SETTINGS: OffloadSettings = { enabled: true, tripCountThreshold: 256, v128RatioThreshold: 0.5 };

type Exports = Record<string, (...args: number[]) => number>;

function instantiate(prepared: PreparedOffload, settings: OffloadSettings, makeDevice: () => Device, state?: { demoted: Map<string, string>; verified: Set<string> }) {
  const events: OffloadEvent[] = [];
  let memory: WebAssembly.Memory | undefined;
  const host = createOffloadHost({
    plans: prepared.plans,
    settings,
    memory: () => new Uint8Array((memory as WebAssembly.Memory).buffer),
    emit: (e: RunEventBody) => {
      if (e.type === 'offload') events.push(e as OffloadEvent);
    },
    createDevice: makeDevice,
    ...(state ?? {}),
  });
  const instance = new WebAssembly.Instance(prepared.module, host.imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  (instance.exports._initialize as () => void)();
  return { exports: instance.exports as unknown as Exports, memory, events, host };
}

function original(bytes: Uint8Array) {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  (instance.exports._initialize as () => void)();
  return { exports: instance.exports as unknown as Exports, memory: instance.exports.memory as WebAssembly.Memory };
}

/** Wraps a device; `onLaunch` may throw or tamper with memory after the real launch. */
function wrapDevice(inner: Device, onLaunch: (request: LaunchRequest, count: number) => void): Device {
  let count = 0;
  return {
    info: inner.info,
    loadKernel: (ptx, hash, entry) => inner.loadKernel(ptx, hash, entry),
    launch: (request) => {
      count++;
      const timing = inner.launch(request);
      onLaunch(request, count);
      return timing;
    },
    sync: (memory) => inner.sync(memory),
    dispose: () => inner.dispose(),
  };
}

let simd: PreparedOffload;
let auto: PreparedOffload;
beforeAll(async () => {
  simd = await prepareOffload(simdBytes, SETTINGS);
  auto = await prepareOffload(autoBytes, SETTINGS);
}, 180_000);

describe('promoted loops on the CPU device', () => {
  it('wires the promoted loops into the module', () => {
    expect(simd.skipped).toEqual([]);
    expect(simd.plans.map((p) => p.function)).toContain('saxpy');
    expect(WebAssembly.Module.imports(simd.module).some((i) => i.module === 'tensorwasm:offload')).toBe(true);
  });

  const drivers: [string, () => PreparedOffload, Uint8Array][] = [
    ['run_saxpy', () => simd, simdBytes],
    ['run_i32_add_mul_shl', () => simd, simdBytes],
    ['run_madd_chain', () => simd, simdBytes],
    ['run_f64_mul_add', () => simd, simdBytes],
    ['run_auto_scale_add', () => auto, autoBytes],
    ['run_auto_i32_xor_add', () => auto, autoBytes],
  ];
  for (const [name, prepared, bytes] of drivers) {
    it(`${name}: same output as offload off on random inputs`, () => {
      for (const [n, seed] of [
        [4500 + Math.floor(Math.random() * 4000), Math.floor(Math.random() * 2 ** 30)],
        [4099, 12345],
      ] as [number, number][]) {
        const on = instantiate(prepared(), SETTINGS, () => new CpuDevice());
        const off = original(bytes);
        expect(on.exports[name]?.(n, seed), `n=${n} seed=${seed}`).toBe(off.exports[name]?.(n, seed));
        const dispatches = on.events.filter((e) => e.action === 'dispatch');
        expect(dispatches.length).toBeGreaterThan(0);
        expect(dispatches[0]?.device).toBe('cpu');
        expect(on.host.launchCount()).toBeGreaterThan(0);
      }
    });
  }

  it('falls back below the trip-count threshold, with the reason', () => {
    const on = instantiate(simd, SETTINGS, () => new CpuDevice());
    const off = original(simdBytes);
    expect(on.exports.run_saxpy?.(200, 1)).toBe(off.exports.run_saxpy?.(200, 1));
    expect(on.events.every((e) => e.action === 'fallback')).toBe(true);
    expect(on.events[0]?.reason).toMatch(/trip count \d+ is not above the threshold 256/);
    expect(on.host.launchCount()).toBe(0);
  });

  it('falls back when no device can be created', () => {
    const on = instantiate(simd, SETTINGS, () => {
      throw new Error('no CUDA device was found');
    });
    expect(on.exports.run_madd_chain?.(5000, 3)).toBe(original(simdBytes).exports.run_madd_chain?.(5000, 3));
    expect(on.events[0]?.action).toBe('fallback');
    expect(on.events[0]?.reason).toContain('no device: no CUDA device was found');
  });

  it('a failing launch falls back and the result is still right', () => {
    const on = instantiate(simd, SETTINGS, () =>
      wrapDevice(new CpuDevice(), () => {
        throw new Error('launch failed: out of resources');
      }),
    );
    expect(on.exports.run_saxpy?.(6000, 9)).toBe(original(simdBytes).exports.run_saxpy?.(6000, 9));
    expect(on.events.some((e) => e.action === 'fallback' && e.reason.includes('launch failed'))).toBe(true);
    expect(on.events.some((e) => e.action === 'dispatch')).toBe(false);
  });

  it('a second kernel failing after the first wrote memory restores it before falling back', () => {
    // auto_scale_add is unrolled ×2: two stores, two kernels per dispatch.
    const on = instantiate(auto, SETTINGS, () =>
      wrapDevice(new CpuDevice(), (_request, count) => {
        if (count === 2) throw new Error('second launch failed');
      }),
    );
    expect(on.exports.run_auto_scale_add?.(9000, 4)).toBe(original(autoBytes).exports.run_auto_scale_add?.(9000, 4));
    expect(on.events.some((e) => e.reason.includes('second launch failed'))).toBe(true);
  });

  it('overlapping input and output windows fall back (a run-time cross-iteration dependency)', () => {
    const on = instantiate(simd, SETTINGS, () => new CpuDevice());
    const off = original(simdBytes);
    const n = 4096;
    const results: Float32Array[] = [];
    for (const inst of [on, off]) {
      const base = inst.exports.alloc?.((n + 8) * 4) as number;
      const view = new Float32Array(inst.memory.buffer, base, n + 8);
      for (let i = 0; i < n + 8; i++) view[i] = (i % 13) - 6;
      // y = x + 4 floats: iteration k reads what iteration k-1 wrote.
      inst.exports.saxpy?.(2, base, base + 16, n);
      results.push(new Float32Array(inst.memory.buffer, base, n + 8).slice());
    }
    expect(results[0]).toEqual(results[1]);
    expect(on.events.some((e) => e.action === 'fallback' && e.reason.includes('overlaps'))).toBe(true);
  });
});

describe('verification mode', () => {
  const VERIFY: OffloadSettings = { ...SETTINGS, verify: true };
  let verifying: PreparedOffload;
  beforeAll(async () => {
    verifying = await prepareOffload(simdBytes, VERIFY);
  }, 180_000);

  it('verifies a correct kernel once, then dispatches', () => {
    const state = { demoted: new Map<string, string>(), verified: new Set<string>() };
    const first = instantiate(verifying, VERIFY, () => new CpuDevice(), state);
    expect(first.exports.run_i32_add_mul_shl?.(5000, 8)).toBe(original(simdBytes).exports.run_i32_add_mul_shl?.(5000, 8));
    expect(first.events.map((e) => e.action)).toContain('verified');
    const second = instantiate(verifying, VERIFY, () => new CpuDevice(), state);
    expect(second.exports.run_i32_add_mul_shl?.(5000, 8)).toBe(original(simdBytes).exports.run_i32_add_mul_shl?.(5000, 8));
    expect(second.events.map((e) => e.action)).toContain('dispatch');
  });

  it('demotes a kernel whose results differ, with a reason, and keeps the CPU results', () => {
    const state = { demoted: new Map<string, string>(), verified: new Set<string>() };
    // A device that gets one element wrong.
    const lying = () =>
      wrapDevice(new CpuDevice(), (request) => {
        const out = request.args[0];
        if (out?.kind === 'pointer') request.memory[out.offset] = (request.memory[out.offset] ?? 0) ^ 0x40;
      });
    const on = instantiate(verifying, VERIFY, lying, state);
    expect(on.exports.run_madd_chain?.(5000, 5)).toBe(original(simdBytes).exports.run_madd_chain?.(5000, 5));
    const demote = on.events.find((e) => e.action === 'demote');
    expect(demote?.reason).toContain('kernel result differs from the CPU loop');
    const again = instantiate(verifying, VERIFY, lying, state);
    expect(again.exports.run_madd_chain?.(5000, 5)).toBe(original(simdBytes).exports.run_madd_chain?.(5000, 5));
    expect(again.events.some((e) => e.action === 'fallback' && e.reason.startsWith('demoted:'))).toBe(true);
  });
});
