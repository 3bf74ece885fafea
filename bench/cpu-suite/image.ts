/**
 * A bench kernel's guest memory image: typed regions laid out one after another (256-byte
 * aligned), filled from a seeded generator, so the CPU device and the native C get the same bytes.
 */
export type ElementType = 'u8' | 'u32' | 'i32' | 'f32' | 'f64' | 'u64';

export interface Region {
  readonly offset: number;
  readonly count: number;
  readonly type: ElementType;
  readonly bytes: number;
}

const SIZE: Record<ElementType, number> = { u8: 1, u32: 4, i32: 4, f32: 4, f64: 8, u64: 8 };

type View = Uint8Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigUint64Array;

/** A typed view of a region over an image's buffer. */
export function view(image: Uint8Array, r: Region): View {
  const at = image.byteOffset + r.offset;
  switch (r.type) {
    case 'u8': return new Uint8Array(image.buffer, at, r.count);
    case 'u32': return new Uint32Array(image.buffer, at, r.count);
    case 'i32': return new Int32Array(image.buffer, at, r.count);
    case 'f32': return new Float32Array(image.buffer, at, r.count);
    case 'f64': return new Float64Array(image.buffer, at, r.count);
    case 'u64': return new BigUint64Array(image.buffer, at, r.count);
  }
}

export class ImageBuilder {
  private size = 0;
  private fills: { region: Region; fill: (i: number) => number }[] = [];

  /** Reserves `count` elements; `fill(i)` gives element i's value (zero when absent). */
  region(type: ElementType, count: number, fill?: (i: number) => number): Region {
    const offset = this.size;
    const region = { offset, count, type, bytes: count * SIZE[type] };
    this.size = offset + Math.ceil(region.bytes / 256) * 256;
    if (fill) this.fills.push({ region, fill });
    return region;
  }

  build(): Uint8Array {
    const image = new Uint8Array(this.size + 256);
    for (const { region, fill } of this.fills) {
      const v = view(image, region);
      if (v instanceof BigUint64Array) for (let i = 0; i < region.count; i++) v[i] = BigInt(fill(i));
      else for (let i = 0; i < region.count; i++) v[i] = fill(i);
    }
    return image;
  }
}

/** xorshift32 from a seed: the inputs' source of variety (any fixed sequence would do). */
export function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Uniform floats in [lo, hi), exactly representable in f32. */
export function uniform(seed: number, lo: number, hi: number): (i: number) => number {
  const next = random(seed);
  return () => Math.fround(lo + ((next() >>> 8) / 2 ** 24) * (hi - lo));
}
