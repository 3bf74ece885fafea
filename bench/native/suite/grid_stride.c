/* fixtures/bench-kernels/grid_stride.cu: every element once, whatever the grid. */
KERNEL(grid_stride) {
  const float* x = PTR(float, 0);
  float* y = PTR(float, 1);
  float a = F32(2), b = F32(3);
  int n = I32(4);
#pragma omp parallel for
  for (int i = 0; i < n; i++) y[i] = a * x[i] + b;
}
