/**
 * The module's own .global and .const variables on the WebAssembly backend (emit-module-data.ts):
 * the kernel runs as WebAssembly (the launch names the backend), gives the JavaScript backend's
 * bits and the values the declarations' initialisers and the kernel's arithmetic give by hand,
 * keeps what it wrote for the next launch, and reports a fault as the JavaScript backend does.
 */
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { pooledLaunches } from '../pool/pool-launch.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';
import { ptr, u32 } from '../../../test-support/kernel-args.js';

const HEADER = '.version 8.0\n.target sm_75\n.address_size 64\n';

/**
 * Per thread t (16 per block, 2 blocks): out[t] = { tab[t % 4], ctab[t % 8], old counter (atomic,
 * so only the set of values is fixed), the address of tab[1] (lo, hi), ctab read through a
 * register, hits[t % 4] read back after the add }; the kernel adds 1 to hits[t % 4] (atom), and
 * thread 0 of block 0 stores 7 into last.
 */
const MODVARS = `${HEADER}
.global .align 4 .b8 tab[16] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 255, 255, 255, 255};
.global .align 4 .u32 counter;
.global .align 4 .b8 hits[16];
.global .align 4 .u32 last = 5;
.const .align 4 .b8 ctab[32] = {10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40, 0, 0, 0, 50, 0, 0, 0, 60, 0, 0, 0, 70, 0, 0, 0, 128, 0, 0, 0};
.visible .entry modv(.param .u64 p0, .param .u32 p1)
{
  .reg .pred %p<2>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [p0];
  ld.param.u32 %r1, [p1];
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mad.lo.s32 %r5, %r3, %r4, %r2;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r5, 32;
  add.s64 %rd4, %rd2, %rd3;
  and.b32 %r6, %r5, 3;
  mul.wide.u32 %rd5, %r6, 4;
  mov.u64 %rd6, tab;
  add.s64 %rd7, %rd6, %rd5;
  ld.global.nc.u32 %r7, [%rd7];
  st.global.u32 [%rd4], %r7;
  and.b32 %r8, %r5, 7;
  shl.b32 %r9, %r8, 2;
  mov.u32 %r10, ctab;
  add.s32 %r11, %r10, %r9;
  ld.const.u32 %r12, [%r11];
  st.global.u32 [%rd4+4], %r12;
  mov.u64 %rd8, counter;
  atom.global.add.u32 %r13, [%rd8], 1;
  st.global.u32 [%rd4+8], %r13;
  add.s64 %rd9, %rd6, 4;
  st.global.u64 [%rd4+16], %rd9;
  mov.u64 %rd10, ctab;
  ld.const.u32 %r14, [%rd10+28];
  st.global.u32 [%rd4+12], %r14;
  mov.u64 %rd11, hits;
  add.s64 %rd12, %rd11, %rd5;
  atom.global.add.u32 %r15, [%rd12], 1;
  ld.global.u32 %r16, [hits+4];
  setp.ne.s32 %p1, %r5, 0;
  @%p1 bra $L_end;
  ld.global.u32 %r17, [last];
  st.global.u32 [%rd4+24], %r17;
  st.global.u32 [last], %r1;
$L_end:
  ret;
}
`;

const N = 32;

function launchModv(wasm: boolean, launches: number, pool = false): { out: Uint8Array[]; backends: (string | undefined)[] } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  // Without `pool`, one thread: the atomic counter's old values are then in the JavaScript backend's
  // thread order (on a busy machine a slow first launch would otherwise send the second to the pool,
  // whose atomics come in any order — as CUDA's do)
  const dev = new CpuDevice({ wasmKernels: wasm, ...(pool ? { workers: 2, poolMinThreads: 1, adaptivePool: false } : { workers: 1 }) });
  const k = dev.loadKernel(MODVARS, 'wasm-modvars', 'modv');
  const out: Uint8Array[] = [], backends: (string | undefined)[] = [];
  for (let i = 0; i < launches; i++) {
    bytes.fill(0, 1024, 1024 + N * 32);
    dev.launch({ kernel: k, grid: [2, 1, 1], block: [N / 2, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(1024, N * 32), u32(100 + i)] });
    out.push(bytes.slice(1024, 1024 + N * 32));
    backends.push(dev.lastBackend);
  }
  return { out, backends };
}

