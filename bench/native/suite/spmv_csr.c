/* fixtures/bench-kernels/spmv_csr.cu: one row at a time. */
KERNEL(spmv_csr) {
  const int *rowptr = PTR(int, 0), *cols = PTR(int, 1);
  const float *vals = PTR(float, 2), *x = PTR(float, 3);
  float* y = PTR(float, 4);
  int rows = I32(5);
#pragma omp parallel for
  for (int r = 0; r < rows; r++) {
    float sum = 0.0f;
    for (int k = rowptr[r]; k < rowptr[r + 1]; ++k) sum += vals[k] * x[cols[k]];
    y[r] = sum;
  }
}
