/**
 * When an idle instance worker spins for its next call instead of sleeping (instance-worker.ts has
 * the why). Pure bookkeeping over performance.now() readings, so the rules are testable on their own:
 * - spin after a call only if it came within the window after the worker last went idle (a spin
 *   would have caught it: calls are coming one after another) — so a worker whose calls are sparse
 *   spends at most one window per burst;
 * - a spin lasts the window from the last finished call, no longer;
 * - a spin that finds it lost its core (two polls further apart than `preemptedMs`) stops, and the
 *   worker does not spin again for QUIET_MS: the cores are contended, and spinning only delays the
 *   threads that want them (the main thread among them).
 */

/** How long the worker does not spin after it found itself descheduled while spinning. */
export const QUIET_MS = 50;
/** Polls further apart than this mean the spinning thread was descheduled (default, µs). */
export const PREEMPTED_US = 100;

export class SpinPolicy {
  private readonly windowMs: number;
  private readonly preemptedMs: number;
  /** When the worker last finished its calls and went to sleep (or began to spin). */
  private idleSince = -Infinity;
  private quietUntil = -Infinity;

  constructor(windowUs: number, preemptedUs = PREEMPTED_US) {
    this.windowMs = windowUs / 1000;
    this.preemptedMs = preemptedUs / 1000;
  }

  /** A call reached the sleeping worker at `now`: spin once it is done? */
  spinAfterCallAt(now: number): boolean {
    return this.windowMs > 0 && now - this.idleSince <= this.windowMs && now >= this.quietUntil;
  }

  /** The worker finished its calls at `at` and sleeps now. */
  sleptAt(at: number): void {
    this.idleSince = at;
  }

  /** Spinning: polled at `now`, previously at `last`, the last call finished at `since`. Go on? */
  keepSpinning(now: number, last: number, since: number): boolean {
    if (now - last > this.preemptedMs) {
      this.quietUntil = now + QUIET_MS;
      return false;
    }
    return now - since < this.windowMs;
  }
}
