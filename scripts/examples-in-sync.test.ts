import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// assets/examples holds copies of fixtures (made by assets/copy-examples.mjs) because the packaged
// workbench ships assets/, not fixtures/. This keeps the copies from drifting from their originals.
const root = join(import.meta.dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('bundled examples', () => {
  it('are byte-identical copies of fixtures (rerun `node assets/copy-examples.mjs` after a rebuild)', () => {
    const fixtures = filesUnder(join(root, 'fixtures'));
    const stale: string[] = [];
    for (const copy of filesUnder(join(root, 'assets', 'examples'))) {
      if (copy.endsWith('examples.json')) continue;
      const bytes = readFileSync(copy);
      const name = copy.split(/[\\/]/).pop()!;
      const original = fixtures.filter((f) => f.endsWith(`/${name}`)).some((f) => readFileSync(f).equals(bytes));
      if (!original) stale.push(relative(root, copy));
    }
    expect(stale).toEqual([]);
  });
});
