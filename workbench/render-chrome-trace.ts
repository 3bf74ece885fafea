/**
 * Chrome trace event format (the JSON Perfetto and chrome://tracing open): the run as one span on
 * the guest track; each wasi_cuda_launch host call as a span on the host-call track with a flow
 * arrow to its kernel, a span on its device's track; offload kernels on their device track with
 * their loop; offload decisions and kernel faults as instants — what the in-app timeline shows.
 * Times are microseconds from the run's start.
 */
import type { RunReport } from './report-model.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M' | 's' | 'f';
  /** Flow events: the id pairing a start ('s') with its finish ('f'); `bp: 'e'` binds to the enclosing slice. */
  id?: number;
  bp?: 'e';
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
  const HOST_CALLS_TID = 1000;
  if (report.launches.some((l) => l.origin !== 'offload')) events.push({ name: 'thread_name', ph: 'M', pid: PID, tid: HOST_CALLS_TID, args: { name: 'wasi:cuda host calls' } });
  for (const l of report.launches) {
    const deviceTid = tidFor(l.device);
    if (l.origin !== 'offload') {
      const ts = us(l.startMs);
      events.push({ name: 'wasi_cuda_launch', cat: 'host-call', ph: 'X', pid: PID, tid: HOST_CALLS_TID, ts, dur: Math.max(1, Math.round((l.endMs - l.startMs) * 1000)), args: { seq: l.seq, kernel: l.kernel, ...(l.error ? { result: l.error.code } : { result: 0 }) } });
      events.push({ name: 'launch', cat: 'flow', ph: 's', id: l.seq, pid: PID, tid: HOST_CALLS_TID, ts });
      events.push({ name: 'launch', cat: 'flow', ph: 'f', bp: 'e', id: l.seq, pid: PID, tid: deviceTid, ts });
    }
    if (l.error) events.push({ name: `kernel fault: ${l.kernel}`, cat: 'fault', ph: 'i', s: 't', pid: PID, tid: deviceTid, ts: us(l.endMs), args: { seq: l.seq, code: l.error.code, message: l.error.message } });
    events.push({
      name: l.kernel,
      cat: l.origin === 'offload' ? 'launch,offload' : 'launch',
      ph: 'X',
      pid: PID,
      tid: deviceTid,
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
