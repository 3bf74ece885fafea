import { WASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
import { isWasiFunction, WASI_PREVIEW1_FUNCTIONS } from './preview1-functions.js';

describe('WASI preview 1 function list', () => {
  it.each(['preview1', 'unstable'] as const)('is exactly what node:wasi provides as %s', (version) => {
    const provided = Object.keys(new WASI({ version }).wasiImport).sort();
    expect([...WASI_PREVIEW1_FUNCTIONS].sort()).toEqual(provided);
  });

  it('names a WASI function only in a WASI namespace', () => {
    expect(isWasiFunction('wasi_snapshot_preview1', 'fd_write')).toBe(true);
    expect(isWasiFunction('wasi_unstable', 'fd_write')).toBe(true);
    expect(isWasiFunction('wasi_snapshot_preview1', 'fd_frobnicate')).toBe(false);
    expect(isWasiFunction('env', 'fd_write')).toBe(false);
  });
});
