import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../contract/device.js';
import { rng } from '../conformance/reference.js';
import { CpuDevice } from './cpu-device.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda');

describe('CpuDevice on damaged PTX', () => {
  it('either loads or throws a DeviceError — never another exception', () => {
    const random = rng(99);
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.sm_75.ptx'));
    const outcomes = { loaded: 0, rejected: 0 };
    for (let i = 0; i < 300; i++) {
      const text = readFileSync(join(fixtures, files[i % files.length]!), 'utf8');
      const tokens = text.split(/(\s+|[,;[\]{}()])/);
      // delete, duplicate or replace a few tokens
      for (let k = 0; k < 3; k++) {
        const at = Math.floor(random() * tokens.length);
        const r = random();
        if (r < 0.4) tokens.splice(at, 1);
        else if (r < 0.7) tokens.splice(at, 0, tokens[Math.floor(random() * tokens.length)]!);
        else tokens[at] = ['%r999', '0x', '[', ';', '.reg', '@', '-', '0f', '$L__x', '{'][Math.floor(random() * 10)]!;
      }
      const entry = /\.entry\s+(\w+)/.exec(text)![1]!;
      try {
        new CpuDevice().loadKernel(tokens.join(''), `fuzz-${i}`, entry);
        outcomes.loaded++;
      } catch (e) {
        if (!(e instanceof DeviceError)) throw new Error(`iteration ${i}: ${String(e)}`);
        expect([-3, -4]).toContain(e.cudaCode);
        outcomes.rejected++;
      }
    }
    expect(outcomes.rejected).toBeGreaterThan(50);
  });
});
