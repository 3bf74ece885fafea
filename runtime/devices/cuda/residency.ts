/**
 * Which guest-memory ranges live on the device between launches, and where.
 *
 * Strategy (docs/CUDA-DEVICE.md): a pointer window is copied host→device the first time a launch
 * uses it after a sync; until the next sync the device copy is the truth, so later launches that
 * use the same bytes (a kernel chain) neither copy again nor allocate again. Overlapping windows
 * share one device region, so two views of the same bytes never diverge. `flush` (at sync) copies
 * every region back into guest memory and parks its buffer in a small pool that the next epoch
 * reuses; everything is freed at dispose.
 */

/** The device-memory primitives the residency needs (the addon's context, or a fake in tests). */
export interface DeviceMemoryOps {
  alloc(bytes: number): number;
  free(pointer: number): void;
  copyHtoD(pointer: number, memory: Uint8Array, offset: number, length: number): void;
  copyDtoH(pointer: number, memory: Uint8Array, offset: number, length: number): void;
  copyDtoD(dst: number, src: number, length: number): void;
}

interface Region {
  /** Guest byte range [start, end). */
  start: number;
  end: number;
  pointer: number;
  /** Bytes allocated (≥ end - start when the buffer came from the pool). */
  capacity: number;
}

interface Pooled {
  pointer: number;
  capacity: number;
}

export interface ResidencyStats {
  regions: number;
  residentBytes: number;
  pooledBuffers: number;
  pooledBytes: number;
  hostToDeviceBytes: number;
  deviceToHostBytes: number;
}

/** Pooled buffers above this many bytes in total are freed at sync (largest first). */
export const DEFAULT_POOL_LIMIT_BYTES = 256 * 1024 * 1024;

export class Residency {
  private regions: Region[] = [];
  private pool: Pooled[] = [];
  private htodBytes = 0;
  private dtohBytes = 0;

  constructor(
    private readonly ops: DeviceMemoryOps,
    private readonly poolLimitBytes = DEFAULT_POOL_LIMIT_BYTES,
  ) {}

  /**
   * The device address of guest bytes [offset, offset+length), making them resident first.
   * A zero-length window is the null pointer: there is nothing a kernel may read there.
   */
  place(offset: number, length: number, memory: Uint8Array): number {
    if (length === 0) return 0;
    const end = offset + length;
    const overlapping = this.regions.filter((r) => r.start < end && offset < r.end);
    const only = overlapping[0];
    if (overlapping.length === 1 && only && only.start <= offset && end <= only.end) {
      return only.pointer + (offset - only.start);
    }
    // A new region covering the window and every region it touches: device bytes win where a
    // region already holds them, host bytes fill the gaps.
    const start = Math.min(offset, ...overlapping.map((r) => r.start));
    const stop = Math.max(end, ...overlapping.map((r) => r.end));
    const buffer = this.acquire(stop - start);
    try {
      let cursor = start;
      for (const r of overlapping.sort((a, b) => a.start - b.start)) {
        if (r.start > cursor) this.upload(buffer.pointer + (cursor - start), memory, cursor, r.start - cursor);
        this.ops.copyDtoD(buffer.pointer + (r.start - start), r.pointer, r.end - r.start);
        cursor = r.end;
      }
      if (stop > cursor) this.upload(buffer.pointer + (cursor - start), memory, cursor, stop - cursor);
    } catch (error) {
      this.pool.push(buffer);
      throw error;
    }
    for (const r of overlapping) this.pool.push({ pointer: r.pointer, capacity: r.capacity });
    this.regions = this.regions.filter((r) => !overlapping.includes(r));
    this.regions.push({ start, end: stop, pointer: buffer.pointer, capacity: buffer.capacity });
    return buffer.pointer + (offset - start);
  }

  /** Copies every resident region back into guest memory, then parks the buffers. */
  flush(memory: Uint8Array): void {
    try {
      for (const r of this.regions) {
        this.ops.copyDtoH(r.pointer, memory, r.start, r.end - r.start);
        this.dtohBytes += r.end - r.start;
      }
    } finally {
      this.discard();
    }
  }

  /** Forgets the resident regions without copying (after a failed sync). */
  discard(): void {
    for (const r of this.regions) this.pool.push({ pointer: r.pointer, capacity: r.capacity });
    this.regions = [];
    this.trimPool();
  }

  /** Frees every buffer, resident or pooled. Returns the failures instead of stopping at the first. */
  dispose(): string[] {
    const failures: string[] = [];
    for (const b of [...this.regions, ...this.pool]) {
      try {
        this.ops.free(b.pointer);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    this.regions = [];
    this.pool = [];
    return failures;
  }

  stats(): ResidencyStats {
    return {
      regions: this.regions.length,
      residentBytes: this.regions.reduce((n, r) => n + (r.end - r.start), 0),
      pooledBuffers: this.pool.length,
      pooledBytes: this.pool.reduce((n, b) => n + b.capacity, 0),
      hostToDeviceBytes: this.htodBytes,
      deviceToHostBytes: this.dtohBytes,
    };
  }

  private upload(pointer: number, memory: Uint8Array, offset: number, length: number): void {
    this.ops.copyHtoD(pointer, memory, offset, length);
    this.htodBytes += length;
  }

  /** The smallest pooled buffer that fits without wasting more than half of it, else a new one. */
  private acquire(bytes: number): Pooled {
    let best = -1;
    this.pool.forEach((b, i) => {
      if (b.capacity >= bytes && b.capacity <= bytes * 2 && (best < 0 || b.capacity < this.pool[best]!.capacity)) best = i;
    });
    if (best >= 0) return this.pool.splice(best, 1)[0]!;
    return { pointer: this.ops.alloc(bytes), capacity: bytes };
  }

  private trimPool(): void {
    let total = this.pool.reduce((n, b) => n + b.capacity, 0);
    this.pool.sort((a, b) => a.capacity - b.capacity);
    while (total > this.poolLimitBytes && this.pool.length > 0) {
      const largest = this.pool.pop()!;
      total -= largest.capacity;
      this.ops.free(largest.pointer);
    }
  }
}
