import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const RENDERER_DIST = join(root, 'dist', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer with vite unless dist/renderer is newer than every source (a few seconds). */
export async function buildRendererIfStale(): Promise<string> {
  const index = join(RENDERER_DIST, 'index.html');
  const sources = Math.max(newestMtime(join(root, 'renderer')), newestMtime(join(root, 'contract')), statSync(join(root, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs > sources) return RENDERER_DIST;
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'renderer'), logLevel: 'warn' });
  return RENDERER_DIST;
}
