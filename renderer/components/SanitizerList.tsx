import { useMemo } from 'react';
import { runFaults, type LaunchFault } from '../../contract/launch-faults.js';
import type { LaunchEvent } from '../../contract/events.js';
import { getWorkbenchStore } from '../store/store.js';

const xyz = (t?: [number, number, number]) => (t ? `(${t.join(',')})` : '–');

/**
 * The sanitizer view: every kernel fault of a run in one list (kernel, thread, block, address,
 * size, nearest window, PTX line). Clicking a fault selects its launch, so the grid shows the
 * faulting block in red.
 */
export function SanitizerList({ launches, faults: given, compact = false }: { launches?: readonly LaunchEvent[]; faults?: readonly LaunchFault[]; compact?: boolean }) {
  // A live run's faults come kept up to date by the store (`faults`); a record's are found here.
  const found = useMemo(() => (given ? undefined : runFaults(launches ?? [])), [given, launches]);
  const faults = given ?? found ?? [];
  if (faults.length === 0) return <p className="hint" data-testid="sanitizer-empty">No kernel faults: every launch completed without a memcheck report.</p>;
  const select = (f: LaunchFault) => {
    const s = getWorkbenchStore().getState();
    // Selects the launch (the grid shows its red block) and points the PTX view at the faulting line.
    s.focusPtxLine(f.launchSeq, f.ptxLine);
    if (compact) s.setScreen('launches');
  };
  return (
    <table className="grid-table sanitizer" data-testid="sanitizer">
      <thead>
        <tr><th>Launch</th><th>Kernel</th><th>Problem</th><th>Thread</th><th>Block</th><th>Address</th><th>Size</th>{compact ? null : <th>Nearest window</th>}<th>PTX line</th></tr>
      </thead>
      <tbody>
        {faults.map((f) => (
          <tr key={f.launchSeq} className="fault-row" data-testid="fault-row" onClick={() => select(f)} title={f.message}>
            <td><button className="link" data-testid="fault-launch">#{f.launchSeq}</button></td>
            <td className="mono">{f.kernel}</td>
            <td>{f.what}</td>
            <td className="mono">{xyz(f.thread)}</td>
            <td className="mono">{xyz(f.block)}</td>
            <td className="mono">{f.address ?? '–'}</td>
            <td>{f.sizeBytes !== undefined ? `${f.sizeBytes} B` : '–'}</td>
            {compact ? null : <td className="reason">{f.nearestWindow ?? '–'}</td>}
            <td>{f.ptxLine !== undefined ? <button className="link" data-testid="fault-ptx-line" title="Show this line in the PTX view">{f.ptxLine}</button> : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
