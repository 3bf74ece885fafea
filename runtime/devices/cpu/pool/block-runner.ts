/**
 * The loop every thread of a pooled launch runs — the calling thread and each pool worker alike:
 * claim the next chunk of blocks from a shared counter (work-stealing: a thread that finishes early
 * takes more), run it with the kernel's `run(first, end, …)`, count it done. A trap stops the
 * thread and lowers the launch's block limit to the start of its chunk, so the other threads claim
 * no chunk after it but finish every chunk before it: the lowest faulting block of the grid is
 * always found and reported, as running the blocks in order would (the fault record names it).
 *
 * This file imports nothing, so a worker loads it in no time.
 */

/** Words of the launch's control array (an Int32Array over a SharedArrayBuffer). */
export const CTL = {
  /** The next unclaimed block. */
  next: 0,
  /** Blocks at or after this are not started (the start of the lowest chunk that trapped; total at first). */
  limit: 1,
  /** Blocks finished, for progress. */
  done: 2,
  /** Pool workers that have finished their part (the caller waits for all). */
  finished: 3,
  /** Per thread of the launch (0 = the caller), THREAD_WORDS words from here. */
  threads: 4,
} as const;

export const THREAD_WORDS = 5;

/**
 * The windows a thread may have written: its kernel instance's written-windows mask (bit
 * min(i, 63) for window i: wasm/emit-memory.ts markWritten), in the thread's fourth and fifth
 * words. A thread stores ALL_WINDOWS as it starts and its instance's mask once its blocks are
 * done (trapped or not), so a thread that stopped in between counts as having written them all.
 */
export const ALL_WINDOWS = (1n << 64n) - 1n;

export function storeWritten(ctl: Int32Array, slot: number, mask: bigint): void {
  const word = CTL.threads + THREAD_WORDS * slot + 3;
  Atomics.store(ctl, word, Number(BigInt.asIntN(32, mask)));
  Atomics.store(ctl, word + 1, Number(BigInt.asIntN(32, mask >> 32n)));
}

export function writtenOf(ctl: Int32Array, slot: number): bigint {
  const word = CTL.threads + THREAD_WORDS * slot + 3;
  return BigInt(Atomics.load(ctl, word) >>> 0) | (BigInt(Atomics.load(ctl, word + 1) >>> 0) << 32n);
}

/**
 * A thread's state (its first word): posted (a worker has not picked the task up yet), started,
 * then its outcome; skipped: the caller found no block left before the worker started, and took
 * the task back (the worker then leaves it alone). The second word holds the start of the chunk
 * that stopped the thread, the third how many blocks it ran, the fourth and fifth the windows it
 * may have written (storeWritten).
 */
export const OUTCOME = { posted: 0, ok: 1, trapped: 2, error: 3, died: 4, started: 5, skipped: 6 } as const;

export function controlWords(threads: number): number {
  return CTL.threads + THREAD_WORDS * threads;
}

type Run = (first: number, end: number, ...rest: (number | bigint)[]) => void;

/**
 * Runs chunks until none is left; returns the error a trap or failure threw (undefined when the
 * thread ran to the end). `rest` are run's arguments after the block range.
 */
export function runChunks(run: Run, rest: (number | bigint)[], ctl: Int32Array, slot: number, total: number, chunk: number, afterChunk?: () => void): unknown {
  const word = CTL.threads + THREAD_WORDS * slot;
  for (;;) {
    const start = Atomics.add(ctl, CTL.next, chunk);
    if (start >= total || start >= Atomics.load(ctl, CTL.limit)) break;
    const end = Math.min(total, start + chunk);
    try {
      run(start, end, ...rest);
      ctl[word + 2]! += end - start;
    } catch (error) {
      lowerLimit(ctl, start);
      ctl[word + 1] = start;
      Atomics.store(ctl, word, error instanceof WebAssembly.RuntimeError ? OUTCOME.trapped : OUTCOME.error);
      return error;
    }
    Atomics.add(ctl, CTL.done, end - start);
    afterChunk?.();
  }
  Atomics.store(ctl, word, OUTCOME.ok);
  return undefined;
}

function lowerLimit(ctl: Int32Array, start: number): void {
  for (;;) {
    const now = Atomics.load(ctl, CTL.limit);
    if (now <= start || Atomics.compareExchange(ctl, CTL.limit, now, start) === now) return;
  }
}
