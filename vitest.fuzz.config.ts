/**
 * `npm run fuzz`: every fuzz campaign (`**\/*.fuzz.test.ts`) at 100 000 cases per target
 * (FUZZ_RUNS overrides), one file at a time. `npm test` runs the same files through
 * vitest.config.ts at the default of 1000 cases (each file reads `Number(process.env.FUZZ_RUNS ?? 1000)`).
 * Counts and durations of the documented run: docs/ERRORS.md, "Fuzzing".
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // @fast-check/vitest's own import costs seconds per test file: see scripts/mutation/fast-check-vitest.ts.
  resolve: { alias: { '@fast-check/vitest': fileURLToPath(new URL('./scripts/mutation/fast-check-vitest.ts', import.meta.url)) } },
  test: {
    include: ['{contract,runtime,workbench,cli,server,main,preload,renderer,native,bench,scripts}/**/*.fuzz.test.{ts,tsx}'],
    exclude: ['node_modules/**', 'dist/**'],
    env: { FUZZ_RUNS: process.env.FUZZ_RUNS ?? '100000' },
    // A campaign runs as long as its cases take; vitest's per-test timeout would cut it short.
    testTimeout: 6 * 60 * 60 * 1000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One campaign at a time: their durations are part of what is recorded.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
