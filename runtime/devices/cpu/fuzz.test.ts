import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda');

const JUNK = ['%r999', '0x', '[', ';', '.reg', '@', '-', '0f', '$L__x', '{'];
/** A damage: delete, duplicate or replace the token at `at` (fractions of the token count). */
const DAMAGE = fc.record({ kind: fc.constantFrom('delete', 'duplicate', 'replace'), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), from: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), junk: fc.constantFrom(...JUNK) });

describe('CpuDevice on damaged PTX', () => {
  it('either loads or throws a DeviceError — never another exception', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.sm_75.ptx'));
    const outcomes = { loaded: 0, rejected: 0 };
    let i = 0;
    fc.assert(
      fc.property(fc.nat({ max: files.length - 1 }), fc.array(DAMAGE, { minLength: 3, maxLength: 3 }), (file, damages) => {
        const text = readFileSync(join(fixtures, files[file]!), 'utf8');
        const tokens = text.split(/(\s+|[,;[\]{}()])/);
        for (const d of damages) {
          const at = Math.floor(d.at * tokens.length);
          if (d.kind === 'delete') tokens.splice(at, 1);
          else if (d.kind === 'duplicate') tokens.splice(at, 0, tokens[Math.floor(d.from * tokens.length)]!);
          else tokens[at] = d.junk;
        }
        const entry = /\.entry\s+(\w+)/.exec(text)![1]!;
        try {
          new CpuDevice().loadKernel(tokens.join(''), `fuzz-${i++}`, entry);
          outcomes.loaded++;
        } catch (e) {
          if (!(e instanceof DeviceError)) throw new Error(`${files[file]}: ${String(e)}`);
          expect([-3, -4]).toContain(e.cudaCode);
          outcomes.rejected++;
        }
      }),
      { numRuns: 300 },
    );
    expect(outcomes.rejected).toBeGreaterThan(50);
  });
});
