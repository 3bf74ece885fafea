#!/usr/bin/env node
// The `tensor-wasm` command. Runs the compiled CLI from dist/; from the TypeScript sources when
// TENSOR_WASM_FROM_SOURCE=1 (tests, development) or when nothing has been built yet.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const fromSource = process.env.TENSOR_WASM_FROM_SOURCE === '1' || !existsSync(built);
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
} else {
  await import(pathToFileURL(built).href);
}
