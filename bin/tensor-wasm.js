#!/usr/bin/env node
// The `tensor-wasm` command. Runs the built CLI when it is up to date: the bundle of the command
// named on the command line (dist/cli-bundle/<command>/, scripts/bundle-cli.mjs: one file loads
// faster than tsc's ≈50), else tsc's dist/cli/main.js. Runs the TypeScript sources (through tsx)
// when TENSOR_WASM_FROM_SOURCE=1, when nothing has been built, or when a source is newer than the
// build — stale code never runs. Without tsx (an install without devDependencies) a stale build is
// refused with the command that rebuilds it.
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, relative, sep } from 'node:path';

// node:fs through require(): its ES module facade would read every export, and fs.ReadStream's getter loads fs's streams (milliseconds of every start)
const { readFileSync, readdirSync, statSync } = module.createRequire(import.meta.url)('node:fs');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const bundles = join(root, 'dist', 'cli-bundle');
/** The source folders the CLI's code comes from (tsconfig.node.json compiles them to dist/). */
const SOURCE_DIRS = ['contract', 'runtime', 'workbench', 'cli', 'server'];

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** The first source file newer than the build, or undefined, walking the source folders. */
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
        if (mtime(path) > builtAt) return path;
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

/**
 * The first of the sources the bundle's build listed that is newer than `builtAt`: the same check
 * without walking the folders (one stat a file). A source added since the build can only change
 * what runs through a listed file that imports it, whose time then changed; a listed file gone
 * (an install without sources) cannot be newer.
 */
function newerListedSource(list, builtAt) {
  // plain concatenation: path.join's normalising, 240 times, cost more than the stats on a busy machine
  const base = root.endsWith(sep) ? root : root + sep;
  for (const file of list) if (mtime(base + file) > builtAt) return base + file;
  return undefined;
}

/** The bundle for this command line: the named command's, else main's (cli/main.ts's commandsFor: the command is the first word that is no option). */
function bundleFor(args) {
  const first = args.find((a) => !a.startsWith('-'));
  const own = first !== undefined && /^[a-z]+$/.test(first) ? join(bundles, first, `${first}.js`) : undefined;
  return own && mtime(own) !== undefined ? own : join(bundles, 'main', 'main.js');
}

function chooseEntry() {
  if (process.env.TENSOR_WASM_FROM_SOURCE === '1') return { fromSource: true };
  const tscAt = mtime(built);
  if (tscAt === undefined) return { fromSource: true, why: 'dist/ has not been built' };
  let list;
  const listAt = mtime(join(bundles, 'sources.json'));
  try {
    if (listAt !== undefined) list = JSON.parse(readFileSync(join(bundles, 'sources.json'), 'utf8'));
  } catch {
    list = undefined; // a build cut short: check as without a bundle
  }
  // The bundle's workers and the commands it does not hold run tsc's files: both must be newer than the sources.
  const builtAt = list ? Math.min(listAt, tscAt) : tscAt;
  const newer = list ? newerListedSource(list, builtAt) : newerSource(builtAt);
  if (newer) return { fromSource: true, why: `${relative(root, newer)} is newer than dist/` };
  return { fromSource: false, entry: list ? bundleFor(process.argv.slice(2)) : built };
}

// Node >= 22.1 keeps compiled code of the modules it loads on disk (in the OS temp folder), which
// takes a large part of every later start-up away; older Nodes have no such cache and skip this.
module.enableCompileCache?.();

const { fromSource, why, entry } = chooseEntry();
if (fromSource) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(`internal: ${why ?? 'running from source was asked for'} and tsx is not installed to run the sources; rebuild with: npm run build (or npx tsc -p tsconfig.node.json && node scripts/bundle-cli.mjs)\n`);
    process.exit(1);
  }
  register();
  await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
} else {
  await import(pathToFileURL(entry).href);
}
