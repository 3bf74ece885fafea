import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Test files that need a fresh module graph of their own, so they run isolated (`isolate: true`):
 * - `vi.mock` only takes effect in a module graph that has not loaded the mocked module yet;
 * - OpenTelemetry's global tracer provider can be set once per graph;
 * - the block pool is a per-graph singleton whose start count the pool conformance test checks;
 * - process.cpuUsage() counts every thread of the process, and the heap and threads that earlier
 *   files leave in a shared one (barrier-scaling's CPU-time ratio failed on Node 26 so).
 * scripts/vitest-isolation.test.ts fails when a file that does one of these is missing here.
 */
export const ISOLATED_TESTS = [
  'runtime/devices/select.test.ts',
  'runtime/devices/cpu/ptx-cache.test.ts',
  'main/wiring.test.ts',
  'runtime/telemetry/tracing.test.ts',
  'server/tracing.test.ts',
  'runtime/devices/cpu/pool/pool-conformance.test.ts',
  'runtime/devices/cpu/pool/pool.test.ts',
  'runtime/devices/cpu/barrier-scaling.test.ts',
];

const UNIT = '{contract,runtime,workbench,cli,server,main,preload,renderer,native,bench,scripts}/**/*.test.{ts,tsx}';
const BROWSER = 'e2e/**/*.spec.ts';
const EXCLUDE = ['node_modules/**', 'dist/**'];

export default defineConfig({
  // @fast-check/vitest's own import costs seconds per test file: see scripts/mutation/fast-check-vitest.ts.
  resolve: { alias: { '@fast-check/vitest': fileURLToPath(new URL('./scripts/mutation/fast-check-vitest.ts', import.meta.url)) } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The machine has 2 cores; worker-heavy suites compete for them. (One limit for both projects.)
    maxWorkers: 2,
    // include/exclude live in the projects only: a project that extends this config would append
    // its lists to these, and run every file twice.
    projects: [
      {
        // Unit files share each worker's module graph (isolate: false): loading the engine, zod,
        // fastify … once per worker instead of once per file saved about a quarter of the suite's
        // CPU time (user + sys 319 s → 230 s, measured here).
        extends: true,
        test: { name: 'unit', include: [UNIT], exclude: [...EXCLUDE, ...ISOLATED_TESTS], isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED_TESTS, exclude: EXCLUDE } },
      // The browser specs (Chromium through playwright-core); CI runs the other two projects alone on
      // Nodes 24 and 26 (`--project unit --project isolated`: a CLI --exclude does not reach a project's lists).
      { extends: true, test: { name: 'browser', include: [BROWSER], exclude: EXCLUDE } },
    ],
  },
});
