/**
 * The scripted engine the workbench bench and profiler stream from: export `stream` emits RATE
 * launches per second for SECONDS (WB_BENCH_RATE, WB_BENCH_SECONDS; 10,000 and 10 by default).
 */
import type { CallOptions, InvokeResult, ModuleRef } from '../contract/engine.js';
import type { RunEvent } from '../contract/events.js';
import type { ModuleDescription } from '../contract/module.js';
import { FakeEngine } from '../workbench/fake-engine.test-util.js';

export const RATE = Number(process.env.WB_BENCH_RATE ?? 10_000);
export const SECONDS = Number(process.env.WB_BENCH_SECONDS ?? 10);

/**
 * The scripted engine: export `stream` emits `rate` launches per second for `seconds` (RATE and
 * SECONDS unless given), in 10 ms bursts. The e2e spec of the launch table streams slower.
 */
export class StreamingEngine extends FakeEngine {
  constructor(private readonly stream: { rate: number; seconds: number } = { rate: RATE, seconds: SECONDS }) {
    super();
  }

  override async load(source: string | Uint8Array, name?: string): Promise<{ ref: ModuleRef; description: ModuleDescription }> {
    const loaded = await super.load(source, name);
    loaded.description.exports = [{ name: 'stream', kind: 'func', signature: { params: [], results: ['i32'] }, callableFromJson: true }, ...loaded.description.exports];
    return loaded;
  }

  override async invoke(ref: ModuleRef, exportName: string, argsJson: string, options: CallOptions = {}): Promise<InvokeResult> {
    if (exportName !== 'stream') return super.invoke(ref, exportName, argsJson, options);
    const runId = options.runId ?? 'r';
    const emit = (e: RunEvent) => options.onEvent?.(e);
    const t0 = Date.now();
    emit({ type: 'started', runId, t: t0, moduleHash: ref.hash, export: exportName, device: 'cpu' });
    const { rate, seconds } = this.stream;
    const total = rate * seconds;
    const perBurst = Math.max(1, Math.round(rate / 100));
    let seq = 0;
    await new Promise<void>((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('cancelled')));
      const burst = () => {
        if (options.signal?.aborted) return;
        const due = Math.min(total, Math.round(((Date.now() - t0) / 1000) * rate) + perBurst);
        for (; seq < due; ) {
          seq++;
          const t = Date.now();
          emit({ type: 'launch', runId, t, seq, kernel: seq % 3 ? 'vector_add' : 'scale', ptxHash: 'abcdef0123', grid: [16, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, args: 'ptr(0x1000,4096) ptr(0x2000,4096) u32(1024)', device: 'cpu', startMs: t - 0.05, endMs: t, kernelMs: 0.05 });
        }
        if (seq >= total) resolve();
        else setTimeout(burst, 10);
      };
      burst();
    });
    const durationMs = Date.now() - t0;
    emit({ type: 'finished', runId, t: Date.now(), durationMs, results: [0] });
    return { runId, results: [0], resultsJson: '[0]', stdout: '', stderr: '', durationMs, device: 'cpu', launches: total, events: [] };
  }
}
