import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../contract/device.js';
import { parsePtx } from './parser.js';
import { tokenize } from './lexer.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'cuda');

function errorOf(f: () => unknown): DeviceError {
  try {
    f();
  } catch (e) {
    if (e instanceof DeviceError) return e;
    throw e;
  }
  throw new Error('expected a DeviceError');
}

describe('PTX lexer', () => {
  it('keeps dotted opcodes, hex floats and line numbers', () => {
    const t = tokenize('ld.global.f32 %f1, [%rd2+4];\n mov.f32 %f2, 0f3F800000; // c\n/* x\n */ add.s64 %rd1, %rd1, -8;');
    expect(t.map((x) => x.text)).toEqual(['ld.global.f32', '%f1', ',', '[', '%rd2', '+', '4', ']', ';', 'mov.f32', '%f2', ',', '3F800000', ';', 'add.s64', '%rd1', ',', '%rd1', ',', '-', '8', ';']);
    expect(t[12]!.kind).toBe('f32');
    expect(t[14]!.line).toBe(4);
  });
});

describe('PTX parser', () => {
  it('parses nvcc output: header, params, register ranges, labels and guards', () => {
    const m = parsePtx(readFileSync(join(fixtures, 'vector_add.sm_90.ptx'), 'utf8'));
    expect(m.version).toBe('9.0');
    expect(m.target).toBe('sm_90');
    const fn = m.functions.get('vector_add')!;
    expect(fn.isEntry).toBe(true);
    expect(fn.params.map((p) => [p.type, p.sizeBytes])).toEqual([['u64', 8], ['u64', 8], ['u64', 8], ['u32', 4]]);
    expect(fn.regs.filter((r) => r.type === 'b32').map((r) => r.name)).toEqual(['%r0', '%r1', '%r2', '%r3', '%r4', '%r5']);
    const bra = fn.body.find((s) => s.kind === 'instr' && s.parts[0] === 'bra');
    expect(bra).toMatchObject({ guard: { name: '%p1', negate: false }, operands: [{ kind: 'sym', name: '$L__BB0_2' }] });
    expect(fn.body.some((s) => s.kind === 'label' && s.name === '$L__BB0_2')).toBe(true);
  });

  it('accepts directives nvcc writes (.maxntid, .pragma, .loc, .file, .section) and module variables', () => {
    const ptx = `.version 8.5
.target sm_80
.address_size 64
.file 1 "k.cu"
.global .align 4 .b8 tbl[8] = {1, 0, 0, 0, 255, 255, 255, 255};
.const .align 4 .f32 scale = 0f40000000;
.extern .shared .align 16 .b8 dyn[];
.visible .entry k(.param .u64 k_param_0, .param .align 8 .b8 k_param_1[16])
.maxntid 128, 1, 1
{
  .reg .b32 %r<3>;
  .loc 1 5 3
  .pragma "nounroll";
  mov.u32 %r1, %tid.x;
  { .reg .b32 tmp; mov.u32 tmp, 1; }
  ret;
}
.section .debug_str { $L__info_string0: .b8 65 }
`;
    const m = parsePtx(ptx);
    expect(m.vars.map((v) => [v.name, v.space, v.sizeBytes, v.extern])).toEqual([['tbl', 'global', 8, false], ['scale', 'const', 4, false], ['dyn', 'shared', 0, true]]);
    expect(Array.from(m.vars[0]!.init!)).toEqual([1, 0, 0, 0, 255, 255, 255, 255]);
    expect(Array.from(m.vars[1]!.init!)).toEqual([0, 0, 0, 64]);
    const k = m.functions.get('k')!;
    expect(k.params[1]).toMatchObject({ type: 'b8', sizeBytes: 16, align: 8 });
    // the scoped register got a unique name and the instruction refers to it
    expect(k.regs.some((r) => r.name === 'tmp__s1')).toBe(true);
    expect(k.body.some((s) => s.kind === 'instr' && s.operands[0]?.kind === 'sym' && s.operands[0].name === 'tmp__s1')).toBe(true);
  });

  it('parses device functions with return params and call sequences', () => {
    const m = parsePtx(readFileSync(join(fixtures, 'device_call.sm_75.ptx'), 'utf8'));
    const blend = m.functions.get('_Z5blendffiPKf')!;
    expect(blend.isEntry).toBe(false);
    expect(blend.returns).toHaveLength(1);
    expect(blend.params).toHaveLength(4);
    const call = m.functions.get('device_call')!.body.find((s) => s.kind === 'instr' && s.parts[0] === 'call');
    expect(call).toMatchObject({ operands: [{ kind: 'list' }, { kind: 'sym', name: '_Z5blendffiPKf' }, { kind: 'list' }] });
  });

  it('reports syntax errors with their line, column and what was expected', () => {
    const e = errorOf(() => parsePtx('.version 8.0\n.target sm_75\n.address_size 64\n.visible .entry k()\n{\n  mov.u32 %r1 %r2;\n}\n'));
    expect(e.cudaCode).toBe(-4);
    expect(e.message).toBe("line 6, column 15: expected ';' after 'mov.u32' operands but found '%r2'");
  });

  it('rejects PTX versions above 9.0 and 32-bit addressing', () => {
    expect(errorOf(() => parsePtx('.version 9.1\n.target sm_90\n')).message).toMatch(/line 1, column 1: PTX ISA version '9.1' is not supported/);
    expect(errorOf(() => parsePtx('.version 8.0\n.target sm_75\n.address_size 32\n')).message).toMatch(/address_size 32/);
  });
});
