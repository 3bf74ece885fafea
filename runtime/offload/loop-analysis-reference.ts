/**
 * The object-based loop analyser: evaluates the body into `Sym` nodes with Maps and Sets. It is
 * the reference the flat analyser (`loop-analysis.ts`) must agree with field for field
 * (`loop-analysis.test.ts`), and the fallback for bodies the flat evaluator does not take (local
 * indices outside the declared locals, in malformed modules). Slower: objects per instruction.
 */
import { isSimd, OP, PREFIX_SIMD, localType, type DecodedBody } from './instructions.js';
import { lanesIn, liftStore } from './lift.js';
import { opName, scalarLoadWidth, scalarStoreWidth, scalarUnary, simdLoadWidth, shuffleSource, simdShape } from './op-tables.js';
import { affineOf, constSym, depsOf, entrySym, evalAffine, globalSym, loadSym, opSym, v128ConstSym, type Affine, type Sym } from './symbolic.js';
import { COMPARE_BY_OPCODE, computeTripCount, type LatchCompare } from './trip-count.js';
import { isLiveAfterLoop, valueAtLoopEntry, type LoopContext, type LoopResult } from './loop-context.js';
import type { AccessReport, KernelPlan, LoopPlan, LoopReport, OpCounts, ParamSource, PlannedAccess, TripCount } from './types.js';

