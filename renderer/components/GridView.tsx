import { useEffect, useRef } from 'react';
import { launchFault, linearBlock } from '../../contract/launch-faults.js';
import { filledCells, gridLayout } from '../lib/grid-layout.js';
import { useWorkbench } from '../store/store.js';

/**
 * The selected (or latest) launch's blocks as cells that fill as blocks finish: sampled per-block
 * progress from the CPU device, the whole grid at once from CUDA. Drawn on a canvas (bounded
 * cost for any grid size).
 */
/** Launches are kept in seq order, numbered from 1 and mostly without gaps: look where seq says, then search. */
function launchBySeq<T extends { seq: number }>(items: readonly T[], seq: number): T | undefined {
  const guess = items[seq - 1];
  if (guess?.seq === seq) return guess;
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = items[mid]!.seq;
    if (s === seq) return items[mid];
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

export function GridView() {
  useWorkbench((s) => s.launchVersion);
  const items = useWorkbench((s) => s.launches.items);
  const progress = useWorkbench((s) => s.progress);
  const inProgressSeq = useWorkbench((s) => s.progressSeq);
  const selected = useWorkbench((s) => s.selectedSeq);
  const canvas = useRef<HTMLCanvasElement>(null);
  const palette = useRef<{ theme: string; done: string; todo: string; bad: string } | undefined>(undefined);

  // The launch event arrives when the launch ends; block-progress before it. Show the selected
  // launch, else the newest one in progress, else the newest finished.
  const seq = selected ?? Math.max(inProgressSeq, items.at(-1)?.seq ?? 0);
  const launch = launchBySeq(items, seq);
  const p = progress.get(seq);
  const grid: [number, number, number] = launch ? launch.grid : p ? [p.total, 1, 1] : [0, 1, 1];
  const layout = gridLayout(grid);
  // A faulted launch: the blocks before the faulting one finished (the CPU device runs blocks in
  // order), the faulting block is red, the rest never ran.
  const fault = launch ? launchFault(launch) : undefined;
  const faultBlock = fault?.block ? linearBlock(fault.block, grid) : fault ? 0 : undefined;
  const completed = faultBlock !== undefined ? faultBlock : launch ? layout.totalBlocks : (p?.completed ?? 0);
  const filled = filledCells(layout, completed);
  const faultCell = faultBlock !== undefined ? Math.floor(faultBlock / layout.blocksPerCell) : -1;

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const cell = Math.max(2, Math.min(18, Math.floor(560 / Math.max(layout.columns, 1))));
    c.width = layout.columns * cell;
    c.height = Math.max(1, layout.rows) * cell;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    // Colours read from CSS once per theme: getComputedStyle on every batch forced a style pass.
    const theme = document.documentElement.dataset.theme ?? '';
    if (palette.current?.theme !== theme) {
      const styles = getComputedStyle(c);
      palette.current = { theme, done: styles.getPropertyValue('--cell-done').trim() || '#3b82f6', todo: styles.getPropertyValue('--cell-todo').trim() || '#ccc', bad: styles.getPropertyValue('--err').trim() || '#dc2626' };
    }
    const { done, todo, bad } = palette.current;
    const gap = cell > 4 ? 1 : 0;
    for (let i = 0; i < layout.cells; i++) {
      ctx.fillStyle = i === faultCell ? bad : i < filled ? done : todo;
      ctx.fillRect((i % layout.columns) * cell, Math.floor(i / layout.columns) * cell, cell - gap, cell - gap);
    }
  });

  if (layout.totalBlocks === 0) return <div className="grid-view hint" data-testid="grid-view">No launch yet: invoke an export that launches kernels.</div>;
  return (
    <div className="grid-view" data-testid="grid-view" data-seq={seq} data-completed={completed} data-total={layout.totalBlocks} {...(faultBlock !== undefined ? { 'data-fault-block': faultBlock } : {})}>
      <div className="hint">
        Launch #{seq} {launch ? <b className="mono">{launch.kernel}</b> : null} · grid {grid.join('×')} · {completed.toLocaleString()} / {layout.totalBlocks.toLocaleString()} blocks
        {layout.blocksPerCell > 1 ? ` · one cell = ${layout.blocksPerCell} blocks` : ''}
        {fault ? <b className="fault-mark" data-testid="grid-fault"> · kernel fault in block {fault.block ? `(${fault.block.join(',')})` : '?'}</b> : null}
      </div>
      <canvas ref={canvas} className="grid-canvas" />
    </div>
  );
}
