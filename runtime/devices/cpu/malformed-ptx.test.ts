/**
 * Malformed PTX is the guest's mistake: -4 with the line (and column, for syntax) and what was
 * expected, never the engine's internals ("Cannot read properties of undefined", "Maximum call
 * stack size exceeded"), which would disguise a device fault as the guest's.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';
import { parsePtx } from './parser.js';
import { SUPPORTED_OPCODES } from './validator.js';

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';
const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda');
const ENGINE_INTERNALS = /Cannot read|undefined|is not a function|call stack|is not iterable|Invalid array length|RangeError|TypeError/;

let n = 0;
function loadError(ptx: string, entry = 'k'): DeviceError | undefined {
  try {
    new CpuDevice().loadKernel(ptx, `malformed-${n++}-${Math.random()}`, entry);
    return undefined;
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw new Error(`not a DeviceError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

const kernel = (body: string): string => `${HEADER}.visible .entry k()\n{\n  .reg .b32 %r<8>;\n  .reg .pred %p<4>;\n  .reg .b64 %rd<4>;\n${body}\n  ret;\n}\n`;

describe('malformed PTX', () => {
  it('a shfl.sync with missing operands is -4 naming the form and its operand count', () => {
    const e = loadError(kernel('  shfl.sync.down.b32 %r1, %r2;'))!;
    expect(e.cudaCode).toBe(-4);
    expect(e.message).toBe("line 9: 'shfl.sync.down.b32' takes 5 operands but has 2");
  });

  // crashers ptx.fuzz.test.ts found on the device as it was: each gave -4 "malformed PTX: Cannot
  // read properties of undefined (reading 'kind')"
  it.each([
    ['bar.red.popc.u32 ;', "'bar.red.popc.u32' takes 3 to 4 operands but has 0"],
    ['bar.red.popc.u32 %r1, 0;', "'bar.red.popc.u32' takes 3 to 4 operands but has 2"],
    ['atom.global.cas.b32 ;', "'atom.global.cas.b32' takes 3 to 5 operands but has 0"],
    ['atom.global.cas.b32 %r1, [%rd1];', "'atom.global.cas.b32' takes 3 to 5 operands but has 2"],
    ['vote.sync.all.pred ;', "'vote.sync.all.pred' takes 3 operands but has 0"],
    ['vote.sync.all.pred %p1;', "'vote.sync.all.pred' takes 3 operands but has 1"],
  ])('fuzz crasher %s is -4 with its line', (ins, message) => {
    const e = loadError(kernel(`  ${ins}`))!;
    expect(e.cudaCode).toBe(-4);
    expect(e.message).toBe(`line 9: ${message}`);
  });

  it('97,000 unclosed { are -4 at the nesting limit, not a stack overflow', () => {
    const e = loadError(`${HEADER}.visible .entry k()\n{\n${'{'.repeat(97_000)}`)!;
    expect(e.cudaCode).toBe(-4);
    expect(e.message).toMatch(/^line 6: '\{' nested more than 64 deep; the limit max_scope_depth is 64$/);
  });

  it('nested vector operands and initializer braces are -4 with line and column', () => {
    const vec = loadError(kernel(`  mov.b64 %rd1, ${'{'.repeat(97_000)}`))!;
    expect(vec.message).toBe("line 9, column 18: expected a register or a constant in a vector operand but found '{'");
    const init = loadError(`${HEADER}.global .b32 g[2] = ${'{'.repeat(97_000)}`)!;
    expect(init.message).toMatch(/^line 4: initializer braces nested more than 64 deep/);
  });

  it('an unclosed body says which { is open', () => {
    expect(loadError(`${HEADER}.visible .entry k()\n{\n  ret;\n  {\n  ret;\n`)!.message).toBe("line 8, column 7: unexpected end of PTX; expected '}' to close the '{' at line 7, column 3");
    expect(loadError(`${HEADER}.visible .entry k()\n{\n  ret;\n`)!.message).toBe("line 6, column 7: unexpected end of PTX; expected '}' to close the body of 'k' (line 4)");
  });

  it('quotes at most a few dozen characters of hostile input', () => {
    const e = loadError(kernel(`  mov.u32 %r1 ${'x'.repeat(100_000)};`))!;
    expect(e.message.length).toBeLessThan(200);
  });

  it('multi-dimensional initializers flatten, and too many initializers are refused', () => {
    const m = parsePtx(`${HEADER}.global .u32 g[2][2] = {{1, 2}, {3, 4}};\n`);
    expect([...new Uint32Array(m.vars[0]!.init!.buffer)]).toEqual([1, 2, 3, 4]);
    expect(loadError(`${HEADER}.global .u32 g[2] = {1, 2, 3};\n`)!.message).toMatch(/^line 4, column \d+: more initializers than the 2 elements declared/);
  });

  // Every instruction of every fixture, with operands dropped or one added: the load either
  // succeeds (a shorter form is also valid, e.g. setp without its bool operand) or is -4 naming
  // the line — never an exception from inside the compiler.
  const instructions: { file: string; lineNo: number }[] = [];
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.ptx'))) {
    readFileSync(join(fixtures, file), 'utf8').split('\n').forEach((line, lineNo) => {
      const m = /^\s*(?:@!?%\w+\s+)?([a-z][\w.:]*)\s+[^;]*;\s*$/.exec(line);
      if (m && SUPPORTED_OPCODES.has(m[1]!.split('.')[0]!)) instructions.push({ file, lineNo });
    });
  }
  const texts = new Map<string, string[]>();
  const linesOf = (file: string): string[] => {
    let t = texts.get(file);
    if (!t) texts.set(file, (t = readFileSync(join(fixtures, file), 'utf8').split('\n')));
    return t;
  };

  test.prop([fc.constantFrom(...instructions), fc.nat(), fc.boolean()], { numRuns: 100 })(
    'an instruction with too few or too many operands is -4 with its line',
    ({ file, lineNo }, k, extra) => {
      const lines = linesOf(file).slice();
      const line = lines[lineNo]!;
      const m = /^(\s*(?:@!?%\w+\s+)?[a-z][\w.:]*\s+)([^;]*);/.exec(line)!;
      const ops = m[2]!.split(/,(?![^{(]*[})])/);
      if (extra) ops.push(' %r1');
      else ops.splice(k % ops.length, ops.length);
      lines[lineNo] = `${m[1]}${ops.join(',')};`;
      const text = lines.join('\n');
      const entry = /\.entry\s+(\w+)/.exec(text)![1]!;
      const e = loadError(text, entry);
      if (e) {
        expect(e.cudaCode).toBe(-4);
        expect(e.message).toMatch(/^line \d+/);
        expect(e.message).not.toMatch(ENGINE_INTERNALS);
      }
    },
  );

  it('every supported opcode, bare and with eight operands, is -4 or loads', () => {
    for (const op of SUPPORTED_OPCODES) {
      for (const ops of ['', ' %r1, %r2, %r3, %r4, %r5, %r6, %r7, %r1', ' [%rd1]', ' %p1|%p2, [%rd1]']) {
        const e = loadError(kernel(`  ${op}${ops};`));
        if (e) {
          expect(e.cudaCode, `${op}${ops}`).toBe(-4);
          expect(e.message, `${op}${ops}`).not.toMatch(ENGINE_INTERNALS);
        }
      }
    }
  });
});
