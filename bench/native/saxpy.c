/* y[i] = a * x[i] + y[i] — fixtures/cuda/saxpy.cu, single-threaded. */
#include "common.h"
int main(int argc, char** argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  float *x = malloc(n * 4), *y = malloc(n * 4), a = 1.0001f;
  for (int i = 0; i < n; i++) { x[i] = i * 0.5f; y[i] = i * 0.25f; }
  BENCH(reps, { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; sink = y[n / 2]; });
  return 0;
}
