/**
 * The run report: one complete, machine-readable record of an invocation, from which the JSON,
 * HTML and Chrome-trace renderers work. Pure: takes a run record, returns data.
 */
import type { LaunchEvent, OffloadEvent } from '../contract/events.js';
import type { ErrorInfo } from '../contract/errors.js';
import { runFaults, type LaunchFault } from '../contract/launch-faults.js';
import { kernelSummary, type KernelSummaryRow } from '../contract/run-stats.js';
import type { CompareResult, OffloadDecision, RunRecord, RunStatus, WorkbenchSettings } from '../contract/workbench.js';

export const REPORT_FORMAT = 'tensor-wasm.run-report';
export const REPORT_VERSION = 1;

export interface RunReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  generatedAt: string;
  engine: { name: 'TensorWasm'; version: string };
  module: { name: string; hash: string; sizeBytes?: number };
  run: {
    runId: string;
    export: string;
    /** The arguments exactly as given (JSON array text). */
    arguments: string;
    status: RunStatus;
    /** The results as exact JSON text, when the call returned. */
    results?: string;
    exitCode?: number;
    error?: ErrorInfo;
    device: string;
    startedAt: string;
    startedAtMs: number;
    durationMs: number;
    stdout: string;
    stderr: string;
  };
  settings: WorkbenchSettings;
  launches: LaunchEvent[];
  launchesDropped: number;
  /** Every failed launch's fault, parsed (kernel, thread, block, address, window, PTX line). */
  faults: LaunchFault[];
  kernelSummary: KernelSummaryRow[];
  /** Decisions of the offload analyser at load time, when it ran. */
  offloadDecisions: OffloadDecision[];
  /** What the offload path did during the run (dispatch / fallback / demote / verified). */
  offloadEvents: OffloadEvent[];
  comparison?: CompareResult;
}

export interface ReportExtras {
  moduleSizeBytes?: number;
  offloadDecisions?: OffloadDecision[];
  comparison?: CompareResult;
  /** For deterministic output in tests. */
  now?: Date;
}

export function buildRunReport(record: RunRecord, extras: ReportExtras = {}): RunReport {
  const report: RunReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generatedAt: (extras.now ?? new Date()).toISOString(),
    engine: { name: 'TensorWasm', version: record.engineVersion },
    module: { name: record.moduleName, hash: record.moduleId, ...(extras.moduleSizeBytes !== undefined ? { sizeBytes: extras.moduleSizeBytes } : {}) },
    run: {
      runId: record.runId,
      export: record.exportName,
      arguments: record.argsJson,
      status: record.status,
      ...(record.resultsJson !== undefined ? { results: record.resultsJson } : {}),
      ...(record.exitCode !== undefined ? { exitCode: record.exitCode } : {}),
      ...(record.error ? { error: record.error } : {}),
      device: record.device,
      startedAt: new Date(record.startedAt).toISOString(),
      startedAtMs: record.startedAt,
      durationMs: record.durationMs,
      stdout: record.stdout,
      stderr: record.stderr,
    },
    settings: record.settings,
    launches: record.launches,
    launchesDropped: record.launchesDropped,
    faults: runFaults(record.launches),
    kernelSummary: kernelSummary(record.launches),
    offloadDecisions: extras.offloadDecisions ?? [],
    offloadEvents: record.offloadEvents,
  };
  if (extras.comparison) report.comparison = extras.comparison;
  return report;
}

/** A file name stem: module, export and the run's start time, safe on every file system. */
export function reportFileStem(report: RunReport): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return `${safe(report.module.name.replace(/\.wasm$/, ''))}-${safe(report.run.export)}-${report.run.startedAt.replace(/[:.]/g, '-')}`;
}
