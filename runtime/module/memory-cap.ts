import { TensorWasmError } from '../../contract/errors.js';
import { encodeUleb } from './binary-reader.js';
import type { ParsedModule } from './parse.js';

export const WASM_PAGE_BYTES = 65536;
/** The most pages a 32-bit memory can have (4 GiB); V8 refuses larger maximums. */
export const MAX_PAGES_32 = 65536;

export function capPagesFor(maxMemoryBytes: number): number {
  return Math.min(MAX_PAGES_32, Math.floor(maxMemoryBytes / WASM_PAGE_BYTES));
}

export function memoryLimitError(initialPages: number, maxMemoryBytes: number): TensorWasmError {
  return new TensorWasmError(
    'limit_exceeded',
    `the module's initial memory (${initialPages} pages, ${initialPages * WASM_PAGE_BYTES} bytes) exceeds max_memory_bytes (${maxMemoryBytes})`,
    { limit: 'max_memory_bytes', limitValue: maxMemoryBytes },
  );
}

/**
 * Returns the module bytes with every memory it defines given a declared maximum no larger than
 * the cap, so `memory.grow` past the cap returns -1 as Wasm specifies (the engine never has to
 * watch growth). Imported memories are capped where the instance creates them. Throws
 * `limit_exceeded` when a memory's initial size is already above the cap.
 */
export function applyMemoryCap(bytes: Uint8Array, parsed: ParsedModule, maxMemoryBytes: number): Uint8Array {
  const capPages = capPagesFor(maxMemoryBytes);
  for (const m of [...parsed.imports.flatMap((i) => (i.memory ? [i.memory] : [])), ...parsed.memories]) {
    if (m.initialPages > capPages) throw memoryLimitError(m.initialPages, maxMemoryBytes);
  }
  const section = parsed.sections.find((s) => s.id === 5);
  if (!section || parsed.memories.length === 0) return bytes;
  if (parsed.memories.every((m) => m.memory64 || (m.maximumPages !== undefined && m.maximumPages <= capPages))) return bytes;
  const payload: number[] = [...encodeUleb(parsed.memories.length)];
  for (const m of parsed.memories) {
    if (m.memory64) throw new TensorWasmError('invalid_module', 'memory64 memories are not supported');
    const maximum = Math.min(m.maximumPages ?? capPages, capPages);
    payload.push(0x01 | (m.shared ? 0x02 : 0), ...encodeUleb(m.initialPages), ...encodeUleb(maximum));
  }
  const header = [5, ...encodeUleb(payload.length)];
  const out = new Uint8Array(section.start + header.length + payload.length + (bytes.length - section.end));
  out.set(bytes.subarray(0, section.start), 0);
  out.set(header, section.start);
  out.set(payload, section.start + header.length);
  out.set(bytes.subarray(section.end), section.start + header.length + payload.length);
  return out;
}
