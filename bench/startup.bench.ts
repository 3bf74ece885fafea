/**
 * CLI start-up (issue 18): wall time of `tensor-wasm run add.wasm --invoke add --args '[1,2]'`,
 * `inspect add.wasm` and `--version`, each a fresh process of the shipped binary (bin/tensor-wasm.js
 * running dist/), against `node -e 0` measured in the same run, in interleaved rounds so a busy
 * machine colours every command alike. Goals: run ≤ 2×, inspect and --version ≤ 1.6× of node -e 0.
 * Each line also gives the median CPU time of the process (bench/cpu-at-exit.cjs, preloaded into
 * every case alike), which a busy machine distorts far less than wall time.
 *
 * STARTUP_RUNS sets the rounds (default 20). dist/ is rebuilt first (tsc and the CLI's bundle,
 * scripts/bundle-cli.mjs) when a source is newer,
 * since the binary would otherwise run the sources through tsx and the figures would mean nothing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';
import { percentile } from './stats.js';

const root = repoRoot(import.meta.dirname);
const bin = join(root, 'bin', 'tensor-wasm.js');
const add = join(root, 'fixtures', 'wasm', 'add.wasm');
const rounds = Number(process.env.STARTUP_RUNS ?? 20);

interface Case {
  name: string;
  args: string[];
  /** What the command must print: a wrong answer fast is no result. */
  expect: (stdout: string) => boolean;
  /** The most it may take, as a multiple of node -e 0; undefined for the baseline. */
  goal?: number;
}

const CASES: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'], expect: (s) => s === '' },
  { name: 'tensor-wasm run add --invoke add', args: [bin, 'run', add, '--invoke', 'add', '--args', '[1,2]'], expect: (s) => s === '[3]\n', goal: 2 },
  { name: 'tensor-wasm inspect add.wasm', args: [bin, 'inspect', add], expect: (s) => s.startsWith('module: '), goal: 1.6 },
  { name: 'tensor-wasm --version', args: [bin, '--version'], expect: (s) => /^\d+\.\d+\.\d+\n$/.test(s), goal: 1.6 },
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  const at = (path: string): number => statSync(join(root, path), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const builtAt = Math.min(at('dist/cli/main.js'), at('dist/cli-bundle/sources.json'));
  const newest = Math.max(...['contract', 'runtime', 'workbench', 'cli', 'server'].map((d) => newestSource(join(root, d))));
  if (builtAt > newest) return;
  console.log('dist/ is missing or older than the sources: building it (tsc -p tsconfig.node.json, node scripts/bundle-cli.mjs) ...');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.node.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc failed; the start-up bench needs dist/');
  const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')], { stdio: 'inherit' });
  if (bundle.status !== 0) throw new Error('scripts/bundle-cli.mjs failed; the start-up bench needs dist/cli-bundle/');
}

// from the sources' bench/ folder: tsc does not copy .cjs files into dist/bench, where this file also runs from
const cpuAtExit = join(root, 'bench', 'cpu-at-exit.cjs');

/** Wall time of one fresh process, and its CPU time (both ms). */
function once(c: Case): { wall: number; cpu: number } {
  const env: NodeJS.ProcessEnv = { ...process.env, TENSOR_WASM_LOG: 'warn' };
  delete env.TENSOR_WASM_FROM_SOURCE;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', cpuAtExit, ...c.args], { cwd: root, env, encoding: 'utf8' });
  const wall = performance.now() - t0;
  const cpu = /\nCPU_US=(\d+)\n$/.exec(r.stderr);
  if (r.status !== 0 || !c.expect(r.stdout) || !cpu) throw new Error(`${c.name} failed (exit ${r.status}): ${JSON.stringify(r.stdout)} ${JSON.stringify(r.stderr.slice(0, 500))}`);
  return { wall, cpu: Number(cpu[1]) / 1000 };
}

ensureBuilt();
for (const c of CASES) once(c); // warm the file cache (and V8's code cache) for every command alike
const samples = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
const cpuSamples = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
for (let i = 0; i < rounds; i++) {
  for (const c of CASES) {
    const { wall, cpu } = once(c);
    samples.get(c.name)!.push(wall);
    cpuSamples.get(c.name)!.push(cpu);
  }
}

const base = percentile(samples.get(CASES[0]!.name)!, 50);
const cpuBase = percentile(cpuSamples.get(CASES[0]!.name)!, 50);
console.log(`${rounds} interleaved rounds, median and p90 wall time of a fresh process (Node ${process.version}); CPU: its median CPU time (user + system)`);
let missed = 0;
for (const c of CASES) {
  const s = samples.get(c.name)!;
  const median = percentile(s, 50);
  const ratio = median / base;
  const cpu = percentile(cpuSamples.get(c.name)!, 50);
  const verdict = c.goal === undefined ? 'baseline' : `goal ≤ ${c.goal}×: ${ratio <= c.goal ? 'MET' : 'NOT MET'}`;
  if (c.goal !== undefined && ratio > c.goal) missed++;
  console.log(`${c.name.padEnd(36)} median ${median.toFixed(1).padStart(7)} ms  p90 ${percentile(s, 90).toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}× node -e 0  ${verdict}  (CPU ${cpu.toFixed(1)} ms, ${(cpu / cpuBase).toFixed(2)}×)`);
}
console.log(missed === 0 ? 'start-up goals: all MET' : `start-up goals: ${missed} NOT MET`);
// A busy machine stretches wall time unevenly; CPU time says what the process itself costs.
const wallRatio = Math.max(...CASES.slice(1).map((c) => percentile(samples.get(c.name)!, 50) / base));
const cpuRatio = Math.max(...CASES.slice(1).map((c) => percentile(cpuSamples.get(c.name)!, 50) / cpuBase));
if (Math.abs(wallRatio - cpuRatio) > 0.3) console.log(`note: wall-time and CPU-time ratios differ (largest ${wallRatio.toFixed(2)}× vs ${cpuRatio.toFixed(2)}×): the machine was busy; trust the CPU column`);
