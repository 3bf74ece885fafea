/**
 * The CPU-device bench's kernels (issue 18, "a bench no one tuned to"): the usual CUDA teaching
 * and benchmark patterns, each compiled by nvcc (fixtures/bench-kernels/, and the first six from
 * fixtures/cuda/, the previous bench's set) with a native C version of the same algorithm in
 * bench/native/suite/. `launch('bench', scale)` is the bench's size with its problem grown about
 * `scale` times (a power of two: the bench picks it so that one launch on the CPU device takes
 * ≥ 100 ms, bench/cpu-device.bench.ts); `launch('small')` is the conformance test's size
 * (bench/cpu-suite/suite.test.ts).
 */
import { ImageBuilder, random, uniform, type Region } from './image.js';

export type Size = 'bench' | 'small';
export type Arg = { ptr: Region } | { i32: number } | { u32: number } | { f32: number };

export interface Launch {
  image: Uint8Array;
  grid: [number, number, number];
  block: [number, number, number];
  args: Arg[];
  /** Values the C needs after the kernel's own arguments (what CUDA reads from gridDim). */
  nativeExtra?: number[];
  /** Regions compared between the device and the C after one launch. */
  outputs: Region[];
}

export interface BenchKernel {
  name: string;
  /** The PTX, relative to the repository root. */
  ptx: string;
  entry: string;
  /**
   * Absent: outputs must be bit-identical. A number t: floats where the C's order of rounding
   * or its libm differs from the kernel's; each element d of the device against r of the C must
   * satisfy |d − r| ≤ t · (|r| + mean |r| over the output).
   */
  tolerance?: number;
  /** `scale` (bench size only; default 1): grow the problem about that many times (a power of two). */
  launch(size: Size, scale?: number): Launch;
}

const cdiv = (a: number, b: number): number => Math.ceil(a / b);
const MI = 1 << 20;

/** One thread per element in 256-thread blocks. */
const linear = (n: number): Pick<Launch, 'grid' | 'block'> => ({ grid: [cdiv(n, 256), 1, 1], block: [256, 1, 1] });

