import { useEffect, useState } from 'react';
import type { LaunchEvent } from '../../contract/events.js';
import { launchFault } from '../../contract/launch-faults.js';
import { formatMs } from '../lib/format.js';
import { occupancy, SM_LIMITS } from '../lib/occupancy.js';
import { useWorkbench } from '../store/store.js';
import { declaredRegisters, PtxView, usePtx } from './PtxView.js';

/**
 * The selected launch in full: kernel, PTX hash, decoded argv records, grid/block, shared memory,
 * duration, device/backend, who launched it, its fault if any; and the theoretical occupancy on a
 * GPU the person picks (sm_70 … sm_90), with the limiting factor named.
 */
export function LaunchDetails() {
  useWorkbench((s) => s.launchVersion);
  const items = useWorkbench((s) => s.launches.items);
  const selected = useWorkbench((s) => s.selectedSeq);
  const launch = selected !== undefined ? items.find((l) => l.seq === selected) : undefined;
  if (!launch) return <p className="hint" data-testid="launch-details-empty">Select a launch (in the table or the timeline) to see its details.</p>;
  return <Details launch={launch} />;
}

function Details({ launch }: { launch: LaunchEvent }) {
  const [arch, setArch] = useState('sm_80');
  const moduleId = useWorkbench((s) => s.launchModuleId);
  const ptx = usePtx(moduleId, launch);
  const fromPtx = declaredRegisters(ptx, launch.kernel);
  const [regs, setRegs] = useState<number | undefined>(undefined);
  // A new kernel starts from what its PTX declares (until the person types a number).
  useEffect(() => setRegs(undefined), [launch.ptxHash, launch.kernel]);
  const regsUsed = regs ?? fromPtx ?? 32;
  const threads = launch.block[0] * launch.block[1] * launch.block[2];
  const limits = SM_LIMITS.find((l) => l.arch === arch) ?? SM_LIMITS[1]!;
  const occ = occupancy(limits, threads, regsUsed, launch.sharedMemBytes);
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
          <label>Registers / thread <input type="number" min={0} max={255} value={regsUsed} onChange={(e) => setRegs(Number(e.target.value))} data-testid="occupancy-regs" style={{ width: 70 }} /></label>
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
        <p className="hint" data-testid="occupancy-regs-source">
          {fromPtx !== undefined
            ? <>The entry's PTX declares <b data-testid="ptx-registers">{fromPtx}</b> 32-bit registers per thread (64-bit ones count twice): an upper bound, since ptxas reuses registers (see <span className="mono">ptxas -v</span>); type the allocated number to refine.</>
            : <>Registers per thread are what ptxas allocates (see <span className="mono">ptxas -v</span>); without the PTX the default is a guess.</>}
        </p>
      </div>
      <div className="span-2" data-testid="ptx">
        <h3>PTX <span className="hint mono">{launch.kernel}</span></h3>
        <PtxView launch={launch} ptx={ptx} />
      </div>
    </div>
  );
}
