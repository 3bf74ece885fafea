#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then starts the Electron workbench. Where Electron
// cannot start (its binary was not downloaded, no display, it exits at once), it says why and
// serves the same UI in the browser through `tensor-wasm serve --ui`, printing the URL.
// Options: --browser (skip Electron), --port N (browser mode; default 8080, 0 picks a free one).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const forceBrowser = argv.includes('--browser');
const portAt = argv.indexOf('--port');
const port = portAt >= 0 ? argv[portAt + 1] : (process.env.TENSOR_WASM_PORT ?? '8080');

function newest(paths) {
  let t = 0;
  for (const p of paths) {
    const full = join(root, p);
    if (!existsSync(full)) continue;
    const st = statSync(full);
    if (st.isDirectory()) t = Math.max(t, newest(readdirSync(full).filter((n) => n !== 'node_modules').map((n) => join(p, n))));
    else t = Math.max(t, st.mtimeMs);
  }
  return t;
}

function stale(output, sources) {
  const out = join(root, output);
  return !existsSync(out) || statSync(out).mtimeMs < newest(sources);
}

function step(label, command, args) {
  console.log(`» ${label}`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
if (stale('dist/renderer/index.html', ['renderer', 'contract', 'vite.config.ts'])) {
  if (!step('building the workbench UI (vite)', npx, ['vite', 'build', '--logLevel', 'warn'])) process.exit(1);
}
if (stale('dist/preload/preload.cjs', ['preload', 'contract/workbench.ts'])) {
  if (!step('building the preload bridge', npx, ['vite', 'build', '--mode', 'preload', '--logLevel', 'warn'])) process.exit(1);
}
if (stale('dist/main/main.js', ['main', 'workbench', 'runtime', 'contract', 'server', 'cli'])) {
  // tsc emits even when another part of the tree has type errors; main/ is usable if it was emitted.
  step('compiling the engine, server and Electron main (tsc)', npx, ['tsc', '-p', 'tsconfig.node.json']);
}

/** Why Electron cannot start here, or undefined when it can (never triggers Electron's download). */
function electronUnavailable() {
  if (forceBrowser) return 'the browser UI was asked for (--browser)';
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return 'the electron package is not installed';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkg, 'path.txt');
  if (!override && !existsSync(pathFile)) return 'the Electron binary was not downloaded (node_modules/electron has no path.txt; its download needs network: `npx install-electron`)';
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const bin = override ? join(override, rel) : join(pkg, 'dist', rel);
  if (!existsSync(bin)) return `the Electron binary is missing (${bin})`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY / WAYLAND_DISPLAY unset)';
  if (!existsSync(join(root, 'dist', 'main', 'main.js'))) return 'dist/main/main.js was not built';
  return { bin };
}

function startBrowserMode(why) {
  console.log(`Electron cannot start: ${why}.`);
  console.log('Starting the same workbench in the browser instead (tensor-wasm serve --ui).');
  const child = spawn(process.execPath, [join(root, 'bin', 'tensor-wasm.js'), 'serve', '--ui', '--port', String(port)], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk) => {
    const text = String(chunk);
    process.stdout.write(text);
    const m = /listening on (http:\/\/\S+?)\s/.exec(text);
    if (m) console.log(`\n  Workbench: ${m[1]}/\n  (open it in a browser; Ctrl+C stops the server)\n`);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const electron = electronUnavailable();
if (typeof electron === 'string') startBrowserMode(electron);
else {
  const started = Date.now();
  const child = spawn(electron.bin, [join(root, 'dist', 'main', 'main.js')], { cwd: root, stdio: 'inherit' });
  child.on('error', (error) => startBrowserMode(`Electron failed to start (${error.message})`));
  child.on('exit', (code) => {
    // Exiting with an error within seconds means it never opened a window: fall back.
    if (code !== 0 && Date.now() - started < 5000) startBrowserMode(`Electron exited at once with code ${code}`);
    else process.exit(code ?? 0);
  });
}
