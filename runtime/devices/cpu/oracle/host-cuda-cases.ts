/**
 * Launch specifications for the host-compiled CUDA oracle (fixtures/host-cuda/kernels/*.cu):
 * grid, block, dynamic shared memory, and each parameter in the kernel's signature order — a
 * buffer (type, length, how it starts) or a scalar. Every buffer is compared after the launch.
 */
export type ElemType = 'f32' | 'f64' | 'i32' | 'u32' | 'i64' | 'u64';
export type Init =
  | 'zero'
  /** uniform random bits */
  | 'bits'
  /** the type's range ends, small values, random bits */
  | 'ints'
  /** ±0, subnormals, ties, ±Inf, range ends, random values; no NaN */
  | 'floats'
  | 'floats+nan'
  /** floats a plain C cast to any integer type takes without undefined behaviour: [0, 2^31) */
  | 'castable'
  /** random integers, never 0 or −1 */
  | 'divisor'
  /** integers in [-50, 50] (as floats for float buffers), [0, 50] for unsigned */
  | 'small'
  /** alternately the type's maximum and minimum */
  | 'limits'
  /** random values in [-100, 100] */
  | 'ordered';

export type Param = { buf: ElemType; count: number; init: Init } | { scalar: 'i32' | 'i64'; value: number };

export interface HostKernel {
  name: string;
  grid: [number, number, number];
  block: [number, number, number];
  shared?: number;
  params: Param[];
  /** Math functions: the device (CUDA's libdevice PTX) and glibc may differ within CUDA's documented ulp bound. */
  ulps?: number;
  /** Fast-math intrinsics: absolute error bound (CUDA Programming Guide, intrinsic functions). */
  abs?: number;
}

const N = 512;
const b = (buf: ElemType, count: number, init: Init): Param => ({ buf, count, init });
const n = (value = N): Param => ({ scalar: 'i32', value });
const lin = (threads: number, block = 128): Pick<HostKernel, 'grid' | 'block'> => ({ grid: [Math.ceil(threads / block), 1, 1], block: [block, 1, 1] });

