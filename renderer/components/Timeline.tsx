import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type WheelEvent } from 'react';
import { alignRuns, buildTracks, fitView, recordInput, formatTick, panBy, rulerStep, timeExtent, visibleRects, zoomAt, type DrawRect, type SliceKind, type Track, type View } from '../lib/timeline-model.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';
import { useTheme } from './theme.js';

const LABEL_W = 170;
const RULER_H = 26;
const ROW_H = 30;
const COLORS: Record<SliceKind, string> = {
  invocation: '#64748b',
  'launch-call': '#0ea5e9',
  sync: '#a855f7',
  kernel: '#3b82f6',
  'offload-kernel': '#14b8a6',
  fault: '#dc2626',
  dispatch: '#14b8a6',
  fallback: '#f59e0b',
  stdout: '#84cc16',
};

/**
 * The run as Nsight Systems / Perfetto show one: tracks for the invocation, the guest's wasi:cuda
 * host calls, each device's kernels, offload dispatches and fallbacks, and stdout marks; flow
 * arrows from a launch call to its kernel; a ruler with time units. Mouse wheel zooms about the
 * cursor, drag pans, W/S zoom and A/D pan (as in Perfetto), F fits, Z zooms to the selected launch; a click selects a launch.
 * Drawn on a canvas with level of detail, so 100,000 slices stay smooth; live while a run streams.
 */
