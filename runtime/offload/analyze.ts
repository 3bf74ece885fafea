/**
 * Entry point of the loop analysis: every loop of every function, with its facts and decision.
 * Never throws on module content — a function that cannot be read is listed under `errors`, a
 * module that cannot be read at all yields an empty report with one error.
 */
import { performance } from 'node:perf_hooks';
import { decodeBody, type DecodedBody } from './instructions.js';
import { analyzeLoop } from './loop-analysis.js';
import type { LoopContext, LoopResult } from './loop-context.js';
import { scanModule, type CodeBody, type FuncType, type ModuleScan } from './module-scan.js';
import type { LoopPlan, LoopReport, OffloadReport, OffloadThresholds } from './types.js';

/** Shared empty `enclosingLoops` (never mutated). */
const NO_LOOPS: number[] = [];

export const DEFAULT_THRESHOLDS: OffloadThresholds = { tripCountThreshold: 4096, v128RatioThreshold: 0.5 };

export interface OffloadAnalysis {
  report: OffloadReport;
  /**
   * Plans of the promoted loops, in report order. Built on first read (analysing those loops
   * again from the same bytes, which must not change in between): report-only callers
   * (`inspect --offload`, the workbench, the server) never pay for them.
   */
  readonly plans: LoopPlan[];
}

export function functionName(scan: ModuleScan, index: number): string {
  return scan.names.get(index) ?? (index < scan.importedFuncCount ? (scan.importedFuncNames[index] ?? `func[${index}]`) : `func[${index}]`);
}

/** A promoted loop whose plan is built on demand, or a plan already built (reference analyser). */
type PlanSource = LoopPlan | { body: number; start: number; end: number; ordinal: number; enclosing: number[] };

class Analysis implements OffloadAnalysis {
  private built: LoopPlan[] | undefined;

  constructor(
    readonly report: OffloadReport,
    private sources: PlanSource[],
    private readonly bytes: Uint8Array,
    private readonly scan: ModuleScan | undefined,
  ) {}

  get plans(): LoopPlan[] {
    this.built ??= this.buildPlans();
    return this.built;
  }

  private buildPlans(): LoopPlan[] {
    const plans: LoopPlan[] = [];
    const { scan, bytes } = this;
    let decoded = -1;
    let body: DecodedBody | undefined;
    for (const source of this.sources) {
      if ('loopId' in source) {
        plans.push(source);
        continue;
      }
      if (!scan) continue;
      const code = scan.bodies[source.body] as CodeBody;
      const name = functionName(scan, code.funcIndex);
      try {
        if (decoded !== source.body) {
          body = decodeBody(bytes, code.start, code.end, (scan.types[scan.funcTypes[source.body] as number] as FuncType).params, scan.memory64);
          decoded = source.body;
        }
        const result = analyzeLoop({
          bytes,
          body: body as DecodedBody,
          functionIndex: code.funcIndex,
          functionName: name,
          calleeName: (index) => functionName(scan, index),
          start: source.start,
          end: source.end,
          ordinal: source.ordinal,
          enclosingLoops: source.enclosing,
          thresholds: this.report.thresholds,
        });
        if (result.plan) plans.push(result.plan);
      } catch {
        // The loop was analysed and promoted a moment ago, so this is an analyser bug: without a
        // plan the loop is simply not rewritten and stays on the CPU.
        decoded = -1;
      }
    }
    this.sources = [];
    return plans;
  }
}

/**
 * `loopAnalyzer` is for tests: `analyzeLoopReference` (the object evaluator) gives the report the
 * flat analyser must reproduce.
 */
