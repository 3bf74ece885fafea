import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/**
 * The Electron executable, or why there is none, found without `require('electron')` (which
 * would try to download the binary). The same rules as scripts/start.mjs.
 */
export function findElectron(): { bin: string } | { reason: string } {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { reason: 'the electron package is not installed' };
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkg, 'path.txt');
  if (!override && !existsSync(pathFile)) return { reason: 'the Electron binary was not downloaded (node_modules/electron has no path.txt)' };
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const bin = override ? join(override, rel) : join(pkg, 'dist', rel);
  if (!existsSync(bin)) return { reason: `the Electron binary is missing (${bin})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'no display (DISPLAY / WAYLAND_DISPLAY unset; run under xvfb-run)' };
  return { bin };
}
