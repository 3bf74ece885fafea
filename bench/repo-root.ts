import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, whether a bench runs from its TypeScript source (bench/) or from dist/bench/. */
export function repoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'fixtures'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the repository root above ${from}`);
  }
}
