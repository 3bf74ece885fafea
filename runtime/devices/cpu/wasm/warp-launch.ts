/**
 * The blocks of a launch of a kernel with warp-level sites (shfl, vote, activemask, redux, match,
 * bar.warp.sync; warp-sites.ts), compiled to WebAssembly. The kernel's `run` (warp-emit.ts) runs
 * whole blocks with the JavaScript scheduler's rules (scheduler.ts runSyncBlock with warp sites)
 * as long as each warp's lanes stay together, and returns the block where some warp's lanes
 * diverged; this file finishes that block with the general scheduler, pass by pass:
 *
 * - each warp in turn runs its ready lanes (in thread order) until every lane has exited or
 *   stopped at a site; the lanes stopped at the lowest warp-level site (program order) form the
 *   active group, get the collective result — computed by the scheduler's own warpOp over the
 *   operands they stored — and resume; until no lane of the warp waits at a warp-level site;
 * - then, with every warp stopped at a barrier or done, the barrier releases every waiting thread.
 *
 * A thread's resume word (wasm-launch.ts scratch layout) is its state: -1 done, r >= 0 ready to
 * run from block r, -2 - r stopped at a site and resuming at block r; its warp words (after its
 * register slots) hold the site's index, its operands and, as it resumes, its results.
 */
import { DeviceError } from '../../../../contract/device.js';
import type { SyncSite } from '../compile/compile.js';
import type { LaunchEnv } from '../launch-env.js';
import { warpOp } from '../scheduler.js';
import type { WasmKernel } from './compile-wasm.js';
import { WARP_WORD } from './warp-sites.js';

type RunFn = (...args: (number | bigint)[]) => unknown;

/** The launch arrays warpOp reads and writes (a LaunchEnv has them; a pool worker makes just these). */
export type WarpEnv = Pick<LaunchEnv, 'wa' | 'wb' | 'wc' | 'wm' | 'res' | 'resp'>;

/** Where the launch put its scratch parts (guest memory offsets) and the rest of `run`'s arguments. */
export interface WarpLaunchArgs {
  gx: number; gy: number; gz: number;
  bx: number; by: number; bz: number;
  sh: number; shSize: number;
  resumeBase: number; slotBase: number;
  table: number; nwin: number;
  params: (number | bigint)[];
}

let blocksFinishedHere = 0;

/** How many blocks this thread has finished with the general scheduler here (lanes diverged) since it started: tests see which path ran. */
export function warpBlocksInJavaScript(): number {
  return blocksFinishedHere;
}

/** What the launch of a warp kernel needs of it (a WasmKernel has it; a pool worker gets it in its task). */
export interface WarpKernelInfo {
  warp: NonNullable<WasmKernel['warp']>;
  slotBytes: number;
}

/** Runs blocks [b0, b1) of the launch, one after another. */
export function runWarpBlocks(wasm: Pick<WasmKernel, 'warp' | 'slotBytes'>, run: RunFn, memory: WebAssembly.Memory, E: WarpEnv, a: WarpLaunchArgs, b0: number, b1: number): void {
  const n = a.bx * a.by * a.bz;
  // t0 | t1 << 16 passes a warp's range (the device allows 1024 threads per block)
  if (n > 0xffff || E.wa.length < n) throw new DeviceError(-7, `internal: ${n} threads per block for a warp-scheduled WebAssembly kernel`);
  // whole blocks in WebAssembly (warp-emit.ts) until a warp's lanes diverge: that block's rest here
  const argv: (number | bigint)[] = [0, 0, a.gx, a.gy, a.gz, a.bx, a.by, a.bz, a.sh, a.shSize, a.resumeBase, a.slotBase, a.table, a.nwin, ...a.params];
  for (let b = b0; b < b1; ) {
    argv[0] = b;
    argv[1] = b1;
    const stopped = run.apply(undefined, argv) as number;
    if (stopped < 0) return;
    finishBlock(wasm, run, memory, E, a, argv, stopped);
    b = stopped + 1;
  }
}

/**
 * A block pool thread's `run(first, end, ...rest)` for a warp kernel (rest: grid, block, the
 * thread's scratch, window table, parameters, as block-runner.ts passes them): whole blocks in
 * WebAssembly, a block whose lanes diverge finished here with this thread's own warpOp arrays.
 * Only for kernels whose results never depend on those arrays' history (WasmKernel.warp.fast).
 */
