#!/usr/bin/env node
// Builds the CUDA addon (native/) with node-gyp. Run by `npm ci` (postinstall) and by
// `npm run build:native`. It never fails the install: the addon is optional, and when it cannot be
// built the reason is written, as one sentence, to native/build/BUILD_FAILED.txt, which the CUDA
// probe reports (`tensor-wasm devices`). TENSOR_WASM_SKIP_NATIVE=1 skips the build.
// The tools node-gyp needs (a C++ compiler, make, Python) are looked for first, so a machine
// without one is told that, not make's "Error 127". TENSOR_WASM_NATIVE_DIR builds a copy of
// native/ elsewhere (scripts/build-native.test.ts uses it to leave the real build alone).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = process.env.TENSOR_WASM_NATIVE_DIR || join(root, 'native');
const buildDir = join(nativeDir, 'build');
const failedFile = join(buildDir, 'BUILD_FAILED.txt');
const addonFile = join(buildDir, 'Release', 'tensorwasm_cuda.node');

function fail(sentence) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(failedFile, `${sentence}\n`);
  console.warn(`tensor-wasm: the CUDA addon was not built (${sentence}); the CPU device will be used.`);
  process.exit(0);
}

/** node-gyp: the project's own, else the one npm bundles (npm sets npm_config_node_gyp for scripts). */
function nodeGypCommand() {
  try {
    const script = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
    return [process.execPath, [script]];
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    if (bundled && existsSync(bundled)) return bundled.endsWith('.js') ? [process.execPath, [bundled]] : [bundled, []];
    return undefined;
  }
}

/**
 * The line of node-gyp's output that says why: a missing tool ("g++: not found"), else a compiler
 * error, else node-gyp's own error. make's summary ("*** [...] Error 127") only says that a step
 * failed, never why: it is the last resort.
 */
function reasonFrom(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const network = lines.some((l) => /network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(l));
  if (network) return 'the Node.js headers could not be downloaded (offline?); set npm config nodedir to a folder with include/node';
  const makeSummary = (l) => /^make(\[\d+\])?: \*\*\*/.test(l);
  const missingTool = lines.find((l) => /(: not found|No such file or directory|command not found)$/.test(l) && !makeSummary(l) && !l.startsWith('gyp'));
  const compiler = lines.find((l) => /\b(fatal )?error\b[: ]/i.test(l) && !l.startsWith('gyp') && !makeSummary(l));
  const gypStack = lines.find((l) => /^gyp ERR! stack Error: /.test(l))?.replace(/^gyp ERR! stack Error: /, '');
  const gyp = lines.find((l) => l.startsWith('gyp ERR!') && !/ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok|find Python\s*$|configure error|build error)/.test(l));
  const line = (missingTool ?? compiler ?? gypStack ?? gyp ?? lines.find(makeSummary) ?? lines.at(-1) ?? 'no output').replace(/^gyp ERR! /, '');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Where a program would run from, or undefined: an absolute path as given, else the first hit on PATH. */
function which(program) {
  const candidates = isAbsolute(program) ? [program] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The first missing tool node-gyp needs, as the sentence to record; undefined when all are there. */
function missingToolchain() {
  const cxx = process.env.CXX?.trim();
  if (cxx) {
    const program = cxx.split(/\s+/)[0];
    if (!which(program)) return `CXX is set to '${cxx.slice(0, 100)}', which cannot be run`;
  } else if (!['g++', 'c++', 'clang++'].some(which)) {
    return 'no C++ compiler was found (g++, c++ or clang++ on PATH, or CXX); install one (e.g. apt-get install g++) and run npm run build:native';
  }
  if (!which('make')) return 'make was not found on PATH; install it (e.g. apt-get install make) and run npm run build:native';
  if (!process.env.PYTHON && !process.env.npm_config_python && !['python3', 'python'].some(which)) {
    return 'Python was not found on PATH (node-gyp needs it); install python3 and run npm run build:native';
  }
  return undefined;
}

if (process.env.TENSOR_WASM_SKIP_NATIVE === '1') fail('skipped because TENSOR_WASM_SKIP_NATIVE=1');
if (!existsSync(join(nativeDir, 'binding.gyp'))) fail('native/binding.gyp is missing');
const command = nodeGypCommand();
if (!command) fail('node-gyp is not installed');
const missing = missingToolchain();
if (missing) {
  // As node-gyp's rebuild would have: no addon from an earlier build is left beside the reason.
  rmSync(join(buildDir, 'Release'), { recursive: true, force: true });
  fail(missing);
}
rmSync(failedFile, { force: true });

/**
 * Node's own headers when the running node ships them, so an offline build needs no header
 * download: distribution packages put them in <prefix>/include/node; the npm registry's `node`
 * package keeps them in its platform package (node_modules/node-<platform>-<arch>/include/node)
 * beside the bin/ it runs from. npm's `nodedir` config (npm_config_nodedir) wins when set.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  const candidates = [prefix, join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`)];
  const dir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
  return dir ? [`--nodedir=${dir}`] : [];
}

const [file, args] = command;
const started = Date.now();
const result = spawnSync(file, [...args, 'rebuild', ...nodedirArgs()], {
  cwd: nativeDir,
  encoding: 'utf8',
  timeout: 600_000,
  env: { ...process.env, JOBS: process.env.JOBS ?? '2' },
});
const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
if (result.error) fail(`node-gyp could not run: ${result.error.message}`);
if (result.status !== 0) fail(`node-gyp failed: ${reasonFrom(output)}`);
if (!existsSync(addonFile)) fail('node-gyp finished but produced no tensorwasm_cuda.node');
console.log(`tensor-wasm: built the CUDA addon (${addonFile}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
