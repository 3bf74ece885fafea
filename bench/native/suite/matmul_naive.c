/* fixtures/cuda/matmul_naive.cu: one dot product per output element. */
KERNEL(matmul_naive) {
  const float *A = PTR(float, 0), *B = PTR(float, 1);
  float* C = PTR(float, 2);
  int n = I32(3);
#pragma omp parallel for
  for (int row = 0; row < n; row++)
    for (int col = 0; col < n; col++) {
      float sum = 0.0f;
      for (int k = 0; k < n; ++k) sum += A[row * n + k] * B[k * n + col];
      C[row * n + col] = sum;
    }
}