interface Access {
  kind: 'load' | 'store';
  op: number;
  addr: Sym;
  offset: number;
  width: number;
  instr: number;
  value?: Sym;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Thrown inside the evaluator to reject a loop; not an Error, so no stack trace is captured. */
class Reject {
  constructor(readonly message: string) {}
}

export function analyzeLoopReference(ctx: LoopContext): LoopResult {
  const { body, start, end } = ctx;
  const counts: OpCounts = { instructions: 0, v128: 0, scalar: 0, bookkeeping: 0, loads: 0, stores: 0, calls: 0 };
  const calls: string[] = [];
  let earlyExits = 0;
  let nestedLoop = false;
  let innerBranch: string | undefined;
  let unsupported: string | undefined;
  let depth = 0;

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
      default:
        if (op >= 0x1000 && op !== 0xfc000 && !(op >= 0xfc000 && op <= 0xfc007)) unsupported ??= opName(op);
        else if (op === OP.memoryGrow || op === OP.memorySize || op === OP.tableGet || op === OP.tableSet) unsupported ??= opName(op);
    }
  }

  const base = {
    function: ctx.functionName,
    functionIndex: ctx.functionIndex,
    loopId: `f${ctx.functionIndex}.L${ctx.ordinal}`,
    codeOffset: body.off[start] as number,
    calls,
    earlyExits,
  };
  const rawRatio = (): number => {
    let scalar = 0;
    for (let i = start + 1; i < end; i++) {
      const op = body.op[i] as number;
      if (!isSimd(op) && ((op >= 0x45 && op <= 0xc4) || scalarLoadWidth(op) !== undefined || scalarStoreWidth(op) !== undefined)) scalar++;
    }
    counts.scalar = scalar;
    return counts.v128 + scalar === 0 ? 0 : counts.v128 / (counts.v128 + scalar);
  };
  const rawRatioScalar = (): number => {
    rawRatio();
    return counts.scalar;
  };
  const reject = (reason: string): LoopResult => ({
    report: {
      function: base.function,
      functionIndex: base.functionIndex,
      loopId: base.loopId,
      codeOffset: base.codeOffset,
      calls,
      earlyExits,
      opCounts: counts,
      v128Ratio: rawRatio(),
      tripCount: 'unknown',
      accesses: [],
      accessPattern: 'not analysed',
      carriedDependencies: [],
      decision: 'rejected',
      reason,
    },
  });

  if (body.a[start] !== -64) return reject('the loop produces or takes values (non-empty block type)');
  if (unsupported) return reject(`unsupported instruction in the body: ${unsupported}`);
  if (calls.length > 0) return reject(`calls ${calls[0]} in the body`);
  if (earlyExits > 0) return reject(`leaves the loop early (${earlyExits} exit${earlyExits > 1 ? 's' : ''} besides the back edge)`);
  if (nestedLoop) return reject('contains an inner loop (only innermost loops are offloaded)');
  if (innerBranch) return reject(`data-dependent branch in the body (${innerBranch})`);
  if (end - 1 <= start || body.op[end - 1] !== OP.brIf || body.a[end - 1] !== 0) {
    return reject('not a do-while loop ending in br_if to its own start (no recognisable trip count)');
  }

  // A loop without a single v128 op cannot pass the ratio check (ratio 0 is never above a
  // threshold ≥ 0): skip the symbolic evaluation, which is most of the analysis cost.
  if (counts.v128 === 0) {
    return reject(`v128 ratio 0.00 is not above the threshold ${ctx.thresholds.v128RatioThreshold} (no v128 operations; ${rawRatioScalar()} scalar ops)`);
  }

  // Pass 2: symbolic evaluation of one iteration.
  let evalResult: ReturnType<typeof evaluate>;
  try {
    evalResult = evaluate(ctx);
  } catch (error) {
    if (error instanceof Reject) return reject(error.message);
    return reject(`could not evaluate the body: ${(error as Error).message}`);
  }
  const { locals, written, accesses, cond } = evalResult;

  // Induction variables: local = entry(local) + constant step, i32 only.
  const isI32 = (local: number): boolean => localType(body, local) === 'i32';
  const ivs = new Map<number, number>();
  for (const local of written) {
    const form = affineOf(locals.get(local) as Sym);
    if (!form || !isI32(local) || form.terms.size !== 1 || form.terms.get(local) !== 1) continue;
    ivs.set(local, form.c);
  }
  const nonIv = new Set([...written].filter((l) => !ivs.has(l)));

  // Data vs bookkeeping: walk from stored values and carried values.
  const dataInstrs = new Set<number>();
  const markData = (sym: Sym): void => {
    if (sym.k === 'op') {
      if (dataInstrs.has(sym.instr)) return;
      dataInstrs.add(sym.instr);
      sym.args.forEach(markData);
    } else if (sym.k === 'load') {
      dataInstrs.add(sym.instr);
    }
  };
  for (const a of accesses) if (a.kind === 'store' && a.value) markData(a.value);
  for (const local of nonIv) {
    const form = affineOf(locals.get(local) as Sym);
    if (!form) markData(locals.get(local) as Sym);
  }
  counts.scalar = 0;
  counts.bookkeeping = 0;
  for (let i = start + 1; i < end; i++) {
    const op = body.op[i] as number;
    if (isSimd(op)) continue;
    const numeric = (op >= 0x45 && op <= 0xc4) || op === OP.select || op === OP.selectT || scalarLoadWidth(op) !== undefined || scalarStoreWidth(op) !== undefined;
    if (!numeric) continue;
    if (dataInstrs.has(i) || scalarStoreWidth(op) !== undefined) counts.scalar++;
    else counts.bookkeeping++;
  }
  const ratio = counts.v128 + counts.scalar === 0 ? 0 : counts.v128 / (counts.v128 + counts.scalar);

  // Access pattern.
  const symbolOk = (form: Affine): boolean => {
    for (const k of form.terms.keys()) if (k >= 0 && (!isI32(k) || nonIv.has(k))) return false;
    return true;
  };
  const strideOf = (form: Affine): number => {
    let stride = 0;
    for (const [key, coef] of form.terms) stride += coef * (ivs.get(key) ?? 0);
    return stride;
  };
  const accessReports: AccessReport[] = [];
  let patternProblem: string | undefined;
  const forms: (Affine | null)[] = [];
  for (const a of accesses) {
    const form = affineOf(a.addr);
    const ok = form !== null && symbolOk(form);
    forms.push(ok ? form : null);
    accessReports.push(ok ? { kind: a.kind, width: a.width, affine: true, stride: strideOf(form) } : { kind: a.kind, width: a.width, affine: false });
    if (!ok && !patternProblem) {
      patternProblem = depsOf(a.addr).loads
        ? `${a.kind} address is read from memory (a gather/scatter through an index array)`
        : `${a.kind} address is not affine in the induction variable`;
    }
  }
  const strides = [...new Set(accessReports.filter((a) => a.affine).map((a) => a.stride))];
  const accessPattern = patternProblem ?? (accesses.length === 0 ? 'no memory accesses' : `affine, stride ${strides.join('/')} B`);

  // Carried dependencies: any use of a non-IV written local's entry value.
  const carried = new Map<number, string>();
  const noteCarried = (sym: Sym | undefined): void => {
    if (!sym) return;
    for (const l of depsOf(sym).locals) if (nonIv.has(l) && !carried.has(l)) carried.set(l, 'carried');
  };
  for (const local of written) {
    const sym = locals.get(local) as Sym;
    const deps = depsOf(sym).locals;
    if (nonIv.has(local) && deps.has(local)) carried.set(local, 'reduction');
    noteCarried(sym);
  }
  for (const a of accesses) {
    noteCarried(a.addr);
    noteCarried(a.value);
  }
  noteCarried(cond);
  const carriedDependencies = [...carried].map(([l, kind]) =>
    kind === 'reduction' ? `local ${l} (${localType(body, l)}) accumulates across iterations (a reduction)` : `local ${l} (${localType(body, l)}) carries a value into the next iteration`,
  );

  // Trip count from the latch.
  const latch = latchOf(cond);
  let tripCount: TripCount = 'unknown';
  let staticTrips: number | undefined;
  let latchForms: { left: Affine; right: Affine; compare: LatchCompare; dL: number; dR: number } | undefined;
  if (latch) {
    const left = affineOf(latch.left);
    const right = affineOf(latch.right);
    if (left && right && symbolOk(left) && symbolOk(right)) {
      latchForms = { left, right, compare: latch.compare, dL: strideOf(left), dR: strideOf(right) };
      const known = new Map<number, number>();
      let allKnown = true;
      for (const key of new Set([...left.terms.keys(), ...right.terms.keys()])) {
        const v = key >= 0 ? valueAtLoopEntry(ctx, key) : undefined;
        if (v === undefined) allKnown = false;
        else known.set(key, v);
      }
      if (allKnown) {
        const L0 = evalAffine(left, (k) => known.get(k) as number);
        const R0 = evalAffine(right, (k) => known.get(k) as number);
        const trips = computeTripCount({ compare: latch.compare, dL: latchForms.dL, dR: latchForms.dR }, L0, R0);
        if (trips.ok) tripCount = staticTrips = trips.trips;
      } else {
        tripCount = 'dynamic';
      }
    }
  }

  const report: LoopReport = {
    function: base.function,
    functionIndex: base.functionIndex,
    loopId: base.loopId,
    codeOffset: base.codeOffset,
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
  const done = (reason: string, plan?: LoopPlan): LoopResult => {
    report.reason = reason;
    if (plan) report.decision = 'promoted';
    return plan ? { report, plan } : { report };
  };

  const { tripCountThreshold, v128RatioThreshold } = ctx.thresholds;
  if (!(ratio > v128RatioThreshold)) {
    return done(`v128 ratio ${ratio.toFixed(2)} is not above the threshold ${v128RatioThreshold} (${counts.v128} v128 of ${counts.v128 + counts.scalar} data ops)`);
  }
  if (patternProblem) return done(`not an element-wise map: ${patternProblem}`);
  if (carriedDependencies.length > 0) return done(`loop-carried dependency: ${carriedDependencies[0]}`);
  if (!latchForms) return done('trip count cannot be derived: the exit test is not an affine comparison');
  if (tripCount === 'unknown') return done('trip count cannot be derived: the exit test does not terminate without wrapping');
  if (typeof tripCount === 'number' && tripCount <= tripCountThreshold) {
    return done(`trip count ${tripCount} is not above the threshold ${tripCountThreshold}`);
  }
  const stores = accesses.map((a, i) => ({ a, i })).filter((x) => x.a.kind === 'store');
  if (stores.length === 0) return done('not an element-wise map: the body stores nothing');
  for (const r of accessReports) if ((r.stride ?? 0) <= 0) return done(`not an element-wise map: an access does not advance with the loop (stride ${r.stride} B)`);

  // Temporaries computed in the loop must be dead after it (the kernel does not produce them).
  const derived: { local: number; form: Affine }[] = [];
  for (const local of nonIv) {
    const form = affineOf(locals.get(local) as Sym);
    if (form && symbolOk(form)) {
      derived.push({ local, form });
      continue;
    }
    if (isLiveAfterLoop(ctx, local)) return done(`local ${local} computed in the loop is used after it`);
  }

  // Lift each store to a per-element kernel.
  const params: ParamSource[] = [];
  const kernels: KernelPlan[] = [];
  for (const { a, i } of stores) {
    const lifted = liftStore(a, i, accesses, params, ctx.bytes, body, written);
    if (!lifted.ok) return done(`not an element-wise map: ${lifted.reason}`);
    kernels.push(lifted.kernel);
  }
  const lanes = lanesIn(kernels[0]?.shape ?? 'i32');

  const planned: PlannedAccess[] = accesses.map((a, order) => ({
    kind: a.kind,
    width: a.width,
    offset: a.offset,
    base: forms[order] as Affine,
    stride: accessReports[order]?.stride ?? 0,
    order,
  }));
  const plan: LoopPlan = {
    loopId: base.loopId,
    functionIndex: ctx.functionIndex,
    function: ctx.functionName,
    ordinal: ctx.ordinal,
    codeOffset: base.codeOffset,
    latch: { compare: latchForms.compare, dL: latchForms.dL, dR: latchForms.dR },
    left: latchForms.left,
    right: latchForms.right,
    ivs: [...ivs].map(([local, step]) => ({ local, step })),
    derived,
    accesses: planned,
    params,
    kernels,
    lanesPerIteration: lanes,
    ...(staticTrips !== undefined ? { staticTrips } : {}),
  };
  const tripText = typeof tripCount === 'number' ? `trip count ${tripCount} > ${tripCountThreshold}` : `dynamic trip count (checked against ${tripCountThreshold} at run time)`;
  return done(`element-wise ${kernels.map((k) => k.shape).join('/')} map, v128 ratio ${ratio.toFixed(2)} > ${v128RatioThreshold}, ${tripText}`, plan);
}

