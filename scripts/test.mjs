#!/usr/bin/env node
/**
 * `npm test`: the type check (`npm run typecheck`'s two tsc passes: sources and tests, then the
 * renderer) and the test suite (`vitest run`, with the arguments given after `npm test --`) side by
 * side. tsc runs on one core, and vitest's two workers leave it room (browser specs waiting on
 * Chromium, servers, deadlines), so the whole takes about the suite's time instead of both added.
 * tsc's output is printed in one piece when it ends, not mixed into vitest's lines; the exit status
 * is non-zero when either fails.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');

/** Runs `node args…`; resolves to its exit code and, when `capture`, its output. */
function run(args, capture) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('error', (e) => resolve({ code: 1, output: `${output}${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

async function typecheck() {
  const started = Date.now();
  for (const project of ['tsconfig.test.json', 'tsconfig.renderer.json']) {
    const r = await run([tsc, '-p', project], true);
    if (r.code !== 0) {
      process.stdout.write(`\ntypecheck failed (tsc -p ${project}):\n${r.output}\n`);
      return 1;
    }
  }
  process.stdout.write(`\ntypecheck passed (tsc, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  return 0;
}

const [types, tests] = await Promise.all([typecheck(), run([vitest, 'run', ...process.argv.slice(2)], false).then((r) => r.code)]);
if (types !== 0) console.log('npm test: the type check failed (see "typecheck failed" above)');
process.exitCode = types !== 0 || tests !== 0 ? 1 : 0;
