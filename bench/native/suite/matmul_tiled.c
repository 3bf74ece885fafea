/* fixtures/cuda/matmul_tiled.cu: 16x16 tiles, each output's sum kept across the k tiles. */
#define MT_TILE 16
KERNEL(matmul_tiled) {
  const float *A = PTR(float, 0), *B = PTR(float, 1);
  float* C = PTR(float, 2);
  int n = I32(3);
#pragma omp parallel for
  for (int bi = 0; bi < n; bi += MT_TILE) {
    for (int i = bi; i < bi + MT_TILE && i < n; i++)
      for (int j = 0; j < n; j++) C[i * n + j] = 0.0f;
    for (int bj = 0; bj < n; bj += MT_TILE)
      for (int bk = 0; bk < n; bk += MT_TILE)
        for (int i = bi; i < bi + MT_TILE && i < n; i++)
          for (int j = bj; j < bj + MT_TILE && j < n; j++) {
            float s = C[i * n + j];
            for (int k = bk; k < bk + MT_TILE && k < n; k++) s += A[i * n + k] * B[k * n + j];
            C[i * n + j] = s;
          }
  }
}