export function analyzeOffload(
  bytes: Uint8Array,
  thresholds: Partial<OffloadThresholds> = {},
  loopAnalyzer: (ctx: LoopContext) => LoopResult = analyzeLoop,
): OffloadAnalysis {
  const t0 = performance.now();
  const settings: OffloadThresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const report: OffloadReport = { moduleBytes: bytes.length, codeBytes: 0, functions: 0, loops: [], errors: [], thresholds: settings, analysisMs: 0 };
  const sources: PlanSource[] = [];
  let scan: ModuleScan;
  try {
    scan = scanModule(bytes);
  } catch (error) {
    report.errors.push({ function: '(module)', message: (error as Error).message });
    report.analysisMs = performance.now() - t0;
    return new Analysis(report, sources, bytes, undefined);
  }
  report.codeBytes = scan.codeBytes;
  report.functions = scan.bodies.length;
  const calleeName = (index: number): string => functionName(scan, index);
  // One context object, updated per loop (the analyser is synchronous and keeps no reference).
  const ctx: LoopContext = {
    bytes,
    body: undefined as unknown as DecodedBody,
    functionIndex: 0,
    functionName: '',
    calleeName,
    start: 0,
    end: 0,
    ordinal: 0,
    enclosingLoops: [],
    thresholds: settings,
    buildPlan: false,
  };
  const bodies = scan.bodies;
  for (let i = 0; i < bodies.length; i++) {
    const code = bodies[i] as CodeBody;
    const name = functionName(scan, code.funcIndex);
    try {
      const type = scan.types[scan.funcTypes[i] ?? -1];
      if (!type) throw new Error(`function ${code.funcIndex} has no function type`);
      const body = decodeBody(bytes, code.start, code.end, type.params, scan.memory64);
      // Loops in pre-order (their ordinal) with their matching end and enclosing loops. `open`
      // holds, per open construct, the loop's entry index + 1, or 0 for other constructs.
      const ops = body.op;
      let loops: { start: number; end: number; ordinal: number; enclosing: number[] }[] | undefined;
      let open: number[] | undefined;
      let openLoops: number[] | undefined;
      for (let k = 0; k < body.count; k++) {
        switch (ops[k]) {
          case 0x03: // loop
            loops ??= [];
            open ??= [];
            openLoops ??= [];
            open.push(loops.length + 1);
            loops.push({ start: k, end: -1, ordinal: loops.length, enclosing: openLoops.length === 0 ? NO_LOOPS : openLoops.slice() });
            openLoops.push(k);
            break;
          case 0x02: case 0x04: case 0x06: case 0x1f: // block, if, try, try_table
            if (open) open.push(0);
            break;
          case 0x0b: case 0x18: { // end, delegate
            // Before the first loop, constructs need no tracking: no loop can end at their end.
            const top = open?.pop();
            if (top !== undefined && top > 0) {
              (loops as { end: number }[])[top - 1]!.end = k;
              openLoops?.pop();
            }
            break;
          }
          default:
            break;
        }
      }
      if (!loops) continue;
      ctx.body = body;
      ctx.functionIndex = code.funcIndex;
      ctx.functionName = name;
      for (const loop of loops) {
        if (loop.end < 0) continue;
        let result;
        try {
          ctx.start = loop.start;
          ctx.end = loop.end;
          ctx.ordinal = loop.ordinal;
          ctx.enclosingLoops = loop.enclosing;
          result = loopAnalyzer(ctx);
        } catch (error) {
          // A bug in the analyser must not take the engine down: reject the loop and say why.
          report.loops.push(failedLoop(code.funcIndex, name, loop.ordinal, body.off[loop.start] as number, error));
          continue;
        }
        report.loops.push(result.report);
        if (result.plan) sources.push(result.plan);
        else if (result.report.decision === 'promoted') sources.push({ body: i, start: loop.start, end: loop.end, ordinal: loop.ordinal, enclosing: loop.enclosing });
      }
    } catch (error) {
      report.errors.push({ function: name, message: (error as Error).message });
    }
  }
  report.analysisMs = performance.now() - t0;
  return new Analysis(report, sources, bytes, scan);
}

function failedLoop(functionIndex: number, name: string, ordinal: number, codeOffset: number, error: unknown): LoopReport {
  return {
    function: name,
    functionIndex,
    loopId: `f${functionIndex}.L${ordinal}`,
    codeOffset,
    opCounts: { instructions: 0, v128: 0, scalar: 0, bookkeeping: 0, loads: 0, stores: 0, calls: 0 },
    v128Ratio: 0,
    tripCount: 'unknown',
    accesses: [],
    accessPattern: 'not analysed',
    carriedDependencies: [],
    calls: [],
    earlyExits: 0,
    decision: 'rejected',
    reason: `analyser error: ${(error as Error).message}`,
  };
}
