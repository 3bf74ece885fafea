/**
 * The vitest configuration Stryker runs under (stryker.config.json; `npm run mutate`), not used by
 * `npm test`: the project's own, with
 *  - `include` narrowed to the target's test files (MUTATE_TESTS, comma-separated, set by
 *    scripts/mutate.mjs). Stryker's own `testFiles` option is not used for that: given it, Stryker
 *    10 runs a static mutant (one in code that runs when the module loads, such as a lookup table)
 *    with "runtime" activation — the mutant is switched on after the module has loaded, so it can
 *    never be killed and is reported as surviving;
 *  - `@fast-check/vitest` replaced by scripts/mutation/fast-check-vitest.ts, as in vitest.config.ts,
 *    with a fixed seed (MUTATE_SEED, default 20261206) so a score is reproducible.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const tests = process.env.MUTATE_TESTS?.split(',').filter((t) => t.length > 0);
// One project, isolated: the target's few test files, each in a fresh module graph (Stryker's
// mutant switching relies on that), not npm test's split into shared-module and isolated projects.
const { projects: _projects, ...shared } = base.test!;
const UNIT = '{contract,runtime,workbench,cli,server,main,preload,renderer,native,bench,scripts}/**/*.test.{ts,tsx}';

export default defineConfig({
  ...base,
  resolve: { alias: { '@fast-check/vitest': fileURLToPath(new URL('./scripts/mutation/fast-check-vitest.ts', import.meta.url)) } },
  test: { ...shared, env: { MUTATE_SEED: process.env.MUTATE_SEED ?? '20261206' }, include: tests && tests.length > 0 ? tests : [UNIT], exclude: ['node_modules/**', 'dist/**'] },
});
