import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryLine, entryRegisters } from '../contract/ptx-text.js';
import { FakeEngine } from './fake-engine.test-util.js';
import { findPtx } from './ptx-source.js';
import { WorkbenchService } from './workbench-service.js';

const root = join(import.meta.dirname, '..');
const multiPtx = readFileSync(join(root, 'fixtures/guests/kernels/multi.ptx'));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('findPtx: the PTX behind a launch, from the module that embeds it', () => {
  it('finds the PTX the multi-launch guest (C, xxd -i header, no NUL) loads, by the hash its launch events carry', () => {
    const module = readFileSync(join(root, 'fixtures/guests/wasm/multi_launch.wasm'));
    const text = findPtx(module, sha(multiPtx));
    expect(text).toBe(multiPtx.toString('latin1'));
    expect(findPtx(module, 'f'.repeat(64))).toBeUndefined();
  });

  it('finds PTX between other data: as a C string (with or without its NUL) or as bytes run into other text (property)', () => {
    const ptx = multiPtx.toString('latin1');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 40 }).map((s) => s.replace(/\.version/g, '')), fc.uint8Array({ maxLength: 64 }), fc.boolean(), (before, textBefore, after, withNul) => {
        const hashed = Buffer.from(withNul ? `${ptx}\0` : ptx, 'latin1');
        const module = Buffer.concat([Buffer.from(before), Buffer.from([0]), Buffer.from(textBefore, 'latin1'), ...(textBefore ? [Buffer.from('\n')] : []), hashed, Buffer.from(after)]);
        expect(findPtx(module, sha(hashed))).toBe(hashed.toString('latin1'));
      }),
      { numRuns: 60 },
    );
  });
});

describe('WorkbenchService.getPtx', () => {
  it('answers with the PTX of a module it opened; not_found for PTX the module does not hold; invalid_args for a bad hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-getptx-'));
    try {
      const service = new WorkbenchService({ engine: new FakeEngine(), dataDir: dir, engineVersion: 't' });
      const { moduleId } = await service.openModule({ kind: 'bytes', name: 'multi_launch.wasm', bytes: new Uint8Array(readFileSync(join(root, 'fixtures/guests/wasm/multi_launch.wasm'))) });
      expect((await service.getPtx(moduleId, sha(multiPtx))).text).toBe(multiPtx.toString('latin1'));
      await expect(service.getPtx(moduleId, 'a'.repeat(64))).rejects.toMatchObject({ code: 'not_found' });
      await expect(service.getPtx(moduleId, '../../x')).rejects.toMatchObject({ code: 'invalid_args' });
      await expect(service.getPtx('b'.repeat(64), sha(multiPtx))).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PTX readings', () => {
  it('the entry line and the registers its body declares (counted by hand from multi.ptx)', () => {
    const ptx = multiPtx.toString('latin1');
    expect(entryLine(ptx, 'scale')).toBe(16);
    expect(entryLine(ptx, 'block_sum')).toBe(57);
    expect(entryLine(ptx, 'block')).toBeUndefined();
    // scale: %f<4> + %r<11> + 2 × %rd<5> = 25 (predicates take no general register)
    expect(entryRegisters(ptx, 'scale')?.registers32).toBe(25);
    // block_sum: %f<9> + %r<15> + 2 × %rd<9> = 42
    expect(entryRegisters(ptx, 'block_sum')?.registers32).toBe(42);
    expect(entryRegisters(ptx, 'nope')).toBeUndefined();
  });

  it.skipIf(!existsSync('/usr/local/bin/ptxas') && !process.env.PATH?.split(':').some((d) => existsSync(join(d, 'ptxas'))))('is an upper bound on what ptxas allocates, for every entry of the sm_75 CUDA fixtures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-ptxas-'));
    try {
      const files = readdirSync(join(root, 'fixtures/cuda')).filter((f) => f.endsWith('.sm_75.ptx')).slice(0, 4);
      let entries = 0;
      for (const f of files) {
        const path = join(root, 'fixtures/cuda', f);
        const run = spawnSync('ptxas', ['-arch=sm_75', '-v', path, '-o', join(dir, 'out.cubin')], { encoding: 'utf8' });
        const log = `${run.stdout}${run.stderr}`;
        const text = readFileSync(path, 'latin1');
        for (const m of log.matchAll(/entry function '([^']+)'[\s\S]*?Used (\d+) registers/g)) {
          const declared = entryRegisters(text, m[1]!);
          expect(declared, `${f} ${m[1]}`).toBeDefined();
          expect(declared!.registers32, `${f} ${m[1]}`).toBeGreaterThanOrEqual(Number(m[2]));
          entries++;
        }
      }
      expect(entries).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
