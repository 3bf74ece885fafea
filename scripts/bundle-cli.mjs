// Bundles the CLI for start-up (issue 18): Node's ESM loader resolves, reads and compiles every
// module on its own, and a `run` from tsc's dist/ (≈50 files) spent most of its start there.
//
// One bundle per command: dist/cli-bundle/<command>/<command>.js is cli/main.ts with that one
// command and all it imports statically in a single file, and what it imports lazily (devices, the
// offload rewriter, tracing) in chunks beside it, loaded when used; main/main.js has no command,
// for --version, --help and unknown words. bin/tensor-wasm.js picks the bundle by the command line
// (the rule of cli/main.ts's commandsFor). Each bundle stands alone (one per process), so no class
// or singleton exists twice in a process. The other commands' imports in a bundle point at tsc's
// dist/cli/commands/ (reached only through --help, which loads them all).
//
// Packages stay in node_modules (loaded, as before, only when used), save commander, which every
// command parses with. Worker threads still start from tsc's dist/ (a module's import.meta.url is
// rewritten to its tsc file's, below), so this runs after tsc (`npm run build`).
//
// Writes dist/cli-bundle/sources.json last: the source files the build compiled; the launcher runs
// the bundle only while none of them is newer than that file.
import { build } from 'esbuild';
import { isBuiltin } from 'node:module';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out <name>`: another folder of dist/ (a test's); the bundle's paths into dist/ need it one level under dist/
const outName = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'cli-bundle';
if (!/^[\w-]+$/.test(outName ?? '')) throw new Error('bundle-cli: --out takes a folder name (made under dist/)');
const out = join(root, 'dist', outName);
/** The source folders the CLI's code comes from (tsconfig.node.json compiles them to dist/); bin/tensor-wasm.js names the same. */
const SOURCE_DIRS = ['contract', 'runtime', 'workbench', 'cli', 'server'];
const posix = (p) => p.split(sep).join('/');

function sources(dir) {
  const found = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) found.push(...sources(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/**
 * In a bundle, `import.meta.url` names the bundle's file, not the module: a worker entry or a file
 * beside the module would be looked for in the wrong folder. Each module's becomes its tsc-compiled
 * file's in dist/ (from dist/cli-bundle/<command>/x.js: ../../<path>.js).
 */
const metaUrlOfDist = {
  name: 'import-meta-url-of-dist',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const js = posix(relative(root, args.path)).replace(/\.ts$/, '.js');
      let text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(`../../${js}`)}, import.meta.url).href`);
      const command = b.initialOptions.entryNames;
      if (js === 'cli/main.js') text = withCommand(text, command);
      for (const [file, specifier] of [...HOT['*'], ...(HOT[command] ?? [])]) if (`${file.slice(0, -3)}.js` === js) text = staticImport(text, specifier);
      return { contents: text, loader: 'ts' };
    });
  },
};

/**
 * Node's modules through require(), not as ES modules: Node builds an ES module's facade of a
 * built-in by reading every export, and the getters run — `fs.ReadStream` loads fs's streams,
 * crypto's load WebCrypto and its keys — about a fifth of `inspect`'s start on Node 24 (its CPU
 * profile). A require() reads nothing until the code uses it (esbuild's interop reads lazily too).
 */
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) => (args.kind === 'import-statement' && isBuiltin(args.path) ? { path: args.path, namespace: 'tw-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'tw-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/**
 * commander requires node:child_process (and with it node:net and streams) at its top, for
 * executable subcommands this CLI does not have: in the bundle it is required on first use.
 */
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(COMMANDER_CHILD_PROCESS)) throw new Error(`bundle-cli: commander's ${COMMANDER_CHILD_PROCESS} is gone: update lazyChildProcess`);
      return { contents: text.replace(COMMANDER_CHILD_PROCESS, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

/**
 * The lazy imports a command always takes on its way (file, specifier): in that command's bundle
 * they are static, so they come in its one file instead of chunks loaded one by one. commander:
 * every command parses with it; run: the engine, and the CUDA probe that names the device.
 */
const HOT = {
  '*': [['cli/main.ts', 'commander']],
  run: [['cli/commands/run.ts', '../../runtime/engine.js'], ['runtime/engine.ts', './devices/cuda/probe.js']],
};

let hot = 0;
/** `import(specifier)` in `text` as a static import, Promise.resolve()d where the dynamic one was. */
function staticImport(text, specifier) {
  const pattern = `import(${JSON.stringify(specifier).replaceAll('"', "'")})`;
  if (!text.includes(pattern)) throw new Error(`bundle-cli: no ${pattern} to make static`);
  const name = `__twHot${hot++}`;
  return `import * as ${name} from '${specifier}';\n` + text.replaceAll(pattern, `Promise.resolve(${name})`);
}

/**
 * cli/main.ts for one command's file: that command imported statically (it is the reason the file
 * runs), the others from tsc's dist/cli/commands/ (only --help loads them).
 */
function withCommand(text, command) {
  let own = '';
  const out = text.replace(/import\('\.\/commands\/([a-z-]+)\.js'\)/g, (_, name) => {
    if (name !== command) return `import(${JSON.stringify(`../../cli/commands/${name}.js`)})`;
    own = `import * as __twCommand from './commands/${name}.js';\n`;
    return 'Promise.resolve(__twCommand)';
  });
  return own + out;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Bundled, not left in node_modules: commander (every command parses with it) and @noble/hashes (inspect hashes small modules with it). */
const BUNDLED_PACKAGES = new Set(['commander', '@noble/hashes']);
const external = Object.keys(pkg.dependencies).filter((d) => !BUNDLED_PACKAGES.has(d)).flatMap((d) => [d, `${d}/*`]);
const commands = [...readFileSync(join(root, 'cli', 'main.ts'), 'utf8').matchAll(/import\('\.\/commands\/([a-z-]+)\.js'\)/g)].map((m) => m[1]);
if (commands.length === 0) throw new Error('bundle-cli: found no command in cli/main.ts');

rmSync(out, { recursive: true, force: true });
const inputs = new Set();
const t0 = performance.now();
for (const command of ['main', ...commands]) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['cli/main.ts'],
    entryNames: command,
    outdir: join(out, command),
    bundle: true,
    // the command's lazy imports (devices, the offload rewriter, tracing, …) stay lazy: chunks of their own
    splitting: true,
    chunkNames: 'lazy-[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...external, '../../cli/commands/*'],
    plugins: [builtinsThroughRequire, lazyChildProcess, metaUrlOfDist],
    metafile: true,
    logLevel: 'warning',
    // commander is CommonJS: its bundled copy calls require() for Node's modules
    banner: { js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);" },
  });
  for (const input of Object.keys(result.metafile.inputs)) inputs.add(input);
}
const watched = SOURCE_DIRS.flatMap((d) => sources(join(root, d))).map((p) => posix(relative(root, p)));
const listed = new Set(watched);
// whatever a bundle took from outside those folders is one of its sources too
// (not the built-ins' stand-ins of builtinsThroughRequire: `tw-builtin:node:fs` is no file)
for (const input of inputs) if (!input.startsWith('node_modules/') && !input.startsWith('tw-builtin:') && !listed.has(input)) watched.push(input);
writeFileSync(join(out, 'sources.json'), JSON.stringify(watched));
console.log(`dist/${outName}: ${commands.length + 1} files from ${inputs.size} modules in ${Math.round(performance.now() - t0)} ms; ${watched.length} sources watched`);
