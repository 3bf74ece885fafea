/**
 * The block pool copies back, from its launch memory to an unshared guest memory, only the windows
 * some thread's checks admitted a write into (wasm/emit-memory.ts markWritten, pool-launch.ts
 * windowsToCopyBack). Random kernels store through every kind of check — per-site caches, the
 * once-per-block checks (and the SIMD lanes under them), the once-per-loop checks of self-loops,
 * lock-step and range rounds — with st, vector st, atom and red, through a pointer derived from one
 * parameter that lands in another parameter's window, and with buffers too small (a fault
 * mid-launch). On 2 threads (the caller and a worker) and 3 (two workers, the caller running
 * none), with an unshared guest memory: every window of the guest must equal the launch memory
 * after the launch (what copying every window back would give), and a clean launch must leave the
 * bytes the JavaScript backend leaves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel, type WasmKernel } from '../wasm/compile-wasm.js';
import { blockPool } from './block-pool.js';
import { ALL_WINDOWS, CTL, OUTCOME, THREAD_WORDS, controlWords, storeWritten } from './block-runner.js';
import { keptLaunchMemory, lastStats, poolTesting, windowsToCopyBack } from './pool-launch.js';

const WINDOWS = 4;
type Role = 'in' | 'out' | 'atom' | 'none';

/** The generator's random source: fast-check's draws, read in turn (a failing case shrinks toward every choice's first option). */
const DRAWS = fc.array(fc.nat({ max: 0xffffffff }), { minLength: 120, maxLength: 120 });
function source(words: readonly number[]): () => number {
  let i = 0;
  return () => words[i++ % words.length]! / 2 ** 32;
}

interface Kernel {
  ptx: string;
  entry: string;
  /** Bytes per thread index in each window (16: a straight-line kernel's slot; 4: a loop's element). */
  slot: number;
}

/**
 * A straight-line kernel: thread idx reads window 0 at its slot (16 bytes), and per window by its
 * role stores into its own slot (st .u32/.u64/.v2/.v4, atom or red .add, at an affine address or
 * one the block checks cannot follow: rem), or adds at a data-dependent slot (atom/red: the sum
 * is the same in any order), through its own parameter's pointer or another's plus the distance.
 */
function straightKernel(random: () => number, id: number): Kernel {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // slots of 4 bytes (u32 accesses at +0: consecutive threads' addresses are consecutive, as SIMD lanes want) or 16
  const slot = random() < 0.4 ? 4 : 16;
  const off = (step: number): number => (slot === 4 ? 0 : step * int(0, 16 / step - 1));
  // plain: st.u32 and ld.u32 at affine addresses only, the kernels SIMD lanes take (lanes-plan.ts: no atomics, every access block-checked)
  const plain = slot === 4 && random() < 0.6;
  const roles: Role[] = ['in', ...Array.from({ length: WINDOWS - 1 }, () => pick<Role>(plain ? ['out', 'none', 'in', 'out'] : ['out', 'atom', 'none', 'in', 'out']))];
  const lines: string[] = [];
  let rd = 20;
  /** A 64-bit register holding window t's base, reached from its own parameter or another's. */
  const baseOf = (t: number): string => {
    const s = random() < 0.4 ? int(0, WINDOWS - 1) : t;
    if (s === t) return `%rd${5 + t}`;
    const d = `%rd${rd++}`, b = `%rd${rd++}`;
    lines.push(`sub.s64 ${d}, %rd${5 + t}, %rd${5 + s};`, `add.s64 ${b}, %rd${5 + s}, ${d};`);
    return b;
  };
  /** A 64-bit register: base + slot offset of thread index `index` (an i32 register). */
  const at = (base: string, index: string): string => {
    const o = `%rd${rd++}`, a = `%rd${rd++}`;
    lines.push(`mul.wide.u32 ${o}, ${index}, ${slot};`, `add.s64 ${a}, ${base}, ${o};`);
    return a;
  };
  lines.push(`ld.global.u32 %r10, [${at('%rd5', '%r2')}+${off(4)}];`);
  roles.forEach((role, t) => {
    if (t > 0 && role === 'in') lines.push(`ld.global.u32 %r11, [${at(baseOf(t), '%r2')}+${off(4)}];`, 'add.s32 %r10, %r10, %r11;');
    if (role === 'out') {
      for (let k = 0, n = int(1, 3); k < n; k++) {
        const index = !plain && random() < 0.35 ? '%r12' : '%r2'; // %r12 = idx rem n: the same index, not affine to the block checks
        const a = at(baseOf(t), index);
        lines.push(`xor.b32 %r20, %r10, ${int(0, 99999)};`, 'add.s32 %r21, %r20, %r2;', 'mul.lo.s32 %r22, %r20, 3;', 'sub.s32 %r23, %r22, %r2;');
        const form = plain ? 'u32' : slot === 4 ? pick(['u32', 'u32', 'u32', 'atom', 'red']) : pick(['u32', 'u32', 'u64', 'v2', 'v4', 'atom', 'red']);
        if (form === 'u32') {
          const o = off(4);
          // read-modify-write (saxpy's y[i]): the load's check proves the address first, which a store may not reuse (its check marks the window)
          if (random() < 0.5) lines.push(`ld.global.u32 %r25, [${a}+${o}];`, 'add.s32 %r21, %r21, %r25;');
          lines.push(`st.global.u32 [${a}+${o}], %r21;`);
        }
        else if (form === 'u64') lines.push('cvt.u64.u32 %rd60, %r21;', 'shl.b64 %rd60, %rd60, 7;', `st.global.u64 [${a}+${off(8)}], %rd60;`);
        else if (form === 'v2') lines.push(`st.global.v2.u32 [${a}+${off(8)}], {%r21, %r23};`);
        else if (form === 'v4') lines.push(`st.global.v4.u32 [${a}], {%r20, %r21, %r22, %r23};`);
        else if (form === 'atom') lines.push(`atom.global.add.u32 %r24, [${a}+${off(4)}], %r21;`);
        else lines.push(`red.global.add.u32 [${a}+${off(4)}], %r21;`);
      }
    }
    if (role === 'atom') {
      // a slot picked by the data: every thread may add into any slot (u32 adds: the same in any order)
      lines.push('rem.u32 %r13, %r10, %r1;');
      const a = at(baseOf(t), '%r13');
      lines.push(random() < 0.5 ? `atom.global.add.u32 %r24, [${a}+${off(4)}], %r2;` : `red.global.add.u32 [${a}+${off(4)}], %r10;`);
    }
  });
  const entry = `ww${id}`;
  return { entry, slot, ptx: header(entry, `
  mad.lo.s32 %r2, %r5, %r4, %r3;
  setp.ge.u32 %p1, %r2, %r1;
  @%p1 bra $L_end;
  ${lines.some((line) => line.includes('%r12')) ? 'rem.u32 %r12, %r2, %r1;' : ''}
  ${lines.join('\n  ')}
$L_end:
  ret;`) };
}

