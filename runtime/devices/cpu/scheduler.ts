/**
 * Runs the blocks of a launch. Blocks run one after another; inside a block, a kernel without
 * sync sites runs thread by thread in one compiled loop. A kernel with sync sites runs each warp
 * lane by lane until every lane has exited or stopped at a sync site; the lanes stopped at the
 * same warp-level site (lowest site first, i.e. program order) form the active group: they
 * receive the shuffle/vote/ballot/activemask result computed over that group and resume. That
 * is reconvergence at the next sync point: lanes that diverged meet again there, and lanes that
 * took another path are not in the active mask — what a GPU with independent thread scheduling
 * guarantees. When every warp is stopped at a barrier (or done), the barrier releases.
 */
import { DeviceError } from '../../../contract/device.js';
import type { CompiledKernel, SyncSite } from './compile/compile.js';
import type { LaunchEnv } from './launch-env.js';

const READY = 0, WAITING = 1;

export function runBlock(kernel: CompiledKernel, E: LaunchEnv, nThreads: number): void {
  if (!kernel.hasSync) {
    kernel.run!(E, 0, nThreads, 0);
    return;
  }
  runSyncBlock(kernel, E, nThreads);
}

/** Runs every READY thread in [a, b), batching consecutive threads that resume at the same case. */
function runReady(run: NonNullable<CompiledKernel['run']>, E: LaunchEnv, a: number, b: number): void {
  const { status, resume } = E;
  let t = a;
  while (t < b) {
    if (status[t] !== READY) {
      t++;
      continue;
    }
    const r = resume[t]!;
    let u = t + 1;
    while (u < b && status[u] === READY && resume[u] === r) u++;
    run(E, t, u, r);
    t = u;
  }
}

function runSyncBlock(kernel: CompiledKernel, E: LaunchEnv, n: number): void {
  const run = kernel.run!;
  const sites = kernel.sites;
  const { status, resume, siteOf } = E;
  const warpSites = kernel.warpSites;
  if (!warpSites && !kernel.barRed) {
    // Fast path: while every thread reaches the same barrier, release it and run the whole block
    // on from there; anything else (exits, different barriers) falls to the general loop below.
    let r = 0;
    for (;;) {
      E.bwn = 0;
      E.bmix = false;
      E.exn = 0;
      run(E, 0, n, r);
      if (E.exn === n) return;
      if (E.bwn !== n || E.bmix) break;
      r = E.br;
    }
    releaseBarrier(sites, E, n, false);
  } else {
    status.fill(READY, 0, n);
    resume.fill(0, 0, n);
  }
  const nWarps = Math.ceil(n / 32);
  for (;;) {
    if (!warpSites) runReady(run, E, 0, n);
    else {
      for (let w = 0; w < nWarps; w++) {
        const base = w * 32;
        const end = Math.min(base + 32, n);
        for (;;) {
          runReady(run, E, base, end);
          // the lowest warp-level site any lane waits at
          let site = -1;
          for (let t = base; t < end; t++) {
            if (status[t] !== WAITING) continue;
            const s = siteOf[t]!;
            const k = sites[s]!.kind;
            if (k === 'bar' || k === 'barred') continue;
            if (site < 0 || s < site) site = s;
          }
          if (site < 0) break;
          let group = 0;
          for (let t = base; t < end; t++) if (status[t] === WAITING && siteOf[t] === site) group |= 1 << (t - base);
          warpOp(sites[site]!, E, base, end, group);
          for (let t = base; t < end; t++) if (group & (1 << (t - base))) status[t] = READY;
        }
      }
    }
    // every warp is stopped at a barrier or done
    let waiting = 0;
    for (let t = 0; t < n; t++) if (status[t] === WAITING) waiting++;
    if (waiting === 0) return;
    releaseBarrier(sites, E, n, kernel.barRed);
  }
}

function releaseBarrier(sites: SyncSite[], E: LaunchEnv, n: number, barRed: boolean): void {
  const { status, siteOf } = E;
  if (!barRed) {
    for (let t = 0; t < n; t++) if (status[t] === WAITING) status[t] = READY;
    return;
  }
  // bar.red reductions are computed per barrier id over every arriving thread
  const popc = new Map<number, number>();
  const all = new Map<number, boolean>();
  const any = new Map<number, boolean>();
  for (let t = 0; t < n; t++) {
    if (status[t] !== WAITING) continue;
    const s = sites[siteOf[t]!]!;
    if (s.kind !== 'barred') continue;
    const id = E.wa[t]!;
    const v = E.wc[t] !== 0;
    popc.set(id, (popc.get(id) ?? 0) + (v ? 1 : 0));
    all.set(id, (all.get(id) ?? true) && v);
    any.set(id, (any.get(id) ?? false) || v);
  }
  for (let t = 0; t < n; t++) {
    if (status[t] !== WAITING) continue;
    const s = sites[siteOf[t]!]!;
    if (s.kind === 'barred') {
      const id = E.wa[t]!;
      E.res[t] = s.mode === 'popc' ? popc.get(id)! : s.mode === 'and' ? (all.get(id) ? 1 : 0) : any.get(id) ? 1 : 0;
    } else if (s.kind !== 'bar') {
      throw new DeviceError(-7, `internal: thread ${t} released from a barrier while waiting at a warp operation`);
    }
    status[t] = READY;
  }
}

