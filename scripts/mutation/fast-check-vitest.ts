/**
 * What the test runs import in place of `@fast-check/vitest` (vitest.config.ts, vitest.fuzz.config.ts
 * and vitest.mutate.config.ts alias it here): the same `fc`, and a `test`/`it` that is vitest's own
 * with `.prop(arbitraries, params)(name, fn)` built directly on `fc.assert`, so a failure still
 * shrinks and prints its seed (fast-check's failure report names it; rerun with `{ seed }`).
 *
 * Why not the package itself:
 *  - it costs seconds per import: 0.5.0 (the latest) wraps every chain of vitest 4.1's test
 *    modifiers when it is loaded (its buildTest recurses through each permutation of
 *    skip/only/concurrent/…): 4–5 s per test file here on a lightly loaded machine, 14.6 s under
 *    load, paid by every file that uses it in `npm test` and by every mutant under Stryker, whose
 *    vitest runner starts a fresh worker per mutant;
 *  - it names each test "… (with seed=N)" with a new N each run. Stryker selects the tests that
 *    cover a mutant by the names it saw in its dry run, so in a mutant run no property test
 *    matched, none ran, and every mutant only they kill was reported as surviving.
 * Seeds are fast-check's own random ones, except under MUTATE_SEED (vitest.mutate.config.ts sets
 * it) so that a mutation score is reproducible.
 */
import * as fc from 'fast-check';
import { it as vitestIt, test as vitestTest } from 'vitest';

const SEED = process.env.MUTATE_SEED !== undefined ? Number(process.env.MUTATE_SEED) : undefined;

type Arbitraries = readonly fc.Arbitrary<unknown>[] | Readonly<Record<string, fc.Arbitrary<unknown>>>;
type Body = (...values: never[]) => unknown;

function prop(arbitraries: Arbitraries, params: fc.Parameters<unknown> = {}) {
  return (name: string, body: Body, timeout?: number): void => {
    vitestTest(
      name,
      async () => {
        const run = async (...values: unknown[]): Promise<void> => {
          await (body as (...v: unknown[]) => unknown)(...values);
        };
        // fc.asyncProperty's overloads take the arbitraries one by one; here they come as a list.
        const asyncProperty = fc.asyncProperty as (...args: unknown[]) => fc.IAsyncPropertyWithHooks<unknown[]>;
        const property = Array.isArray(arbitraries)
          ? asyncProperty(...arbitraries, run)
          : asyncProperty(fc.record(arbitraries as Record<string, fc.Arbitrary<unknown>>), run);
        await fc.assert(property, { ...(SEED !== undefined ? { seed: SEED } : {}), ...params });
      },
      timeout,
    );
  };
}

export const test = Object.assign((...args: Parameters<typeof vitestTest>) => vitestTest(...args), vitestTest, { prop });
export const it = Object.assign((...args: Parameters<typeof vitestIt>) => vitestIt(...args), vitestIt, { prop });
export { fc };
