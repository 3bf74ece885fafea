import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { formatMs } from '../lib/format.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

const ROW_H = 26;
const COLUMNS = ['#', 'Kernel', 'PTX hash', 'Grid x·y·z', 'Block x·y·z', 'Threads', 'Shared B', 'Device', 'Duration'];

/** Virtualized: only visible rows exist in the DOM, so 100 000 launches scroll as smoothly as 10. */
export function LaunchTable() {
  useWorkbench((s) => s.launchVersion);
  const items = useWorkbench((s) => s.launches.items);
  const selected = useWorkbench((s) => s.selectedSeq);
  const parent = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parent.current, estimateSize: () => ROW_H, overscan: 12 });

  // Follow the newest launch unless the person scrolled up to read.
  useEffect(() => {
    if (follow.current && items.length > 0) virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
  });

  return (
    <div className="launch-table" data-testid="launch-table" data-count={items.length}>
      <div className="lt-row lt-head">{COLUMNS.map((c) => <span key={c}>{c}</span>)}</div>
      <div
        className="lt-body"
        ref={parent}
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_H * 2;
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => {
            const l = items[row.index]!;
            const threads = l.grid[0] * l.grid[1] * l.grid[2] * l.block[0] * l.block[1] * l.block[2];
            return (
              <div
                key={row.key}
                className={`lt-row${selected === l.seq ? ' selected' : ''}${l.error ? ' failed' : ''}`}
                style={{ position: 'absolute', top: 0, transform: `translateY(${row.start}px)`, height: ROW_H }}
                onClick={() => getWorkbenchStore().getState().selectLaunch(l.seq)}
                data-testid="launch-row"
                title={l.error ? `${l.error.code}: ${l.error.message}` : l.args}
              >
                <span>{l.seq}</span>
                <span className="mono">{l.kernel}</span>
                <span className="mono">{l.ptxHash.slice(0, 10)}</span>
                <span>{l.grid.join('·')}</span>
                <span>{l.block.join('·')}</span>
                <span>{threads.toLocaleString()}</span>
                <span>{l.sharedMemBytes}</span>
                <span title={l.backend ? `ran as ${l.backend === 'wasm' ? 'WebAssembly' : 'JavaScript'} on the CPU device` : undefined}>{l.backend ? `${l.device} · ${l.backend}` : l.device}</span>
                <span>{formatMs(l.kernelMs)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
