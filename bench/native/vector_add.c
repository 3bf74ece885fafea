/* c[i] = a[i] + b[i] — the same work as fixtures/cuda/vector_add.cu, single-threaded. */
#include "common.h"
int main(int argc, char** argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  float *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
  for (int i = 0; i < n; i++) { a[i] = i * 0.5f; b[i] = i * 0.25f; }
  BENCH(reps, { for (int i = 0; i < n; i++) c[i] = a[i] + b[i]; sink = c[n / 2]; });
  return 0;
}
