import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

const MAX_LINK_DEPTH = 40;

/** The canonical form of a host path, following every symlink; a missing tail is kept as written. */
export function canonicalPath(path: string, depth = 0): string {
  try {
    return realpathSync(path);
  } catch {
    // Missing, or a dangling symlink: follow the link by hand, else canonicalise the parent.
  }
  if (depth < MAX_LINK_DEPTH) {
    try {
      if (lstatSync(path).isSymbolicLink()) return canonicalPath(resolve(dirname(path), readlinkSync(path)), depth + 1);
    } catch {
      // Not there at all.
    }
  }
  const parent = dirname(path);
  return parent === path ? path : join(canonicalPath(parent, depth + 1), basename(path));
}

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves a guest path against a (canonical) host directory the way POSIX does, component by
 * component, following symlinks (the last one only when `followFinal`), and returns the host path
 * it names — or undefined when any step leaves `root`. node:wasi refuses `..` escapes but follows
 * a symlinked directory out of the preopen; this closes that.
 */
export function confinedPath(root: string, baseDir: string, guestPath: string, followFinal: boolean): string | undefined {
  if (guestPath.startsWith('/')) return undefined;
  const parts = guestPath.split('/').filter((p) => p !== '' && p !== '.');
  let current = baseDir;
  if (!isInside(root, current)) return undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part === '..') current = dirname(current);
    else if (last && !followFinal) current = join(current, part);
    else current = canonicalPath(join(current, part));
    if (!isInside(root, current)) return undefined;
  }
  return current;
}
