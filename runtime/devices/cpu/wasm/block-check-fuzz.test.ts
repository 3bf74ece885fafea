/**
 * Random barrier-free kernels whose global accesses are affine in %tid.x (the shapes block-checks.ts
 * checks once per block), with random strides, offsets, bounds guards and buffers that are sometimes
 * too small: the WebAssembly backend must leave exactly the bytes the JavaScript backend leaves and,
 * when an access falls outside the buffer, fail with exactly the same memcheck report.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelArg } from '../../../../contract/device.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { compileWasmKernel } from './compile-wasm.js';

function randomKernel(random: () => number, id: number): string {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const lines: string[] = [];
  // the global index in %r6 (sometimes just %tid.x), widened signed or unsigned
  if (random() < 0.8) lines.push('mad.lo.s32 %r6, %r5, %r4, %r3;');
  else lines.push('mov.u32 %r6, %r3;');
  if (random() < 0.7) lines.push('setp.ge.u32 %p1, %r6, %r1;', '@%p1 bra $L_end;');
  let value = 0;
  for (let i = 0, n = int(1, 5); i < n; i++) {
    const stride = 4 * pick([1, 1, 2, 3, 4]);
    const wide = pick(['mul.wide.u32', 'mul.wide.s32']);
    const offset = 4 * int(0, 8);
    lines.push(`${wide} %rd${3 + i}, %r6, ${stride};`, `add.s64 %rd${10 + i}, %rd2, %rd${3 + i};`);
    if (random() < 0.5) {
      lines.push(`ld.global.u32 %r${10 + value}, [%rd${10 + i}+${offset}];`);
      lines.push(`add.s32 %r20, %r20, %r${10 + value};`);
      value = (value + 1) % 6;
    } else {
      lines.push(`xor.b32 %r21, %r20, ${int(0, 99999)};`, `st.global.u32 [%rd${10 + i}+${offset}], %r21;`);
    }
  }
  return `.version 8.0
.target sm_75
.address_size 64
.visible .entry af${id}(.param .u64 buf, .param .u32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<22>;
  .reg .b64 %rd<16>;
  ld.param.u64 %rd1, [buf];
  ld.param.u32 %r1, [n];
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %ctaid.x;
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r20, %r3;
  ${lines.join('\n  ')}
$L_end:
  ret;
}
`;
}

interface Outcome {
  bytes: Uint8Array;
  error?: string;
  backend: string | undefined;
}

function run(ptx: string, entry: string, wasm: boolean, grid: number, block: number, n: number, bufBytes: number, fill: number): Outcome {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const bytes = new Uint8Array(memory.buffer);
  const base = 1024; // the window starts past a gap, so faults below it are possible too
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + fill) & 0xff;
  const nBytes = new Uint8Array(4);
  new DataView(nBytes.buffer).setUint32(0, n, true);
  const args: KernelArg[] = [
    { kind: 'pointer', offset: base, length: bufBytes },
    { kind: 'scalar', tag: 'u32', bytes: nBytes },
  ];
  const dev = new CpuDevice({ wasmKernels: wasm });
  const kernel = dev.loadKernel(ptx, `${entry}-${wasm}`, entry);
  let error: string | undefined;
  try {
    dev.launch({ kernel, grid: [grid, 1, 1], block: [block, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args });
  } catch (e) {
    error = (e as Error).message;
  }
  return { bytes: bytes.slice(), error, backend: dev.lastBackend };
}

/**
 * The generator's random source: fast-check's draws, 32-bit words read in turn (cycling). A
 * failing case shrinks toward the words being 0 — each choice its first option — and fast-check
 * prints the seed and path that replay it.
 */
const DRAWS = fc.array(fc.nat({ max: 0xffffffff }), { minLength: 200, maxLength: 200 });
function source(words: readonly number[]): () => number {
  let i = 0;
  return () => words[i++ % words.length]! / 2 ** 32;
}

describe('random affine-access kernels on both backends', () => {
  it('leave the same bytes and report the same faults on the WebAssembly and the JavaScript backend', () => {
    const KERNELS = 150;
    let i = 0;
    let blockChecked = 0;
    let faults = 0;
    let clean = 0;
    fc.assert(
      fc.property(DRAWS, (words) => {
        const random = source(words);
        const id = i++;
        const ptx = randomKernel(random, id);
        const module = parsePtx(ptx);
        const verdict = compileWasmKernel(module, module.functions.get(`af${id}`)!);
        expect('kernel' in verdict, `kernel ${id} is not in the Wasm subset:\n${ptx}`).toBe(true);
        if ('kernel' in verdict && verdict.kernel.blockChecks > 0) blockChecked++;
        const block = [32, 64, 96, 128, 256][Math.floor(random() * 5)]!;
        const grid = 1 + Math.floor(random() * 5);
        const threads = block * grid;
        const n = Math.floor(random() * threads * 1.2);
        // room for every thread's widest access (16 B stride + 32 B offset), or a little less
        const bufBytes = Math.max(4, Math.floor(threads * 16 * (0.6 + random() * 0.5)) & ~3) + 40;
        const fill = Math.floor(random() * 256);
        const js = run(ptx, `af${id}`, false, grid, block, n, bufBytes, fill);
        const wasm = run(ptx, `af${id}`, true, grid, block, n, bufBytes, fill);
        // (a launch that faults records no backend; the kernel compiled to Wasm above, and clean launches say where they ran)
        if (!js.error) expect([js.backend, wasm.backend]).toEqual(['js', 'wasm']);
        expect(wasm.error, `kernel ${id} (grid ${grid}, block ${block}, n ${n}, ${bufBytes} B):\n${ptx}`).toBe(js.error);
        const at = wasm.bytes.findIndex((b, k) => b !== js.bytes[k]);
        expect(at, `kernel ${id}: first differing byte at ${at}\n${ptx}`).toBe(-1);
        if (js.error) faults++;
        else clean++;
      }),
      { numRuns: KERNELS },
    );
    // both outcomes, and the once-per-block checks, were among those compared
    expect(blockChecked).toBeGreaterThan(KERNELS / 2);
    expect(faults).toBeGreaterThan(10);
    expect(clean).toBeGreaterThan(10);
  });
});