/**
 * A grid-stride loop (self-loop checks, lock-step, range rounds and their lanes, as the compiler
 * finds them): element i of the input gives element i of one or two output windows (st or red),
 * through their own parameter's pointer or another's plus the distance.
 */
function loopKernel(random: () => number, id: number): Kernel {
  const lines: string[] = [];
  const pre: string[] = [];
  let rd = 20;
  const outs = random() < 0.5 ? [1 + Math.floor(random() * 3)] : [1, 2 + Math.floor(random() * 2)];
  for (const t of outs) {
    const s = random() < 0.4 ? Math.floor(random() * WINDOWS) : t;
    let base = `%rd${5 + t}`;
    if (s !== t) {
      const d = `%rd${rd++}`;
      base = `%rd${rd++}`;
      pre.push(`sub.s64 ${d}, %rd${5 + t}, %rd${5 + s};`, `add.s64 ${base}, %rd${5 + s}, ${d};`);
    }
    const a = `%rd${rd++}`;
    lines.push(`add.s64 ${a}, ${base}, %rd15;`);
    lines.push(random() < 0.75 ? `st.global.u32 [${a}], %r11;` : `red.global.add.u32 [${a}], %r11;`);
  }
  const entry = `wl${id}`;
  return { entry, slot: 4, ptx: header(entry, `
  mad.lo.s32 %r2, %r5, %r4, %r3;
  mov.u32 %r6, %nctaid.x;
  mul.lo.s32 %r7, %r4, %r6;
  ${pre.join('\n  ')}
  setp.ge.u32 %p1, %r2, %r1;
  @%p1 bra $L_end;
$L_loop:
  mul.wide.u32 %rd15, %r2, 4;
  add.s64 %rd16, %rd5, %rd15;
  ld.global.u32 %r10, [%rd16];
  mul.lo.s32 %r11, %r10, 3;
  sub.s32 %r11, %r11, %r2;
  ${lines.join('\n  ')}
  add.s32 %r2, %r2, %r7;
  setp.lt.u32 %p2, %r2, %r1;
  @%p2 bra $L_loop;
$L_end:
  ret;`) };
}

