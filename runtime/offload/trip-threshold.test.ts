/**
 * The trip-count threshold at its edge, in both places it is applied: the static analysis (loops
 * whose trip count is a constant) and the run-time guard (loops whose count is known only when
 * they run). The rule is the guide's (§5): "The estimated trip count must exceed the trip_count
 * threshold" — so a loop exactly at the threshold stays on the CPU, one above is promoted.
 *
 * Trip counts come from the fixtures' C sources, not from the analyser: `fixed64` runs
 * `for (i = 0; i < 64; i += 4)` (16 iterations), `fixed_big` `i < 1024 * 1024; i += 4` (262144),
 * and saxpy's vector loop `for (; i + 4 <= n; i += 4)` runs floor(n / 4) times.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OffloadSettings } from '../../contract/engine.js';
import type { OffloadEvent, RunEventBody } from '../../contract/events.js';
import { CpuDevice } from '../devices/cpu/cpu-device.js';
import { analyzeOffload } from './analyze.js';
import { createOffloadHost } from './offload-host.js';
import { prepareOffload, type PreparedOffload } from './prepare.js';

const fixtures = new URL('../../fixtures/offload/', import.meta.url);
const read = (name: string): Uint8Array => readFileSync(new URL(name, fixtures));

describe('static analysis: a constant trip count at the threshold', () => {
  const rejected = read('rejected.wasm');
  const decide = (fn: string, threshold: number) => {
    const loop = analyzeOffload(rejected, { tripCountThreshold: threshold }).report.loops.find((l) => l.function === fn && l.loopId.endsWith('.L0'));
    expect(loop, fn).toBeDefined();
    return loop!;
  };

  for (const [fn, trips] of [
    ['fixed64', 16],
    ['fixed_big', 262_144],
  ] as const) {
    it(`${fn} (${trips} iterations): promoted only when the trip count exceeds the threshold`, () => {
      const below = decide(fn, trips + 1); // the trip count is one below the threshold
      const at = decide(fn, trips);
      const above = decide(fn, trips - 1); // one above
      expect(at.tripCount).toBe(trips);
      expect(below.decision).toBe('rejected');
      expect(below.reason).toContain(`trip count ${trips} is not above the threshold ${trips + 1}`);
      expect(at.decision).toBe('rejected');
      expect(at.reason).toContain(`trip count ${trips} is not above the threshold ${trips}`);
      expect(above.decision).toBe('promoted');
      expect(above.reason).toContain(`trip count ${trips} > ${trips - 1}`);
    });
  }
});

describe('run-time guard: a dynamic trip count at the threshold', () => {
  const THRESHOLD = 256;
  const settings: OffloadSettings = { enabled: true, tripCountThreshold: THRESHOLD, v128RatioThreshold: 0.5 };
  let prepared: PreparedOffload;
  beforeAll(async () => {
    prepared = await prepareOffload(read('simd_maps.wasm'), settings);
  }, 180_000);

  /** Runs run_saxpy(n) with offload on; returns the saxpy loop's offload events and the launch count. */
  function runSaxpy(n: number) {
    const events: OffloadEvent[] = [];
    let memory: WebAssembly.Memory | undefined;
    const host = createOffloadHost({
      plans: prepared.plans,
      settings,
      memory: () => new Uint8Array(memory!.buffer),
      emit: (e: RunEventBody) => {
        if (e.type === 'offload') events.push(e as OffloadEvent);
      },
      createDevice: () => new CpuDevice(),
    });
    const instance = new WebAssembly.Instance(prepared.module, host.imports);
    memory = instance.exports.memory as WebAssembly.Memory;
    (instance.exports._initialize as () => void)();
    (instance.exports.run_saxpy as (n: number, seed: number) => number)(n, 7);
    // clang inlines saxpy into its driver: the loop is reported under run_saxpy.
    return { events: events.filter((e) => e.function === 'run_saxpy'), launches: host.launchCount() };
  }

  it.each([
    ['one below', 4 * (THRESHOLD - 1), THRESHOLD - 1, 'fallback'],
    ['exactly at', 4 * THRESHOLD, THRESHOLD, 'fallback'],
    ['at (n not a multiple of 4)', 4 * THRESHOLD + 3, THRESHOLD, 'fallback'],
    ['one above', 4 * (THRESHOLD + 1), THRESHOLD + 1, 'dispatch'],
  ] as const)('%s the threshold: n = %i → %i iterations → %s', (_label, n, trips, action) => {
    const { events, launches } = runSaxpy(n);
    expect(events).toHaveLength(1);
    expect(events[0]!.action).toBe(action);
    expect(events[0]!.tripCount).toBe(trips);
    if (action === 'fallback') {
      expect(events[0]!.reason).toBe(`trip count ${trips} is not above the threshold ${THRESHOLD}`);
      expect(launches).toBe(0);
    } else {
      expect(launches).toBeGreaterThan(0);
    }
  });
});
