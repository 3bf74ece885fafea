/**
 * Loops real compilers emit (issue 16): clang -O3 -msimd128 and Debian rustc 1.63 with
 * +simd128 auto-vectorize clamp, abs, floor/round, u8 brightness with saturation, i16 fixed-point
 * multiply, int→float, float→int with saturation, bytewise popcount and a byte shuffle
 * (fixtures/offload/compiler/, rebuilt by fixtures/offload/build.sh). Each vector loop must be
 * promoted (as `inspect --offload` prints it), dispatched on the CPU device at a large size, and
 * the driver's output hash must equal the one V8 computes with offload off.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OffloadSettings } from '../../contract/engine.js';
import type { OffloadEvent, RunEventBody } from '../../contract/events.js';
import { CpuDevice } from '../devices/cpu/cpu-device.js';
import { analyzeOffload } from './analyze.js';
import { formatOffloadReport } from './format-report.js';
import { createOffloadHost } from './offload-host.js';
import { prepareOffload, type PreparedOffload } from './prepare.js';

const SETTINGS: OffloadSettings = { enabled: true, tripCountThreshold: 4096, v128RatioThreshold: 0.5 };
const dir = new URL('../../fixtures/offload/compiler/', import.meta.url);
const KERNELS = ['clamp', 'abs', 'floor', 'round', 'brightness', 'q15_mul', 'int_to_float', 'float_to_int_sat', 'popcount', 'byte_swap'];
/** rustc 1.63 leaves `as i32` of f32 scalar (a branchy saturating sequence), so that loop has no v128 op to offload. */
const NOT_VECTORIZED: Record<string, string[]> = { 'rustc_loops.wasm': ['float_to_int_sat'] };
/** Elements per run: enough vectors to clear the 4096 threshold even for byte lanes in unrolled loops. */
const N_OF: Record<string, number> = { brightness: 200_000, popcount: 400_000, q15_mul: 100_000 };
const N_DEFAULT = 80_000;

type Exports = Record<string, (...args: number[]) => number>;

/**
 * WASI imports the Rust module links: an empty environment (std asks for it at start-up) and
 * nothing else (fd_write and proc_exit are only reached by a panic).
 */
function stubs(module: WebAssembly.Module, memory: () => WebAssembly.Memory | undefined): WebAssembly.Imports {
  const imports: Record<string, Record<string, (...args: number[]) => number>> = {};
  for (const i of WebAssembly.Module.imports(module)) {
    (imports[i.module] ??= {})[i.name] = (...args: number[]) => {
      if (i.name === 'environ_get') return 0;
      if (i.name === 'environ_sizes_get') {
        const view = new DataView((memory() as WebAssembly.Memory).buffer);
        view.setUint32(args[0] as number, 0, true);
        view.setUint32(args[1] as number, 0, true);
        return 0;
      }
      throw new Error(`unexpected call to ${i.module}.${i.name}`);
    };
  }
  return imports;
}

for (const file of ['clang_loops.wasm', 'rustc_loops.wasm']) {
  describe(`${file}: compiler-vectorized loops are promoted, dispatched and equal`, () => {
    const bytes = readFileSync(new URL(file, dir));
    const skipped = NOT_VECTORIZED[file] ?? [];
    let prepared: PreparedOffload;
    beforeAll(async () => {
      prepared = await prepareOffload(bytes, SETTINGS);
    }, 180_000);

    it('inspect --offload shows each kernel loop promoted', () => {
      const { report } = analyzeOffload(bytes, SETTINGS);
      const text = formatOffloadReport(file, report);
      for (const kernel of KERNELS.filter((k) => !skipped.includes(k))) {
        const line = text.split('\n').find((l) => l.startsWith(`k_${kernel} `) && / promoted /.test(l));
        expect(line, `k_${kernel}\n${text.split('\n').filter((l) => l.startsWith(`k_${kernel} `)).join('\n')}`).toBeDefined();
      }
      for (const kernel of skipped) {
        const loops = report.loops.filter((l) => l.function === `k_${kernel}`);
        expect(loops.every((l) => l.opCounts.v128 === 0), `k_${kernel} has v128 ops now: promote it`).toBe(true);
      }
      expect(prepared.skipped).toEqual([]);
    });

    for (const kernel of KERNELS.filter((k) => !skipped.includes(k))) {
      const N = N_OF[kernel] ?? N_DEFAULT;
      it(`run_${kernel}: dispatched at n=${N} with the same output hash as offload off`, () => {
        const events: OffloadEvent[] = [];
        let memory: WebAssembly.Memory | undefined;
        const host = createOffloadHost({
          plans: prepared.plans,
          settings: SETTINGS,
          memory: () => new Uint8Array((memory as WebAssembly.Memory).buffer),
          wasmMemory: () => memory,
          emit: (e: RunEventBody) => {
            if (e.type === 'offload') events.push(e as OffloadEvent);
          },
          createDevice: () => new CpuDevice(),
        });
        const on = new WebAssembly.Instance(prepared.module, { ...stubs(prepared.module, () => memory), ...host.imports });
        memory = on.exports.memory as WebAssembly.Memory;
        const offModule = new WebAssembly.Module(bytes);
        let offMemory: WebAssembly.Memory | undefined;
        const off = new WebAssembly.Instance(offModule, stubs(offModule, () => offMemory));
        offMemory = off.exports.memory as WebAssembly.Memory;
        for (const instance of [on, off]) (instance.exports._initialize as (() => void) | undefined)?.();
        const seed = 12345;
        const expected = (off.exports as unknown as Exports)[`run_${kernel}`]?.(N, seed);
        const actual = (on.exports as unknown as Exports)[`run_${kernel}`]?.(N, seed);
        const dispatches = events.filter((e) => e.action === 'dispatch');
        expect(dispatches.length, events.map((e) => `${e.loopId} ${e.action}: ${e.reason}`).join('\n')).toBeGreaterThan(0);
        expect(actual).toBe(expected);
      });
    }
  });
}