function header(entry: string, body: string): string {
  const params = Array.from({ length: WINDOWS }, (_, k) => `.param .u64 p${k}`).join(', ');
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry ${entry}(${params}, .param .u32 n)
{
  .reg .pred %p<4>;
  .reg .b32 %r<32>;
  .reg .b64 %rd<64>;
  ${Array.from({ length: WINDOWS }, (_, k) => `ld.param.u64 %rd${1 + k}, [p${k}];\n  cvta.to.global.u64 %rd${5 + k}, %rd${1 + k};`).join('\n  ')}
  ld.param.u32 %r1, [n];
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %ctaid.x;${body}
}
`;
}

interface Launch {
  grid: number;
  block: number;
  n: number;
  /** Each window's guest offset and length. */
  windows: { offset: number; length: number }[];
  seed: number;
}

interface Outcome {
  bytes: Uint8Array;
  error?: string;
  backend?: string;
  /** Pooled: whether each window of the guest equals the launch memory's, and the windows copied back. */
  sameAsLaunchMemory?: boolean[];
  copiedBack?: number[];
}

function run(k: Kernel, l: Launch, threads: number): Outcome {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((l.windows.at(-1)!.offset + l.windows.at(-1)!.length + 4096) / 65536) });
  const bytes = new Uint8Array(memory.buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + l.seed * 7 + (i >> 9)) & 0xff;
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, l.n, true);
  const args: KernelArg[] = [...l.windows.map((w) => ({ kind: 'pointer' as const, offset: w.offset, length: w.length })), { kind: 'scalar', tag: 'u32', bytes: n }];
  const dev = threads === 0 ? new CpuDevice({ wasmKernels: false }) : new CpuDevice({ workers: threads, poolMinThreads: 1, adaptivePool: false });
  const kernel = dev.loadKernel(k.ptx, `${k.entry}-${threads}`, k.entry);
  let error: string | undefined;
  try {
    dev.launch({ kernel, grid: [l.grid, 1, 1], block: [l.block, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args });
  } catch (e) {
    error = (e as Error).message;
  }
  const out: Outcome = { bytes: bytes.slice(), error, backend: dev.lastBackend };
  if (threads >= 2) {
    const launchBytes = new Uint8Array(keptLaunchMemory()!.buffer);
    out.sameAsLaunchMemory = l.windows.map((w) => Buffer.compare(bytes.subarray(w.offset, w.offset + w.length), launchBytes.subarray(w.offset, w.offset + w.length)) === 0);
    out.copiedBack = lastStats?.copiedBack;
  }
  dev.dispose();
  return out;
}

/** What each compiled kernel's checks were: which paths the property went through. */
function pathsOf(w: WasmKernel): string[] {
  return [w.blockChecks > 0 && 'block-checked', w.lanes && 'lanes', w.selfLoopChecks > 0 && 'self-loop', w.lockstep && 'lock-step', w.lockstepRange && 'range rounds', w.rangeLanes && 'range lanes'].filter((p): p is string => typeof p === 'string');
}

function property(threads: 2 | 3, runs: number, seed: number): void {
  const paths = new Map<string, number>();
  let faults = 0, clean = 0, skipped = 0, id = 0;
  fc.assert(
    fc.property(DRAWS, (words) => {
      const random = source(words);
      const loop = random() < 0.4;
      const k = loop ? loopKernel(random, id++) : straightKernel(random, id++);
      const module = parsePtx(k.ptx);
      const verdict = compileWasmKernel(module, module.functions.get(k.entry)!);
      if (!('kernel' in verdict)) throw new Error(`not in the Wasm subset (${verdict.unsupported}):\n${k.ptx}`);
      for (const p of pathsOf(verdict.kernel)) paths.set(p, (paths.get(p) ?? 0) + 1);
      const block = [32, 64, 128][Math.floor(random() * 3)]!;
      const grid = 2 + Math.floor(random() * 12);
      const n = Math.max(1, Math.floor(block * grid * (loop ? 1 + 2 * random() : 0.7 + 0.3 * random())));
      // each window holds n slots, or (a fault mid-launch) one window a little less
      const short = random() < 0.25 ? Math.floor(random() * WINDOWS) : -1;
      let offset = 4096;
      const windows = Array.from({ length: WINDOWS }, (_, t) => {
        const length = n * k.slot - (t === short ? k.slot * (1 + Math.floor(random() * 40)) : 0);
        const w = { offset, length: Math.max(16, length) };
        offset += Math.ceil((w.length + 64 + Math.floor(random() * 3) * 4096) / 16) * 16;
        return w;
      });
      const l: Launch = { grid, block, n, windows, seed: Math.floor(random() * 1000) };
      const js = run(k, l, 0);
      const pooled = run(k, l, threads);
      const what = `${k.entry} (grid ${grid}, block ${block}, n ${n}, windows ${JSON.stringify(windows)}, copied back ${JSON.stringify(pooled.copiedBack)}):\n${k.ptx}`;
      // every window as the launch left it: as if all were copied back
      expect(pooled.sameAsLaunchMemory, what).toEqual(windows.map(() => true));
      expect(pooled.error, what).toBe(js.error);
      if (js.error) faults++;
      else {
        clean++;
        expect(pooled.backend).toBe('wasm');
        const at = pooled.bytes.findIndex((b, i) => b !== js.bytes[i]);
        expect(at, `first differing byte at ${at}: ${what}`).toBe(-1);
      }
      skipped += WINDOWS - (pooled.copiedBack?.length ?? WINDOWS);
    }),
    { numRuns: runs, seed },
  );
  if (process.env.WW_LOG) console.log(threads, JSON.stringify([...paths]), { faults, clean, skipped });
  // every kind of check, faults and clean launches, and windows left uncopied were among those run
  for (const p of ['block-checked', 'lanes', 'self-loop', 'lock-step', 'range rounds', 'range lanes']) expect(paths.get(p) ?? 0, `kernels with ${p} sites`).toBeGreaterThan(0);
  expect(faults).toBeGreaterThan(runs / 20);
  expect(clean).toBeGreaterThan(runs / 2);
  expect(skipped).toBeGreaterThan(runs / 2);
}

describe('windowsToCopyBack', () => {
  const ctlOf = (masks: bigint[], outcomes: number[] = masks.map(() => OUTCOME.ok)): Int32Array => {
    const ctl = new Int32Array(new SharedArrayBuffer(4 * controlWords(masks.length)));
    masks.forEach((m, k) => {
      storeWritten(ctl, k, m);
      ctl[CTL.threads + THREAD_WORDS * k] = outcomes[k]!;
    });
    return ctl;
  };

  it('copies the windows some thread marked, in both words of the mask; bit 63 stands for windows 63 and up', () => {
    expect(windowsToCopyBack(ctlOf([0b101n, 1n << 40n]), 2, 41)).toEqual([0, 2, 40]);
    expect(windowsToCopyBack(ctlOf([0n, 0n, 0n]), 3, 5)).toEqual([]);
    expect(windowsToCopyBack(ctlOf([1n << 63n]), 1, 66)).toEqual([63, 64, 65]);
    expect(windowsToCopyBack(ctlOf([1n << 62n]), 1, 66)).toEqual([62]);
  });

  it('copies every window when a thread died (its mask may be incomplete) or never reported one', () => {
    expect(windowsToCopyBack(ctlOf([1n, 0n], [OUTCOME.ok, OUTCOME.died]), 2, 4)).toEqual([0, 1, 2, 3]);
    expect(windowsToCopyBack(ctlOf([0n, ALL_WINDOWS]), 2, 3)).toEqual([0, 1, 2]);
  });
});

describe('the block pool copies back only the windows a launch wrote (unshared guest memory)', () => {
  it('leaves every window as the launch memory holds it, and the JavaScript backend\'s bytes, with the caller and a worker', () => {
    property(2, 120, 0x5107);
  });

  it('copies back a window past the mask\'s 64 bits (window 65 of 66: the top bit stands for 63 and up)', () => {
    const count = 66;
    const params = Array.from({ length: count }, (_, k) => `.param .u64 q${k}`).join(', ');
    const ptx = `.version 8.0
.target sm_75
.address_size 64
.visible .entry many(${params}, .param .u32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [q${count - 1}];
  cvta.to.global.u64 %rd2, %rd1;
  ld.param.u32 %r1, [n];
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %ctaid.x;
  mad.lo.s32 %r2, %r5, %r4, %r3;
  setp.ge.u32 %p1, %r2, %r1;
  @%p1 bra $L_end;
  mul.wide.u32 %rd3, %r2, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r2;
$L_end:
  ret;
}
`;
    const n = 256;
    const windows = Array.from({ length: count }, (_, k) => ({ offset: 4096 + k * (4 * n + 64), length: 4 * n }));
    const pooled = run({ ptx, entry: 'many', slot: 4 }, { grid: 4, block: 64, n, windows, seed: 1 }, 2);
    expect(pooled.error).toBeUndefined();
    expect(pooled.copiedBack).toEqual([63, 64, 65]);
    expect(pooled.sameAsLaunchMemory).toEqual(windows.map(() => true));
    const out = new Uint32Array(pooled.bytes.buffer, windows[count - 1]!.offset, n);
    expect(Array.from(out)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('the same with every block on two workers at once', () => {
    expect(blockPool().warm(2)).toBe(true);
    poolTesting.callerSkips = true;
    try {
      property(3, 80, 0x3a11);
    } finally {
      poolTesting.callerSkips = false;
    }
  });
});
