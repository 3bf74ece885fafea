/// <reference path="../types/webassembly.d.ts" />
import { TensorWasmError, toErrorInfo, type ErrorInfo } from '../../contract/errors.js';
import { GuestExit } from '../wasi/guest-exit.js';

/**
 * Wasm frames of a V8 stack, innermost first, as `name (wasm-function[i]:0xoffset)`. V8 takes
 * the names from the module's name section, so a stripped module shows `$func12` style names.
 */
export function wasmStack(error: Error): string[] {
  const frames: string[] = [];
  for (const line of (error.stack ?? '').split('\n')) {
    const m = /^\s*at (?:(.*?) \()?wasm:\/\/wasm\/[^:]*:(wasm-function\[\d+\]:0x[0-9a-f]+)\)?\s*$/.exec(line);
    if (m) frames.push(m[1] ? `${m[1]} (${m[2]})` : m[2]!);
  }
  return frames;
}

/**
 * Turns what a guest call threw into the taxonomy: a Wasm trap is `trap` with the message and the
 * stack; a host's `terminate` error (limits) is itself; a link failure is the module's fault.
 */
export function guestErrorInfo(error: unknown, terminated: TensorWasmError | undefined, exportName: string): ErrorInfo {
  if (terminated) return terminated.toJSON();
  if (error instanceof TensorWasmError) return error.toJSON();
  if (error instanceof GuestExit) {
    return { code: 'trap', message: `the guest called proc_exit(${error.exitCode}) during ${exportName}`, details: { exitCode: error.exitCode } };
  }
  if (error instanceof WebAssembly.RuntimeError) {
    const stack = wasmStack(error);
    return { code: 'trap', message: `${error.message}${stack[0] ? ` in ${stack[0]}` : ''}`, details: { stack } };
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    const stack = wasmStack(error).slice(0, 16);
    return { code: 'trap', message: 'call stack exhausted', details: { stack } };
  }
  if (error instanceof WebAssembly.LinkError) {
    return { code: 'invalid_module', message: `cannot link the module: ${error.message.replace(/^WebAssembly\.Instance\(\):\s*/, '')}` };
  }
  if (error instanceof WebAssembly.CompileError) return { code: 'invalid_module', message: error.message };
  const info = toErrorInfo(error);
  return info.code === 'internal' ? { code: 'internal', message: `host failure: ${info.message}` } : info;
}
