/**
 * What each warp-level site of the bench's warp shuffle reduction costs on the CPU device: the
 * kernel's PTX with only the first k of each warp_sum's five `shfl.sync.down` kept (the others
 * become `mov.b32 d, 0`: same registers, no site), launched at the bench size on one worker. The
 * step from k to k + 1 is one more site per warp_sum (nvcc's unrolled shuffle loop); k = 0 has no
 * warp-level site left, only the barrier, so it runs the barrier kernels' path, not the warp one.
 *
 * Run: npx tsx bench/warp-reduce-sites.ts [launches=9] [k ...]   (default k: 0 1 2 3 5)
 * Prints per k the backend and the minimum wall and CPU time of a launch (with the image reset).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deviceRunner } from './cpu-suite/device.js';
import { KERNELS } from './cpu-suite/kernels.js';
import { repoRoot } from './repo-root.js';

const [launchesArg = '9', ...ks] = process.argv.slice(2);
const launches = Math.max(1, Number(launchesArg));
const keeps = (ks.length > 0 ? ks : ['0', '1', '2', '3', '5']).map(Number);
const root = repoRoot(import.meta.dirname);
const base = KERNELS.find((k) => k.entry === 'warp_reduce')!;
const source = readFileSync(join(root, base.ptx), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'warp-reduce-sites-'));

/** The PTX with the first `keep` shuffles of each warp_sum (five in a row) kept. */
function variant(keep: number): string {
  let i = 0;
  return source
    .split('\n')
    .map((line) => {
      const m = /shfl\.sync\.down\.b32\s+(%r\d+)\|%p\d+,/.exec(line);
      if (!m) return line;
      return i++ % 5 < keep ? line : `\tmov.b32 ${m[1]}, 0;`;
    })
    .join('\n');
}

try {
  console.log(`warp shuffle reduction, bench size, 1 worker, ${launches} launches per k; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const keep of keeps) {
    const file = join(dir, `k${keep}.ptx`);
    writeFileSync(file, variant(keep));
    const kernel = { ...base, ptx: relative(root, file) };
    const runner = deviceRunner(root, kernel, kernel.launch('bench'), { workers: 1 });
    const wall: number[] = [];
    const cpu: number[] = [];
    let backend = '?';
    for (let i = 0; i < launches; i++) {
      const c0 = process.cpuUsage();
      const r = await runner.launch();
      const c = process.cpuUsage(c0);
      wall.push(r.ns / 1e6);
      cpu.push((c.user + c.system) / 1000);
      backend = r.backend;
    }
    console.log(`k = ${keep} shuffles per warp_sum: ${backend}; wall min ${Math.min(...wall).toFixed(2)} ms, cpu min ${Math.min(...cpu).toFixed(2)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
