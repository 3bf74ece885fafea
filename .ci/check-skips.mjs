#!/usr/bin/env node
// Reads vitest JSON reports (`--reporter=json --outputFile=...`) and prints one closing line per
// report: `<label>: N passed, N failed, N skipped`. In CI (CI=true) a skipped or todo test fails
// the run unless its name gives one of the two accepted reasons: no GPU on this machine, or no
// Electron binary (it cannot be downloaded here). Anything else skipping — the stub-driver suites
// without a compiler, the browser suites without Chromium — would be a silent loss of coverage.
// A test file that ran no test at all counts the same way.
//
//   node .ci/check-skips.mjs --label node24 report.json     one report
//   node .ci/check-skips.mjs --total a.json b.json           the sum, as the run's last line
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The accepted skip reasons, matched against the test's full name (suites' names included). */
const ACCEPTED_SKIP_REASONS = [
  /\bno CUDA device\b/,
  /\bno (usable )?GPU\b/i,
  /\bElectron binary\b/,
  /\belectron package is not installed\b/,
];

const args = process.argv.slice(2);
const total = args[0] === '--total';
let label = 'vitest';
if (args[0] === '--label') {
  label = args[1] ?? label;
  args.splice(0, 2);
} else if (total) {
  label = 'total';
  args.splice(0, 1);
}
if (args.length === 0) {
  console.error('usage: check-skips.mjs [--label NAME | --total] REPORT.json...');
  process.exit(2);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const refused = [];
for (const file of args) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`check-skips: cannot read ${file}: ${error.message}`);
    process.exit(1);
  }
  for (const suite of report.testResults ?? []) {
    const where = relative(process.cwd(), suite.name ?? '?');
    const tests = suite.assertionResults ?? [];
    if (tests.length === 0 && suite.status !== 'failed') refused.push(`${where}: ran no test`);
    if (tests.length === 0 && suite.status === 'failed') failed++; // a file that did not load
    for (const test of tests) {
      if (test.status === 'passed') passed++;
      else if (test.status === 'failed') failed++;
      else {
        skipped++;
        const name = test.fullName ?? [...(test.ancestorTitles ?? []), test.title].join(' ');
        if (!ACCEPTED_SKIP_REASONS.some((reason) => reason.test(name))) refused.push(`${where}: ${test.status}: ${name.slice(0, 300)}`);
      }
    }
  }
}

if (refused.length > 0) {
  const ci = process.env.CI === 'true';
  console.error(`${ci ? 'FAIL' : 'warning'}: ${refused.length} test(s) skipped for a reason other than "no GPU" or "no Electron binary":`);
  for (const line of refused.slice(0, 50)) console.error(`  ${line}`);
  if (refused.length > 50) console.error(`  … and ${refused.length - 50} more`);
  if (ci) failed += refused.length;
}
console.log(`${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
