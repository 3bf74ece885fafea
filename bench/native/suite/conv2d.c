/* fixtures/bench-kernels/conv2d.cu: 5x5 filter, zero padding. */
KERNEL(conv2d) {
  const float *img = PTR(float, 0), *filter = PTR(float, 1);
  float* out = PTR(float, 2);
  int w = I32(3), h = I32(4);
#pragma omp parallel for
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      float sum = 0.0f;
      for (int fy = -2; fy <= 2; ++fy)
        for (int fx = -2; fx <= 2; ++fx) {
          int ix = x + fx, iy = y + fy;
          if (ix >= 0 && ix < w && iy >= 0 && iy < h) sum += img[iy * w + ix] * filter[(fy + 2) * 5 + fx + 2];
        }
      out[y * w + x] = sum;
    }
}
