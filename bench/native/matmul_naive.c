/* C = A * B, n x n, the naive triple loop — fixtures/cuda/matmul_naive.cu, single-threaded. */
#include "common.h"
int main(int argc, char** argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  float *A = malloc(n * n * 4), *B = malloc(n * n * 4), *C = malloc(n * n * 4);
  for (int i = 0; i < n * n; i++) { A[i] = (i % 7) * 0.1f; B[i] = (i % 5) * 0.2f; }
  BENCH(reps, {
    for (int r = 0; r < n; r++)
      for (int c = 0; c < n; c++) {
        float s = 0.0f;
        for (int k = 0; k < n; k++) s += A[r * n + k] * B[k * n + c];
        C[r * n + c] = s;
      }
    sink = C[n + 1];
  });
  return 0;
}
