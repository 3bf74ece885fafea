/**
 * One kernel's duration statistics kept as launches arrive, so a live run's per-kernel summary
 * costs O(kernels) to read instead of passes over every launch: count, total, min, max, the
 * variance by Welford's update, and the exact median from two heaps (the lower half in a max-heap,
 * the upper half in a min-heap). Reading the summary by selection over 100,000 durations twice a
 * second was a 10-20 ms piece of a streaming frame (bench/workbench-profile.ts). Pure: no DOM.
 */

/** A binary heap of doubles in a growable Float64Array; `sign` 1 keeps the least on top, -1 the greatest. */
class Heap {
  private a = new Float64Array(16);
  size = 0;
  constructor(private readonly sign: 1 | -1) {}

  top(): number {
    return this.a[0]!;
  }

  push(v: number): void {
    if (this.size === this.a.length) {
      const bigger = new Float64Array(this.a.length * 2);
      bigger.set(this.a);
      this.a = bigger;
    }
    const a = this.a;
    const s = this.sign;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (s * a[parent]! <= s * v) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = v;
  }

  /** Removes the top and returns it. */
  pop(): number {
    const a = this.a;
    const s = this.sign;
    const out = a[0]!;
    const v = a[--this.size]!;
    const n = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && s * a[child + 1]! < s * a[child]!) child++;
      if (s * v <= s * a[child]!) break;
      a[i] = a[child]!;
      i = child;
    }
    if (n > 0) a[i] = v;
    return out;
  }
}

export class RunningStats {
  count = 0;
  total = 0;
  min = Infinity;
  max = -Infinity;
  private mean = 0;
  private m2 = 0;
  /** The lower half (its greatest on top); it holds the extra value when the count is odd. */
  private readonly lower = new Heap(-1);
  /** The upper half (its least on top). */
  private readonly upper = new Heap(1);

  add(v: number): void {
    this.count++;
    this.total += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const delta = v - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (v - this.mean);
    if (this.lower.size === 0 || v <= this.lower.top()) this.lower.push(v);
    else this.upper.push(v);
    if (this.lower.size > this.upper.size + 1) this.upper.push(this.lower.pop());
    else if (this.upper.size > this.lower.size) this.lower.push(this.upper.pop());
  }

  /** The arithmetic mean as total / count (the summary's reference divides the sum too). */
  meanValue(): number {
    return this.total / this.count;
  }

  /** The sample variance (n - 1), 0 for one value. */
  variance(): number {
    return this.count > 1 ? this.m2 / (this.count - 1) : 0;
  }

  /** As contract/run-stats.ts's `quantile(sorted, 0.5)`: the two middle values interpolated; NaN when empty. */
  median(): number {
    if (this.count === 0) return NaN;
    const low = this.lower.top();
    if (this.count % 2 === 1) return low;
    const high = this.upper.top();
    return low + (high - low) * 0.5;
  }
}
