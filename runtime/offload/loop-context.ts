/**
 * What a loop analyser gets (one loop of a decoded body) and returns, and the two questions both
 * analysers ask about the code around the loop.
 */
import { OP, type DecodedBody } from './instructions.js';
import type { LoopPlan, LoopReport, OffloadThresholds } from './types.js';

export interface LoopContext {
  bytes: Uint8Array;
  body: DecodedBody;
  functionIndex: number;
  functionName: string;
  /** Names of callees for reasons. */
  calleeName: (index: number) => string;
  /** Indices of `loop` and its matching `end`. */
  start: number;
  end: number;
  ordinal: number;
  /** Indices of enclosing loops' `loop` instructions (outermost first). */
  enclosingLoops: number[];
  thresholds: OffloadThresholds;
  /**
   * false: decide and report only; a promoted loop comes back without its plan (built later by
   * analysing the loop again with true). Building plans (affine forms, lifted kernels) for loops
   * whose plan nobody reads was most of the cost of report-only analysis. Default true.
   */
  buildPlan?: boolean;
}

export interface LoopResult {
  report: LoopReport;
  plan?: LoopPlan;
}

/**
 * The constant a local holds when the loop is entered, when the code before the loop makes that
 * certain: the nearest preceding `i32.const C; local.set/tee` on every path, with no write inside
 * a construct in between and no enclosing loop crossed. Declared locals start at zero.
 */
export function valueAtLoopEntry(ctx: LoopContext, local: number): number | undefined {
  const { body, start } = ctx;
  let depth = 0;
  for (let i = start - 1; i >= 0; i--) {
    const op = body.op[i] as number;
    if (op === OP.end) depth++;
    else if (op === OP.block || op === OP.if || op === OP.loop || op === OP.try || op === OP.tryTable) {
      if (depth > 0) depth--;
      else if (op === OP.loop || op === OP.try || op === OP.tryTable) return undefined; // back edge or handler may bring other values
    } else if ((op === OP.localSet || op === OP.localTee) && body.a[i] === local) {
      if (depth > 0) return undefined;
      return i > 0 && body.op[i - 1] === OP.i32Const ? (body.a[i - 1] as number) : undefined;
    }
  }
  return local >= body.paramCount ? 0 : undefined;
}

/** Whether a value the loop leaves in `local` may be read after the loop (first access is a read). */
export function isLiveAfterLoop(ctx: LoopContext, local: number): boolean {
  const { body, end } = ctx;
  const firstAccessIsRead = (from: number, to: number): boolean | undefined => {
    for (let i = from; i < to; i++) {
      const op = body.op[i];
      if (body.a[i] !== local) continue;
      if (op === OP.localGet) return true;
      if (op === OP.localSet || op === OP.localTee) return false;
    }
    return undefined;
  };
  const after = firstAccessIsRead(end + 1, body.count);
  if (after !== undefined) return after;
  for (const outer of ctx.enclosingLoops) {
    const before = firstAccessIsRead(outer + 1, ctx.start);
    if (before !== undefined) return before;
  }
  return false;
}
