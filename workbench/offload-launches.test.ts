/**
 * Offloaded loops' kernels are launches (issue 17, bug 4): the engine's own count (what the CLI's
 * `--json` prints as `launches`) must equal the `launch` events every other face records, and each
 * of those events names its loop and says it came from the offload path.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchEvent, OffloadEvent } from '../contract/events.js';
import { createEngine, type Engine } from '../runtime/engine.js';

const fixture = fileURLToPath(new URL('../fixtures/offload/simd_maps.wasm', import.meta.url));

describe('offloaded kernels as launch events', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = createEngine({ poolSize: 1, device: 'cpu' });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('emits one launch event per offloaded kernel, numbered in the run, with its loop id', async () => {
    const { ref } = await engine.load(fixture);
    const result = await engine.invoke(ref, 'run_saxpy', '[6000, 11]', { offload: { enabled: true, tripCountThreshold: 256 } });
    const launches = result.events.filter((e): e is LaunchEvent => e.type === 'launch');
    const dispatches = result.events.filter((e): e is OffloadEvent => e.type === 'offload' && e.action === 'dispatch');
    expect(result.launches).toBeGreaterThan(0);
    expect(launches.length).toBe(result.launches);
    expect(launches.map((l) => l.seq)).toEqual(launches.map((_, i) => i + 1));
    for (const l of launches) {
      expect(l.origin).toBe('offload');
      expect(dispatches.map((d) => d.loopId)).toContain(l.loopId);
      expect(l.endMs).toBeGreaterThanOrEqual(l.startMs);
      expect(l.args).toMatch(/^ptr\(0x[0-9a-f]+,\d+\)/);
    }
  }, 120_000);
});
