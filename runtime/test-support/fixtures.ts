import { join } from 'node:path';

/** Path of a committed fixture module under fixtures/wasm. */
export function wasmFixture(name: string): string {
  return join(import.meta.dirname, '../../fixtures/wasm', name);
}
