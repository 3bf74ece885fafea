/** The engine path: options reach the instance worker, promoted loops dispatch, events flow. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OffloadEvent } from '../../contract/events.js';
import { createEngine, type Engine } from '../engine.js';

const fixture = fileURLToPath(new URL('../../fixtures/offload/simd_maps.wasm', import.meta.url));

describe('auto-offload through the engine', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = createEngine({ poolSize: 1, device: 'cpu', offload: { enabled: false, tripCountThreshold: 4096, v128RatioThreshold: 0.5 } });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('runs promoted loops on the device when a call turns offload on, with the same results', async () => {
    const { ref } = await engine.load(fixture);
    const off = await engine.invoke(ref, 'run_saxpy', '[6000, 11]');
    const on = await engine.invoke(ref, 'run_saxpy', '[6000, 11]', { offload: { enabled: true, tripCountThreshold: 256 } });
    expect(on.resultsJson).toBe(off.resultsJson);
    const offloadEvents = on.events.filter((e): e is OffloadEvent => e.type === 'offload');
    expect(offloadEvents.some((e) => e.action === 'dispatch' && e.function === 'run_saxpy')).toBe(true);
    expect(on.launches).toBeGreaterThan(0);
    expect(on.device).toBe('cpu');
    expect(off.events.some((e) => e.type === 'offload')).toBe(false);
  }, 180_000);

  it('honours the per-call trip-count threshold', async () => {
    const { ref } = await engine.load(fixture);
    const result = await engine.invoke(ref, 'run_saxpy', '[6000, 11]', { offload: { enabled: true, tripCountThreshold: 100_000 } });
    const events = result.events.filter((e): e is OffloadEvent => e.type === 'offload');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.action === 'fallback' && e.reason.includes('not above the threshold 100000'))).toBe(true);
    expect(result.launches).toBe(0);
  }, 180_000);
});
