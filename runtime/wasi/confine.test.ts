import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalPath, confinedPath } from './confine.js';

describe('confinedPath', () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'tw-confine-')));
  const root = join(base, 'box');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'a.txt'), 'inside');
  writeFileSync(join(base, 'secret.txt'), 'outside');
  symlinkSync(base, join(root, 'up'));
  symlinkSync(join(base, 'secret.txt'), join(root, 'secret-link'));
  symlinkSync(join(base, 'missing-outside'), join(root, 'dangling'));
  symlinkSync('a.txt', join(root, 'inner-link'));

  it('resolves paths inside the root', () => {
    expect(confinedPath(root, root, 'a.txt', true)).toBe(join(root, 'a.txt'));
    expect(confinedPath(root, root, 'sub/../a.txt', true)).toBe(join(root, 'a.txt'));
    expect(confinedPath(root, root, 'inner-link', true)).toBe(join(root, 'a.txt'));
    expect(confinedPath(root, root, 'new-file', true)).toBe(join(root, 'new-file'));
  });

  it('refuses `..` out of the root', () => {
    expect(confinedPath(root, root, '../secret.txt', true)).toBeUndefined();
    expect(confinedPath(root, root, 'sub/../../secret.txt', true)).toBeUndefined();
  });

  it('refuses symlinks that lead out, to directories, files, or nothing yet', () => {
    expect(confinedPath(root, root, 'up/secret.txt', true)).toBeUndefined();
    expect(confinedPath(root, root, 'secret-link', true)).toBeUndefined();
    expect(confinedPath(root, root, 'dangling', true)).toBeUndefined();
  });

  it('allows naming a symlink itself when it is not followed', () => {
    expect(confinedPath(root, root, 'secret-link', false)).toBe(join(root, 'secret-link'));
  });

  it('refuses absolute guest paths', () => {
    expect(confinedPath(root, root, '/etc/passwd', true)).toBeUndefined();
  });

  it('canonicalPath follows dangling links by hand', () => {
    expect(canonicalPath(join(root, 'dangling'))).toBe(join(base, 'missing-outside'));
  });
});
