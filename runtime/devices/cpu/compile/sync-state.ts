/**
 * What a thread stopping at a sync site must save and restore, beyond plain liveness:
 *
 * - Rematerialisation: a register with a single, unguarded definition whose value depends only on
 *   thread-invariant inputs (special registers, kernel parameters, immediates and other such
 *   registers) is recomputed after the sync site instead of being saved and restored.
 * - Clean slots: a register whose save slot already holds its value (saved at an earlier site or
 *   restored from it, and not redefined since on any path) is not saved again.
 *
 * Both are forward must-analyses over the compiled blocks; the per-thread save/restore at a
 * barrier was the dominant cost of barrier kernels (see docs/CPU-DEVICE.md).
 */
import type { LiveBlock } from './liveness.js';

/** One candidate definition: the emitted JS, where it is, and the registers it reads. */
export interface DefSite {
  code: string;
  block: number;
  step: number;
  uses: string[];
}

export interface SiteFlow {
  /** Block where the thread resumes, and the block that ends with the yield (saves). */
  resumeBlock: number;
  syncBlock: number;
  guarded: boolean;
}

type MaybeSet = Set<string> | null; // null = not reached yet (top)

function meet(sets: MaybeSet[]): MaybeSet {
  let out: MaybeSet = null;
  for (const s of sets) {
    if (s === null) continue;
    if (out === null) out = new Set(s);
    else for (const r of out) if (!s.has(r)) out.delete(r);
  }
  return out;
}

function preds(blocks: LiveBlock[]): number[][] {
  const p: number[][] = blocks.map(() => []);
  blocks.forEach((b, i) => {
    for (const s of b.succ) p[s]?.push(i);
  });
  return p;
}

/** Registers certainly defined (by an unguarded write) at each block's entry. */
export function mustDefined(blocks: LiveBlock[], isReg: (n: string) => boolean): MaybeSet[] {
  const pr = preds(blocks);
  const ins: MaybeSet[] = blocks.map((_, i) => (i === 0 ? new Set() : null));
  const outOf = (i: number): MaybeSet => {
    const s = ins[i]!;
    if (s === null) return null;
    const o = new Set(s);
    for (const st of blocks[i]!.steps) if (st.kills) for (const d of st.defs) if (isReg(d)) o.add(d);
    return o;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 1; i < blocks.length; i++) {
      const m = meet(pr[i]!.map(outOf));
      if (m === null) continue;
      const old = ins[i]!;
      if (old === null || old.size !== m.size) {
        ins[i] = m;
        changed = true;
      }
    }
  }
  return ins;
}

/** Defined before step `step` of block `block` on every path. */
function definedBefore(blocks: LiveBlock[], must: MaybeSet[], block: number, step: number, isReg: (n: string) => boolean): Set<string> | null {
  const s = must[block];
  if (!s) return null;
  const o = new Set(s);
  const steps = blocks[block]!.steps;
  for (let i = 0; i < step && i < steps.length; i++) if (steps[i]!.kills) for (const d of steps[i]!.defs) if (isReg(d)) o.add(d);
  return o;
}

/**
 * Registers that can be recomputed anywhere after their definition: exactly one definition in the
 * kernel, unguarded, writing only that register, with code free of memory accesses and helper
 * calls (which could fault or have effects), reading only such registers defined before it on
 * every path.
 */
export function rematerializable(
  blocks: LiveBlock[],
  must: MaybeSet[],
  defCount: Map<string, number>,
  candidates: Map<string, DefSite>,
  isReg: (n: string) => boolean,
): Map<string, DefSite> {
  const ok = new Map<string, DefSite>();
  const ordered = [...candidates].sort((a, b) => a[1].block - b[1].block || a[1].step - b[1].step);
  // operands must come earlier in program order, so one pass in order settles everything
  for (const [reg, d] of ordered) {
    if (defCount.get(reg) !== 1) continue;
    if (/\bM\.|\[|\bcontinue\b|\bpc\b|\bRES\b/.test(d.code)) continue;
    const before = definedBefore(blocks, must, d.block, d.step, isReg);
    if (!before) continue;
    if (d.uses.every((u) => !isReg(u) || (ok.has(u) && before.has(u)))) ok.set(reg, d);
  }
  return ok;
}

/** The JS that recomputes `regs` (and what they read), in program order. */
export function rematCode(regs: Iterable<string>, remat: Map<string, DefSite>, isReg: (n: string) => boolean): string {
  const need = new Set<string>();
  const visit = (r: string): void => {
    if (need.has(r)) return;
    const d = remat.get(r)!;
    need.add(r);
    for (const u of d.uses) if (isReg(u)) visit(u);
  };
  for (const r of regs) visit(r);
  return [...need]
    .map((r) => remat.get(r)!)
    .sort((a, b) => a.block - b.block || a.step - b.step)
    .map((d) => `{ ${d.code} }`)
    .join(' ');
}

/**
 * For each site: the registers to save (live after it, not recomputed, slot not already clean).
 * `restored[k]` is what the thread restores from slots when resuming at site k.
 */
export function savesNeeded(blocks: LiveBlock[], sites: SiteFlow[], restored: Set<string>[], isReg: (n: string) => boolean): Set<string>[] {
  const pr = preds(blocks);
  const siteAt = new Map<number, number>();
  sites.forEach((s, k) => siteAt.set(s.resumeBlock, k));
  const ins: MaybeSet[] = blocks.map((_, i) => (i === 0 ? new Set() : null));
  const outOf = (i: number): MaybeSet => {
    const s = ins[i]!;
    if (s === null) return null;
    const o = new Set(s);
    // any write, certain or not, makes the slot stale
    for (const st of blocks[i]!.steps) for (const d of st.defs) if (isReg(d)) o.delete(d);
    return o;
  };
  const edge = (p: number, b: number): MaybeSet => {
    const o = outOf(p);
    const k = siteAt.get(b);
    if (o === null || k === undefined || sites[k]!.syncBlock !== p) return o;
    // the resume edge: everything saved at the yield (and restored) is clean; a guarded site may
    // also fall through without saving, so it keeps only what was already clean
    if (sites[k]!.guarded) return o;
    const c = new Set(o);
    for (const r of restored[k]!) c.add(r);
    return c;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 1; i < blocks.length; i++) {
      const m = meet(pr[i]!.map((p) => edge(p, i)));
      if (m === null) continue;
      const old = ins[i]!;
      if (old === null || old.size !== m.size || [...m].some((r) => !old.has(r))) {
        ins[i] = m;
        changed = true;
      }
    }
  }
  return sites.map((s, k) => {
    const clean = outOf(s.syncBlock) ?? new Set<string>();
    return new Set([...restored[k]!].filter((r) => !clean.has(r)));
  });
}
