/**
 * Shuffle chains: when a converged warp's group resumes from a shfl site (every lane still running
 * waits there), warp-emit.ts runs the code reachable from that site's resume block for each lane
 * of the group in one loop — its registers restored, its result computed, on to its next stop or
 * exit — instead of the general pass: no resume word to test, no dispatch on the resume block, no
 * registers to clear per lane. The lanes run in the same order and execute the same code as in
 * the general pass, so results, stops, exits and memcheck faults are the same.
 *
 * The code reachable from the resume block (its region) must branch only forward: a backward
 * branch goes through the kernel's dispatch loop, which the region does not have. A region that
 * is just the resume block ending with an unguarded stop at the next site (nvcc's unrolled
 * `for (off = 16; off > 0; off >>= 1) v += __shfl_down_sync(~0u, v, off)`) is straight: every lane
 * of the group then surely stops at that site, so its stop writes less (compile-wasm.ts warpYield).
 */
import type { BasicBlock } from './ptx-types.js';

/** Blocks a region may span: beyond, the copy's code would cost more than the dispatch it saves. */
const REGION_BLOCKS_MAX = 32;

/** Blocks copied into regions in all (a kernel with hundreds of shfl sites keeps its module's size and compile time near the general body's). */
const REGION_BLOCKS_TOTAL = 512;

export interface ShuffleChainLink {
  /** The shfl site the group resumes from. */
  site: number;
  /** Its resume block. */
  block: number;
  /** The blocks reachable from it without passing a stop, in program order (the resume block first). */
  blocks: number[];
  /** For a straight region: the site its one block stops at. */
  next?: number;
}

/** The kernel's shfl sites whose regions qualify (see the file's comment). */
export function shuffleChainLinks(blocks: readonly BasicBlock[], labelOf: ReadonlyMap<string, number>): ShuffleChainLink[] {
  const links: ShuffleChainLink[] = [];
  let copied = 0;
  for (const b of blocks) {
    const t = b.term;
    if (t?.kind !== 'yield' || t.form?.kind !== 'shfl') continue;
    const region = forwardRegion(blocks, labelOf, t.resume);
    if (!region || copied + region.length > REGION_BLOCKS_TOTAL) continue;
    copied += region.length;
    const r = blocks[t.resume]!;
    const straight = region.length === 1 && r.term?.kind === 'yield' && !r.term.guard;
    links.push({ site: t.site!, block: t.resume, blocks: region, ...(straight && r.term?.kind === 'yield' ? { next: r.term.site! } : {}) });
  }
  return links;
}

/** The blocks reachable from block `start` up to the stops, or undefined when one branches backward, falls off the kernel's end or they are too many. */
function forwardRegion(blocks: readonly BasicBlock[], labelOf: ReadonlyMap<string, number>, start: number): number[] | undefined {
  const seen = new Set<number>([start]);
  const work = [start];
  while (work.length > 0) {
    const i = work.pop()!;
    const t = blocks[i]!.term;
    const succ: number[] = [];
    if (!t) succ.push(i + 1);
    else if (t.kind === 'yield') {
      // a lane whose guard is false goes on past the resume block
      if (t.guard) succ.push(t.resume + 1);
    } else if (t.kind === 'bra') {
      const j = labelOf.get(t.target);
      if (j === undefined || j < i) return undefined;
      // a block branching to itself is a Wasm loop of its own (emitBlock)
      if (j !== i) succ.push(j);
      if (t.guard) succ.push(i + 1);
    }
    for (const j of succ) {
      if (j >= blocks.length || j <= i) return undefined;
      if (seen.has(j)) continue;
      seen.add(j);
      work.push(j);
    }
    if (seen.size > REGION_BLOCKS_MAX) return undefined;
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * The entry pass (warp-emit.ts entryPass): a warp's first pass of a block, where every lane
 * starts at the kernel's entry (startBlock zeroed every resume word), runs the region reachable
 * from the entry block as one loop over the warp's lanes — no resume word to test, no dispatch —
 * when every path of it ends at an exit or at an unguarded stop at one shfl site: each lane then
 * surely exits or waits there, so its stop writes what a straight chain's stop writes and the
 * pass's tracking is the lanes that did not exit, at that site. The lanes run in the same order
 * and the same code as in the general pass, so results, stops, exits and memcheck faults are the same.
 */
export interface EntryChain {
  /** The blocks reachable from the entry block up to the stops, in program order. */
  blocks: number[];
  /** The one shfl site its stops are at. */
  site: number;
  /** Whether some path exits (then each stop notes its lane in the group). */
  exits: boolean;
}

/** The kernel's entry region when it qualifies (see EntryChain). */
export function entryChain(blocks: readonly BasicBlock[], labelOf: ReadonlyMap<string, number>): EntryChain | undefined {
  return blocks.length === 0 ? undefined : startRegion(blocks, labelOf, 0);
}

/**
 * The release pass (warp-emit.ts entryPass after a barrier's release): in a kernel with one
 * barrier site, a warp's first pass after the release finds each lane either exited or ready at
 * that barrier's resume block (a release happens only when no lane waits at a warp-level site),
 * so the region from there runs as the entry region does, the exited lanes skipped — when it
 * qualifies as the entry region does. `exits` is then always set: the lanes exited before the
 * barrier are not in the group either.
 */
export function releaseChain(blocks: readonly BasicBlock[], labelOf: ReadonlyMap<string, number>, barSites: readonly number[]): (EntryChain & { resume: number }) | undefined {
  if (barSites.length !== 1) return undefined;
  const bar = blocks.find((b) => b.term?.kind === 'yield' && b.term.site === barSites[0]);
  if (bar?.term?.kind !== 'yield' || bar.term.resume >= blocks.length) return undefined;
  const region = startRegion(blocks, labelOf, bar.term.resume);
  return region && { ...region, exits: true, resume: bar.term.resume };
}

/** The region from block `start` when every path of it ends at an exit or at an unguarded stop at one shfl site. */
function startRegion(blocks: readonly BasicBlock[], labelOf: ReadonlyMap<string, number>, start: number): EntryChain | undefined {
  const region = forwardRegion(blocks, labelOf, start);
  if (!region) return undefined;
  let site: number | undefined;
  let exits = false;
  for (const i of region) {
    const t = blocks[i]!.term;
    if (t?.kind === 'ret') exits = true;
    else if (t?.kind === 'yield') {
      // a guarded stop lets lanes go on; a second site or another kind of site makes lanes wait apart
      if (t.guard || t.form?.kind !== 'shfl' || t.site === undefined || (site !== undefined && site !== t.site)) return undefined;
      site = t.site;
    }
  }
  return site === undefined ? undefined : { blocks: region, site, exits };
}
