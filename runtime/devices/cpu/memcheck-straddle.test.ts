/**
 * Accesses that start inside a pointer window and end outside it (issue 14, defect 4): on both
 * backends they must fail with the memcheck report an access wholly outside a window gets — kernel,
 * thread, block, address, size, nearest window, PTX line — and leave every byte outside the window
 * as it was. The expected outcome is derived here from the window arithmetic alone (which thread
 * first leaves the window, in the device's documented order: blocks in turn, threads in turn).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { KernelArg } from '../../../contract/device.js';
import { CpuDevice } from './cpu-device.js';

const ACCESS = [
  { type: 'u8', size: 1, reg: 'r' },
  { type: 'u16', size: 2, reg: 'h' },
  { type: 'u32', size: 4, reg: 'r' },
  { type: 'f32', size: 4, reg: 'f' },
  { type: 'u64', size: 8, reg: 'rd' },
  { type: 'f64', size: 8, reg: 'fd' },
  { type: 'v2.u32', size: 8, reg: 'r' },
  { type: 'v4.u32', size: 16, reg: 'r' },
] as const;
type Access = (typeof ACCESS)[number];
type Kind = 'ld' | 'st' | 'atom';

function kernel(a: Access, kind: Kind, offset: number, stride: number, generic: boolean, loop: number, barrier: boolean): string {
  const space = generic ? '' : '.global';
  const vec = a.type.startsWith('v') ? Number(a.type[1]) : 1;
  const val = vec === 1 ? `%${a.reg}9` : `{${Array.from({ length: vec }, (_, i) => `%r${9 + i}`).join(', ')}}`;
  const addr = `[%rd5+${offset}]`;
  const access =
    kind === 'ld' ? `ld${space}.${a.type} ${val}, ${addr};` : kind === 'st' ? `st${space}.${a.type} ${addr}, ${val};` : `atom${space}.add.u32 %r9, ${addr}, 1;`;
  // a barrier before the access: the kernel runs in phases (saved registers, per-phase copies)
  const body = barrier ? `bar.sync 0;\n  ${access}` : access;
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry edge(.param .u64 p0)
{
  .reg .pred %p<2>;
  .reg .b16 %h<10>;
  .reg .b32 %r<14>;
  .reg .f32 %f<10>;
  .reg .b64 %rd<10>;
  .reg .f64 %fd<10>;
  ld.param.u64 %rd1, [p0];
  ${generic ? 'mov.u64 %rd2, %rd1;' : 'cvta.to.global.u64 %rd2, %rd1;'}
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mad.lo.s32 %r4, %r2, %r3, %r1;
  mul.wide.u32 %rd4, %r4, ${stride};
  add.s64 %rd5, %rd2, %rd4;
  mov.u32 %r9, 7;
  mov.u32 %r10, 8;
  mov.u32 %r11, 9;
  mov.u32 %r12, 10;
  mov.b32 %f9, 0f3F800000;
  mov.u64 %rd9, 11;
  mov.f64 %fd9, 0d3FF0000000000000;
  mov.u16 %h9, 12;
  ${loop > 0 ? `mov.u32 %r5, %r4;
  mov.u32 %r6, %nctaid.x;
  mul.lo.s32 %r6, %r6, %r3;
$L_loop:
  mul.wide.u32 %rd4, %r5, ${stride};
  add.s64 %rd5, %rd2, %rd4;
  ${body}
  add.s32 %r5, %r5, %r6;
  setp.lt.u32 %p1, %r5, ${loop};
  @%p1 bra $L_loop;` : body}
  ret;
}
`;
}

interface Case {
  access: Access;
  kind: Kind;
  generic: boolean;
  winStart: number;
  winLength: number;
  offset: number;
  stride: number;
  threads: number;
  blocks: number;
  /** 0: one access per thread; n: a grid-stride loop over i < n (the self-loop shape the Wasm backend checks once per loop entry). */
  loop: number;
  barrier: boolean;
}

/** The first thread whose access leaves the window or is misaligned, in launch order, and why. */
function expectedFault(c: Case): { thread: number; block: number; addr: number; misaligned: boolean } | undefined {
  const size = c.kind === 'atom' ? 4 : c.access.size;
  const total = c.blocks * c.threads;
  for (let b = 0; b < c.blocks; b++) {
    for (let t = 0; t < c.threads; t++) {
      const gid = b * c.threads + t;
      // one access at gid, or the loop's i = gid, gid + total, … while i < loop (a do-while: the first always runs)
      for (let i = gid; i === gid || i < c.loop; i += total) {
        const addr = c.winStart + c.offset + i * c.stride;
        if (addr % size !== 0) return { thread: t, block: b, addr, misaligned: true };
        if (addr < c.winStart || addr + size > c.winStart + c.winLength) return { thread: t, block: b, addr, misaligned: false };
        if (c.loop === 0) break;
      }
    }
  }
  return undefined;
}

