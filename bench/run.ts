/**
 * `npm run bench` runs every bench/*.bench.ts, one process each (so one bench's JIT and heap do not
 * colour another's); `npm run bench -- <name>` runs bench/<name>.bench.ts only. Each bench is a
 * standalone script that prints its own figures and ratios against baselines measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
/** Flags (`--quick`) go to every chosen bench. */
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const all = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const chosen = names.length === 0 ? all : names.map((n) => (n.endsWith('.bench.ts') ? n : `${n}.bench.ts`));

/** Newest TypeScript source the benches run: dist/ is used only when it was built after it. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') newest = Math.max(newest, newestMtime(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}
const newestSource = Math.max(...['runtime', 'workbench', 'contract', 'bench', 'server', 'cli'].map((d) => newestMtime(join(here, '..', d))));

let failed = 0;
for (const file of chosen) {
  const path = join(here, file);
  if (!existsSync(path)) {
    console.error(`not_found: no benchmark ${file}; have: ${all.map((f) => f.replace(/\.bench\.ts$/, '')).join(', ')}`);
    failed++;
    continue;
  }
  // The shipped JavaScript (after `npm run build`) when it is there and not older than the source,
  // so figures are not coloured by the TypeScript loader; the source through tsx otherwise.
  const built = join(here, '..', 'dist', 'bench', file.replace(/\.ts$/, '.js'));
  const useBuilt = !process.env.BENCH_FROM_SOURCE && existsSync(built) && statSync(built).mtimeMs >= newestSource;
  console.log(`\n== ${file.replace(/\.bench\.ts$/, '')} (${useBuilt ? 'dist/ JavaScript' : 'TypeScript source via tsx'})`);
  const r = spawnSync(process.execPath, useBuilt ? [built, ...flags] : ['--import', 'tsx', path, ...flags], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`benchmark ${file} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
