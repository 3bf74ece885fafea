/**
 * Chrome trace event format (the JSON Perfetto and chrome://tracing open): the run as one span on
 * the host track, each launch as a span on its device's track, offload decisions as instants.
 * Times are microseconds from the run's start.
 */
import type { RunReport } from './report-model.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  metadata: Record<string, unknown>;
}

const PID = 1;
const HOST_TID = 1;

export function toChromeTrace(report: RunReport): ChromeTrace {
  const origin = report.run.startedAtMs;
  const us = (ms: number) => Math.max(0, Math.round((ms - origin) * 1000));
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: PID, tid: HOST_TID, args: { name: `TensorWasm ${report.module.name}` } },
    { name: 'thread_name', ph: 'M', pid: PID, tid: HOST_TID, args: { name: 'guest (host thread)' } },
  ];
  const deviceTids = new Map<string, number>();
  const tidFor = (device: string): number => {
    let tid = deviceTids.get(device);
    if (tid === undefined) {
      tid = 2 + deviceTids.size;
      deviceTids.set(device, tid);
      events.push({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name: `device ${device}` } });
    }
    return tid;
  };
  events.push({
    name: `${report.run.export}(${report.run.arguments.slice(1, -1)})`,
    cat: 'run',
    ph: 'X',
    pid: PID,
    tid: HOST_TID,
    ts: 0,
    dur: Math.round(report.run.durationMs * 1000),
    args: { status: report.run.status, results: report.run.results, device: report.run.device, error: report.run.error?.code },
  });
  for (const l of report.launches) {
    events.push({
      name: l.kernel,
      cat: l.origin === 'offload' ? 'launch,offload' : 'launch',
      ph: 'X',
      pid: PID,
      tid: tidFor(l.device),
      ts: us(l.startMs),
      dur: Math.max(1, Math.round((l.endMs - l.startMs) * 1000)),
      args: {
        seq: l.seq,
        grid: l.grid.join('x'),
        block: l.block.join('x'),
        sharedMemBytes: l.sharedMemBytes,
        kernelMs: l.kernelMs,
        ptxHash: l.ptxHash,
        args: l.args,
        ...(l.origin === 'offload' ? { origin: 'offload', loopId: l.loopId } : {}),
        ...(l.error ? { error: l.error } : {}),
      },
    });
  }
  for (const o of report.offloadEvents) {
    events.push({ name: `offload ${o.action} ${o.loopId}`, cat: 'offload', ph: 'i', s: 't', pid: PID, tid: HOST_TID, ts: us(o.t), args: { function: o.function, reason: o.reason } });
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    metadata: { module: report.module, engine: report.engine, device: report.run.device, settings: report.settings, runId: report.run.runId },
  };
}
