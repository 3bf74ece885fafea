/**
 * The offload report (what `inspect --offload`, the library API and the workbench show) and the
 * internal plan for promoted loops (what the rewriter, the code generator and the host share).
 */
import type { Affine, Sym } from './symbolic.js';
import type { LatchShape } from './trip-count.js';

export type LaneType = 'f32' | 'i32' | 'f64' | 'i64';

export type { AccessReport, CompareOffloadResult, CompareRun, CompareSide, LoopReport, OffloadReport, OffloadThresholds, OpCounts, TripCount } from '../../contract/offload.js';

/** A per-element expression lifted from the lanes of a v128 body. */
export type Lifted =
  | { k: 'load'; access: number }
  | { k: 'param'; index: number }
  | { k: 'imm'; value: number | bigint }
  | { k: 'op'; op: LiftedOp; args: Lifted[] };

export type LiftedOp = 'add' | 'sub' | 'mul' | 'div' | 'neg' | 'abs' | 'sqrt' | 'and' | 'or' | 'xor' | 'not' | 'andnot' | 'shl' | 'shr_s' | 'shr_u';

/** Where a scalar kernel parameter's value comes from at loop entry. */
export type ParamSource =
  | { k: 'local'; local: number; type: LaneType }
  | { k: 'global'; index: number; type: LaneType }
  /** All lanes of a loop-invariant v128 local; the host checks they are equal. */
  | { k: 'lanes'; local: number; type: LaneType };

export interface PlannedAccess {
  kind: 'load' | 'store';
  width: number;
  /** memarg offset */
  offset: number;
  /** Address (without memarg offset) at the first iteration, over entry values. */
  base: Affine;
  stride: number;
  /** Index of this access among the body's memory operations, in program order. */
  order: number;
}

export interface KernelPlan {
  /** Access index of the store this kernel computes. */
  store: number;
  lane: LaneType;
  expr: Lifted;
  /** Access indices read by the expression. */
  loads: number[];
  /** Param indices used by the expression. */
  params: number[];
}

export interface LoopPlan {
  loopId: string;
  functionIndex: number;
  function: string;
  /** Pre-order index of the loop among the function's loops (binaryen walks in the same order). */
  ordinal: number;
  codeOffset: number;
  latch: LatchShape;
  left: Affine;
  right: Affine;
  ivs: { local: number; step: number }[];
  /** Locals whose value after the loop is an affine form of the last iteration's entry values. */
  derived: { local: number; form: Affine }[];
  accesses: PlannedAccess[];
  params: ParamSource[];
  kernels: KernelPlan[];
  staticTrips?: number;
  lanesPerIteration: number;
}

export type { Sym };
