/* C = A * B with 16x16 tiles — the loop structure of fixtures/cuda/matmul_tiled.cu, single-threaded. */
#include "common.h"
#define T 16
int main(int argc, char** argv) {
  int n = atoi(argv[1]), reps = atoi(argv[2]);
  float *A = malloc(n * n * 4), *B = malloc(n * n * 4), *C = malloc(n * n * 4);
  for (int i = 0; i < n * n; i++) { A[i] = (i % 7) * 0.1f; B[i] = (i % 5) * 0.2f; }
  BENCH(reps, {
    for (int i = 0; i < n * n; i++) C[i] = 0;
    for (int bi = 0; bi < n; bi += T)
      for (int bj = 0; bj < n; bj += T)
        for (int bk = 0; bk < n; bk += T)
          for (int i = bi; i < bi + T && i < n; i++)
            for (int j = bj; j < bj + T && j < n; j++) {
              float s = C[i * n + j];
              for (int k = bk; k < bk + T && k < n; k++) s += A[i * n + k] * B[k * n + j];
              C[i * n + j] = s;
            }
    sink = C[n + 1];
  });
  return 0;
}
