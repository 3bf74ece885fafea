/* fixtures/cuda/saxpy.cu */
KERNEL(saxpy) {
  int n = I32(0);
  float a = F32(1);
  const float* x = PTR(float, 2);
  float* y = PTR(float, 3);
#pragma omp parallel for
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}
