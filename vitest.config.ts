import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // @fast-check/vitest's own import costs seconds per test file: see scripts/mutation/fast-check-vitest.ts.
  resolve: { alias: { '@fast-check/vitest': fileURLToPath(new URL('./scripts/mutation/fast-check-vitest.ts', import.meta.url)) } },
  test: {
    include: ['{contract,runtime,workbench,cli,server,main,preload,renderer,native,bench,scripts}/**/*.test.{ts,tsx}', 'e2e/**/*.spec.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The machine has 2 cores; worker-heavy suites compete for them.
    maxWorkers: 2,
  },
});
