/**
 * Collects what arrives between two deliveries and hands it over at once, at a frame: however
 * many event batches the stream delivers, the store (and React) update once per delivery, and
 * while events keep coming at most once per `minIntervalMs` (10,000 launches a second shown 4
 * times a second, not 20). The first events after a quiet spell go at the next frame. When frames
 * do not come (a hidden window), a timer delivers instead, so nothing waits forever.
 */
export interface FrameScheduler {
  requestFrame(cb: () => void): void;
  setTimer(cb: () => void, ms: number): void;
  now(): number;
}

export interface FrameBatcherOptions {
  /** How long a delivery may wait for a frame before a timer makes it. */
  maxWaitMs?: number;
  /** The least time between two deliveries. */
  minIntervalMs?: number;
}

export function createFrameBatcher<T>(deliver: (items: T[]) => void, scheduler: FrameScheduler, options: FrameBatcherOptions = {}): (items: readonly T[]) => void {
  const maxWaitMs = options.maxWaitMs ?? 100;
  const minIntervalMs = options.minIntervalMs ?? 0;
  let pending: T[] = [];
  let scheduled = false;
  let armed = false;
  let last = -Infinity;
  const flush = () => {
    if (!armed) return;
    armed = false;
    scheduled = false;
    last = scheduler.now();
    const items = pending;
    pending = [];
    if (items.length) deliver(items);
  };
  const arm = () => {
    armed = true;
    scheduler.requestFrame(flush);
    scheduler.setTimer(flush, maxWaitMs);
  };
  return (items) => {
    for (const item of items) pending.push(item);
    if (scheduled) return;
    scheduled = true;
    const wait = last + minIntervalMs - scheduler.now();
    if (wait <= 0) arm();
    else scheduler.setTimer(arm, wait);
  };
}
