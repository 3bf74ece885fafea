/**
 * Analyses one loop of a decoded function body: counts, trip count, access pattern, carried
 * dependencies, calls, exits, and — for element-wise SIMD maps — the plan the rewriter and the
 * code generator use. Pure: bytes in, facts out; nothing here throws on odd input.
 *
 * The symbolic evaluation runs on the flat node table of `flat-eval.ts` (no object per
 * instruction); `Sym` and `Affine` objects are built only for loops that get as far as the lift.
 * The result is the reference analyser's (`loop-analysis-reference.ts`), field for field.
 */
import { isSimd, OP, PREFIX_SIMD, localType, type DecodedBody } from './instructions.js';
import { sharedFlatLoop, K_OP, type FlatLoop } from './flat-eval.js';
import { lanesIn, liftStore } from './lift.js';
import { checkLiftStore } from './lift-check.js';
import { analyzeLoopReference } from './loop-analysis-reference.js';
import { isLiveAfterLoop, valueAtLoopEntry, type LoopContext, type LoopResult } from './loop-context.js';
import { opName, scalarLoadWidth, scalarStoreWidth, simdShape } from './op-tables.js';
import { evalAffine, type Affine, type Sym } from './symbolic.js';
import { COMPARE_BY_OPCODE, computeTripCount, type LatchCompare } from './trip-count.js';
import type { AccessReport, KernelPlan, LoopPlan, LoopReport, OpCounts, ParamSource, PlannedAccess, TripCount } from './types.js';

export { valueAtLoopEntry, type LoopContext, type LoopResult } from './loop-context.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const KIND = ['load', 'store'] as const;

