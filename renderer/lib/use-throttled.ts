import { useEffect, useState } from 'react';

/**
 * After the last change, how much longer than `ms` the trailing update waits: the render that
 * brings the next change (every 250 ms while a run streams) shows it instead, in the same frame.
 */
const TRAILING_SLACK_MS = 300;

/**
 * `value`, but changing at most once per `ms` while it keeps changing; the last change always
 * arrives (a trailing update). For views whose cost grows with the run (per-kernel summary,
 * sanitizer list, counts over every launch): while 10,000 launches a second stream in, they
 * refresh a few times a second instead of on every batch, and show the final state when it ends.
 *
 * The throttled value changes in the render that brought the change (state set while rendering:
 * React renders the component again at once, before committing), not from a timer: a timer's
 * update was a render, layout and paint of its own, out of step with the store's, and each such
 * pass could cost a streaming frame its deadline (bench/workbench-profile.ts SCEN=misses).
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [state, setState] = useState(() => ({ shown: value, at: -Infinity }));
  let current = state;
  if (!Object.is(value, state.shown)) {
    const now = performance.now();
    if (now - state.at >= ms) {
      current = { shown: value, at: now };
      setState(current);
    }
  }
  const { shown, at } = current;
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const timer = setTimeout(() => setState({ shown: value, at: performance.now() }), Math.max(0, at + ms - performance.now()) + TRAILING_SLACK_MS);
    return () => clearTimeout(timer);
  }, [value, shown, at, ms]);
  return shown;
}
