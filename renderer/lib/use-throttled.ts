import { useEffect, useRef, useState } from 'react';

/**
 * `value`, but changing at most once per `ms` while it keeps changing; the last change always
 * arrives (a trailing update). For views whose cost grows with the run (per-kernel summary,
 * sanitizer list, counts over every launch): while 10,000 launches a second stream in, they
 * refresh a few times a second instead of on every batch, and show the final state when it ends.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const now = performance.now();
    const wait = last.current + ms - now;
    if (wait <= 0) {
      last.current = now;
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = performance.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}
