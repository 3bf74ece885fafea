/* fixtures/cuda/vector_add.cu */
KERNEL(vector_add) {
  const float *a = PTR(float, 0), *b = PTR(float, 1);
  float* c = PTR(float, 2);
  int n = I32(3);
#pragma omp parallel for
  for (int i = 0; i < n; i++) c[i] = a[i] + b[i];
}
