import { useMemo } from 'react';
import { formatMs } from '../lib/format.js';
import { useThrottled } from '../lib/use-throttled.js';
import { useWorkbench } from '../store/store.js';

/** Per-kernel totals like Nsight Systems' cuda_gpu_kern_sum. */
export function KernelSummary() {
  // From the store's index (durations grouped by kernel as they arrive, a typed-array sort per
  // refresh): a few times a second while a run streams, not per batch.
  const version = useThrottled(useWorkbench((s) => s.launchVersion), 500);
  const index = useWorkbench((s) => s.runIndex);
  const running = useWorkbench((s) => s.activeRunId !== undefined);
  // While the run streams, a summary up to half a second old will do (it is what the view showed
  // a moment ago); once it ended, the exact one.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the index is mutated in place; version says when
  const rows = useMemo(() => index.kernelSummary(running ? 500 : 0, performance.now()), [index, version, running]);
  if (rows.length === 0) return null;
  return (
    <table className="grid-table numeric" data-testid="kernel-summary">
      <thead>
        <tr><th>Time (%)</th><th>Total</th><th>Instances</th><th>Avg</th><th>Med</th><th>Min</th><th>Max</th><th>StdDev</th><th>Name</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.kernel}>
            <td>{r.timePercent.toFixed(1)}</td><td>{formatMs(r.totalMs)}</td><td>{r.instances}</td><td>{formatMs(r.meanMs)}</td><td>{formatMs(r.medianMs)}</td><td>{formatMs(r.minMs)}</td><td>{formatMs(r.maxMs)}</td><td>{formatMs(r.stdDevMs)}</td><td className="mono">{r.kernel}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
