/* The bench's native kernels (harness.h says how it is called); one file per kernel, listed here. */
#include "harness.h"
#include "vector_add.c"
#include "saxpy.c"
#include "matmul_naive.c"
#include "matmul_tiled.c"
#include "reduce_block.c"
#include "histogram.c"
#include "grid_stride.c"
#include "index3d.c"
#include "warp_reduce.c"
#include "float_math.c"
#include "double_poly.c"
#include "divergence.c"
#include "bit_ops.c"
#include "transpose.c"
#include "scan_block.c"
#include "bitonic_sort.c"
#include "nbody.c"
#include "conv2d.c"
#include "stencil.c"
#include "spmv_csr.c"
#include "softmax.c"
#include "layernorm.c"
#include "mandelbrot.c"
#include "hash.c"

static const struct {
  const char* name;
  void (*run)(const Args*);
} KERNELS[] = {
    {"vector_add", vector_add},
    {"saxpy", saxpy},
    {"matmul_naive", matmul_naive},
    {"matmul_tiled", matmul_tiled},
    {"reduce_block", reduce_block},
    {"histogram", histogram},
    {"grid_stride", grid_stride},
    {"index3d", index3d},
    {"warp_reduce", warp_reduce},
    {"float_math", float_math},
    {"double_poly", double_poly},
    {"divergence", divergence},
    {"bit_ops", bit_ops},
    {"transpose", transpose},
    {"scan_block", scan_block},
    {"bitonic_sort", bitonic_sort},
    {"nbody", nbody},
    {"conv2d", conv2d},
    {"stencil", stencil},
    {"spmv_csr", spmv_csr},
    {"softmax", softmax},
    {"layernorm", layernorm},
    {"mandelbrot", mandelbrot},
    {"hash", hash},
};

static double wall_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}
static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}
static void die(const char* what, const char* detail) {
  fprintf(stderr, "bench native suite: %s %.200s\n", what, detail);
  exit(2);
}

int main(int argc, char** argv) {
  if (argc < 5) die("usage: suite <kernel> <image-in> <image-out|-> <reps> <arg>...", "");
  void (*run)(const Args*) = 0;
  for (size_t k = 0; k < sizeof KERNELS / sizeof KERNELS[0]; k++)
    if (strcmp(KERNELS[k].name, argv[1]) == 0) run = KERNELS[k].run;
  if (!run) die("unknown kernel", argv[1]);
  FILE* f = fopen(argv[2], "rb");
  if (!f) die("cannot read", argv[2]);
  fseek(f, 0, SEEK_END);
  size_t size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t* pristine = malloc(size);
  uint8_t* mem = aligned_alloc(64, (size + 63) / 64 * 64);
  if (!pristine || !mem || fread(pristine, 1, size, f) != size) die("cannot read", argv[2]);
  fclose(f);
  int reps = atoi(argv[4]);
  if (reps < 1 || reps > 64) die("reps must be 1..64:", argv[4]);
  double a[32];
  int nargs = argc - 5;
  if (nargs > 32) die("too many arguments", "");
  for (int i = 0; i < nargs; i++) a[i] = strtod(argv[5 + i], 0);
  Args args = {mem, a};
  double times[64];
  for (int r = 0; r < reps; r++) {
    memcpy(mem, pristine, size);
    double t0 = wall_ns();
    run(&args);
    times[r] = wall_ns() - t0;
  }
  qsort(times, reps, sizeof times[0], cmp_double);
  printf("%.0f\n", times[reps / 2]);
  if (strcmp(argv[3], "-") != 0) {
    FILE* o = fopen(argv[3], "wb");
    if (!o || fwrite(mem, 1, size, o) != size || fclose(o) != 0) die("cannot write", argv[3]);
  }
  return 0;
}
