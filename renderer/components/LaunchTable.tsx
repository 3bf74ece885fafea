import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { formatMs } from '../lib/format.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

const ROW_H = 26;
const BODY_H = 300;
const OVERSCAN = 12;
/** More than the rows ever rendered at once (body height / ROW_H + 2 × OVERSCAN). */
const SLOTS = 256;
const COLUMNS = ['#', 'Kernel', 'Kind', 'PTX hash', 'Grid x·y·z', 'Block x·y·z', 'Threads', 'Shared B', 'Device', 'Duration'];

/**
 * Virtualized by arithmetic: rows have one fixed height, so the visible ones are
 * `scrollTop / ROW_H` onwards and nothing is measured — the cost of a render is the rows on
 * screen, whether the run has 10 launches or 100,000 (a measuring virtualizer re-measures every
 * row each time the count grows, 10 times a second while a run streams).
 *
 * Following the newest launch while a run streams is not scrolling: the body shows its last rows,
 * placed from its bottom, in a box that does not scroll. Writing `scrollTop` 4 times a second
 * forced a layout of the page inside React's commit and fired a scroll event that rendered the
 * table again (the largest cost of a streaming frame, bench/workbench-profile.ts). The person
 * leaves following with the wheel or ArrowUp/PageUp/Home (the body then scrolls natively, from
 * where the rows were), and comes back with End or by scrolling to the bottom. When the run is
 * over the body scrolls natively, at its bottom while following.
 */
export function LaunchTable() {
  useWorkbench((s) => s.launchVersion);
  const items = useWorkbench((s) => s.launches.items);
  const selected = useWorkbench((s) => s.selectedSeq);
  const running = useWorkbench((s) => s.activeRunId !== undefined);
  const parent = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(BODY_H);
  // Another run's launches (a new run, a past one reopened): follow its newest again.
  const [shownItems, setShownItems] = useState(items);
  if (shownItems !== items) {
    setShownItems(items);
    setFollow(true);
    setScrollTop(0);
  }

  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || BODY_H));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const total = items.length * ROW_H;
  const bottom = Math.max(0, total - height);
  /** The newest rows in a box that does not scroll (see above). */
  const tail = follow && running;
  const top = follow ? bottom : Math.min(scrollTop, bottom);
  // Native scrolling while following (the run is over, or it ended while followed): the body is
  // put at its bottom once per change of it. And where following stops, the body is put where
  // the rows were (`jumpTo`): one write per action of the person, none per batch.
  const scrolledTo = useRef(-1);
  const jumpTo = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const el = parent.current;
    if (!el || tail) return;
    if (jumpTo.current !== undefined) {
      el.scrollTop = jumpTo.current;
      jumpTo.current = undefined;
      return;
    }
    if (!follow || scrolledTo.current === bottom) return;
    scrolledTo.current = bottom;
    el.scrollTop = bottom;
  });
  const leaveTail = (target: number) => {
    const to = Math.max(0, Math.min(bottom, target));
    jumpTo.current = to;
    scrolledTo.current = -1;
    setScrollTop(to);
    setFollow(false);
  };
  // The wheel is listened to natively (React's wheel listener is passive): in the tail box a wheel
  // up stops following instead of scrolling the page behind it.
  const onWheel = useRef<(e: WheelEvent) => void>(() => undefined);
  onWheel.current = (e) => {
    if (!tail || e.deltaY >= 0) return;
    e.preventDefault();
    leaveTail(bottom + e.deltaY * (e.deltaMode === 1 ? ROW_H : e.deltaMode === 2 ? height : 1));
  };
  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const listener = (e: WheelEvent) => onWheel.current(e);
    el.addEventListener('wheel', listener, { passive: false });
    return () => el.removeEventListener('wheel', listener);
  }, []);
  const onKeyDown = (e: ReactKeyboardEvent) => {
    if (e.key === 'End') {
      scrolledTo.current = -1;
      setFollow(true);
      return;
    }
    if (!tail) return; // natively scrolled
    const to = e.key === 'ArrowUp' ? bottom - ROW_H : e.key === 'PageUp' ? bottom - height : e.key === 'Home' ? 0 : undefined;
    if (to === undefined) return;
    // Not also the browser's own (smooth) keyboard scroll, which would land after the jump.
    e.preventDefault();
    leaveTail(to);
  };

  // Rows beyond the edges are there for native scrolling; the tail box does not scroll.
  const overscan = tail ? 0 : OVERSCAN;
  const first = Math.max(0, Math.floor(top / ROW_H) - overscan);
  const last = Math.min(items.length, Math.ceil((top + height) / ROW_H) + overscan);
  // In the tail box row positions count from its top (the box is the body's height, not the run's).
  const shift = tail ? bottom : 0;
  const rows: { index: number; key: number; start: number }[] = [];
  // Keyed by slot, not by launch: 500 more rows per batch update the same row elements' text
  // instead of removing and creating every row (consecutive indices mod SLOTS are distinct).
  for (let i = first; i < last; i++) rows.push({ index: i, key: i % SLOTS, start: i * ROW_H - shift });

  return (
    <div className="launch-table" data-testid="launch-table" data-count={items.length}>
      <div className="lt-row lt-head">{COLUMNS.map((c) => <span key={c}>{c}</span>)}</div>
      <div
        className={tail ? 'lt-body following' : 'lt-body'}
        ref={parent}
        tabIndex={0}
        data-testid="launch-table-body"
        data-following={follow ? 'true' : 'false'}
        aria-label="Launches: the newest are followed while a run streams; the wheel or ArrowUp stops following, End resumes"
        onKeyDown={onKeyDown}
        onScroll={(e) => {
          if (tail) return;
          const el = e.currentTarget;
          // At the bottom (to a pixel): follow again, also while the run streams.
          const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
          if (atBottom !== follow) setFollow(atBottom);
          if (!atBottom) scrolledTo.current = -1;
          setScrollTop(el.scrollTop);
        }}
      >
        <div style={{ height: tail ? height : total, position: 'relative' }}>
          {rows.map((row) => {
            const l = items[row.index]!;
            const threads = l.grid[0] * l.grid[1] * l.grid[2] * l.block[0] * l.block[1] * l.block[2];
            return (
              <div
                key={row.key}
                className={`lt-row${row.index % 2 ? ' odd' : ''}${selected === l.seq ? ' selected' : ''}${l.error ? ' failed' : ''}`}
                style={{ position: 'absolute', top: 0, transform: `translateY(${row.start}px)`, height: ROW_H }}
                onClick={() => getWorkbenchStore().getState().selectLaunch(l.seq)}
                data-testid="launch-row"
                data-origin={l.origin ?? 'wasi-cuda'}
                data-fault={l.error ? 'true' : undefined}
                title={l.error ? `${l.error.code}: ${l.error.message}` : l.args}
              >
                <span>{l.seq}</span>
                <span className="mono">{l.kernel}</span>
                <span data-testid="launch-kind" className={l.origin === 'offload' ? 'kind-offload' : undefined} title={l.origin === 'offload' ? `generated by auto-offload for loop ${l.loopId}` : 'wasi_cuda_launch from the guest'}>
                  {l.error ? <b className="fault-mark">fault · </b> : null}
                  {l.origin === 'offload' ? `offload · ${l.loopId}` : 'wasi:cuda'}
                </span>
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