export function pooledWarpRun(info: WarpKernelInfo, run: RunFn, memory: WebAssembly.Memory): (first: number, end: number, ...rest: (number | bigint)[]) => void {
  let E: WarpEnv | undefined;
  return (first, end, ...rest) => {
    const [gx, gy, gz, bx, by, bz, sh, shSize, resumeBase, slotBase, table, nwin] = rest as number[];
    const n = bx! * by! * bz!;
    if (!E || E.wa.length < n) E = { wa: new Int32Array(n), wb: new Int32Array(n), wc: new Int32Array(n), wm: new Int32Array(n), res: new Int32Array(n), resp: new Uint8Array(n) };
    runWarpBlocks(info, run, memory, E, { gx: gx!, gy: gy!, gz: gz!, bx: bx!, by: by!, bz: bz!, sh: sh!, shSize: shSize!, resumeBase: resumeBase!, slotBase: slotBase!, table: table!, nwin: nwin!, params: rest.slice(12) }, first, end);
  };
}

/**
 * Block b from where `run` left it: each warp in turn runs
 * passes of its ready lanes, its lowest warp-level site's group getting the scheduler's warpOp,
 * until no lane waits at one; then the barrier releases; until no thread waits.
 */
export function finishBlock(wasm: Pick<WasmKernel, 'warp' | 'slotBytes'>, run: RunFn, memory: WebAssembly.Memory, E: WarpEnv, a: WarpLaunchArgs, argv: (number | bigint)[], b: number): void {
  blocksFinishedHere++;
  const warp = wasm.warp!;
  const n = a.bx * a.by * a.bz;
  const sites: SyncSite[] = warp.sites.map((s) => ({ kind: s.kind, mode: s.mode, resume: 0, line: s.line }));
  const bar = sites.map((s) => s.kind === 'bar');
  const words = new Int32Array(memory.buffer);
  const { wa, wb, wc, wm, res, resp } = E;
  const resume = a.resumeBase >> 2;
  // each thread's warp words, as word indices (local constants: this loop is the general path's hot one)
  const W = (t: number): number => (a.slotBase >> 2) + t * (wasm.slotBytes >> 2) + (warp.wordsAt >> 2);
  const site0 = WARP_WORD.site >> 2, wa0 = WARP_WORD.wa >> 2, wb0 = WARP_WORD.wb >> 2, wc0 = WARP_WORD.wc >> 2, wm0 = WARP_WORD.wm >> 2;
  const res0 = WARP_WORD.res >> 2, resp0 = WARP_WORD.resp >> 2;
  const warpWords = Int32Array.from({ length: n }, (_, t) => W(t));
  const nWarps = Math.ceil(n / 32);
  argv[0] = b;
  for (;;) {
    for (let w = 0; w < nWarps; w++) {
      const base = w * 32;
      const end = Math.min(base + 32, n);
      // one pass of the warp's ready lanes (none left in a warp that run() already finished)
      argv[1] = ~(base | (end << 16));
      for (;;) {
        run.apply(undefined, argv);
        // the lowest warp-level site any lane waits at, and the group of lanes waiting there (one
        // scan: a lower site found later starts the group again; operands copied for lanes of a
        // site that turns out higher are not read)
        let site = -1, group = 0;
        for (let t = base; t < end; t++) {
          if (words[resume + t]! > -2) continue;
          const at = warpWords[t]!;
          const s = words[at + site0]!;
          if (bar[s]) continue;
          if (site < 0 || s < site) {
            site = s;
            group = 0;
          }
          if (s !== site) continue;
          group |= 1 << (t - base);
          wa[t] = words[at + wa0]!;
          wb[t] = words[at + wb0]!;
          wc[t] = words[at + wc0]!;
          wm[t] = words[at + wm0]!;
        }
        if (site < 0) break;
        warpOp(sites[site]!, E as LaunchEnv, base, end, group);
        for (let t = base; t < end; t++) {
          if (!(group & (1 << (t - base)))) continue;
          const at = warpWords[t]!;
          words[at + res0] = res[t]!;
          words[at + resp0] = resp[t]!;
          words[resume + t] = -2 - words[resume + t]!;
        }
      }
    }
    // every warp is stopped at a barrier or done: the barrier releases every waiting thread
    let waiting = 0;
    for (let t = 0; t < n; t++) {
      const r = words[resume + t]!;
      if (r > -2) continue;
      waiting++;
      words[resume + t] = -2 - r;
    }
    if (waiting === 0) return;
  }
}
