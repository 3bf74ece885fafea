#!/usr/bin/env node
// Refreshes the screenshots docs/WORKBENCH.md shows: runs the browser e2e specs with
// TENSOR_WASM_UPDATE_SCREENSHOTS=1 so they write e2e/screenshots/*.png instead of the ignored tmp/.
import { spawnSync } from 'node:child_process';

// `npm run screenshots -- e2e/workbench-tools.spec.ts` refreshes one spec's screenshots only.
const all = ['e2e/workbench.spec.ts', 'e2e/workbench-bugs.spec.ts', 'e2e/workbench-views.spec.ts', 'e2e/workbench-tools.spec.ts'];
const specs = process.argv.length > 2 ? process.argv.slice(2) : all;
const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...specs], {
  stdio: 'inherit',
  env: { ...process.env, TENSOR_WASM_UPDATE_SCREENSHOTS: '1' },
});
process.exit(result.status ?? 1);
