#!/usr/bin/env node
/**
 * `node scripts/mutation/survivors.mjs reports/mutation/<target>.json [status ...]`: the mutants of
 * a Stryker JSON report with the given statuses (default Survived and NoCoverage), one a line as
 * file:line:column, mutator, and the original source → the replacement, to read them one by one.
 */
import { readFileSync } from 'node:fs';

const [file, ...wanted] = process.argv.slice(2);
if (!file) {
  console.error('usage: survivors.mjs <report.json> [status ...]');
  process.exit(2);
}
const statuses = wanted.length > 0 ? wanted : ['Survived', 'NoCoverage'];
const report = JSON.parse(readFileSync(file, 'utf8'));
let n = 0;
for (const [path, entry] of Object.entries(report.files)) {
  const lines = entry.source.split('\n');
  for (const m of entry.mutants.filter((x) => statuses.includes(x.status)).sort((a, b) => a.location.start.line - b.location.start.line)) {
    const { start, end } = m.location;
    const original =
      start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)} …`;
    const shorten = (s) => (s.length > 110 ? `${s.slice(0, 107)}...` : s).replace(/\s+/g, ' ');
    console.log(`${path}:${start.line}:${start.column} [${m.status}] ${m.mutatorName}: ${shorten(original)} → ${shorten(m.replacement ?? '')}`);
    n++;
  }
}
console.log(`${n} mutant(s) with status ${statuses.join('/')}`);
