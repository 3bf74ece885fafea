/**
 * Reads a module file the person chose, hostile-by-default: only a regular file, only up to the
 * module size cap, and errors that say what is wrong without the file's bytes or the OS's own
 * message. The file is opened once and checked through its handle (fstat), so what is checked is
 * what is read; O_NONBLOCK keeps a FIFO from blocking the main process before it is refused.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { TensorWasmError } from '../contract/errors.js';
import { MAX_MODULE_BYTES } from '../contract/workbench-schemas.js';

/** `\0asm` and version 1: the first eight bytes of every module this engine loads. */
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A file name for messages: its last component, without control characters, at most 80 characters. */
export function displayName(path: string): string {
  const name = basename(path).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}

export async function readChosenModule(path: string, maxBytes = MAX_MODULE_BYTES): Promise<Uint8Array> {
  const name = displayName(path);
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    // Missing, unreadable, a dangling link: one answer for all (the OS message is not passed on).
    throw new TensorWasmError('not_found', `the chosen file '${name}' can no longer be read; choose it again with Open…`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new TensorWasmError('invalid_module', `'${name}' is not a regular file`);
    if (stat.size > maxBytes) {
      throw new TensorWasmError('payload_too_large', `'${name}' is larger than the ${Math.round(maxBytes / 1024 / 1024)} MiB module cap`, { limit: 'max_module_bytes', limitValue: maxBytes });
    }
    // Read at most one byte more than the cap: a file that grew since fstat is caught too.
    const buffer = new Uint8Array(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) {
      throw new TensorWasmError('payload_too_large', `'${name}' is larger than the ${Math.round(maxBytes / 1024 / 1024)} MiB module cap`, { limit: 'max_module_bytes', limitValue: maxBytes });
    }
    const bytes = buffer.subarray(0, length);
    if (length < WASM_HEADER.length || WASM_HEADER.some((b, i) => bytes[i] !== b)) {
      throw new TensorWasmError('invalid_module', `'${name}' is not a WebAssembly module (it does not start with the \\0asm header, version 1)`);
    }
    return bytes;
  } catch (error) {
    if (error instanceof TensorWasmError) throw error;
    throw new TensorWasmError('not_found', `the chosen file '${name}' can no longer be read; choose it again with Open…`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
