import { defineConfig } from 'vitest/config';

export default defineConfig({
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
