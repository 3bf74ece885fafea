/**
 * The offload report (what `inspect --offload`, the library API and the workbench show) and the
 * internal plan for promoted loops (what the rewriter, the code generator and the host share).
 */
import type { Affine, Sym } from './symbolic.js';
import type { LatchShape } from './trip-count.js';

export type LaneType = 'f32' | 'i32' | 'f64' | 'i64';

export type { AccessReport, CompareOffloadResult, CompareRun, CompareSide, LoopReport, OffloadReport, OffloadThresholds, OpCounts, TripCount } from '../../contract/offload.js';

/**
 * One iteration's v128 value as an expression tree: each node is a v128 (loads, constants,
 * invariant vectors, SIMD ops) or a scalar feeding one (splat, replace_lane and shift operands:
 * constants, invariant locals and globals, extract_lane). The code generator emits it lane by lane.
 */
export type Lifted =
  | { k: 'load'; access: number }
  | { k: 'param'; index: number }
  /** A scalar constant of the type its consumer takes. */
  | { k: 'imm'; type: LaneType; value: number | bigint }
  /** A v128.const: its 16 bytes. */
  | { k: 'v128'; bytes: number[] }
  /** A SIMD op by sub-opcode (`simd-opcodes.ts`); `imm` is its lane index, `lanes` a shuffle's 16 indices. */
  | { k: 'op'; sub: number; imm: number; args: Lifted[]; lanes?: number[] };

/** Where a scalar kernel parameter's value comes from at loop entry. */
export type ParamSource =
  | { k: 'local'; local: number; type: LaneType }
  | { k: 'global'; index: number; type: LaneType }
  /** A loop-invariant v128 local, passed as its four i32 lanes (`type` is always 'i32'). */
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
  /** The stored value's lane type for verification (i8/i16 lanes compare as exact integers: 'i32'). */
  lane: LaneType;
  /** The stored value's lane name for reports: i8, i16, i32, i64, f32 or f64. */
  shape: string;
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