export const HOST_KERNELS: HostKernel[] = [
  { name: 'conv_f2i', ...lin(N), params: [b('f32', N, 'castable'), b('i32', N, 'zero'), b('i32', N, 'zero'), b('i32', N, 'zero'), b('i32', N, 'zero'), b('u32', N, 'zero'), b('i64', N, 'zero'), b('u64', N, 'zero'), n()] },
  { name: 'conv_nan', ...lin(N), params: [b('f32', N, 'floats+nan'), b('f64', N, 'floats+nan'), b('i32', N, 'zero'), b('i64', N, 'zero'), b('i32', N, 'zero'), b('i64', N, 'zero'), n()] },
  { name: 'conv_i2f', ...lin(N), params: [b('i32', N, 'ints'), b('u32', N, 'ints'), b('i64', N, 'ints'), b('u64', N, 'ints'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f64', N, 'zero'), b('f64', N, 'zero'), b('f64', N, 'zero'), n()] },
  { name: 'conv_i2f_directed', ...lin(N), params: [b('i32', N, 'ints'), b('i64', N, 'ints'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f64', N, 'zero'), n()] },
  { name: 'conv_f2f', ...lin(N), params: [b('f64', N, 'floats'), b('f32', N, 'floats'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f32', N, 'zero'), b('f64', N, 'zero'), n()] },
  { name: 'conv_narrow', ...lin(N), params: [b('i32', N, 'ints'), b('i32', N, 'zero'), b('u32', N, 'zero'), b('i32', N, 'zero'), b('u32', N, 'zero'), b('i64', N, 'zero'), b('u64', N, 'zero'), n()] },
  { name: 'atomic_add_int', ...lin(N), params: [b('i32', N, 'bits'), b('i32', 8, 'zero'), b('u32', 5, 'bits'), b('i32', N, 'bits'), b('i32', N, 'zero'), n()] },
  { name: 'atomic_add_float', ...lin(N), params: [b('i32', N, 'small'), b('f32', 3, 'zero'), b('f64', 2, 'zero'), b('f32', N, 'small'), n()] },
  { name: 'atomic_u64', ...lin(N), params: [b('u64', N, 'bits'), b('u64', 6, 'limits'), b('u64', 2 * N, 'zero'), b('u64', 2 * N, 'small'), b('i64', 2, 'limits'), n()] },
  { name: 'atomic_minmax', ...lin(N), params: [b('i32', N, 'ints'), b('i32', 2, 'limits'), b('i32', 2, 'limits'), b('u32', 2, 'limits'), b('u32', 2, 'limits'), b('i32', 2 * N, 'ints'), b('i32', 2 * N, 'zero'), n()] },
  { name: 'atomic_inc_dec', ...lin(N), params: [b('u32', 4, 'small'), b('u32', 4, 'small'), b('u32', 4, 'small'), b('u32', N, 'small'), n()] },
  { name: 'atomic_cas_exch', ...lin(N), params: [b('i32', N, 'small'), b('i32', 1, 'zero'), b('i32', 2 * N, 'small'), b('i32', 2 * N, 'zero'), b('f32', N, 'floats'), b('f32', N, 'zero'), n()] },
  { name: 'atomic_bitwise', ...lin(N), params: [b('u32', N, 'bits'), b('u32', 3, 'limits'), b('i32', 2, 'bits'), b('u32', N, 'bits'), b('u32', N, 'zero'), n()] },
  { name: 'atomic_shared', ...lin(N), params: [b('u32', N, 'bits'), b('u32', 16, 'zero'), b('i32', 2, 'limits'), n()] },
  { name: 'int_div', ...lin(N), params: [b('i32', N, 'ints'), b('i32', N, 'divisor'), b('i32', N, 'zero'), b('i32', N, 'zero'), b('u32', N, 'zero'), b('u32', N, 'zero'), b('i32', N, 'zero'), n()] },
  { name: 'int_div64', ...lin(N), params: [b('i64', N, 'ints'), b('i64', N, 'divisor'), b('i64', N, 'zero'), b('i64', N, 'zero'), b('u64', N, 'zero'), b('u64', N, 'zero'), n()] },
  { name: 'bit_ops', ...lin(N), params: [b('u32', N, 'ints'), b('u32', N, 'bits'), b('u32', 10 * N, 'zero'), n()] },
  { name: 'bit_ops64', ...lin(N), params: [b('u64', N, 'ints'), b('u32', N, 'bits'), b('u64', 7 * N, 'zero'), n()] },
  { name: 'mul_hi', ...lin(N), params: [b('i32', N, 'ints'), b('i32', N, 'bits'), b('i64', N, 'ints'), b('i64', N, 'bits'), b('i32', 6 * N, 'zero'), b('i64', 2 * N, 'zero'), n()] },
  { name: 'float_rounding', ...lin(N), params: [b('f32', N, 'floats'), b('f32', N, 'floats'), b('f32', N, 'floats'), b('f32', 16 * N, 'zero'), n()] },
  { name: 'double_rounding', ...lin(N), params: [b('f64', N, 'floats'), b('f64', N, 'floats'), b('f64', N, 'floats'), b('f64', 10 * N, 'zero'), n()] },
  { name: 'float_minmax', ...lin(N), params: [b('f32', N, 'floats+nan'), b('f32', N, 'floats+nan'), b('f32', 4 * N, 'zero'), b('i32', N, 'zero'), n()] },
  // CUDA Programming Guide, maximum ulp errors: sinf/cosf/expf/exp2f/tanhf 2, logf/log2f 1, sqrtf 0 (+1 for glibc's own)
  { name: 'math_float', ...lin(N), params: [b('f32', N, 'ordered'), b('f32', 8 * N, 'zero'), n()], ulps: 3 },
  // sin/cos 2, exp/log 1, sqrt 0 ulp (+1 for glibc's own)
  { name: 'math_double', ...lin(N), params: [b('f64', N, 'ordered'), b('f64', 5 * N, 'zero'), n()], ulps: 3 },
  // __sinf/__cosf: absolute 2^-21.41 on [-π, π] and more outside; __expf 2 + 1.16·|x| ulp; __fdividef 2 ulp: a loose absolute bound
  { name: 'math_fast', ...lin(N), params: [b('f32', N, 'small'), b('f32', N, 'small'), b('f32', 4 * N, 'zero'), n()], abs: 2 ** -10, ulps: 4 },
  { name: 'ptr64', ...lin(N), params: [b('f32', N, 'floats'), b('f32', N, 'zero'), b('i64', 2 * N, 'zero'), { scalar: 'i64', value: 3_000_000_019 }, n()] },
  { name: 'index3d', grid: [3, 2, 2], block: [4, 4, 3], params: [b('u32', 4 * 12 * 8 * 6, 'zero'), n(12), n(8), n(6)] },
  { name: 'dyn_shared_reverse', ...lin(N), shared: 128 * 12, params: [b('i32', N, 'bits'), b('f64', N, 'floats'), b('i32', N, 'zero'), b('f64', N, 'zero'), n(N - 37)] },
  { name: 'shared_scan', ...lin(N, 256), params: [b('i32', N, 'small'), b('i32', N, 'zero'), n(N - 5)] },
  { name: 'local_sort', ...lin(N), params: [b('i32', N, 'bits'), b('i32', 2 * N, 'zero'), n()] },
  { name: 'transpose_tiled', grid: [3, 2, 1], block: [16, 16, 1], params: [b('f32', 40 * 27, 'floats'), b('f32', 40 * 27, 'zero'), n(40), n(27)] },
  { name: 'reduce_double', ...lin(N), params: [b('f64', N, 'floats'), b('f64', 4, 'zero'), b('f64', 4, 'zero'), n(N - 3)] },
  { name: 'branchy', ...lin(N), params: [b('u32', N, 'bits'), b('u32', N, 'zero'), b('i32', N, 'zero'), n()] },
  { name: 'grid_stride64', grid: [2, 1, 1], block: [64, 1, 1], params: [b('i32', 1000, 'bits'), b('i64', 1000, 'zero'), { scalar: 'i64', value: 1000 }] },
  { name: 'select_int', ...lin(N), params: [b('i32', N, 'ints'), b('i32', N, 'ints'), b('i64', N, 'ints'), b('i32', 5 * N, 'zero'), b('i64', 2 * N, 'zero'), n()] },
  { name: 'shared_2d_stencil', grid: [4, 3, 1], block: [8, 8, 1], params: [b('f32', 30 * 21, 'floats'), b('f32', 30 * 21, 'zero'), n(30), n(21)] },
  { name: 'device_funcs', ...lin(N), params: [b('i64', N, 'bits'), b('i32', 2 * N, 'zero'), n()] },
];
