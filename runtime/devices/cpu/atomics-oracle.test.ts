/**
 * Every atom/red form ptxas accepts (op × type), in .global and .shared memory, on both backends,
 * against fixtures/atomics-cvt-oracle/atomics.json: C written from the PTX ISA's `atom` semantics,
 * compiled by gcc (fixtures/atomics-cvt-oracle/build.sh), sharing no code with the device. Each
 * scenario is one block of four threads on one word; the old value each thread gets back is
 * checked too (threads run in order 0..3 on the CPU device, as the oracle applies them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';

interface OracleCase {
  init: string;
  b: string[];
  c: string[];
  old: string[];
  final: string;
}
interface OracleForm {
  op: string;
  type: string;
  cases: OracleCase[];
}

const ORACLE = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/atomics-cvt-oracle/atomics.json'), 'utf8')) as { forms: OracleForm[] };
const THREADS = 4;

/** The Wasm subset takes every form ptxas accepts, in both spaces (docs/CPU-DEVICE.md). */
const wasmTakes = (_op: string, _type: string): boolean => true;

function kernel(op: string, type: string, space: 'global' | 'shared', red: boolean): string {
  const wide = type.endsWith('64');
  const reg = type === 'f32' ? 'f32' : type === 'f64' ? 'f64' : wide ? 'b64' : 'b32';
  const mem = reg; // ld/st of the word and the operands by their bit pattern
  const c = op === 'cas' ? ', %v2' : '';
  const atomic = (addr: string): string =>
    red ? `red.${space}.${op}.${type} [${addr}], %v1${c};` : `atom.${space}.${op}.${type} %v0, [${addr}], %v1${c};`;
  const body =
    space === 'global'
      ? atomic('%rd7')
      : `setp.ne.u32 %p1, %r1, 0;
  @%p1 bra $L_init;
  ld.global.${mem} %v3, [%rd7];
  st.shared.${mem} [sh], %v3;
$L_init:
  bar.sync 0;
  ${atomic('sh')}
  bar.sync 0;
  @%p1 bra $L_done;
  ld.shared.${mem} %v3, [sh];
  st.global.${mem} [%rd7], %v3;
$L_done:`;
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry k(.param .u64 pw, .param .u64 pb, .param .u64 pc, .param .u64 po)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<12>;
  .reg .${reg} %v<4>;
  .shared .align 8 .b8 sh[8];
  ld.param.u64 %rd1, [pw];
  ld.param.u64 %rd2, [pb];
  ld.param.u64 %rd3, [pc];
  ld.param.u64 %rd4, [po];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r4, %r2, %r3, %r1;
  mul.wide.u32 %rd5, %r4, 8;
  mul.wide.u32 %rd6, %r2, 8;
  add.s64 %rd7, %rd1, %rd6;
  add.s64 %rd8, %rd2, %rd5;
  add.s64 %rd9, %rd3, %rd5;
  add.s64 %rd10, %rd4, %rd5;
  ld.global.${mem} %v1, [%rd8];
  ld.global.${mem} %v2, [%rd9];
  mov.${reg} %v0, %v1;
  ${body}
  st.global.${mem} [%rd10], %v0;
  ret;
}
`;
}

/** Runs one form's scenarios (a block each); returns the final words, the olds and the backend. */
function run(form: OracleForm, space: 'global' | 'shared', red: boolean, wasm: boolean): { finals: bigint[]; olds: bigint[][]; backend: string | undefined } {
  const n = form.cases.length;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const dv = new DataView(memory.buffer);
  const W = 1024, B = 2048, C = 4096, O = 6144;
  form.cases.forEach((c, i) => {
    dv.setBigUint64(W + 8 * i, BigInt(`0x${c.init}`), true);
    for (let t = 0; t < THREADS; t++) {
      dv.setBigUint64(B + 8 * (i * THREADS + t), BigInt(`0x${c.b[t]}`), true);
      dv.setBigUint64(C + 8 * (i * THREADS + t), BigInt(`0x${c.c[t]}`), true);
    }
  });
  const dev = new CpuDevice({ wasmKernels: wasm });
  const k = dev.loadKernel(kernel(form.op, form.type, space, red), `atom-${form.op}-${form.type}-${space}-${red}`, 'k');
  const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
  dev.launch({
    kernel: k, grid: [n, 1, 1], block: [THREADS, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory,
    args: [ptr(W, 8 * n), ptr(B, 8 * n * THREADS), ptr(C, 8 * n * THREADS), ptr(O, 8 * n * THREADS)],
  });
  const wide = form.type.endsWith('64');
  const read = (at: number): bigint => (wide ? dv.getBigUint64(at, true) : BigInt(dv.getUint32(at, true)));
  return {
    finals: form.cases.map((_, i) => read(W + 8 * i)),
    olds: form.cases.map((_, i) => Array.from({ length: THREADS }, (_, t) => read(O + 8 * (i * THREADS + t)))),
    backend: dev.lastBackend,
  };
}

const hex = (v: bigint, wide: boolean): string => v.toString(16).padStart(wide ? 16 : 8, '0');

describe('atom and red against the C oracle written from the PTX ISA', () => {
  it('covers every form ptxas accepts', () => {
    expect(ORACLE.forms.map((f) => `${f.op}.${f.type}`).sort()).toEqual(
      ['add.s32', 'add.u32', 'add.u64', 'add.f32', 'add.f64', 'inc.u32', 'dec.u32', 'cas.b32', 'cas.b64', 'exch.b32', 'exch.b64', 'and.b32', 'and.b64', 'or.b32', 'or.b64', 'xor.b32', 'xor.b64', 'min.s32', 'min.u32', 'min.s64', 'min.u64', 'max.s32', 'max.u32', 'max.s64', 'max.u64'].sort(),
    );
  });

  for (const wasm of [false, true]) {
    for (const space of ['global', 'shared'] as const) {
      it(`atom.${space}: final word and every returned old value, ${wasm ? 'WebAssembly' : 'JavaScript'} backend`, () => {
        const wrong: string[] = [];
        for (const form of ORACLE.forms) {
          let r: ReturnType<typeof run>;
          try {
            r = run(form, space, false, wasm);
          } catch (e) {
            wrong.push(`atom.${space}.${form.op}.${form.type}: ${String(e).slice(0, 200)}`);
            continue;
          }
          const expectedBackend = wasm && wasmTakes(form.op, form.type) ? 'wasm' : 'js';
          if (r.backend !== expectedBackend) wrong.push(`atom.${space}.${form.op}.${form.type} ran on ${r.backend}, expected ${expectedBackend}`);
          const wide = form.type.endsWith('64');
          form.cases.forEach((c, i) => {
            const want = c.old.map((o) => hex(BigInt(`0x${o}`), wide)).join(' ') + ' -> ' + hex(BigInt(`0x${c.final}`), wide);
            const got = r.olds[i]!.map((o) => hex(o, wide)).join(' ') + ' -> ' + hex(r.finals[i]!, wide);
            if (got !== want) wrong.push(`atom.${space}.${form.op}.${form.type} from ${c.init} with b=${c.b.join(',')}: got ${got}, want ${want}`);
          });
        }
        expect(wrong).toEqual([]);
      });

      it(`red.${space}: final word, ${wasm ? 'WebAssembly' : 'JavaScript'} backend`, () => {
        const wrong: string[] = [];
        for (const form of ORACLE.forms.filter((f) => f.op !== 'cas' && f.op !== 'exch')) {
          let r: ReturnType<typeof run>;
          try {
            r = run(form, space, true, wasm);
          } catch (e) {
            wrong.push(`red.${space}.${form.op}.${form.type}: ${String(e).slice(0, 200)}`);
            continue;
          }
          const wide = form.type.endsWith('64');
          form.cases.forEach((c, i) => {
            const want = hex(BigInt(`0x${c.final}`), wide);
            const got = hex(r.finals[i]!, wide);
            if (got !== want) wrong.push(`red.${space}.${form.op}.${form.type} from ${c.init}: got ${got}, want ${want}`);
          });
        }
        expect(wrong).toEqual([]);
      });
    }
  }

  it('the issue’s case: max/min.s32 with 5, −9, 12, 3 from INT_MIN / INT_MAX give 12 / −9 and return the old values', () => {
    for (const wasm of [false, true]) {
      for (const space of ['global', 'shared'] as const) {
        const form = (op: string): OracleForm => ({ op, type: 's32', cases: [{ init: '80000000', b: ['5', 'fffffff7', 'c', '3'], c: ['0', '0', '0', '0'], old: [], final: '' }] });
        const max = run(form('max'), space, false, wasm);
        expect(max.finals[0]).toBe(12n);
        expect(max.olds[0]).toEqual([0x80000000n, 5n, 5n, 12n]);
        const min = run({ ...form('min'), cases: [{ ...form('min').cases[0]!, init: '7fffffff' }] }, space, false, wasm);
        expect(min.finals[0]).toBe(0xfffffff7n);
        expect(min.olds[0]).toEqual([0x7fffffffn, 5n, 0xfffffff7n, 0xfffffff7n]);
      }
    }
  });
});
