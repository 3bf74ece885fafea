#!/usr/bin/env node
// Copies the bundled examples (built modules + their sources) from fixtures/ into assets/examples
// and writes assets/examples/examples.json, the list the workbench shows on first start.
// Run after fixtures/rebuild.sh: `node assets/copy-examples.mjs`. Missing fixtures are skipped
// with a note, so the list only ever offers modules that exist.
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'assets', 'examples');

/** Each: the module, its sources, and what to preselect so one click runs it. */
const EXAMPLES = [
  {
    id: 'vector-add',
    title: 'Vector add (the guide’s guest)',
    description: 'The developer guide’s Rust vector_add_gpu: loads PTX, launches one kernel through wasi:cuda, syncs, checks every element (0 = correct).',
    wasm: 'fixtures/guests/wasm/vector_add_gpu.wasm',
    sources: ['fixtures/guests/rust-vector-add/src/lib.rs', 'fixtures/guests/rust-vector-add/kernels/vector_add.cu', 'fixtures/guests/rust-vector-add/kernels/vector_add.ptx'],
    suggestedExport: 'check_vector_add',
    suggestedArgs: '[4096]',
  },
  {
    id: 'simd-saxpy',
    title: 'SIMD saxpy (auto-offload)',
    description: 'y = a·x + y in v128 SIMD loops (run_saxpy fills x and y from a seed and returns a hash of y): with offload on, the loop is promoted to a kernel; compare it with the CPU fallback.',
    wasm: 'fixtures/offload/simd_maps.wasm',
    sources: ['fixtures/offload/src/simd_maps.c', 'fixtures/offload/src/heap.c'],
    suggestedExport: 'run_saxpy',
    suggestedArgs: '[65536, 7]',
  },
  {
    id: 'wasi-hello',
    title: 'WASI hello',
    description: 'A WASI command: prints to stdout and stderr, echoes its arguments, exits with argv[1].',
    wasm: 'fixtures/wasm/hello.wasm',
    sources: ['fixtures/wasm/c/hello.c'],
    suggestedExport: '_start',
  },
  {
    id: 'multi-launch',
    title: 'Several launches',
    description: 'Scales a vector, sums it per block in shared memory, then sums the partials: three kernels launches in one call.',
    wasm: 'fixtures/guests/wasm/multi_launch.wasm',
    sources: ['fixtures/guests/c/multi_launch.c', 'fixtures/guests/kernels/multi.cu', 'fixtures/guests/kernels/multi.ptx'],
    suggestedExport: 'run_multi',
    suggestedArgs: '[65536, 3]',
  },
  {
    id: 'wasi-cuda-saxpy',
    title: 'saxpy kernel (wasi:cuda)',
    description: 'An explicit saxpy kernel launched through wasi:cuda with an f32 scalar argument record (the export takes a as f64).',
    wasm: 'fixtures/guests/wasm/saxpy.wasm',
    sources: ['fixtures/guests/c/saxpy.c', 'fixtures/guests/kernels/saxpy.cu'],
    suggestedExport: 'run_saxpy',
    suggestedArgs: '[4096, 2.5]',
  },
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const listed = [];
for (const ex of EXAMPLES) {
  if (!existsSync(join(root, ex.wasm))) {
    console.warn(`skipped ${ex.id}: ${ex.wasm} is not built yet`);
    continue;
  }
  const dir = join(out, ex.id);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(root, ex.wasm), join(dir, basename(ex.wasm)));
  const sources = [];
  for (const src of ex.sources) {
    if (!existsSync(join(root, src))) continue;
    copyFileSync(join(root, src), join(dir, basename(src)));
    sources.push(`${ex.id}/${basename(src)}`);
  }
  const entry = { id: ex.id, title: ex.title, description: ex.description, fileName: `${ex.id}/${basename(ex.wasm)}`, sources };
  if (ex.suggestedExport) entry.suggestedExport = ex.suggestedExport;
  if (ex.suggestedArgs) entry.suggestedArgs = ex.suggestedArgs;
  listed.push(entry);
}
writeFileSync(join(out, 'examples.json'), JSON.stringify(listed, null, 2) + '\n');
console.log(`examples: ${listed.map((e) => e.id).join(', ')}`);
