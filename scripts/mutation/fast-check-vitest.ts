/**
 * What mutation runs import in place of `@fast-check/vitest` (vitest.mutate.config.ts aliases it
 * here): the same `fc`, and a `test`/`it` that is vitest's own with `.prop(arbitraries, params)
 * (name, fn)` built directly on `fc.assert`, so a failure still shrinks and prints its seed.
 *
 * Why not the package itself, under Stryker:
 *  - it costs seconds per import: 0.5.0 wraps every chain of vitest 4.1's test modifiers when it is
 *    loaded (its buildTest recurses through each permutation of skip/only/concurrent/…), measured
 *    at 14.6 s on this shared 2-core machine under load. Stryker's vitest runner starts a fresh
 *    worker for every mutant, so every mutant paid it;
 *  - it names each test "… (with seed=N)" with a new N each run. Stryker selects the tests that
 *    cover a mutant by the names it saw in its dry run, so in a mutant run no property test
 *    matched, none ran, and every mutant only they kill was reported as surviving.
 * The seed here is fixed (MUTATE_SEED, default below) so a mutation score is reproducible.
 */
import * as fc from 'fast-check';
import { it as vitestIt, test as vitestTest } from 'vitest';

const SEED = Number(process.env.MUTATE_SEED ?? 20261206);

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
        await fc.assert(property, { seed: SEED, ...params });
      },
      timeout,
    );
  };
}

export const test = Object.assign((...args: Parameters<typeof vitestTest>) => vitestTest(...args), vitestTest, { prop });
export const it = Object.assign((...args: Parameters<typeof vitestIt>) => vitestIt(...args), vitestIt, { prop });
export { fc };
