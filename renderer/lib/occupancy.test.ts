/**
 * The oracle is the CUDA C++ Best Practices Guide's own worked example (section "Calculating
 * Occupancy"): "on a device of compute capability 7.0, a kernel with 128-thread blocks using 37
 * registers per thread results in an occupancy of 75% with 12 active 128-thread blocks per
 * multi-processor, whereas a kernel with 320-thread blocks using the same 37 registers per thread
 * results in an occupancy of 63% because only four 320-thread blocks can reside on a
 * multiprocessor."
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { occupancy, ptxRegisterEstimate, SM_LIMITS } from './occupancy.js';

const sm = (arch: string) => SM_LIMITS.find((l) => l.arch === arch)!;

describe('theoretical occupancy', () => {
  it('matches the Best Practices Guide example on compute capability 7.0', () => {
    const a = occupancy(sm('sm_70'), 128, 37, 0);
    expect(a.activeBlocksPerSm).toBe(12);
    expect(a.occupancy).toBe(0.75);
    expect(a.limitedBy).toBe('registers');
    const b = occupancy(sm('sm_70'), 320, 37, 0);
    expect(b.activeBlocksPerSm).toBe(4);
    expect(Math.round(b.occupancy * 100)).toBe(63);
  });
  it('names shared memory when it is the limit, and refuses what an architecture cannot run', () => {
    const s = occupancy(sm('sm_75'), 128, 16, 32 * 1024);
    expect(s).toMatchObject({ activeBlocksPerSm: 2, limitedBy: 'shared memory' });
    expect(occupancy(sm('sm_75'), 2048, 16, 0).problem).toContain('1024');
    expect(occupancy(sm('sm_86'), 256, 16, 120 * 1024).problem).toContain('shared memory');
  });
  it('never exceeds 100 % nor any limit (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SM_LIMITS), fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 96 * 1024 }), (l, threads, regs, shared) => {
        const o = occupancy(l, threads, regs, shared);
        expect(o.occupancy).toBeLessThanOrEqual(1);
        expect(o.activeWarpsPerSm).toBeLessThanOrEqual(l.maxWarpsPerSm);
        expect(o.activeBlocksPerSm).toBeLessThanOrEqual(l.maxBlocksPerSm);
        if (!o.problem) expect(o.activeBlocksPerSm).toBe(Math.min(...Object.values(o.limits)));
      }),
    );
  });
  it('counts the registers a PTX entry declares (64-bit ones twice, predicates not)', () => {
    const ptx = '.visible .entry k(\n.param .u64 p\n)\n{\n.reg .pred %p<2>;\n.reg .b32 %r<6>;\n.reg .f32 %f<4>;\n.reg .b64 %rd<5>;\nret;\n}\n';
    expect(ptxRegisterEstimate(ptx, 'k')).toBe(6 + 4 + 10);
    expect(ptxRegisterEstimate(ptx, 'missing')).toBeUndefined();
  });
});
