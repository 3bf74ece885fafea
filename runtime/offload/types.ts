/**
 * The offload report (what `inspect --offload`, the library API and the workbench show) and the
 * internal plan for promoted loops (what the rewriter, the code generator and the host share).
 */
import type { Affine, Sym } from './symbolic.js';
import type { LatchShape } from './trip-count.js';

export type LaneType = 'f32' | 'i32' | 'f64' | 'i64';

export interface OpCounts {
  /** Every instruction in the loop body, including local/const/control bookkeeping. */
  instructions: number;
  /** Instructions on v128 values (0xfd prefix), loads and stores included. */
  v128: number;
  /** Scalar instructions that compute data (feed a stored or carried value). */
  scalar: number;
  /** Scalar instructions that only compute addresses, induction variables or the exit test. */
  bookkeeping: number;
  loads: number;
  stores: number;
  calls: number;
}

export interface AccessReport {
  kind: 'load' | 'store';
  /** Bytes per access (16 for v128). */
  width: number;
  affine: boolean;
  /** Bytes between consecutive iterations, when affine. */
  stride?: number;
}

export type TripCount = number | 'dynamic' | 'unknown';

export interface LoopReport {
  /** Function name from the name section, else `func[index]`. */
  function: string;
  functionIndex: number;
  /** Stable id: `f<function index>.L<loop ordinal in the function>`. */
  loopId: string;
  /** Byte offset of the `loop` opcode in the module. */
  codeOffset: number;
  opCounts: OpCounts;
  /** v128 / (v128 + scalar data ops); bookkeeping is not counted. */
  v128Ratio: number;
  tripCount: TripCount;
  accesses: AccessReport[];
  /** `affine, stride 16 B` or why not. */
  accessPattern: string;
  /** Locals carried from one iteration to the next, other than induction variables. */
  carriedDependencies: string[];
  calls: string[];
  earlyExits: number;
  decision: 'promoted' | 'rejected';
  reason: string;
}

export interface OffloadThresholds {
  tripCountThreshold: number;
  v128RatioThreshold: number;
}

export interface OffloadReport {
  moduleBytes: number;
  /** Sum of function body sizes. */
  codeBytes: number;
  functions: number;
  loops: LoopReport[];
  /** Functions the analyser could not read, with why (the rest of the module is still analysed). */
  errors: { function: string; message: string }[];
  thresholds: OffloadThresholds;
  analysisMs: number;
}

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
