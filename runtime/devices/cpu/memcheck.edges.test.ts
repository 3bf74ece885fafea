/**
 * memcheck.ts where `npm run mutate -- memcheck` found the other tests silent (docs/CPU-DEVICE.md,
 * Mutation testing): a window at guest offset 0, an access that begins exactly at a window's end
 * (the docs' own example report says "0 bytes after the end of the nearest window"), and the choice
 * of the nearest window when the access lies between two.
 */
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../contract/device.js';
import { GLOBAL_HI, regionOf } from './address-space.js';
import { gfind, type CheckEnv, type Window } from './memcheck.js';

function env(windows: Window[]): CheckEnv {
  const region = regionOf(new Uint8Array(64));
  return {
    kernelName: 'vector_add', windows,
    wlo: windows.map((w) => w.offset), wend: windows.map((w) => w.offset + w.length),
    cx: 0, cy: 0, cz: 0, ntx: 128, nty: 1,
    shSize: 0, frameSize: 0, constSize: 0, paramSize: 0, modvarSize: 0,
    sh: region, lm: region, cm: region, pm: region, mv: region, xr: region, xo: -1,
  };
}
function report(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DeviceError);
    return (e as DeviceError).message;
  }
  throw new Error('expected a memcheck report');
}

describe('memcheck at the edges', () => {
  it('finds a window that starts at guest offset 0 for an access at offset 0', () => {
    expect(gfind(env([{ arg: 0, offset: 0, length: 16 }]), GLOBAL_HI, 0, 4, 0, 1, 1, false)).toBe(0);
  });

  it('reproduces the docs’ example: a 4-byte write exactly at the end of a window is "0 bytes after the end"', () => {
    const windows: Window[] = [{ arg: 0, offset: 0, length: 400 }, { arg: 1, offset: 4096, length: 400 }, { arg: 2, offset: 8192, length: 400 }];
    expect(report(() => gfind(env(windows), GLOBAL_HI, 8592, 4, 100, 42, 1, true))).toBe(
      "invalid __global__ write of 4 bytes at address 0x010000002190 (0 bytes after the end of the nearest window: argument 2 = guest [8192, 8592) (400 bytes) at device 0x010000002000..0x010000002190) in kernel 'vector_add' by thread (100,0,0) in block (0,0,0) (PTX line 42)",
    );
  });

  it('between two windows, names the closer one: 24 bytes after the first or 16 before the second', () => {
    const windows: Window[] = [{ arg: 0, offset: 0, length: 16 }, { arg: 1, offset: 56, length: 16 }];
    expect(report(() => gfind(env(windows), GLOBAL_HI, 40, 8, 0, 1, 1, false))).toContain('(16 bytes before the nearest window: argument 1 = guest [56, 72)');
    // and the other way round: 8 bytes after the first, 24 before the second
    expect(report(() => gfind(env(windows), GLOBAL_HI, 24, 8, 0, 1, 1, false))).toContain('(8 bytes after the end of the nearest window: argument 0 = guest [0, 16)');
  });
});
