/* fixtures/bench-kernels/double_poly.cu */
KERNEL(double_poly) {
  const double* x = PTR(double, 0);
  double* y = PTR(double, 1);
  int n = I32(2);
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    double v = x[i], p = 1.0 / 479001600.0;
    for (int k = 11; k >= 0; --k) p = p * v + 1.0 / (double)(k + 1);
    y[i] = p + sqrt(v * v + 1.0);
  }
}
