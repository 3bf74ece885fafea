import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where e2e screenshots go. During `npm test` they land in e2e/screenshots/tmp/ (ignored by git),
 * so a test run never changes the work tree; `npm run screenshots` sets
 * TENSOR_WASM_UPDATE_SCREENSHOTS=1 and refreshes the committed ones that docs/WORKBENCH.md shows.
 */
export const UPDATE_SCREENSHOTS = process.env.TENSOR_WASM_UPDATE_SCREENSHOTS === '1';
const committed = join(import.meta.dirname, '..', 'screenshots');

export function shotPath(name: string): string {
  const dir = UPDATE_SCREENSHOTS ? committed : join(committed, 'tmp');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
