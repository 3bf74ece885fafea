/**
 * The wasi:cuda/host functions this host provides, with the guide's §4 signatures, and the load
 * time check that a guest imports nothing else from wasi:cuda (a missing or mistyped function is
 * an `invalid_module` at load, naming it, rather than a link error at the first call).
 */
import { WASI_CUDA_MODULES } from '../../contract/cuda-codes.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { ImportDescription } from '../../contract/module.js';
import type { FunctionSignature } from '../../contract/values.js';

export const WASI_CUDA_FUNCTIONS: Readonly<Record<string, FunctionSignature>> = {
  wasi_cuda_load_ptx: { params: ['i32', 'i32', 'i32', 'i32'], results: ['i64'] },
  wasi_cuda_launch: { params: ['i64', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], results: ['i32'] },
  wasi_cuda_sync: { params: [], results: ['i32'] },
  wasi_cuda_last_error_len: { params: [], results: ['i32'] },
  wasi_cuda_last_error_copy: { params: ['i32', 'i32'], results: ['i32'] },
};

export function isWasiCudaModule(module: string): boolean {
  return module.startsWith('wasi:cuda');
}

export function formatSignature(sig: FunctionSignature): string {
  return `(${sig.params.join(', ')}) -> ${sig.results.length === 0 ? '()' : sig.results.join(', ')}`;
}

function sameSignature(a: FunctionSignature, b: FunctionSignature): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length && a.params.every((p, i) => p === b.params[i]) && a.results.every((r, i) => r === b.results[i]);
}

/** Throws TensorWasmError('invalid_module') naming the first wasi:cuda import we do not provide as declared. */
export function checkWasiCudaImports(imports: readonly ImportDescription[]): void {
  for (const imp of imports) {
    if (!isWasiCudaModule(imp.module)) continue;
    const where = `import "${imp.module}" "${imp.name}"`;
    if (!(WASI_CUDA_MODULES as readonly string[]).includes(imp.module)) {
      throw new TensorWasmError('invalid_module', `${where}: this host provides ${WASI_CUDA_MODULES.join(' and ')}, not ${imp.module}`, { import: `${imp.module}.${imp.name}` });
    }
    const expected = WASI_CUDA_FUNCTIONS[imp.name];
    if (expected === undefined) {
      throw new TensorWasmError('invalid_module', `${where}: ${imp.module} has no function ${imp.name}; it provides ${Object.keys(WASI_CUDA_FUNCTIONS).join(', ')}`, {
        import: `${imp.module}.${imp.name}`,
      });
    }
    if (imp.kind !== 'func') {
      throw new TensorWasmError('invalid_module', `${where} is imported as a ${imp.kind}; it is a function ${formatSignature(expected)}`, { import: `${imp.module}.${imp.name}` });
    }
    if (imp.signature !== undefined && !sameSignature(imp.signature, expected)) {
      throw new TensorWasmError(
        'invalid_module',
        `${where} is declared ${formatSignature(imp.signature)} but the host provides ${formatSignature(expected)} (wasi:cuda/host §4 signatures)`,
        { import: `${imp.module}.${imp.name}`, expected: formatSignature(expected), given: formatSignature(imp.signature) },
      );
    }
  }
}
