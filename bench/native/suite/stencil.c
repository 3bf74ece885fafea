/* fixtures/bench-kernels/stencil.cu: one Jacobi sweep, boundary copied. */
KERNEL(stencil) {
  const float* in = PTR(float, 0);
  float* out = PTR(float, 1);
  int w = I32(2), h = I32(3);
#pragma omp parallel for
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int i = y * w + x;
      if (x == 0 || y == 0 || x == w - 1 || y == h - 1) out[i] = in[i];
      else out[i] = 0.25f * (in[i - 1] + in[i + 1] + in[i - w] + in[i + w]);
    }
}
