/**
 * memcheck.ts on its own: which accesses resolve to a window or another space, and the exact
 * compute-sanitizer-style report for the others (the format docs/CPU-DEVICE.md shows). Bounds are
 * probed one byte either side with fast-check, so an off-by-one in any of them fails here.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../contract/device.js';
import { CONST_HI, GLOBAL_HI, LOCAL_HI, MODVAR_HI, PARAM_HI, SHARED_HI, regionOf } from './address-space.js';
import { gfind, spaceFault, trap, type CheckEnv, type Window } from './memcheck.js';

function env(windows: Window[], sizes: Partial<Record<'shSize' | 'frameSize' | 'constSize' | 'paramSize' | 'modvarSize', number>> = {}): CheckEnv {
  const region = regionOf(new Uint8Array(64));
  return {
    kernelName: 'kern',
    windows,
    wlo: windows.map((w) => w.offset),
    wend: windows.map((w) => w.offset + w.length),
    cx: 2, cy: 1, cz: 0,
    ntx: 4, nty: 3,
    shSize: 64, frameSize: 32, constSize: 48, paramSize: 24, modvarSize: 40,
    ...sizes,
    sh: region, lm: region, cm: region, pm: region, mv: region, xr: region, xo: -1,
  };
}

function thrown(fn: () => unknown): DeviceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DeviceError);
    return e as DeviceError;
  }
  throw new Error('expected a DeviceError');
}

const hex12 = (n: number): string => '0x' + n.toString(16).padStart(12, '0');
const G = 2 ** 40;

describe('gfind: global accesses against the launch windows', () => {
  const windows: Window[] = [
    { arg: 0, offset: 1024, length: 30 },
    { arg: 2, offset: 4096, length: 400 },
  ];

  test.prop([fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 1000, max: 4600 })])('returns the window holding [addr, addr+size), else the report', (size, at) => {
    const a = at - (at % size);
    const E = env(windows);
    const inside = windows.findIndex((w) => a >= w.offset && a + size <= w.offset + w.length);
    if (inside >= 0) expect(gfind(E, GLOBAL_HI, a, size, 5, 42, 1, true)).toBe(inside);
    else expect(thrown(() => gfind(E, GLOBAL_HI, a, size, 5, 42, 1, true)).message).toMatch(/^invalid __global__ write of \d+ bytes at address 0x/);
  });

  it('names the window a straddling access crosses, the thread (x,y,z), block and PTX line', () => {
    const e = thrown(() => gfind(env(windows), GLOBAL_HI, 1052, 4, 7, 42, 1, true));
    expect(e.cudaCode).toBe(-5);
    expect(e.message).toBe(
      `invalid __global__ write of 4 bytes at address ${hex12(G + 1052)} (straddling the end of the nearest window: argument 0 = guest [1024, 1054) (30 bytes) at device ${hex12(G + 1024)}..${hex12(G + 1054)}) in kernel 'kern' by thread (3,1,0) in block (2,1,0) (PTX line 42)`,
    );
  });

  it('measures before and after the nearest window, and says so for reads and generic accesses', () => {
    const before = thrown(() => gfind(env(windows), GLOBAL_HI, 1016, 4, 0, 9, 0, false)).message;
    expect(before).toContain(`invalid generic read of 4 bytes at address ${hex12(G + 1016)} (8 bytes before the nearest window: argument 0 = guest [1024, 1054)`);
    const after = thrown(() => gfind(env(windows), GLOBAL_HI, 4500, 4, 0, 9, 1, false)).message;
    expect(after).toContain('(4 bytes after the end of the nearest window: argument 2 = guest [4096, 4496) (400 bytes)');
    const none = thrown(() => gfind(env([]), GLOBAL_HI, 0, 4, 0, 9, 1, false)).message;
    expect(none).toContain('(the launch has no pointer arguments)');
    // a thread index past the first row and slice: (t % ntx, t / ntx % nty, t / (ntx nty))
    expect(thrown(() => gfind(env([]), GLOBAL_HI, 0, 4, 4 * 3 + 4 + 2, 9, 1, false)).message).toContain('by thread (2,1,1) in block (2,1,0)');
  });

  test.prop([fc.constantFrom(2, 4, 8), fc.integer({ min: 1, max: 7 })])('refuses a misaligned address before anything else', (size, skew) => {
    fc.pre(skew % size !== 0);
    const e = thrown(() => gfind(env(windows), GLOBAL_HI, 1024 + skew, size, 0, 3, 1, false));
    expect(e.message).toBe(`misaligned address ${hex12(G + 1024 + skew)} for a ${size}-byte read in kernel 'kern' by thread (0,0,0) in block (2,1,0) (PTX line 3)`);
  });
});

describe('gfind: generic addresses into the other spaces', () => {
  const cases = [
    { hi: SHARED_HI, size: 'shSize', limit: 64, name: 'shared', write: true },
    { hi: LOCAL_HI, size: 'frameSize', limit: 32, name: 'local', write: true },
    { hi: CONST_HI, size: 'constSize', limit: 48, name: 'const', write: false },
    { hi: PARAM_HI, size: 'paramSize', limit: 24, name: 'param', write: false },
    { hi: MODVAR_HI, size: 'modvarSize', limit: 40, name: 'modvar', write: true },
  ] as const;
  for (const c of cases) {
    test.prop([fc.constantFrom(1, 2, 4, 8), fc.integer({ min: -2, max: 2 })])(`${c.name}: in bounds up to its size exactly, a fault one byte past`, (size, delta) => {
      const o = c.limit - size + delta - ((c.limit - size + delta) % size + size) % size;
      fc.pre(o >= 0);
      const E = env([]);
      const fits = o + size <= c.limit;
      if (fits) {
        expect(gfind(E, c.hi, o, size, 1, 7, 0, c.write)).toBe(-1);
        // local memory is per thread: thread t's frame starts at t · frameSize
        expect(E.xo).toBe(c.name === 'local' ? 1 * c.limit + o : o);
      } else {
        expect(thrown(() => gfind(E, c.hi, o, size, 1, 7, 0, c.write)).message).toMatch(/^invalid generic /);
      }
    });
  }

  it('never writes const or param memory, and a .global access never reaches another space', () => {
    expect(thrown(() => gfind(env([]), CONST_HI, 0, 4, 0, 1, 0, true)).message).toMatch(/^invalid generic write/);
    expect(thrown(() => gfind(env([]), PARAM_HI, 0, 4, 0, 1, 0, true)).message).toMatch(/^invalid generic write/);
    expect(gfind(env([]), CONST_HI, 0, 4, 0, 1, 0, false)).toBe(-1);
    for (const hi of [SHARED_HI, LOCAL_HI, CONST_HI, PARAM_HI]) expect(thrown(() => gfind(env([]), hi, 0, 4, 0, 1, 1, false)).message).toMatch(/^invalid __global__ read/);
    // the module's own variables are global memory: reachable from .global too
    expect(gfind(env([]), MODVAR_HI, 0, 4, 0, 1, 1, false)).toBe(-1);
    expect(thrown(() => gfind(env([]), 3, 0, 4, 0, 1, 0, false)).message).toMatch(/^invalid generic read/);
  });
});

describe('spaceFault and trap', () => {
  for (const [space, limit] of [['shared', 64], ['local', 32], ['const', 48], ['param', 24]] as const) {
    test.prop([fc.constantFrom(1, 2, 4, 8), fc.integer({ min: -9, max: 80 }), fc.boolean()])(`${space}: out of bounds or misaligned, the right report`, (size, o, write) => {
      const e = thrown(() => spaceFault(env([]), space, o, size, 0, 11, write));
      const kind = write ? 'write' : 'read';
      if (o >= 0 && o + size <= limit) expect(e.message).toBe(`misaligned ${space} ${kind} of ${size} bytes at offset ${o} in kernel 'kern' by thread (0,0,0) in block (2,1,0) (PTX line 11)`);
      else expect(e.message).toBe(`invalid __${space}__ ${kind} of ${size} bytes at offset ${o} (the ${space} space of this launch is ${limit} bytes) in kernel 'kern' by thread (0,0,0) in block (2,1,0) (PTX line 11)`);
    });
  }

  it('trap names the device-side assert', () => {
    expect(thrown(() => trap(env([]), 1, 5)).message).toBe("trap instruction executed (device-side assert or __trap()) in kernel 'kern' by thread (1,0,0) in block (2,1,0) (PTX line 5)");
  });
});
