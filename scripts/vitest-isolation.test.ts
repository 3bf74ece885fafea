/**
 * npm test runs most unit files in a shared module graph per worker (vitest.config.ts, project
 * "unit"). A file that mocks modules, sets OpenTelemetry's global provider, counts the block
 * pool's starts or measures the process's CPU time needs a graph of its own: this fails when such a file is not in ISOLATED_TESTS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATED_TESTS } from '../vitest.config.js';

const root = join(import.meta.dirname, '..');
const NEEDS_OWN_GRAPH: [RegExp, string][] = [
  [/\bvi\.(mock|doMock|unmock)\(/, 'mocks a module'],
  [/setGlobalTracerProvider\(/, "sets OpenTelemetry's global tracer provider"],
  [/existingBlockPool\(\)\?*\.started/, "counts the block pool's starts"],
  [/process\.cpuUsage\(/, "measures the whole process's CPU time"],
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return /\.test\.tsx?$/.test(e.name) ? [relative(root, path)] : [];
  });
}

describe('test isolation', () => {
  it('every unit test file that needs a fresh module graph runs isolated', () => {
    const dirs = ['contract', 'runtime', 'workbench', 'cli', 'server', 'main', 'preload', 'renderer', 'native', 'bench'];
    const missing: string[] = [];
    for (const file of dirs.flatMap((d) => testFiles(join(root, d)))) {
      if (file === relative(root, import.meta.filename)) continue;
      const text = readFileSync(join(root, file), 'utf8');
      for (const [pattern, why] of NEEDS_OWN_GRAPH) if (pattern.test(text) && !ISOLATED_TESTS.includes(file)) missing.push(`${file} (${why})`);
    }
    expect(missing, 'add these to ISOLATED_TESTS in vitest.config.ts').toEqual([]);
  });

  it('finds the files it is meant to find', () => {
    // The check above must not pass by finding nothing: the known files are each caught by a pattern.
    for (const file of ISOLATED_TESTS) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(NEEDS_OWN_GRAPH.some(([p]) => p.test(text)), file).toBe(true);
    }
  });
});
