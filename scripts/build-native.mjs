#!/usr/bin/env node
// Builds the CUDA addon (native/) with node-gyp. Run by `npm ci` (postinstall) and by
// `npm run build:native`. It never fails the install: the addon is optional, and when it cannot be
// built the reason is written, as one sentence, to native/build/BUILD_FAILED.txt, which the CUDA
// probe reports (`tensor-wasm devices`). TENSOR_WASM_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
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

/** The line of node-gyp's output that says why: a compiler error, else the first gyp ERR! line. */
function reasonFrom(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const compiler = lines.find((l) => /\berror\b[: ]/i.test(l) && !l.startsWith('gyp'));
  const network = lines.some((l) => /network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(l));
  if (network) return 'the Node.js headers could not be downloaded (offline?); set npm config nodedir to a folder with include/node';
  const gyp = lines.find((l) => l.startsWith('gyp ERR!') && !/ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l));
  const line = (compiler ?? gyp ?? lines.at(-1) ?? 'no output').replace(/^gyp ERR! /, '');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

if (process.env.TENSOR_WASM_SKIP_NATIVE === '1') fail('skipped because TENSOR_WASM_SKIP_NATIVE=1');
if (!existsSync(join(nativeDir, 'binding.gyp'))) fail('native/binding.gyp is missing');
const command = nodeGypCommand();
if (!command) fail('node-gyp is not installed');
rmSync(failedFile, { force: true });

/**
 * Node's own headers when the running node ships them (distribution packages put them in
 * <prefix>/include/node), so an offline build needs no header download. npm's `nodedir` config
 * (npm_config_nodedir) wins when set.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
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
