import { useEffect, useRef, useState } from 'react';
import { formatMs } from '../lib/format.js';
import { useWorkbench } from '../store/store.js';

/** How long the elapsed time may stand still while nothing else renders this. */
const QUIET_MS = 300;

/**
 * While a run is in progress: elapsed time against the deadline, launches per second, and the
 * launch in flight (block progress that has no launch event yet). Shows the time at least every
 * QUIET_MS.
 */
export function RunProgress() {
  const running = useWorkbench((s) => s.activeRunId);
  const startedAt = useWorkbench((s) => s.runStartedAt);
  const deadline = useWorkbench((s) => s.settings?.deadlineMs);
  useWorkbench((s) => s.launchVersion);
  const items = useWorkbench((s) => s.launches.items);
  const progress = useWorkbench((s) => s.progress);
  const progressSeq = useWorkbench((s) => s.progressSeq);
  // The clock is read when rendering. While launches stream the store's updates (4 a second)
  // render this anyway; the ticker renders only when they stopped (a long kernel, a quiet guest):
  // a tick of its own was a render, layout and paint out of step with the store's, and each could
  // cost a streaming frame its deadline.
  const [, tick] = useState(0);
  const rendered = useRef(0);
  const now = Date.now();
  rendered.current = now;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (Date.now() - rendered.current >= QUIET_MS) tick((n) => n + 1);
    }, 100);
    return () => clearInterval(timer);
  }, [running]);
  if (!running || startedAt === undefined) return null;
  const elapsed = Math.max(0, now - startedAt);
  const rate = elapsed > 0 ? (items.length / elapsed) * 1000 : 0;
  const lastSeq = items.at(-1)?.seq ?? 0;
  // The newest launch with block progress but no launch event yet (tracked by the store: no scan over every launch).
  const p = progressSeq > lastSeq ? progress.get(progressSeq) : undefined;
  const inflight = p ? { seq: progressSeq, ...p } : undefined;
  return (
    <div className="run-progress" data-testid="run-progress">
      {deadline ? <progress max={deadline} value={Math.min(elapsed, deadline)} /> : null}
      <span data-testid="run-elapsed">{formatMs(elapsed)}{deadline ? ` of ${formatMs(deadline)} deadline` : ''}</span>
      <span data-testid="run-rate">· {items.length.toLocaleString()} launches ({rate >= 10 ? Math.round(rate).toLocaleString() : rate.toFixed(1)}/s)</span>
      {inflight ? <span data-testid="run-inflight">· launch #{inflight.seq} in flight: {inflight.completed.toLocaleString()} / {inflight.total.toLocaleString()} blocks</span> : null}
    </div>
  );
}