export function analyzeLoop(ctx: LoopContext): LoopResult {
  const { body, start, end } = ctx;
  const counts: OpCounts = { instructions: 0, v128: 0, scalar: 0, bookkeeping: 0, loads: 0, stores: 0, calls: 0 };
  const calls: string[] = [];
  let earlyExits = 0;
  let nestedLoop = false;
  let innerBranch: string | undefined;
  let unsupported: string | undefined;
  let depth = 0;
  // The flat evaluator indexes locals by number: a body naming a local it does not declare (only
  // in a malformed module) goes to the reference analyser instead.
  let outOfRangeLocal = false;

  // Pass 1: structure and raw counts.
  for (let i = start + 1; i < end; i++) {
    const op = body.op[i] as number;
    counts.instructions++;
    if (isSimd(op)) {
      counts.v128++;
      const shape = simdShape(op - PREFIX_SIMD * 0x1000);
      if (shape === 'load' || shape === 'load-lane') counts.loads++;
      if (shape === 'store' || shape === 'store-lane') counts.stores++;
      if (shape === 'unsupported') unsupported ??= opName(op);
      continue;
    }
    if (scalarLoadWidth(op) !== undefined) counts.loads++;
    if (scalarStoreWidth(op) !== undefined) counts.stores++;
    switch (op) {
      case OP.block: case OP.if: case OP.try: case OP.tryTable:
        depth++;
        innerBranch ??= `${opName(op)} at ${hex(body.off[i] as number)}`;
        break;
      case OP.loop:
        depth++;
        nestedLoop = true;
        break;
      case OP.end:
        depth--;
        break;
      case OP.call: case OP.callIndirect: case OP.callRef:
        counts.calls++;
        calls.push(op === OP.call ? ctx.calleeName(body.a[i] as number) : op === OP.callIndirect ? 'an indirect call' : 'a call_ref');
        break;
      case OP.returnCall: case OP.returnCallIndirect: case OP.returnCallRef:
        counts.calls++;
        calls.push('a tail call');
        earlyExits++;
        break;
      case OP.return: case OP.throw: case OP.rethrow: case OP.throwRef: case OP.unreachable:
        earlyExits++;
        break;
      case OP.br: case OP.brIf: case OP.brTable: case OP.brOnNull: case OP.brOnNonNull: {
        const target = body.a[i] as number;
        if (target > depth) earlyExits++;
        else if (!(i === end - 1 && op === OP.brIf && target === 0)) innerBranch ??= `${opName(op)} at ${hex(body.off[i] as number)}`;
        break;
      }
      case OP.globalSet:
        unsupported ??= `global.set ${body.a[i]}`;
        break;
      case OP.localGet: case OP.localSet: case OP.localTee:
        if ((body.a[i] as number) >= body.localCount) outOfRangeLocal = true;
        break;
      default:
        if (op >= 0x1000 && op !== 0xfc000 && !(op >= 0xfc000 && op <= 0xfc007)) unsupported ??= opName(op);
        else if (op === OP.memoryGrow || op === OP.memorySize || op === OP.tableGet || op === OP.tableSet) unsupported ??= opName(op);
    }
  }

  const loopId = `f${ctx.functionIndex}.L${ctx.ordinal}`;
  const codeOffset = body.off[start] as number;
  // Module-level helpers instead of closures: this runs once per loop, and a closure per loop
  // (named by the TypeScript loader, too) was a measurable share of the time.

  if (body.a[start] !== -64) return rejected(ctx, loopId, counts, calls, earlyExits, 'the loop produces or takes values (non-empty block type)');
  if (unsupported) return rejected(ctx, loopId, counts, calls, earlyExits, `unsupported instruction in the body: ${unsupported}`);
  if (calls.length > 0) return rejected(ctx, loopId, counts, calls, earlyExits, `calls ${calls[0]} in the body`);
  if (earlyExits > 0) return rejected(ctx, loopId, counts, calls, earlyExits, `leaves the loop early (${earlyExits} exit${earlyExits > 1 ? 's' : ''} besides the back edge)`);
  if (nestedLoop) return rejected(ctx, loopId, counts, calls, earlyExits, 'contains an inner loop (only innermost loops are offloaded)');
  if (innerBranch) return rejected(ctx, loopId, counts, calls, earlyExits, `data-dependent branch in the body (${innerBranch})`);
  if (end - 1 <= start || body.op[end - 1] !== OP.brIf || body.a[end - 1] !== 0) {
    return rejected(ctx, loopId, counts, calls, earlyExits, 'not a do-while loop ending in br_if to its own start (no recognisable trip count)');
  }

  // A loop without a single v128 op cannot pass the ratio check (ratio 0 is never above a
  // threshold ≥ 0): skip the symbolic evaluation, which is most of the analysis cost.
  if (counts.v128 === 0) {
    return rejected(ctx, loopId, counts, calls, earlyExits, `v128 ratio 0.00 is not above the threshold ${ctx.thresholds.v128RatioThreshold} (no v128 operations; ${rawScalarCount(body, start, end)} scalar ops)`);
  }

  if (outOfRangeLocal) return analyzeLoopReference(ctx);

  // Pass 2: symbolic evaluation of one iteration.
  const f: FlatLoop = sharedFlatLoop;
  const evaluated = f.evaluate(body, start, end, ctx.bytes);
  if (typeof evaluated === 'string') return rejected(ctx, loopId, counts, calls, earlyExits, evaluated);
  const cond = evaluated;
  const written = f.written;
  const writtenCount = f.writtenCount;
  const accessCount = f.accCount;

  // Induction variables: local = entry(local) + constant step, i32 only.
  for (let w = 0; w < writtenCount; w++) {
    const local = written[w] as number;
    const node = f.finalValue(local);
    if (!f.affine(node) || !isI32(body, local) || f.affLen[node] !== 1) continue;
    const at = f.affStart[node] as number;
    if (f.termKey[at] !== local || f.termCoef[at] !== 1) continue;
    f.setIv(local, f.affC[node] as number);
  }

  // Data vs bookkeeping: walk from stored values and carried values.
  f.beginDataMarks(body.count);
  for (let k = 0; k < accessCount; k++) if (f.accKind[k] === 1 && (f.accValue[k] as number) >= 0) f.markData(f.accValue[k] as number);
  for (let w = 0; w < writtenCount; w++) {
    const local = written[w] as number;
    if (!f.isNonIv(local)) continue;
    const node = f.finalValue(local);
    if (!f.affine(node)) f.markData(node);
  }
  counts.scalar = 0;
  counts.bookkeeping = 0;
  for (let i = start + 1; i < end; i++) {
    const op = body.op[i] as number;
    if (isSimd(op)) continue;
    const numeric = (op >= 0x45 && op <= 0xc4) || op === OP.select || op === OP.selectT || scalarLoadWidth(op) !== undefined || scalarStoreWidth(op) !== undefined;
    if (!numeric) continue;
    if (f.isData(i) || scalarStoreWidth(op) !== undefined) counts.scalar++;
    else counts.bookkeeping++;
  }
  const ratio = counts.v128 + counts.scalar === 0 ? 0 : counts.v128 / (counts.v128 + counts.scalar);

  // Access pattern.
  const accessReports: AccessReport[] = [];
  let patternProblem: string | undefined;
  for (let k = 0; k < accessCount; k++) {
    const addr = f.accAddr[k] as number;
    const kind = KIND[f.accKind[k] as number] as 'load' | 'store';
    const width = f.accWidth[k] as number;
    const ok = f.affine(addr) && symbolOk(f, body, addr);
    accessReports.push(ok ? { kind, width, affine: true, stride: f.strideOf(addr) } : { kind, width, affine: false });
    if (!ok && !patternProblem) {
      patternProblem = f.dependsOnLoad(addr)
        ? `${kind} address is read from memory (a gather/scatter through an index array)`
        : `${kind} address is not affine in the induction variable`;
    }
  }
  const strides = [...new Set(accessReports.filter((a) => a.affine).map((a) => a.stride))];
  const accessPattern = patternProblem ?? (accessCount === 0 ? 'no memory accesses' : `affine, stride ${strides.join('/')} B`);

  // Carried dependencies: any use of a non-IV written local's entry value (kept in first-seen order).
  const carriedLocals: number[] = [];
  const carriedKinds: ('reduction' | 'carried')[] = [];
  for (let w = 0; w < writtenCount; w++) {
    const local = written[w] as number;
    f.collectLocals(f.finalValue(local));
    if (f.isNonIv(local) && f.collected(local)) {
      const at = carriedLocals.indexOf(local);
      if (at >= 0) carriedKinds[at] = 'reduction';
      else {
        carriedLocals.push(local);
        carriedKinds.push('reduction');
      }
    }
    noteCollected(f, carriedLocals, carriedKinds);
  }
  for (let k = 0; k < accessCount; k++) {
    f.collectLocals(f.accAddr[k] as number);
    noteCollected(f, carriedLocals, carriedKinds);
    const value = f.accValue[k] as number;
    if (value >= 0) {
      f.collectLocals(value);
      noteCollected(f, carriedLocals, carriedKinds);
    }
  }
  f.collectLocals(cond);
  noteCollected(f, carriedLocals, carriedKinds);
  const carriedDependencies = carriedLocals.map((l, at) =>
    carriedKinds[at] === 'reduction' ? `local ${l} (${localType(body, l)}) accumulates across iterations (a reduction)` : `local ${l} (${localType(body, l)}) carries a value into the next iteration`,
  );

  // Trip count from the latch.
  let compare: LatchCompare = 'ne';
  let left = cond;
  let right = -1;
  if (f.kind[cond] === K_OP) {
    const byOpcode = COMPARE_BY_OPCODE.get(f.op[cond] as number);
    if (byOpcode && f.nargs[cond] === 2) {
      compare = byOpcode;
      left = f.arg0[cond] as number;
      right = f.arg1[cond] as number;
    } else if (f.op[cond] === 0x45 && (f.nargs[cond] as number) >= 1) {
      compare = 'eq';
      left = f.arg0[cond] as number;
    }
  }
  if (right < 0) right = f.constNode(0, 0);
  let tripCount: TripCount = 'unknown';
  let staticTrips: number | undefined;
  let latchForms: { left: number; right: number; compare: LatchCompare; dL: number; dR: number } | undefined;
  if (f.affine(left) && f.affine(right) && symbolOk(f, body, left) && symbolOk(f, body, right)) {
    latchForms = { left, right, compare, dL: f.strideOf(left), dR: f.strideOf(right) };
    let allKnown = true;
    for (const node of [left, right]) {
      const s = f.affStart[node] as number;
      for (let t = s; t < s + (f.affLen[node] as number) && allKnown; t++) {
        const key = f.termKey[t] as number;
        if (key < 0 || valueAtLoopEntry(ctx, key) === undefined) allKnown = false;
      }
    }
    if (allKnown) {
      const known = (key: number): number => valueAtLoopEntry(ctx, key) as number;
      const L0 = evalAffine(f.affineObject(left), known);
      const R0 = evalAffine(f.affineObject(right), known);
      const trips = computeTripCount({ compare, dL: latchForms.dL, dR: latchForms.dR }, L0, R0);
      if (trips.ok) tripCount = staticTrips = trips.trips;
    } else {
      tripCount = 'dynamic';
    }
  }

  const report: LoopReport = {
    function: ctx.functionName,
    functionIndex: ctx.functionIndex,
    loopId: loopId,
    codeOffset: codeOffset,
    calls,
    earlyExits,
    opCounts: counts,
    v128Ratio: ratio,
    tripCount,
    accesses: accessReports,
    accessPattern,
    carriedDependencies,
    decision: 'rejected',
    reason: '',
  };

  const { tripCountThreshold, v128RatioThreshold } = ctx.thresholds;
  if (!(ratio > v128RatioThreshold)) {
    return finish(report, `v128 ratio ${ratio.toFixed(2)} is not above the threshold ${v128RatioThreshold} (${counts.v128} v128 of ${counts.v128 + counts.scalar} data ops)`);
  }
  if (patternProblem) return finish(report, `not an element-wise map: ${patternProblem}`);
  if (carriedDependencies.length > 0) return finish(report, `loop-carried dependency: ${carriedDependencies[0]}`);
  if (!latchForms) return finish(report, 'trip count cannot be derived: the exit test is not an affine comparison');
  if (tripCount === 'unknown') return finish(report, 'trip count cannot be derived: the exit test does not terminate without wrapping');
  if (typeof tripCount === 'number' && tripCount <= tripCountThreshold) {
    return finish(report, `trip count ${tripCount} is not above the threshold ${tripCountThreshold}`);
  }
  let storeCount = 0;
  for (let k = 0; k < accessCount; k++) if (f.accKind[k] === 1) storeCount++;
  if (storeCount === 0) return finish(report, 'not an element-wise map: the body stores nothing');
  for (const r of accessReports) if ((r.stride ?? 0) <= 0) return finish(report, `not an element-wise map: an access does not advance with the loop (stride ${r.stride} B)`);

  // Temporaries computed in the loop must be dead after it (the kernel does not produce them).
  const buildPlan = ctx.buildPlan !== false;
  const derived: { local: number; form: Affine }[] = [];
  for (let w = 0; w < writtenCount; w++) {
    const local = written[w] as number;
    if (!f.isNonIv(local)) continue;
    const node = f.finalValue(local);
    if (f.affine(node) && symbolOk(f, body, node)) {
      if (buildPlan) derived.push({ local, form: f.affineObject(node) });
      continue;
    }
    if (isLiveAfterLoop(ctx, local)) return finish(report, `local ${local} computed in the loop is used after it`);
  }

  const tripText = typeof tripCount === 'number' ? `trip count ${tripCount} > ${tripCountThreshold}` : `dynamic trip count (checked against ${tripCountThreshold} at run time)`;

  if (!buildPlan) {
    // The lifter's verdict on the flat nodes: no Sym or Lifted objects.
    const storeLanes: string[] = [];
    for (let k = 0; k < accessCount; k++) {
      if (f.accKind[k] !== 1) continue;
      const lifted = checkLiftStore(f, k, ctx.bytes, body);
      if (!lifted.ok) return finish(report, `not an element-wise map: ${lifted.reason}`);
      storeLanes.push(lifted.lane);
    }
    report.reason = promotedReason(storeLanes, ratio, v128RatioThreshold, tripText);
    report.decision = 'promoted';
    return { report };
  }

  // Lift each store to a per-element kernel: the only place `Sym` objects are built.
  const memo: (Sym | undefined)[] = [];
  const accessObjects: { kind: 'load' | 'store'; op: number; value?: Sym }[] = [];
  for (let k = 0; k < accessCount; k++) {
    const value = f.accValue[k] as number;
    const kind = KIND[f.accKind[k] as number] as 'load' | 'store';
    accessObjects.push(value >= 0 ? { kind, op: f.accOp[k] as number, value: f.toSym(value, memo) } : { kind, op: f.accOp[k] as number });
  }
  const writtenSet = new Set<number>(written.subarray(0, writtenCount));
  const params: ParamSource[] = [];
  const kernels: KernelPlan[] = [];
  for (let k = 0; k < accessCount; k++) {
    const a = accessObjects[k] as (typeof accessObjects)[number];
    if (a.kind !== 'store') continue;
    const lifted = liftStore(a, k, accessObjects, params, ctx.bytes, body, writtenSet);
    if (!lifted.ok) return finish(report, `not an element-wise map: ${lifted.reason}`);
    kernels.push(lifted.kernel);
  }
  const lanes = lanesIn(kernels[0]?.shape ?? 'i32');

  const planned: PlannedAccess[] = [];
  for (let order = 0; order < accessCount; order++) {
    planned.push({
      kind: KIND[f.accKind[order] as number] as 'load' | 'store',
      width: f.accWidth[order] as number,
      offset: f.accOffset[order] as number,
      base: f.affineObject(f.accAddr[order] as number),
      stride: accessReports[order]?.stride ?? 0,
      order,
    });
  }
  const ivs: { local: number; step: number }[] = [];
  for (let w = 0; w < writtenCount; w++) {
    const local = written[w] as number;
    if (f.isIv(local)) ivs.push({ local, step: f.stepOf(local) });
  }
  const plan: LoopPlan = {
    loopId: loopId,
    functionIndex: ctx.functionIndex,
    function: ctx.functionName,
    ordinal: ctx.ordinal,
    codeOffset: codeOffset,
    latch: { compare: latchForms.compare, dL: latchForms.dL, dR: latchForms.dR },
    left: f.affineObject(latchForms.left),
    right: f.affineObject(latchForms.right),
    ivs,
    derived,
    accesses: planned,
    params,
    kernels,
    lanesPerIteration: lanes,
    ...(staticTrips !== undefined ? { staticTrips } : {}),
  };
  return finish(report, promotedReason(kernels.map((k) => k.shape), ratio, v128RatioThreshold, tripText), plan);
}

