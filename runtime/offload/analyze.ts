/**
 * Entry point of the loop analysis: every loop of every function, with its facts and decision.
 * Never throws on module content — a function that cannot be read is listed under `errors`, a
 * module that cannot be read at all yields an empty report with one error.
 */
import { performance } from 'node:perf_hooks';
import { decodeBody, OP } from './instructions.js';
import { analyzeLoop } from './loop-analysis.js';
import { scanModule, type ModuleScan } from './module-scan.js';
import type { LoopPlan, LoopReport, OffloadReport, OffloadThresholds } from './types.js';

export const DEFAULT_THRESHOLDS: OffloadThresholds = { tripCountThreshold: 4096, v128RatioThreshold: 0.5 };

export interface OffloadAnalysis {
  report: OffloadReport;
  plans: LoopPlan[];
}

export function functionName(scan: ModuleScan, index: number): string {
  return scan.names.get(index) ?? (index < scan.importedFuncCount ? (scan.importedFuncNames[index] ?? `func[${index}]`) : `func[${index}]`);
}

export function analyzeOffload(bytes: Uint8Array, thresholds: Partial<OffloadThresholds> = {}): OffloadAnalysis {
  const t0 = performance.now();
  const settings: OffloadThresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const report: OffloadReport = { moduleBytes: bytes.length, codeBytes: 0, functions: 0, loops: [], errors: [], thresholds: settings, analysisMs: 0 };
  const plans: LoopPlan[] = [];
  let scan: ModuleScan;
  try {
    scan = scanModule(bytes);
  } catch (error) {
    report.errors.push({ function: '(module)', message: (error as Error).message });
    report.analysisMs = performance.now() - t0;
    return { report, plans };
  }
  report.codeBytes = scan.codeBytes;
  report.functions = scan.bodies.length;
  for (const [i, code] of scan.bodies.entries()) {
    const name = functionName(scan, code.funcIndex);
    try {
      const type = scan.types[scan.funcTypes[i] ?? -1];
      if (!type) throw new Error(`function ${code.funcIndex} has no function type`);
      const body = decodeBody(bytes, code.start, code.end, type.params, scan.memory64);
      // Loops in pre-order with their matching end and enclosing loops. `open` holds the start
      // index of each open construct, negated for loops (index + 1, so 0 stays distinguishable).
      const open: number[] = [];
      const openLoops: number[] = [];
      const loops: { start: number; end: number; ordinal: number; enclosing: number[] }[] = [];
      const ordinals = new Map<number, number>();
      for (let k = 0; k < body.count; k++) {
        const op = body.op[k];
        if (op === OP.loop) {
          ordinals.set(k, ordinals.size);
          open.push(-(k + 1));
          openLoops.push(k);
        } else if (op === OP.block || op === OP.if || op === OP.try || op === OP.tryTable) {
          open.push(k + 1);
        } else if (op === OP.end || op === OP.delegate) {
          const top = open.pop();
          if (top !== undefined && top < 0) {
            const start = openLoops.pop() as number;
            loops.push({ start, end: k, ordinal: ordinals.get(start) ?? 0, enclosing: openLoops.slice() });
          }
        }
      }
      if (loops.length === 0) continue;
      loops.sort((x, y) => x.ordinal - y.ordinal);
      for (const loop of loops) {
        let result;
        try {
          result = analyzeLoop({
            bytes,
            body,
            functionIndex: code.funcIndex,
            functionName: name,
            calleeName: (index) => functionName(scan, index),
            start: loop.start,
            end: loop.end,
            ordinal: loop.ordinal,
            enclosingLoops: loop.enclosing,
            thresholds: settings,
          });
        } catch (error) {
          // A bug in the analyser must not take the engine down: reject the loop and say why.
          report.loops.push(failedLoop(code.funcIndex, name, loop.ordinal, body.off[loop.start] as number, error));
          continue;
        }
        report.loops.push(result.report);
        if (result.plan) plans.push(result.plan);
      }
    } catch (error) {
      report.errors.push({ function: name, message: (error as Error).message });
    }
  }
  report.analysisMs = performance.now() - t0;
  return { report, plans };
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
