/**
 * Which fixture kernels a change of the Wasm backend touches: compiles every entry of the PTX
 * fixtures (fixtures/cuda, fixtures/bench-kernels, fixtures/host-cuda/kernels) with another
 * checkout's compiler (the baseline: `git archive <commit> | tar -x -C <dir>`) and with this
 * one's, and lists those whose Wasm bytes differ.
 *
 * Run: npx tsx bench/compare-kernel-wasm.ts <baseline dir>
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './repo-root.js';

const [baseline = ''] = process.argv.slice(2);
if (!baseline) {
  console.error('usage: npx tsx bench/compare-kernel-wasm.ts <baseline dir>');
  process.exit(2);
}
const here = repoRoot(import.meta.dirname);
type Compiler = typeof import('../runtime/devices/cpu/wasm/compile-wasm.js');
type Parser = typeof import('../runtime/devices/cpu/parser.js');
const [A, B] = (await Promise.all([resolve(baseline), here].map(async (t) => ({
  c: (await import(`${t}/runtime/devices/cpu/wasm/compile-wasm.ts`)) as Compiler,
  p: (await import(`${t}/runtime/devices/cpu/parser.ts`)) as Parser,
})))) as [{ c: Compiler; p: Parser }, { c: Compiler; p: Parser }];
let same = 0;
let refused = 0;
const differ: string[] = [];
for (const dir of ['fixtures/cuda', 'fixtures/bench-kernels', 'fixtures/host-cuda/kernels']) {
  for (const f of readdirSync(join(here, dir)).filter((x) => x.endsWith('.ptx'))) {
    const text = readFileSync(join(here, dir, f), 'utf8');
    const [ma, mb] = [A.p.parsePtx(text), B.p.parsePtx(text)];
    for (const [name, fn] of mb.functions) {
      const fa = ma.functions.get(name);
      if (!fa) continue;
      let ra, rb;
      try {
        [ra, rb] = [A.c.compileWasmKernel(ma, fa), B.c.compileWasmKernel(mb, fn)];
      } catch {
        refused++;
        continue;
      }
      if (!('kernel' in ra) || !('kernel' in rb)) {
        refused++;
        continue;
      }
      if (Buffer.from(ra.kernel.bytes).equals(Buffer.from(rb.kernel.bytes))) same++;
      else differ.push(`${dir}/${f}: ${name}`);
    }
  }
}
console.log(`the same Wasm: ${same}; not compiled (either side): ${refused}; different: ${differ.length}${differ.map((d) => `\n  ${d}`).join('')}`);