export function Timeline() {
  const version = useWorkbench((s) => s.launchVersion);
  const items = useWorkbench((s) => s.launches.items);
  const index = useWorkbench((s) => s.runIndex);
  const selected = useWorkbench((s) => s.selectedSeq);
  const runB = useWorkbench((s) => s.timelineB);
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  const [view, setView] = useState<View | undefined>(undefined);
  const follow = useRef(true);
  const drag = useRef<{ x: number; moved: boolean } | undefined>(undefined);
  const drawn = useRef<{ track: Track; rects: DrawRect[] }[]>([]);
  const theme = useTheme();
  /** The theme's colours, read from CSS once per theme (getComputedStyle on every frame forces a style pass). */
  const palette = useRef<{ theme: string; fg: string; muted: string; border: string; alt: string } | undefined>(undefined);

  // The store keeps the tracks up to date as events arrive (and across screen switches): reading
  // them costs the number of tracks. The index is mutated in place; version says when.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const tracksA = useMemo(() => index.tracks(), [index, version]);
  const extentA = index.extent();
  const startA = tracksA.find((t) => t.id === 'invocation')?.slices[0]?.start ?? extentA.start;
  // Run B (a past run: it does not grow) is built and shifted once, not on every batch of A.
  const tracksB = useMemo(() => (runB ? buildTracks(recordInput(runB)) : undefined), [runB]);
  const alignedB = useMemo(() => (tracksB ? alignRuns([{ id: 'invocation', label: '', slices: [{ start: startA, end: startA, label: '', kind: 'invocation' }] }], tracksB).slice(1) : undefined), [tracksB, startA]);
  const extentB = useMemo(() => (alignedB ? timeExtent(alignedB) : undefined), [alignedB]);
  const tracks = useMemo(() => (alignedB ? [...tracksA.map((t) => ({ ...t, label: `A · ${t.label}` })), ...alignedB] : tracksA), [tracksA, alignedB]);
  const extent = extentB ? { start: Math.min(extentA.start, extentB.start), end: Math.max(extentA.end, extentB.end) } : extentA;
  const plotW = Math.max(100, width - LABEL_W);
  // Until the person zooms or pans, the view follows the run as it grows.
  const shown = view && !follow.current ? view : fitView(extent, plotW);
  const height = RULER_H + tracks.length * ROW_H + 4;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    // Resizing a canvas reallocates it: only when the size changed, not on every pan or zoom.
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // The page's theme attribute is set by App's effect, after this one: until it matches, do not keep what was read.
    const key = document.documentElement.dataset.theme === theme ? theme : '';
    if (!key || palette.current?.theme !== key) {
      const styles = getComputedStyle(c);
      palette.current = {
        theme: key,
        fg: styles.getPropertyValue('--fg').trim() || '#111',
        muted: styles.getPropertyValue('--muted').trim() || '#666',
        border: styles.getPropertyValue('--border').trim() || '#ddd',
        alt: styles.getPropertyValue('--row-alt').trim() || '#f4f4f4',
      };
    }
    const { fg, muted, border, alt } = palette.current;
    ctx.clearRect(0, 0, width, height);
    ctx.font = '12px system-ui, sans-serif';
    // ruler
    const step = rulerStep(shown.msPerPx);
    const first = Math.ceil((shown.t0 - extent.start) / step) * step;
    ctx.fillStyle = muted;
    ctx.strokeStyle = border;
    for (let rel = first; ; rel += step) {
      const x = LABEL_W + (extent.start + rel - shown.t0) / shown.msPerPx;
      if (x > width) break;
      ctx.fillText(formatTick(rel, step), x + 3, 14);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, 18);
      ctx.lineTo(x + 0.5, height);
      ctx.stroke();
    }
    drawn.current = [];
    const rowOf = new Map<string, number>();
    tracks.forEach((track, i) => {
      const y = RULER_H + i * ROW_H;
      rowOf.set(track.id, y);
      if (i % 2 === 1) {
        ctx.fillStyle = alt;
        ctx.fillRect(0, y, width, ROW_H);
      }
      const rects = visibleRects(track.slices, shown, plotW);
      drawn.current.push({ track, rects });
      ctx.save();
      ctx.beginPath();
      ctx.rect(LABEL_W, y, plotW, ROW_H);
      ctx.clip();
      for (const r of rects) {
        const x = LABEL_W + r.x;
        const instant = r.slice && r.slice.end === r.slice.start;
        ctx.fillStyle = COLORS[r.kind];
        if (instant) {
          ctx.beginPath();
          ctx.moveTo(x, y + 6);
          ctx.lineTo(x + 5, y + ROW_H / 2);
          ctx.lineTo(x, y + ROW_H - 6);
          ctx.lineTo(x - 5, y + ROW_H / 2);
          ctx.fill();
          continue;
        }
        ctx.globalAlpha = r.count > 1 ? 0.6 : 1;
        ctx.fillRect(x, y + 5, Math.max(1, r.w), ROW_H - 10);
        ctx.globalAlpha = 1;
        if (r.slice?.seq !== undefined && r.slice.seq === selected) {
          ctx.strokeStyle = fg;
          ctx.lineWidth = 2;
          ctx.strokeRect(x, y + 4, Math.max(2, r.w), ROW_H - 8);
          ctx.lineWidth = 1;
        }
        if (r.w > 40 && r.slice) {
          ctx.fillStyle = '#fff';
          ctx.fillText(r.slice.label.slice(0, Math.floor(r.w / 7)), x + 4, y + ROW_H / 2 + 4);
        }
      }
      ctx.restore();
      ctx.fillStyle = fg;
      ctx.fillText(track.label.slice(0, 26), 8, y + ROW_H / 2 + 4);
      if (tracksB && track.id.startsWith('B/') && !tracks[i - 1]?.id.startsWith('B/')) {
        // the line between run A's tracks and run B's
        ctx.strokeStyle = fg;
        ctx.beginPath();
        ctx.moveTo(0, y + 0.5);
        ctx.lineTo(width, y + 0.5);
        ctx.stroke();
      }
    });
    // flow arrows: launch call (host) → its kernel (device), for the selected launch or, when few, every visible one
    const host = drawn.current.find((d) => d.track.id === 'host');
    const hostY = rowOf.get('host');
    if (host && hostY !== undefined) {
      const calls = host.rects.filter((r) => r.slice?.kind === 'launch-call');
      const showAll = calls.length <= 200;
      for (const d of drawn.current) {
        if (!d.track.id.startsWith('device:')) continue;
        const y = rowOf.get(d.track.id)!;
        for (const r of d.rects) {
          const seq = r.slice?.seq;
          if (seq === undefined || (!showAll && seq !== selected)) continue;
          const call = calls.find((c) => c.slice?.seq === seq);
          if (!call) continue;
          const x1 = LABEL_W + call.x;
          const x2 = LABEL_W + r.x;
          ctx.strokeStyle = seq === selected ? fg : muted;
          ctx.beginPath();
          ctx.moveTo(x1, hostY + ROW_H - 5);
          ctx.bezierCurveTo(x1, hostY + ROW_H + 8, x2, y - 8, x2, y + 5);
          ctx.stroke();
          ctx.beginPath();
          ctx.moveTo(x2 - 3, y);
          ctx.lineTo(x2, y + 5);
          ctx.lineTo(x2 + 3, y);
          ctx.stroke();
        }
      }
    }
    c.dataset.drawn = String(drawn.current.reduce((n, d) => n + d.rects.length, 0));
  });

  const update = (next: View) => {
    follow.current = false;
    setView(next);
  };
  const onWheel = (e: WheelEvent) => {
    const x = e.nativeEvent.offsetX - LABEL_W;
    if (x < 0) return;
    update(zoomAt(shown, x, Math.exp(-e.deltaY * 0.002)));
  };
  const onKey = (e: KeyboardEvent) => {
    const k = e.key.toLowerCase();
    if (k === 'w') update(zoomAt(shown, plotW / 2, 1.25));
    else if (k === 's') update(zoomAt(shown, plotW / 2, 0.8));
    else if (k === 'a') update(panBy(shown, -plotW * 0.1));
    else if (k === 'd') update(panBy(shown, plotW * 0.1));
    else if (k === 'z') {
      // zoom to the selected launch with some context on both sides (else to all launches)
      const l = items.find((x) => x.seq === selected);
      const span = l ? { start: l.startMs, end: l.endMs } : items.length ? { start: items[0]!.startMs, end: items[items.length - 1]!.endMs } : extent;
      const pad = Math.max((span.end - span.start) * 4, 0.05);
      update(fitView({ start: span.start - pad, end: span.end + pad }, plotW));
    } else if (k === 'f') {
      follow.current = true;
      setView(undefined);
    } else return;
    e.preventDefault();
  };
  const onMouseDown = (e: MouseEvent) => {
    drag.current = { x: e.clientX, moved: false };
  };
  const onMouseMove = (e: MouseEvent) => {
    const d = drag.current;
    if (!d || e.buttons !== 1) return;
    const dx = e.clientX - d.x;
    if (Math.abs(dx) < 2 && !d.moved) return;
    d.moved = true;
    d.x = e.clientX;
    update(panBy(shown, -dx));
  };
  const onMouseUp = (e: MouseEvent) => {
    const d = drag.current;
    drag.current = undefined;
    if (d?.moved) return;
    const rect = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    const x = e.clientX - rect.left - LABEL_W;
    const row = Math.floor((e.clientY - rect.top - RULER_H) / ROW_H);
    const hit = drawn.current[row]?.rects.find((r) => x >= r.x - 3 && x <= r.x + Math.max(r.w, 3) + 3);
    if (hit?.slice?.seq !== undefined) getWorkbenchStore().getState().selectLaunch(hit.slice.seq);
  };

  const total = tracks.reduce((n, t) => n + t.slices.length, 0);
  return (
    <div className="timeline" ref={box} data-testid="timeline" data-tracks={tracks.map((t) => t.id).join('|')} data-slices={total} data-view={`${shown.t0},${shown.msPerPx}`} data-selected={selected ?? ''}>
      {total === 0 ? <p className="hint">No events yet: run an export (the timeline fills live), or open a past run from Runs.</p> : null}
      <canvas ref={canvas} tabIndex={0} className="timeline-canvas" data-testid="timeline-canvas" onWheel={onWheel} onKeyDown={onKey} onMouseDown={onMouseDown} onMouseMove={onMouseMove} onMouseUp={onMouseUp} aria-label="Timeline: W/S zoom, A/D pan, F fit, Z zoom to selection, wheel zooms, drag pans, click selects a launch" />
    </div>
  );
}