function isI32(body: DecodedBody, local: number): boolean {
  return localType(body, local) === 'i32';
}

/** Every local of the (affine) form is an i32 not changed in the body other than as an induction variable. */
function symbolOk(f: FlatLoop, body: DecodedBody, node: number): boolean {
  const s = f.affStart[node] as number;
  const e = s + (f.affLen[node] as number);
  for (let t = s; t < e; t++) {
    const k = f.termKey[t] as number;
    if (k >= 0 && (!isI32(body, k) || f.isNonIv(k))) return false;
  }
  return true;
}

/** Adds the non-IV written locals of the last `collectLocals` to the carried list (first-seen order). */
function noteCollected(f: FlatLoop, carriedLocals: number[], carriedKinds: ('reduction' | 'carried')[]): void {
  for (let d = 0; d < f.depCount; d++) {
    const l = f.deps[d] as number;
    if (f.isNonIv(l) && !carriedLocals.includes(l)) {
      carriedLocals.push(l);
      carriedKinds.push('carried');
    }
  }
}

/** Scalar ops in the body, counted without evaluating it (the ratio of loops rejected early). */
function rawScalarCount(body: DecodedBody, start: number, end: number): number {
  let scalar = 0;
  for (let i = start + 1; i < end; i++) {
    const op = body.op[i] as number;
    if (!isSimd(op) && ((op >= 0x45 && op <= 0xc4) || scalarLoadWidth(op) !== undefined || scalarStoreWidth(op) !== undefined)) scalar++;
  }
  return scalar;
}

