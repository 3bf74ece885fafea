import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(import.meta.dirname, '..', '..');
export const RENDERER_DIST = join(root, 'dist', 'renderer');
/** Held while one test process builds: spec files run in parallel processes, and a second build
 * emptying dist/renderer under a server that is already serving it left pages blank (a CI flake). */
const LOCK = join(root, 'dist', '.renderer-build.lock');
/** A lock older than this is from a process that died mid-build. */
const STALE_LOCK_MS = 5 * 60_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function fresh(): boolean {
  const index = join(RENDERER_DIST, 'index.html');
  const sources = Math.max(newestMtime(join(root, 'renderer')), newestMtime(join(root, 'contract')), statSync(join(root, 'vite.config.ts')).mtimeMs);
  return existsSync(index) && statSync(index).mtimeMs > sources;
}

/**
 * Builds the renderer with vite unless dist/renderer is newer than every source (a few seconds).
 * One process builds at a time; the others wait for its build and use it.
 */
export async function buildRendererIfStale(): Promise<string> {
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (;;) {
    if (fresh()) return RENDERER_DIST;
    let fd: number;
    try {
      fd = openSync(LOCK, 'wx');
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) unlinkSync(LOCK);
      await sleep(250);
      continue;
    }
    try {
      if (!fresh()) {
        const { build } = await import('vite');
        await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'renderer'), logLevel: 'warn' });
      }
    } finally {
      closeSync(fd);
      unlinkSync(LOCK);
    }
    return RENDERER_DIST;
  }
}
