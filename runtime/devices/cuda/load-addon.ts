import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CudaAddon } from './addon-types.js';

/** File name node-gyp gives the addon (native/binding.gyp target `tensorwasm_cuda`). */
export const ADDON_FILE = 'tensorwasm_cuda.node';
/** Written by scripts/build-native.mjs when node-gyp fails: one sentence saying why. */
export const BUILD_FAILED_FILE = 'BUILD_FAILED.txt';
/** An explicit addon path; checked first (tests point it at a missing or broken file). */
export const ADDON_PATH_ENV = 'TENSOR_WASM_CUDA_ADDON';

export type AddonLoad = { addon: CudaAddon; path: string } | { addon?: undefined; reason: string };

const here = dirname(fileURLToPath(import.meta.url));
// From source (runtime/devices/cuda) the repo root is three folders up; from dist/ it is four.
const roots = [resolve(here, '../../..'), resolve(here, '../../../..')].filter((root) => existsSync(join(root, 'native')));

/**
 * Where the addon may be, in a fixed order (better-sqlite3's lookup): the env override, the
 * node-gyp Release and Debug builds, then an Electron app's resources folder.
 */
export function addonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env[ADDON_PATH_ENV];
  if (explicit) return [resolve(explicit)];
  const out: string[] = [];
  for (const root of roots) {
    out.push(join(root, 'native', 'build', 'Release', ADDON_FILE), join(root, 'native', 'build', 'Debug', ADDON_FILE));
  }
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) out.push(join(resourcesPath, 'native', ADDON_FILE));
  return out;
}

function buildFailure(): string | undefined {
  for (const root of roots) {
    const file = join(root, 'native', 'build', BUILD_FAILED_FILE);
    if (existsSync(file)) return readFileSync(file, 'utf8').trim().split('\n')[0];
  }
  return undefined;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).replace(/\.$/, '');
}

let cached: AddonLoad | undefined;

/**
 * Loads the addon once per thread, or says in one sentence why it cannot (sharp's habit: every
 * failure is collected, the sentence names the first that explains the rest).
 */
export function loadCudaAddon(): AddonLoad {
  cached ??= loadUncached();
  return cached;
}

/** Forgets the cached result (tests). */
export function resetCudaAddonCache(): void {
  cached = undefined;
}

function loadUncached(): AddonLoad {
  const require = createRequire(import.meta.url);
  const candidates = addonCandidates();
  const failures: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      const addon = require(path) as CudaAddon;
      if (typeof addon?.load !== 'function' || typeof addon.Context !== 'function') {
        failures.push(`the CUDA addon at ${path} is not TensorWasm's addon`);
        continue;
      }
      return { addon, path };
    } catch (error) {
      failures.push(`the CUDA addon at ${path} failed to load (${firstLine(error)})`);
    }
  }
  if (failures.length > 0) return { reason: `${failures[0]}.` };
  if (process.env[ADDON_PATH_ENV]) return { reason: `the CUDA addon was not found at ${candidates[0]} (${ADDON_PATH_ENV}).` };
  const failed = buildFailure();
  if (failed) return { reason: `the CUDA addon was not built: ${failed.replace(/\.$/, '')}.` };
  return { reason: 'the CUDA addon is not built (run `npm run build:native`).' };
}
