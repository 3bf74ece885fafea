/**
 * Auto-offload reports (guide §5): what the loop analyser found for every loop and decided, and
 * the offload on/off comparison. Plain types shared by the CLI, the HTTP API and the workbench.
 */
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

export interface CompareRun {
  /** Engine-measured duration of the call (instantiation included), ms. */
  durationMs: number;
  resultsJson: string;
  launches: number;
  dispatches: number;
  fallbacks: number;
}

export interface CompareSide {
  runs: CompareRun[];
  medianMs: number;
  p95Ms: number;
}

export interface CompareOffloadResult {
  export: string;
  args: string;
  n: number;
  device: string;
  thresholds: OffloadThresholds;
  on: CompareSide;
  off: CompareSide;
  /** off median / on median: above 1 means offload made the call faster. */
  speedup: number;
  /** Every run, on and off, returned the same results. */
  outputsEqual: boolean;
}
