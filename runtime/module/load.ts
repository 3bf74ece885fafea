/// <reference path="../types/webassembly.d.ts" />
import { readFile } from 'node:fs';
import { TensorWasmError } from '../../contract/errors.js';
import { quoteInput } from '../marshal/quote.js';

/** Reads a module from a path, or passes bytes through. A missing file is `not_found`. */
export async function readModuleSource(source: string | Uint8Array): Promise<Uint8Array> {
  if (typeof source !== 'string') return source;
  try {
    // fs's callback form: node:fs/promises would load streams, a start-up cost for every `inspect` and `run`
    return new Uint8Array(await new Promise<Buffer>((resolve, reject) => readFile(source, (e, b) => (e ? reject(e) : resolve(b)))));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TensorWasmError('not_found', `module file not found: ${quoteInput(source)}`);
    if (code === 'EISDIR') throw new TensorWasmError('invalid_module', `${quoteInput(source)} is a directory, not a module file`);
    throw new TensorWasmError('invalid_module', `cannot read module file ${quoteInput(source)}: ${code ?? (error as Error).message}`);
  }
}

/** V8 ends compile errors with `@+N`, the byte offset it stopped at. */
export function compileErrorToTensorWasm(error: unknown): TensorWasmError {
  const raw = error instanceof Error ? error.message : String(error);
  const match = /@\+(\d+)\s*$/.exec(raw);
  const reason = raw.replace(/^WebAssembly\.(Module|compile|instantiate)\(\):\s*/, '').replace(/\s*@\+\d+\s*$/, '');
  return match
    ? new TensorWasmError('invalid_module', `${reason} (at byte offset ${match[1]})`, { offset: Number(match[1]) })
    : new TensorWasmError('invalid_module', reason);
}

/**
 * Validates with V8, which knows every feature it accepts: `WebAssembly.validate` is a cheap yes/no;
 * only a failing module is compiled, to get V8's reason and offset.
 */
export async function validateModule(bytes: Uint8Array): Promise<void> {
  if (WebAssembly.validate(bytes)) return;
  try {
    await WebAssembly.compile(bytes);
  } catch (error) {
    throw compileErrorToTensorWasm(error);
  }
  throw new TensorWasmError('invalid_module', 'the module failed validation');
}

export async function compileModule(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    throw compileErrorToTensorWasm(error);
  }
}
