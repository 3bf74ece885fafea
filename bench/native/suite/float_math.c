/* fixtures/bench-kernels/float_math.cu (glibc's libm against CUDA's: compared with a tolerance). */
KERNEL(float_math) {
  const float* x = PTR(float, 0);
  float* y = PTR(float, 1);
  int n = I32(2);
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    float v = x[i];
    y[i] = expf(-v * v) * sinf(v) + sqrtf(fabsf(v)) * cosf(v) + logf(1.0f + v * v) - tanhf(v);
  }
}
