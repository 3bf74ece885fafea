/**
 * The renderer is served from a privileged custom scheme (app://workbench/...), never file://:
 * one origin for CSP 'self', for sender validation and for the navigation guard.
 */
import { normalize, join, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'workbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Whether a URL belongs to the workbench itself (the only pages allowed in its windows). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Maps an app:// URL to a file under the renderer's build folder; undefined for anything that
 * would leave it (`..`, encoded separators) or that is not an app URL.
 */
export function resolveAppFile(url: string, rendererDir: string): string | undefined {
  if (!isAppUrl(url)) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
  if (rel.split(/[/\\]/).includes('..')) return undefined;
  const file = join(rendererDir, rel);
  return file === rendererDir || file.startsWith(rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep) ? file : undefined;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function mimeFor(file: string): string {
  const dot = file.lastIndexOf('.');
  return MIME[file.slice(dot).toLowerCase()] ?? 'application/octet-stream';
}
