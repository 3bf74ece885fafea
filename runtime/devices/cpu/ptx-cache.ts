/**
 * Parse/compile cache shared by every CpuDevice in this worker: a PTX text is parsed, validated
 * and compiled once per hash (workers are pooled and reused, so this spans instances).
 * Bounded (least recently used out) so a long-lived worker does not grow without limit.
 */
import { DeviceError } from '../../../contract/device.js';
import type { PtxModule } from './ast.js';
import { compileKernel, finishKernel, type CompiledKernel } from './compile/compile.js';
import { compileWasmKernel } from './wasm/compile-wasm.js';
import { HELPERS } from './helpers.js';
import { parsePtx } from './parser.js';
import { validateModule } from './validator.js';

interface Entry {
  module: PtxModule;
  kernels: Map<string, CompiledKernel>;
}

const MAX_ENTRIES = 64;
const cache = new Map<string, Entry>();
let parseCount = 0;

/** How many PTX texts this worker has parsed (tests prove the cache with it). */
export function ptxParseCount(): number {
  return parseCount;
}

function loadModule(ptx: string, hash: string): Entry {
  const hit = cache.get(hash);
  if (hit) {
    cache.delete(hash);
    cache.set(hash, hit);
    return hit;
  }
  parseCount++;
  let entry: Entry;
  try {
    const module = parsePtx(ptx);
    validateModule(module);
    entry = { module, kernels: new Map() };
    // Compile every entry now so that anything unsupported is reported at load time.
    for (const fn of module.functions.values()) {
      if (!fn.isEntry || !fn.defined) continue;
      const kernel = finishKernel(compileKernel(module, fn), HELPERS);
      // the WebAssembly form, for launches on a guest's WebAssembly.Memory (wasm/compile-wasm.ts)
      const wasm = compileWasmKernel(module, fn);
      if ('kernel' in wasm) kernel.wasm = wasm.kernel;
      if (kernel.numbers) {
        let pairs: CompiledKernel | undefined;
        kernel.pairsVariant = () => (pairs ??= finishKernel(compileKernel(module, fn, { numbers: false }), HELPERS));
      }
      entry.kernels.set(fn.name, kernel);
    }
  } catch (e) {
    // The parser and validator report malformed input as DeviceError (-4, with its line). Anything
    // else is a fault in the device itself: it goes up as it is, and the host reports it as
    // `internal` and logs it — never as the guest's malformed PTX.
    if (e instanceof DeviceError) throw e;
    throw new Error(`the CPU device failed while loading PTX ${hash.slice(0, 16)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  cache.set(hash, entry);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return entry;
}

export function getKernel(ptx: string, hash: string, entryName: string): CompiledKernel {
  const entry = loadModule(ptx, hash);
  const kernel = entry.kernels.get(entryName);
  if (!kernel) {
    const names = [...entry.kernels.keys()];
    throw new DeviceError(-3, `no kernel entry '${entryName}' in this PTX; entries present: ${names.length ? names.join(', ') : '(none)'}`);
  }
  return kernel;
}