function latchOf(cond: Sym): { compare: LatchCompare; left: Sym; right: Sym } | undefined {
  const zero = constSym('i32', 0);
  if (cond.k === 'op') {
    const compare = COMPARE_BY_OPCODE.get(cond.op);
    if (compare && cond.args.length === 2) return { compare, left: cond.args[0] as Sym, right: cond.args[1] as Sym };
    if (cond.op === 0x45 && cond.args[0]) return { compare: 'eq', left: cond.args[0], right: zero };
  }
  return { compare: 'ne', left: cond, right: zero };
}

/** Symbolically runs the body once (all but the latch br_if) and pops the latch condition. */
function evaluate(ctx: LoopContext): { locals: Map<number, Sym>; written: Set<number>; accesses: Access[]; cond: Sym } {
  const { body, start, end } = ctx;
  const stack: Sym[] = [];
  const locals = new Map<number, Sym>();
  const written = new Set<number>();
  const accesses: Access[] = [];
  const entries = new Map<number, Sym>();
  const pop = (): Sym => {
    const v = stack.pop();
    if (!v) throw new Reject('malformed body: operand stack underflow');
    return v;
  };
  const get = (local: number): Sym => {
    const current = locals.get(local);
    if (current) return current;
    let entry = entries.get(local);
    if (!entry) {
      entry = entrySym(local);
      entries.set(local, entry);
    }
    return entry;
  };
  for (let i = start + 1; i < end - 1; i++) {
    const op = body.op[i] as number;
    const a = body.a[i] as number;
    if (isSimd(op)) {
      const sub = op - PREFIX_SIMD * 0x1000;
      switch (simdShape(sub)) {
        case 'load': {
          const addr = pop();
          const sym = loadSym(op, addr, accesses.length, i);
          accesses.push({ kind: 'load', op, addr, offset: a, width: simdLoadWidth(sub), instr: i });
          stack.push(sym);
          break;
        }
        case 'store': {
          const value = pop();
          const addr = pop();
          accesses.push({ kind: 'store', op, addr, offset: a, width: 16, instr: i, value });
          break;
        }
        case 'load-lane': {
          const v = pop();
          const addr = pop();
          const sym = loadSym(op, addr, accesses.length, i);
          accesses.push({ kind: 'load', op, addr, offset: a, width: 8, instr: i });
          stack.push(opSym(op, [v, sym], body.b[i] as number, i));
          break;
        }
        case 'store-lane': {
          const value = pop();
          const addr = pop();
          accesses.push({ kind: 'store', op, addr, offset: a, width: 8, instr: i, value });
          break;
        }
        case 'const':
          stack.push(v128ConstSym(a));
          break;
        case 'unary':
          stack.push(opSym(op, [pop()], a, i));
          break;
        case 'binary': {
          let y = pop();
          let x = pop();
          if (sub === 0x0d) {
            // A shuffle reading one operand only: the other is often an undefined local.
            const used = shuffleSource(ctx.bytes, a);
            if (used === 0) y = x;
            else if (used === 1) x = y;
          }
          stack.push(opSym(op, [x, y], a, i));
          break;
        }
        case 'ternary': {
          const z = pop();
          const y = pop();
          const x = pop();
          stack.push(opSym(op, [x, y, z], a, i));
          break;
        }
        default:
          throw new Reject(`unsupported instruction in the body: ${opName(op)}`);
      }
      continue;
    }
    const loadWidth = scalarLoadWidth(op);
    if (loadWidth !== undefined) {
      const addr = pop();
      stack.push(loadSym(op, addr, accesses.length, i));
      accesses.push({ kind: 'load', op, addr, offset: a, width: loadWidth, instr: i });
      continue;
    }
    const storeWidth = scalarStoreWidth(op);
    if (storeWidth !== undefined) {
      const value = pop();
      const addr = pop();
      accesses.push({ kind: 'store', op, addr, offset: a, width: storeWidth, instr: i, value });
      continue;
    }
    if (op >= 0x45 && op <= 0xc4) {
      if (scalarUnary(op)) stack.push(opSym(op, [pop()], 0, i));
      else {
        const y = pop();
        const x = pop();
        stack.push(opSym(op, [x, y], 0, i));
      }
      continue;
    }
    if (op >= 0xfc000 && op <= 0xfc007) {
      stack.push(opSym(op, [pop()], 0, i));
      continue;
    }
    switch (op) {
      case OP.nop:
        break;
      case OP.drop:
        pop();
        break;
      case OP.select:
      case OP.selectT: {
        const c = pop();
        const y = pop();
        const x = pop();
        stack.push(opSym(OP.select, [x, y, c], 0, i));
        break;
      }
      case OP.localGet:
        stack.push(get(a));
        break;
      case OP.localSet:
        locals.set(a, pop());
        written.add(a);
        break;
      case OP.localTee: {
        const v = pop();
        locals.set(a, v);
        written.add(a);
        stack.push(v);
        break;
      }
      case OP.globalGet:
        stack.push(globalSym(a));
        break;
      case OP.i32Const:
        stack.push(constSym('i32', a));
        break;
      case OP.i64Const:
        stack.push(constSym('i64', a));
        break;
      case OP.f32Const:
        stack.push(constSym('f32', a));
        break;
      case OP.f64Const:
        stack.push(constSym('f64', a));
        break;
      default:
        throw new Reject(`unsupported instruction in the body: ${opName(op)}`);
    }
  }
  const cond = pop();
  if (stack.length > 0) throw new Reject('malformed body: values left on the stack');
  return { locals, written, accesses, cond };
}

