/**
 * Writes the CPU device's WebAssembly for one PTX entry to a file, to read what the Wasm backend
 * emitted (`wasm2wat --enable-all out.wasm`) when profiling or tuning a kernel.
 *
 * Run: npx tsx bench/dump-kernel-wasm.ts <file.ptx> <entry> <out.wasm>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parsePtx } from '../runtime/devices/cpu/parser.js';
import { compileWasmKernel } from '../runtime/devices/cpu/wasm/compile-wasm.js';

const [file, entry, out] = process.argv.slice(2);
if (!file || !entry || !out) {
  console.error('usage: npx tsx bench/dump-kernel-wasm.ts <file.ptx> <entry> <out.wasm>');
  process.exit(2);
}
const module = parsePtx(readFileSync(file, 'utf8'));
const fn = module.functions.get(entry);
if (!fn) {
  console.error(`no entry '${entry.slice(0, 80)}' in ${file.slice(0, 200)}; entries: ${[...module.functions.keys()].join(', ').slice(0, 400)}`);
  process.exit(2);
}
const r = compileWasmKernel(module, fn);
if (!('kernel' in r)) {
  console.error(`the Wasm backend does not take it: ${r.unsupported}`);
  process.exit(1);
}
writeFileSync(out, r.kernel.bytes);
console.log(`${out}: ${r.kernel.bytes.length} bytes`);