/** The report of a loop rejected before (or by) the evaluation: counts and ratio from the raw ops. */
function rejected(ctx: LoopContext, loopId: string, counts: OpCounts, calls: string[], earlyExits: number, reason: string): LoopResult {
  const scalar = rawScalarCount(ctx.body, ctx.start, ctx.end);
  counts.scalar = scalar;
  return {
    report: {
      function: ctx.functionName,
      functionIndex: ctx.functionIndex,
      loopId,
      codeOffset: ctx.body.off[ctx.start] as number,
      calls,
      earlyExits,
      opCounts: counts,
      v128Ratio: counts.v128 + scalar === 0 ? 0 : counts.v128 / (counts.v128 + scalar),
      tripCount: 'unknown',
      accesses: [],
      accessPattern: 'not analysed',
      carriedDependencies: [],
      decision: 'rejected',
      reason,
    },
  };
}

function finish(report: LoopReport, reason: string, plan?: LoopPlan): LoopResult {
  report.reason = reason;
  if (plan) report.decision = 'promoted';
  return plan ? { report, plan } : { report };
}

function promotedReason(storeLanes: string[], ratio: number, threshold: number, tripText: string): string {
  return `element-wise ${storeLanes.join('/')} map, v128 ratio ${ratio.toFixed(2)} > ${threshold}, ${tripText}`;
}