describe('module .global and .const variables on the WebAssembly backend', () => {
  it('run as WebAssembly with the JavaScript backend’s bits and the initialisers’ values, and keep their writes between launches', () => {
    const wasm = launchModv(true, 2);
    const js = launchModv(false, 2);
    expect(wasm.backends).toEqual(['wasm', 'wasm']);
    expect(js.backends).toEqual(['js', 'js']);
    const tab = [1, 2, 3, 0xffffffff];
    const ctab = [10, 20, 30, 40, 50, 60, 70, 128];
    for (let launch = 0; launch < 2; launch++) {
      const dv = new DataView(wasm.out[launch]!.buffer);
      const olds: number[] = [];
      for (let t = 0; t < N; t++) {
        expect(dv.getUint32(t * 32, true)).toBe(tab[t % 4]);
        expect(dv.getUint32(t * 32 + 4, true)).toBe(ctab[t % 8]);
        olds.push(dv.getUint32(t * 32 + 8, true));
        // tab + 4 at the JavaScript backend's device address of module variables: 2^41 + offset 0
        expect(dv.getBigUint64(t * 32 + 16, true)).toBe(2n ** 41n + 4n);
        expect(dv.getUint32(t * 32 + 12, true)).toBe(128);
      }
      // the counter carries on from the last launch: every old value once
      expect(olds.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => launch * N + i));
      // the first thread reads what the last launch stored (5 at first)
      expect(dv.getUint32(24, true)).toBe(launch === 0 ? 5 : 100);
      const firstDiff = wasm.out[launch]!.findIndex((b, i) => b !== js.out[launch]![i]);
      expect(firstDiff, `launch ${launch}: first differing byte ${firstDiff}`).toBe(-1);
    }
  });

  it('run on a block pool with one copy of the .global variables all its threads share: the atomic counter counts every thread once, across launches', () => {
    const before = pooledLaunches();
    const pooled = launchModv(true, 2, true);
    const js = launchModv(false, 2);
    expect(pooled.backends).toEqual(['wasm', 'wasm']);
    expect(pooledLaunches()).toBe(before + 2);
    for (let launch = 0; launch < 2; launch++) {
      const mine = new DataView(pooled.out[launch]!.buffer), theirs = new DataView(js.out[launch]!.buffer);
      const olds: number[] = [];
      for (let t = 0; t < N; t++) {
        // the old counter values come in the atomics' order (two threads): only their set is CUDA's
        olds.push(mine.getUint32(t * 32 + 8, true));
        for (const at of [0, 4, 12, 16, 20, 24, 28]) expect(mine.getUint32(t * 32 + at, true), `thread ${t} word ${at}`).toBe(theirs.getUint32(t * 32 + at, true));
      }
      expect(olds.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => launch * N + i));
    }
  });

  const faultOf = (body: string, decl: string, wasm: boolean): { message: string; backend: string | undefined } => {
    const ptx = `${HEADER}${decl}
.visible .entry bad(.param .u64 p0)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [p0];
  mov.u32 %r1, %tid.x;
  cvta.to.global.u64 %rd2, %rd1;
${body}
  ret;
}
`;
    // the WebAssembly backend takes the kernel: the fault comes from inside it
    const m = parsePtx(ptx);
    expect(Object.keys(compileWasmKernel(m, m.functions.get('bad')!))).toEqual(['kernel']);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const dev = new CpuDevice({ wasmKernels: wasm });
    const k = dev.loadKernel(ptx, `wasm-modvar-fault-${FAULTS.findIndex((f) => f[2] === body)}`, 'bad');
    const timing = (): void => {
      dev.launch({ kernel: k, grid: [1, 1, 1], block: [8, 1, 1], sharedMemBytes: 0, memory: new Uint8Array(memory.buffer), wasmMemory: memory, args: [ptr(256, 64)] });
    };
    try {
      timing();
    } catch (e) {
      expect(e).toBeInstanceOf(DeviceError);
      return { message: (e as DeviceError).message, backend: dev.lastBackend };
    }
    throw new Error('the launch did not fail');
  };

  const FAULTS: [string, string, string, RegExp][] = [
    [
      'a .global read past a module variable (thread 4 reads tab[4..8))',
      '.global .align 4 .b8 tab[16];',
      `  mov.u64 %rd3, tab;
  mul.wide.u32 %rd4, %r1, 4;
  add.s64 %rd5, %rd3, %rd4;
  ld.global.u32 %r2, [%rd5];
  st.global.u32 [%rd2], %r2;`,
      /invalid __global__ read of 4 bytes at address 0x020000000010 .* by thread \(4,0,0\)/,
    ],
    [
      'a misaligned atomic on a module variable',
      '.global .align 4 .b8 tab[16];',
      `  mov.u64 %rd3, tab;
  add.s64 %rd5, %rd3, 2;
  atom.global.add.u32 %r2, [%rd5], 1;`,
      /misaligned address 0x020000000002 for a 4-byte write .* by thread \(0,0,0\)/,
    ],
    [
      'a .const read past the const space through a register',
      '.const .align 4 .b8 ctab[20] = {1, 2, 3, 4};',
      `  shl.b32 %r2, %r1, 2;
  ld.const.u32 %r3, [%r2+16];
  st.global.u32 [%rd2], %r3;`,
      /invalid __const__ read of 4 bytes at offset 32 \(the const space of this launch is 32 bytes\) .* by thread \(4,0,0\)/,
    ],
    [
      'a .const read at a negative offset (the register’s low word unsigned, plus the immediate)',
      '.const .align 4 .b8 ctab[20] = {1, 2, 3, 4};',
      `  mov.u64 %rd3, ctab;
  ld.const.u32 %r3, [%rd3+-8];
  st.global.u32 [%rd2], %r3;`,
      /invalid __const__ read of 4 bytes at offset -8 .* by thread \(0,0,0\)/,
    ],
    [
      'a misaligned .const read',
      '.const .align 4 .b8 ctab[20] = {1, 2, 3, 4};',
      `  mov.u64 %rd3, ctab;
  ld.const.u32 %r3, [%rd3+2];
  st.global.u32 [%rd2], %r3;`,
      /misaligned const read of 4 bytes at offset 2 .* by thread \(0,0,0\)/,
    ],
  ];
  for (const [what, decl, body, pattern] of FAULTS) {
    it(`reports ${what} exactly as the JavaScript backend does`, () => {
      const js = faultOf(body, decl, false);
      const wasm = faultOf(body, decl, true);
      expect(wasm.message).toMatch(pattern);
      expect(wasm.message).toBe(js.message);
    });
  }

  it('compiles such kernels to WebAssembly with the module data’s sizes', () => {
    const m = parsePtx(MODVARS);
    const r = compileWasmKernel(m, m.functions.get('modv')!);
    expect('kernel' in r ? { modvarBytes: r.kernel.modvarBytes, constBytes: r.kernel.constBytes } : r.unsupported).toEqual({ modvarBytes: 48, constBytes: 32 });
  });
});
