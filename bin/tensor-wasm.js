#!/usr/bin/env node
// The `tensor-wasm` command. Runs the compiled CLI from dist/ when it is up to date; from the
// TypeScript sources (through tsx) when TENSOR_WASM_FROM_SOURCE=1, when nothing has been built,
// or when a source is newer than the build — stale code never runs. Without tsx (an install
// without devDependencies) a stale build is refused with the command that rebuilds it.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
/** The source folders the CLI's code comes from (tsconfig.node.json compiles them to dist/). */
const SOURCE_DIRS = ['contract', 'runtime', 'workbench', 'cli', 'server'];

/** The first source file newer than the build, or undefined. A few hundred stats: ~2 ms. */
function newerSource(builtAt) {
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined; // an install without sources: dist/ is all there is
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        const found = walk(path);
        if (found) return found;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        if (statSync(path, { throwIfNoEntry: false })?.mtimeMs > builtAt) return path;
      }
    }
    return undefined;
  };
  for (const dir of SOURCE_DIRS) {
    const found = walk(join(root, dir));
    if (found) return found;
  }
  return undefined;
}

function chooseSource() {
  if (process.env.TENSOR_WASM_FROM_SOURCE === '1') return { fromSource: true };
  const builtAt = statSync(built, { throwIfNoEntry: false })?.mtimeMs;
  if (builtAt === undefined) return { fromSource: true, why: 'dist/ has not been built' };
  const newer = newerSource(builtAt);
  return newer ? { fromSource: true, why: `${relative(root, newer)} is newer than dist/` } : { fromSource: false };
}

// Node >= 22.1 keeps compiled code of the modules it loads on disk (in the OS temp folder), which
// takes a large part of every later start-up away; older Nodes have no such cache and skip this.
module.enableCompileCache?.();

const { fromSource, why } = chooseSource();
if (fromSource) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(`internal: ${why ?? 'running from source was asked for'} and tsx is not installed to run the sources; rebuild with: npm run build (or npx tsc -p tsconfig.node.json)\n`);
    process.exit(1);
  }
  register();
  await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
} else {
  await import(pathToFileURL(built).href);
}
