import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LaunchEvent } from '../../contract/events.js';
import { LaunchInterner } from './launch-interner.js';

const triple = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.constant(1));
const launchArb = fc.record({ args: fc.constantFrom('', 'u32(1)', 'ptr(0x1000,4096) u32(1024)'), grid: triple, block: triple }).map(
  (p, i = 0): LaunchEvent => ({ type: 'launch', runId: 'r', t: 0, seq: i + 1, kernel: 'k', ptxHash: 'h', grid: p.grid, block: p.block, sharedMemBytes: 0, args: p.args, device: 'cpu', startMs: 0, endMs: 1, kernelMs: 1 }),
);

describe('LaunchInterner', () => {
  it('leaves every launch equal to what arrived, and equal grid and block triples one array (property)', () => {
    fc.assert(
      fc.property(fc.array(launchArb, { maxLength: 60 }), (launches) => {
        const before = structuredClone(launches);
        const interner = new LaunchInterner();
        const after = launches.map((l) => interner.intern(l));
        expect(after).toEqual(before);
        for (const a of after)
          for (const b of after) {
            if (a.grid.join() === b.grid.join()) expect(a.grid).toBe(b.grid);
            if (a.block.join() === b.block.join()) expect(a.block).toBe(b.block);
          }
      }),
    );
  });
});