export const KERNELS: BenchKernel[] = [
  {
    name: 'vector add',
    ptx: 'fixtures/cuda/vector_add.sm_75.ptx',
    entry: 'vector_add',
    tolerance: 0,
    launch(size, scale = 1) {
      const n = size === 'bench' ? 32 * MI * scale : 5000;
      const b = new ImageBuilder();
      const x = b.region('f32', n, uniform(1, -10, 10));
      const y = b.region('f32', n, uniform(2, -10, 10));
      const z = b.region('f32', n);
      return { image: b.build(), ...linear(n), args: [{ ptr: x }, { ptr: y }, { ptr: z }, { i32: n }], outputs: [z] };
    },
  },
  {
    name: 'saxpy',
    ptx: 'fixtures/cuda/saxpy.sm_75.ptx',
    entry: 'saxpy',
    tolerance: 1e-6,
    launch(size, scale = 1) {
      const n = size === 'bench' ? 32 * MI * scale : 5000;
      const b = new ImageBuilder();
      const x = b.region('f32', n, uniform(3, -10, 10));
      const y = b.region('f32', n, uniform(4, -10, 10));
      return { image: b.build(), ...linear(n), args: [{ i32: n }, { f32: 1.0001 }, { ptr: x }, { ptr: y }], outputs: [y] };
    },
  },
  ...(['matmul_naive', 'matmul_tiled'] as const).map(
    (entry): BenchKernel => ({
      name: entry === 'matmul_naive' ? 'naive matmul' : 'tiled matmul',
      ptx: `fixtures/cuda/${entry}.sm_75.ptx`,
      entry,
      tolerance: 1e-5,
      launch(size, scale = 1) {
        // O(n^3) work: n grows by the cube root, to a whole number of 16-wide tiles
        const n = size === 'bench' ? 16 * Math.round((320 * Math.cbrt(scale)) / 16) : 40; // 40: the tiled kernel's partial last tile
        const b = new ImageBuilder();
        const A = b.region('f32', n * n, uniform(5, -1, 1));
        const B = b.region('f32', n * n, uniform(6, -1, 1));
        const C = b.region('f32', n * n);
        return { image: b.build(), grid: [cdiv(n, 16), cdiv(n, 16), 1], block: [16, 16, 1], args: [{ ptr: A }, { ptr: B }, { ptr: C }, { i32: n }], outputs: [C] };
      },
    }),
  ),
  {
    name: 'block reduction',
    ptx: 'fixtures/cuda/reduce_block.sm_75.ptx',
    entry: 'reduce_block',
    tolerance: 0,
    launch(size, scale = 1) {
      const n = size === 'bench' ? 16 * MI * scale : 5000;
      const b = new ImageBuilder();
      const x = b.region('f32', n, uniform(7, -1, 1));
      const out = b.region('f32', cdiv(n, 256));
      return { image: b.build(), ...linear(n), args: [{ ptr: x }, { ptr: out }, { i32: n }], outputs: [out] };
    },
  },
  {
    name: 'atomic histogram',
    ptx: 'fixtures/cuda/histogram.sm_75.ptx',
    entry: 'histogram',
    launch(size, scale = 1) {
      const n = size === 'bench' ? 16 * MI * scale : 20000;
      const b = new ImageBuilder();
      const next = random(8);
      const data = b.region('u8', n, () => next() >>> 24);
      const bins = b.region('u32', 256);
      return { image: b.build(), grid: [64, 1, 1], block: [256, 1, 1], args: [{ ptr: data }, { ptr: bins }, { i32: n }], outputs: [bins] };
    },
  },
  {
    name: 'grid-stride loop',
    ptx: 'fixtures/bench-kernels/grid_stride.sm_75.ptx',
    entry: 'grid_stride',
    tolerance: 1e-6,
    launch(size, scale = 1) {
      const n = size === 'bench' ? 8 * MI * scale : 7000;
      const b = new ImageBuilder();
      const x = b.region('f32', n, uniform(9, -10, 10));
      const y = b.region('f32', n);
      return { image: b.build(), grid: [size === 'bench' ? 160 : 4, 1, 1], block: [256, 1, 1], args: [{ ptr: x }, { ptr: y }, { f32: 1.5 }, { f32: -0.25 }, { i32: n }], outputs: [y] };
    },
  },
  {
    name: '3-D indexing',
    ptx: 'fixtures/bench-kernels/index3d.sm_75.ptx',
    entry: 'index3d',
    launch(size, scale = 1) {
      const [nx, ny, nz] = size === 'bench' ? [512, 256, 128 * scale] : [37, 19, 11];
      const n = nx * ny * nz;
      const b = new ImageBuilder();
      const next = random(10);
      const x = b.region('u32', n, () => next());
      const y = b.region('u32', n);
      return { image: b.build(), grid: [cdiv(nx, 32), cdiv(ny, 4), cdiv(nz, 2)], block: [32, 4, 2], args: [{ ptr: x }, { ptr: y }, { i32: nx }, { i32: ny }, { i32: nz }], outputs: [y] };
    },
  },
  {
    name: 'warp shuffle reduction',
    ptx: 'fixtures/bench-kernels/warp_reduce.sm_75.ptx',
    entry: 'warp_reduce',
    tolerance: 0,
    launch(size, scale = 1) {
      const n = size === 'bench' ? (MI / 2) * scale : 5000;
      const b = new ImageBuilder();
      const x = b.region('f32', n, uniform(11, -1, 1));
      const out = b.region('f32', cdiv(n, 256));
      return { image: b.build(), ...linear(n), args: [{ ptr: x }, { ptr: out }, { i32: n }], outputs: [out] };
    },
  },
  {
    name: 'float math',
    ptx: 'fixtures/bench-kernels/float_math.sm_75.ptx',
    entry: 'float_math',
    tolerance: 1e-5,
    launch(size, scale = 1) {
      const n = size === 'bench' ? (MI / 8) * scale : 2000;
      const b = new ImageBuilder();
      const x = b.region('f32', n, uniform(12, -20, 20));
      const y = b.region('f32', n);
      return { image: b.build(), ...linear(n), args: [{ ptr: x }, { ptr: y }, { i32: n }], outputs: [y] };
    },
  },
  {
    name: 'double precision',
    ptx: 'fixtures/bench-kernels/double_poly.sm_75.ptx',
    entry: 'double_poly',
    tolerance: 1e-12,
    launch(size, scale = 1) {
      const n = size === 'bench' ? MI * scale : 5000;
      const b = new ImageBuilder();
      const next = random(13);
      const x = b.region('f64', n, () => (next() / 2 ** 32) * 4 - 2);
      const y = b.region('f64', n);
      return { image: b.build(), ...linear(n), args: [{ ptr: x }, { ptr: y }, { i32: n }], outputs: [y] };
    },
  },
  {
    name: 'divergence',
    ptx: 'fixtures/bench-kernels/divergence.sm_75.ptx',
    entry: 'divergence',
    launch(size, scale = 1) {
      const n = size === 'bench' ? 4 * MI * scale : 5000;
      const b = new ImageBuilder();
      const next = random(14);
      const x = b.region('u32', n, () => next());
      const y = b.region('u32', n);
      return { image: b.build(), ...linear(n), args: [{ ptr: x }, { ptr: y }, { i32: n }], outputs: [y] };
    },
  },
  {
    name: 'bit operations',
    ptx: 'fixtures/bench-kernels/bit_ops.sm_75.ptx',
    entry: 'bit_ops',
    launch(size, scale = 1) {
      const n = size === 'bench' ? (MI / 16) * scale : 5000;
      const b = new ImageBuilder();
      const next = random(15);
      const x = b.region('u32', n, () => next());
      const y = b.region('u32', n, () => next());
      const out = b.region('u64', n);
      return { image: b.build(), ...linear(n), args: [{ ptr: x }, { ptr: y }, { ptr: out }, { i32: n }], outputs: [out] };
    },
  },
  {
    name: 'transpose (shared)',
    ptx: 'fixtures/bench-kernels/transpose.sm_75.ptx',
    entry: 'transpose',
    launch(size, scale = 1) {
      const [w, h] = size === 'bench' ? [4096, 4096 * scale] : [100, 70];
      const b = new ImageBuilder();
      const x = b.region('f32', w * h, uniform(16, -1, 1));
      const y = b.region('f32', w * h);
      return { image: b.build(), grid: [cdiv(w, 32), cdiv(h, 32), 1], block: [32, 8, 1], args: [{ ptr: x }, { ptr: y }, { i32: w }, { i32: h }], outputs: [y] };
    },
  },
  {
    name: 'prefix scan',
    ptx: 'fixtures/bench-kernels/scan_block.sm_75.ptx',
    entry: 'scan_block',
    launch(size, scale = 1) {
      const n = size === 'bench' ? 4 * MI * scale : 3000;
      const b = new ImageBuilder();
      const next = random(17);
      const x = b.region('u32', n, () => next() >>> 8);
      const y = b.region('u32', n);
      return { image: b.build(), grid: [cdiv(n, 512), 1, 1], block: [512, 1, 1], args: [{ ptr: x }, { ptr: y }, { i32: n }], outputs: [y] };
    },
  },
  {
    name: 'bitonic sort',
    ptx: 'fixtures/bench-kernels/bitonic_sort.sm_75.ptx',
    entry: 'bitonic_sort',
    launch(size, scale = 1) {
      const blocks = size === 'bench' ? 128 * scale : 2;
      const b = new ImageBuilder();
      const next = random(18);
      const keys = b.region('u32', blocks * 1024, () => next());
      return { image: b.build(), grid: [blocks, 1, 1], block: [1024, 1, 1], args: [{ ptr: keys }], nativeExtra: [blocks], outputs: [keys] };
    },
  },
  {
    name: 'n-body',
    ptx: 'fixtures/bench-kernels/nbody.sm_75.ptx',
    entry: 'nbody',
    tolerance: 1e-4,
    launch(size, scale = 1) {
      // O(n^2) work: n grows by the square root, to whole 256-thread blocks
      const n = size === 'bench' ? 256 * Math.round((2048 * Math.sqrt(scale)) / 256) : 300;
      const b = new ImageBuilder();
      const coord = uniform(19, -10, 10);
      const mass = uniform(20, 0.5, 1.5);
      const pos = b.region('f32', 4 * n, (i) => (i % 4 === 3 ? mass(i) : coord(i)));
      const acc = b.region('f32', 4 * n);
      return { image: b.build(), ...linear(n), args: [{ ptr: pos }, { ptr: acc }, { i32: n }, { f32: 0.01 }], outputs: [acc] };
    },
  },
  {
    name: '2-D convolution',
    ptx: 'fixtures/bench-kernels/conv2d.sm_75.ptx',
    entry: 'conv2d',
    tolerance: 1e-5,
    launch(size, scale = 1) {
      const [w, h] = size === 'bench' ? [2048, 2048 * scale] : [70, 45];
      const b = new ImageBuilder();
      const img = b.region('f32', w * h, uniform(21, 0, 1));
      const filter = b.region('f32', 25, uniform(22, -1, 1));
      const out = b.region('f32', w * h);
      return { image: b.build(), grid: [cdiv(w, 16), cdiv(h, 16), 1], block: [16, 16, 1], args: [{ ptr: img }, { ptr: filter }, { ptr: out }, { i32: w }, { i32: h }], outputs: [out] };
    },
  },
  {
    name: '5-point stencil',
    ptx: 'fixtures/bench-kernels/stencil.sm_75.ptx',
    entry: 'stencil',
    tolerance: 1e-6,
    launch(size, scale = 1) {
      const [w, h] = size === 'bench' ? [4096, 4096 * scale] : [70, 45];
      const b = new ImageBuilder();
      const x = b.region('f32', w * h, uniform(23, 0, 1));
      const y = b.region('f32', w * h);
      return { image: b.build(), grid: [cdiv(w, 32), cdiv(h, 8), 1], block: [32, 8, 1], args: [{ ptr: x }, { ptr: y }, { i32: w }, { i32: h }], outputs: [y] };
    },
  },
  {
    name: 'SpMV (CSR)',
    ptx: 'fixtures/bench-kernels/spmv_csr.sm_75.ptx',
    entry: 'spmv_csr',
    tolerance: 1e-5,
    launch(size, scale = 1) {
      const rows = size === 'bench' ? MI * scale : 1000;
      const next = random(24);
      // 0 to 32 entries per row (16 on average), at random columns
      const lengths = Array.from({ length: rows }, () => next() % 33);
      const rowptr = [0];
      for (const l of lengths) rowptr.push(rowptr[rowptr.length - 1]! + l);
      const nnz = rowptr[rows]!;
      const b = new ImageBuilder();
      const rp = b.region('i32', rows + 1, (i) => rowptr[i]!);
      const cols = b.region('i32', nnz, () => next() % rows);
      const vals = b.region('f32', nnz, uniform(25, -1, 1));
      const x = b.region('f32', rows, uniform(26, -1, 1));
      const y = b.region('f32', rows);
      return { image: b.build(), ...linear(rows), args: [{ ptr: rp }, { ptr: cols }, { ptr: vals }, { ptr: x }, { ptr: y }, { i32: rows }], outputs: [y] };
    },
  },
  {
    name: 'softmax',
    ptx: 'fixtures/bench-kernels/softmax.sm_75.ptx',
    entry: 'softmax',
    tolerance: 1e-5,
    launch(size, scale = 1) {
      const [rows, cols] = size === 'bench' ? [128 * scale, 1024] : [9, 700];
      const b = new ImageBuilder();
      const x = b.region('f32', rows * cols, uniform(27, -8, 8));
      const y = b.region('f32', rows * cols);
      return { image: b.build(), grid: [rows, 1, 1], block: [256, 1, 1], args: [{ ptr: x }, { ptr: y }, { i32: cols }], nativeExtra: [rows], outputs: [y] };
    },
  },
  {
    name: 'layer norm',
    ptx: 'fixtures/bench-kernels/layernorm.sm_75.ptx',
    entry: 'layernorm',
    tolerance: 1e-5,
    launch(size, scale = 1) {
      const [rows, cols] = size === 'bench' ? [1024 * scale, 1024] : [9, 700];
      const b = new ImageBuilder();
      const x = b.region('f32', rows * cols, uniform(28, -3, 5));
      const gamma = b.region('f32', cols, uniform(29, 0.5, 1.5));
      const beta = b.region('f32', cols, uniform(30, -0.5, 0.5));
      const y = b.region('f32', rows * cols);
      return {
        image: b.build(),
        grid: [rows, 1, 1],
        block: [256, 1, 1],
        args: [{ ptr: x }, { ptr: gamma }, { ptr: beta }, { ptr: y }, { i32: cols }, { f32: 1e-5 }],
        nativeExtra: [rows],
        outputs: [y],
      };
    },
  },
  {
    name: 'Mandelbrot',
    ptx: 'fixtures/bench-kernels/mandelbrot.sm_75.ptx',
    entry: 'mandelbrot',
    launch(size, scale = 1) {
      // the same region of the plane at a finer step: both sides grow by the square root
      const side = 16 * Math.round((768 * Math.sqrt(scale)) / 16);
      const [w, h] = size === 'bench' ? [side, side] : [80, 60];
      const step = Math.fround(3 / w);
      const b = new ImageBuilder();
      const iters = b.region('u32', w * h);
      return {
        image: b.build(),
        grid: [cdiv(w, 16), cdiv(h, 16), 1],
        block: [16, 16, 1],
        args: [{ ptr: iters }, { i32: w }, { i32: h }, { f32: -2.25 }, { f32: Math.fround(-1.5 * (h / w)) }, { f32: step }, { i32: 256 }],
        outputs: [iters],
      };
    },
  },
  {
    name: 'integer hashing',
    ptx: 'fixtures/bench-kernels/hash.sm_75.ptx',
    entry: 'hash',
    launch(size, scale = 1) {
      const n = size === 'bench' ? 4 * MI * scale : 5000;
      const b = new ImageBuilder();
      const keys = b.region('u32', n, (i) => i);
      const out = b.region('u32', n);
      return { image: b.build(), ...linear(n), args: [{ ptr: keys }, { ptr: out }, { i32: n }, { u32: 0x9747b28c }], outputs: [out] };
    },
  },
];
