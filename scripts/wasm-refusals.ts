/**
 * Which nvcc-compiled kernels of the fixtures the CPU device's WebAssembly backend takes, why it
 * refuses the others (the reasons a launch falls back to the JavaScript backend for), and which
 * instructions it runs through its JavaScript bridge (wasm/js-bridge.ts), by opcode.
 * Run: npx tsx scripts/wasm-refusals.ts [fixture dirs…] (default: fixtures/host-cuda/kernels and fixtures/cuda).
 * docs/CPU-DEVICE.md quotes its counts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePtx } from '../runtime/devices/cpu/parser.js';
import { compileWasmKernel } from '../runtime/devices/cpu/wasm/compile-wasm.js';

const root = join(import.meta.dirname, '..');
const dirs = process.argv.length > 2 ? process.argv.slice(2) : [join(root, 'fixtures/host-cuda/kernels'), join(root, 'fixtures/cuda')];
let accepted = 0, total = 0;
const reasons = new Map<string, string[]>();
const bridged = new Map<string, number>();
for (const d of dirs) {
  for (const f of readdirSync(d).filter((x) => x.endsWith('.ptx')).sort()) {
    const m = parsePtx(readFileSync(join(d, f), 'utf8'));
    for (const [name, fn] of m.functions) {
      if (!fn.isEntry) continue;
      total++;
      const r = compileWasmKernel(m, fn);
      if ('kernel' in r) {
        accepted++;
        for (const o of r.kernel.bridged) bridged.set(o, (bridged.get(o) ?? 0) + 1);
      } else {
        const why = r.unsupported.replace(/line \d+: /, '');
        reasons.set(why, [...(reasons.get(why) ?? []), `${f.replace(/\.ptx$/, '')}:${name}`]);
      }
    }
  }
}
const lines = [`WebAssembly backend: ${accepted} of ${total} kernel entries`, '', 'refused (run on the JavaScript backend):'];
for (const [why, who] of [...reasons].sort((a, b) => b[1].length - a[1].length)) lines.push(`  ${who.length}× ${why.slice(0, 100)} — ${who.join(', ')}`);
lines.push('', 'bridged instructions (opcode × kernels):', `  ${[...bridged].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o}×${n}`).join(' ') || 'none'}`);
process.stdout.write(lines.join('\n') + '\n');
