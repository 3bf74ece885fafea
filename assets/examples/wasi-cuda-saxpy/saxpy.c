/* saxpy: y = a*x + y with an f32 scalar record; the export takes a as f64 (JSON can't give f32). */
#include "wasi_cuda.h"
#include "saxpy.ptx.h"

#define MAX_N (1 << 18)
static float x[MAX_N], y[MAX_N], expected[MAX_N];

static float absf(float v) { return v < 0 ? -v : v; }

EXPORT(run_saxpy) int32_t run_saxpy(int32_t n, double a_in) {
  if (n < 1 || n > MAX_N) return -100;
  float a = (float)a_in;
  for (int32_t i = 0; i < n; i++) {
    x[i] = (float)(i % 1000) * 0.25f;
    y[i] = (float)(i % 37) - 18.0f;
    expected[i] = a * x[i] + y[i];
  }
  int64_t k = load_kernel(saxpy_ptx, saxpy_ptx_len, "saxpy");
  if (k < 0) return (int32_t)k;
  argv_t args = {0};
  argv_u32(&args, (uint32_t)n);
  argv_f32(&args, a);
  argv_ptr(&args, x, (uint32_t)n * 4);
  argv_ptr(&args, y, (uint32_t)n * 4);
  int32_t rc = launch_1d(k, (n + 127) / 128, 128, 0, &args);
  if (rc == 0) rc = wasi_cuda_sync();
  if (rc != 0) return rc;
  /* nvcc contracts a*x+y into one fma: allow the last bit of difference from two roundings. */
  for (int32_t i = 0; i < n; i++) {
    float tol = 1e-6f * (absf(expected[i]) > 1.0f ? absf(expected[i]) : 1.0f);
    if (absf(y[i] - expected[i]) > tol) return 1 + i;
  }
  return 0;
}