function run(c: Case, wasm: boolean): { error?: string; outside: boolean; backend: string | undefined } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = new Uint8Array(memory.buffer);
  bytes.fill(0xa5);
  const dev = new CpuDevice({ wasmKernels: wasm });
  const ptx = kernel(c.access, c.kind, c.offset, c.stride, c.generic, c.loop, c.barrier);
  const k = dev.loadKernel(ptx, `edge-${c.access.type}-${c.kind}-${c.offset}-${c.stride}-${c.generic}-${c.loop}-${c.barrier}`, 'edge');
  const args: KernelArg[] = [{ kind: 'pointer', offset: c.winStart, length: c.winLength }];
  let error: string | undefined;
  try {
    dev.launch({ kernel: k, grid: [c.blocks, 1, 1], block: [c.threads, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args });
  } catch (e) {
    error = String(e);
  }
  let outside = false;
  for (let i = 0; i < bytes.length; i++) if ((i < c.winStart || i >= c.winStart + c.winLength) && bytes[i] !== 0xa5) outside = true;
  return { error, outside, backend: dev.lastBackend };
}

const caseArb = fc
  .record({
    access: fc.constantFrom(...ACCESS),
    kind: fc.constantFrom<Kind>('ld', 'st', 'st', 'atom'),
    generic: fc.boolean(),
    winStart: fc.integer({ min: 1024, max: 1100 }),
    winLength: fc.integer({ min: 1, max: 80 }),
    offset: fc.integer({ min: 0, max: 40 }),
    strideUnits: fc.integer({ min: 0, max: 3 }),
    threads: fc.integer({ min: 1, max: 24 }),
    blocks: fc.integer({ min: 1, max: 3 }),
    loop: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90 })),
    barrier: fc.boolean(),
    alignStart: fc.boolean(),
  })
  .map(({ strideUnits, alignStart, ...c }) => {
    const size = c.kind === 'atom' ? 4 : c.access.size;
    // offsets aligned to the access (so the access faults for its end, not its alignment); the
    // window's start too, or anywhere (accesses from an odd window start are misaligned, or the
    // window's last aligned element ends before the window does)
    const aligned = (x: number): number => x - (x % size);
    // a barrier only outside the loop: inside it the threads' accesses would interleave by iteration
    return { ...c, winStart: alignStart ? aligned(c.winStart) : c.winStart, offset: aligned(c.offset), stride: strideUnits * size, barrier: c.barrier && c.loop === 0 } as Case;
  });

describe('an access that starts inside a pointer window and ends outside it', () => {
  for (const wasm of [false, true]) {
    const name = wasm ? 'WebAssembly' : 'JavaScript';
    test(`gets the memcheck report on the ${name} backend (a 4-byte store at offset 28 of a 30-byte window)`, () => {
      const c: Case = { access: ACCESS[2], kind: 'st', generic: false, winStart: 1024, winLength: 30, offset: 28, stride: 0, threads: 1, blocks: 1, loop: 0, barrier: false };
      const r = run(c, wasm);
      expect(r.error).toMatch(/invalid __global__ write of 4 bytes at address 0x01000000041c \(straddling the end of the nearest window: argument 0 = guest \[1024, 1054\) \(30 bytes\)/);
      expect(r.error).toMatch(/in kernel 'edge' by thread \(0,0,0\) in block \(0,0,0\) \(PTX line \d+\)/);
      expect(r.outside).toBe(false);
    });

    test.prop([caseArb], { numRuns: 60 })(`faults exactly when some access leaves its window, naming the first thread, on the ${name} backend`, (c) => {
      const r = run(c, wasm);
      const f = expectedFault(c);
      expect(r.outside).toBe(false);
      if (!f) {
        expect(r.error).toBeUndefined();
        return;
      }
      expect(r.error).toBeDefined();
      const size = c.kind === 'atom' ? 4 : c.access.size;
      const at = `0x${(2 ** 40 + f.addr).toString(16).padStart(12, '0')}`;
      if (f.misaligned) expect(r.error).toContain(`misaligned address ${at} for a ${size}-byte`);
      else {
        expect(r.error).toContain(`of ${size} bytes at address ${at} (`);
        const end = c.winStart + c.winLength;
        if (f.addr < end && f.addr + size > end && f.addr >= c.winStart) expect(r.error).toContain('straddling the end of the nearest window');
      }
      expect(r.error).toContain(`by thread (${f.thread},0,0) in block (${f.block},0,0) (PTX line`);
    });
  }
});
