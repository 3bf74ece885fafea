/**
 * The preopen check compares whole path components, not string prefixes: a sibling directory whose
 * name starts with the preopen's (`box` and `box-evil`) is outside it. node:wasi follows a symlink
 * out of the preopen on its own, so only confine.ts stands between the guest and the sibling: the
 * end-to-end case reads through such symlinks with the `cat` fixture and must be refused.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine.js';
import { wasmFixture } from '../test-support/fixtures.js';
import { confinedPath, isInside } from './confine.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'tw-sibling-')));
const box = join(base, 'box');
const evil = join(base, 'box-evil');
mkdirSync(box);
mkdirSync(evil);
writeFileSync(join(box, 'a.txt'), 'inside the box\n');
writeFileSync(join(evil, 'secret.txt'), 'SIBLING SECRET\n');
symlinkSync(evil, join(box, 'to-sibling-dir'));
symlinkSync(join(evil, 'secret.txt'), join(box, 'to-sibling-file'));
symlinkSync('../box-evil', join(box, 'relative-to-sibling'));

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a sibling directory sharing the preopen prefix (/box vs /box-evil)', () => {
  it('isInside compares components, not characters', () => {
    expect(isInside('/box', '/box')).toBe(true);
    expect(isInside('/box', '/box/x')).toBe(true);
    expect(isInside('/box', '/box-evil')).toBe(false);
    expect(isInside('/box', '/box-evil/secret.txt')).toBe(false);
    expect(isInside('/box', '/boxx')).toBe(false);
    expect(isInside('/box/', '/box/x')).toBe(true);
  });

  it('confinedPath refuses `..` and symlinks into the sibling', () => {
    expect(confinedPath(box, box, '../box-evil/secret.txt', true)).toBeUndefined();
    expect(confinedPath(box, box, 'to-sibling-dir/secret.txt', true)).toBeUndefined();
    expect(confinedPath(box, box, 'to-sibling-file', true)).toBeUndefined();
    expect(confinedPath(box, box, 'relative-to-sibling/secret.txt', true)).toBeUndefined();
    // Still fine: the box itself.
    expect(confinedPath(box, box, 'a.txt', true)).toBe(join(box, 'a.txt'));
  });

  describe('through a guest', () => {
    let engine: Engine;
    beforeAll(() => {
      engine = createEngine({ poolSize: 1 });
    });
    afterAll(() => engine.close());

    it('a guest cannot read the sibling through symlinks in its preopen', async () => {
      const { ref } = await engine.load(wasmFixture('cat.wasm'));
      const ok = await engine.run(ref, { args: ['/data/a.txt'], preopens: { [box]: '/data' } });
      expect(ok.stdout).toBe('inside the box\n');
      for (const path of ['/data/to-sibling-dir/secret.txt', '/data/to-sibling-file', '/data/relative-to-sibling/secret.txt', '/data/../box-evil/secret.txt']) {
        const r = await engine.run(ref, { args: [path], preopens: { [box]: '/data' } });
        expect(r.stdout, path).not.toContain('SIBLING SECRET');
        expect(r.exitCode, path).toBe(1);
      }
    });
  });
});