/** The collective operation of a warp-level site over the lanes in `group` (also the WebAssembly backend's: wasm/warp-launch.ts). */
export function warpOp(site: SyncSite, E: LaunchEnv, base: number, end: number, group: number): void {
  const { wa, wb, wc, res, resp } = E;
  // whether a lane is in the group: inline, no closure per call (the WebAssembly backend's warp launch calls this per site and warp)
  switch (site.kind) {
    case 'activemask':
    case 'syncwarp':
      for (let t = base; t < end; t++) if ((group & (1 << (t - base))) !== 0) res[t] = group;
      return;
    case 'vote': {
      let ballot = 0, count = 0, members = 0;
      for (let t = base; t < end; t++) {
        if ((group & (1 << (t - base))) === 0) continue;
        members++;
        if (wa[t]) {
          ballot |= 1 << (t - base);
          count++;
        }
      }
      const r = site.mode === 'ballot' ? ballot : site.mode === 'any' ? (count > 0 ? 1 : 0) : site.mode === 'all' ? (count === members ? 1 : 0) : count === 0 || count === members ? 1 : 0;
      for (let t = base; t < end; t++) if ((group & (1 << (t - base))) !== 0) res[t] = r;
      return;
    }
    case 'shfl': {
      for (let t = base; t < end; t++) {
        const lane = t - base;
        if ((group & (1 << (lane))) === 0) continue;
        const b = wb[t]! & 31, c = wc[t]!;
        const cval = c & 31, segmask = (c >> 8) & 31;
        const maxLane = (lane & segmask) | (cval & ~segmask);
        const minLane = lane & segmask;
        let j: number, pval: boolean;
        switch (site.mode) {
          case 'up': j = lane - b; pval = j >= maxLane; break;
          case 'down': j = lane + b; pval = j <= maxLane; break;
          case 'bfly': j = lane ^ b; pval = j <= maxLane; break;
          default: j = minLane | (b & ~segmask); pval = j <= maxLane; break;
        }
        if (!pval) j = lane;
        // a source lane outside the active group is undefined in CUDA; we return the lane's own value
        const src = j >= 0 && j < 32 && (group & (1 << (j))) !== 0 ? base + j : t;
        res[t] = wa[src]!;
        resp[t] = pval ? 1 : 0;
      }
      return;
    }
    case 'redux': {
      const [op, type] = site.mode.split('.');
      let acc: number | undefined;
      for (let t = base; t < end; t++) {
        if ((group & (1 << (t - base))) === 0) continue;
        const v = type === 'u32' ? wa[t]! >>> 0 : wa[t]!;
        if (acc === undefined) acc = v;
        else if (op === 'add') acc = (acc + v) | 0;
        else if (op === 'min') acc = Math.min(acc, v);
        else if (op === 'max') acc = Math.max(acc, v);
        else if (op === 'and') acc &= v;
        else if (op === 'or') acc |= v;
        else acc ^= v;
      }
      for (let t = base; t < end; t++) if ((group & (1 << (t - base))) !== 0) res[t] = acc! | 0;
      return;
    }
    case 'match': {
      let allEqual = true;
      let first: number | undefined;
      for (let t = base; t < end; t++) {
        if ((group & (1 << (t - base))) === 0) continue;
        if (first === undefined) first = wa[t];
        else if (wa[t] !== first) allEqual = false;
      }
      for (let t = base; t < end; t++) {
        if ((group & (1 << (t - base))) === 0) continue;
        if (site.mode === 'all') {
          res[t] = allEqual ? group : 0;
          resp[t] = allEqual ? 1 : 0;
        } else {
          let m = 0;
          for (let u = base; u < end; u++) if ((group & (1 << (u - base))) !== 0 && wa[u] === wa[t]) m |= 1 << (u - base);
          res[t] = m;
        }
      }
      return;
    }
    default:
      throw new DeviceError(-7, `internal: unexpected warp site kind ${site.kind}`);
  }
}
