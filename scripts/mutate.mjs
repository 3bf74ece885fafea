#!/usr/bin/env node
/**
 * `npm run mutate [-- <target> ...]`: StrykerJS mutation testing (stryker.config.json), one target
 * at a time, each with the narrow set of test files meant to kill its mutants (so a run fits a
 * shared 2-core machine: concurrency 1). No target: every one, in turn. Targets that are a part of
 * a large file (an emitter's cvt or atomics) are given as that function's line range, found here by
 * its first line, so the range follows the code when lines move.
 *
 * Prints Stryker's per-file table and one summary line per target (mutants, killed, survived, timed
 * out, no coverage, score, minutes); each target's JSON report is reports/mutation/<target>.json
 * (gitignored) and the summary lines are appended to reports/mutation/summary.txt.
 *
 * A mutant costs a fresh vitest worker (Stryker's runner restarts it for every mutant), so test
 * files are kept narrow and stryker.config.json runs them under vitest.mutate.config.ts.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The lines of `file` from the one matching `start` to the end of that function or method. */
function range(file, start) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const from = lines.findIndex((l) => start.test(l));
  if (from < 0) throw new Error(`mutate: no line matching ${start} in ${file}`);
  const indent = /^\s*/.exec(lines[from])[0];
  let to = from + 1;
  while (to < lines.length && lines[to] !== `${indent}}`) to++;
  return `${file}:${from + 1}-${to + 1}`;
}

const CPU = 'runtime/devices/cpu';
const TARGETS = {
  memcheck: { mutate: () => [`${CPU}/memcheck.ts`], tests: [`${CPU}/memcheck.test.ts`, `${CPU}/memcheck-straddle.test.ts`, `${CPU}/memcheck.edges.test.ts`] },
  'js-cvt': {
    mutate: () => [range(`${CPU}/compile/emit-alu.ts`, /^export function emitCvt\(/), range(`${CPU}/math.ts`, /^export function f2int\(/), range(`${CPU}/int64.ts`, /^export function i64ToFloat\(/), range(`${CPU}/int64.ts`, /^export function f2i64\(/)],
    tests: [`${CPU}/cvt-oracle.test.ts`, `${CPU}/cvt-edges.test.ts`],
  },
  'wasm-cvt': {
    mutate: () => [range(`${CPU}/wasm/emit-alu.ts`, /^ {2}protected cvt\(/), range(`${CPU}/wasm/emit-alu.ts`, /^ {2}private directedIntToFloat\(/)],
    tests: [`${CPU}/cvt-oracle.test.ts`, `${CPU}/cvt-edges.test.ts`, `${CPU}/wasm/cvt-sat.test.ts`],
    coverage: 'all',
  },
  'js-atomics': { mutate: () => [range(`${CPU}/compile/emit-mem.ts`, /^export function emitAtom\(/)], tests: [`${CPU}/atomics-oracle.test.ts`, `${CPU}/atomics-memcheck.test.ts`] },
  'wasm-atomics': {
    mutate: () => [`${CPU}/wasm/emit-atomics.ts`],
    tests: [`${CPU}/atomics-oracle.test.ts`, `${CPU}/atomics-memcheck.test.ts`],
    coverage: 'all',
  },
  argv: { mutate: () => ['runtime/cuda/argv.ts'], tests: ['runtime/cuda/argv.test.ts', 'runtime/cuda/argv.limits.test.ts'] },
  marshal: { mutate: () => ['runtime/marshal/*.ts', '!runtime/marshal/*.test.ts'], tests: ['runtime/marshal/*.test.ts'] },
  'trip-count': { mutate: () => ['runtime/offload/trip-count.ts'], tests: ['runtime/offload/trip-count.test.ts', 'runtime/offload/trip-count.property.test.ts', 'runtime/offload/trip-threshold.test.ts', 'runtime/offload/trip-count.edges.test.ts'] },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((t) => !(t in TARGETS));
if (unknown.length > 0) {
  console.error(`mutate: unknown target ${unknown.join(', ')}; targets: ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}
// Stryker's class, not its CLI: the CLI refuses Node < 22 at import, while the project runs on
// Node >= 20.19 (package.json engines) and the class runs there too. Its package exports only the
// index, which imports the CLI, hence the file path.
const { Stryker } = await import(pathToFileURL(join(root, 'node_modules/@stryker-mutator/core/dist/src/stryker.js')).href);
process.chdir(root);
let failed = 0;
for (const name of asked.length > 0 ? asked : Object.keys(TARGETS)) {
  const t = TARGETS[name];
  const mutate = t.mutate();
  console.log(`\n== mutate ${name}: ${mutate.join(' ')}\n   tests: ${t.tests.join(' ')}`);
  const started = Date.now();
  try {
    // The tests go to vitest.mutate.config.ts as its `include`, not to Stryker as `testFiles`
    // (why: see that file). Stryker's worker processes inherit the variable.
    process.env.MUTATE_TESTS = t.tests.join(',');
    const results = await new Stryker({
      configFile: 'stryker.config.json',
      mutate,
      // The Wasm targets run all their tests for every mutant: a kernel is compiled once per
      // worker, in whichever test loads its PTX first (ptx-cache.ts), so per-test coverage may
      // credit the Wasm emitters to a JavaScript-backend test. (wasm-atomics scored the same
      // either way: 156 of 203.)
      ...(t.coverage ? { coverageAnalysis: t.coverage } : {}),
      // A busy machine makes healthy runs overrun the 10 s default, and Stryker counts a timeout
      // as a kill: MUTATE_TIMEOUT_MS raises the limit so such a score is not inflated.
      ...(process.env.MUTATE_TIMEOUT_MS ? { timeoutMS: Number(process.env.MUTATE_TIMEOUT_MS) } : {}),
      jsonReporter: { fileName: `reports/mutation/${name}.json` },
    }).runMutationTest();
    const count = (...statuses) => results.filter((m) => statuses.includes(m.status)).length;
    const killed = count('Killed');
    const timedOut = count('Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    // A mutant that breaks loading the module (RuntimeError) fails every test file, so it is caught,
    // but Stryker leaves it out of the score; listed apart.
    const errors = count('RuntimeError', 'CompileError');
    const valid = killed + timedOut + survived + noCoverage;
    const score = valid ? ((100 * (killed + timedOut)) / valid).toFixed(1) : '-';
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const line = `${name}: ${valid} mutants, ${killed} killed, ${survived} survived, ${timedOut} timed out, ${noCoverage} no coverage, ${errors} errors (not scored), score ${score}%, ${minutes} min`;
    console.log(`== ${line}`);
    mkdirSync('reports/mutation', { recursive: true });
    appendFileSync('reports/mutation/summary.txt', `${new Date().toISOString()} ${line}\n`);
  } catch (e) {
    console.error(`mutate ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
