import { useState } from 'react';
import { launchFault } from '../../contract/launch-faults.js';
import { formatMs } from '../lib/format.js';
import { occupancy, SM_LIMITS } from '../lib/occupancy.js';
import { useWorkbench } from '../store/store.js';

/**
 * The selected launch in full: kernel, PTX hash, decoded argv records, grid/block, shared memory,
 * duration, device/backend, who launched it, its fault if any; and the theoretical occupancy on a
 * GPU the person picks (sm_70 … sm_90), with the limiting factor named.
 */
export function LaunchDetails() {
  useWorkbench((s) => s.launchVersion);
  const items = useWorkbench((s) => s.launches.items);
  const selected = useWorkbench((s) => s.selectedSeq);
  const [arch, setArch] = useState('sm_80');
  const [regs, setRegs] = useState(32);
  const launch = selected !== undefined ? items.find((l) => l.seq === selected) : undefined;
  if (!launch) return <p className="hint" data-testid="launch-details-empty">Select a launch (in the table or the timeline) to see its details.</p>;
  const threads = launch.block[0] * launch.block[1] * launch.block[2];
  const limits = SM_LIMITS.find((l) => l.arch === arch) ?? SM_LIMITS[1]!;
  const occ = occupancy(limits, threads, regs, launch.sharedMemBytes);
  const fault = launchFault(launch);
  return (
    <div className="two-col" data-testid="launch-details">
      <table className="kv">
        <tbody>
          <tr><th>Launch</th><td>#{launch.seq} {launch.origin === 'offload' ? <span className="badge">offload · {launch.loopId}</span> : <span className="badge">wasi:cuda</span>}</td></tr>
          <tr><th>Kernel</th><td className="mono" data-testid="detail-kernel">{launch.kernel}</td></tr>
          <tr><th>PTX hash</th><td className="mono">{launch.ptxHash}</td></tr>
          <tr><th>Arguments</th><td><ol className="argv" data-testid="detail-args">{launch.args.split(' ').filter(Boolean).map((a, i) => <li key={i} className="mono">{a}</li>)}</ol></td></tr>
          <tr><th>Grid · block</th><td>{launch.grid.join('×')} · {launch.block.join('×')} ({threads} threads per block)</td></tr>
          <tr><th>Dynamic shared</th><td>{launch.sharedMemBytes} B</td></tr>
          <tr><th>Duration</th><td>{formatMs(launch.kernelMs)} kernel · {formatMs(launch.endMs - launch.startMs)} wall</td></tr>
          <tr><th>Device</th><td>{launch.device}{launch.backend ? ` · ${launch.backend}` : ''}</td></tr>
          {fault ? <tr><th>Fault</th><td className="error">{fault.message}</td></tr> : null}
        </tbody>
      </table>
      <div data-testid="occupancy">
        <h3>Theoretical occupancy</h3>
        <div className="row">
          <label>GPU <select value={arch} onChange={(e) => setArch(e.target.value)} data-testid="occupancy-arch">{SM_LIMITS.map((l) => <option key={l.arch}>{l.arch}</option>)}</select></label>
          <label>Registers / thread <input type="number" min={0} max={255} value={regs} onChange={(e) => setRegs(Number(e.target.value))} data-testid="occupancy-regs" style={{ width: 70 }} /></label>
        </div>
        {occ.problem ? (
          <p className="error">Cannot launch on {arch}: {occ.problem}</p>
        ) : (
          <p data-testid="occupancy-result">
            <b>{Math.round(occ.occupancy * 100)} %</b> — {occ.activeBlocksPerSm} blocks ({occ.activeWarpsPerSm} of {limits.maxWarpsPerSm} warps) per SM, limited by <b data-testid="occupancy-limiter">{occ.limitedBy}</b>
          </p>
        )}
        <table className="grid-table small">
          <thead><tr><th>Limit</th><th>Blocks per SM</th></tr></thead>
          <tbody>{Object.entries(occ.limits).map(([k, v]) => <tr key={k} className={k === occ.limitedBy ? 'selected' : ''}><td>{k}</td><td>{v}</td></tr>)}</tbody>
        </table>
        <p className="hint">Registers per thread are what ptxas allocates (see <span className="mono">nvcc --resource-usage</span>); the default is a guess.</p>
      </div>
    </div>
  );
}
