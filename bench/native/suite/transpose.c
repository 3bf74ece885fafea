/* fixtures/bench-kernels/transpose.cu: 32x32 tiles through a padded buffer. */
KERNEL(transpose) {
  const float* in = PTR(float, 0);
  float* out = PTR(float, 1);
  int width = I32(2), height = I32(3);
#pragma omp parallel for
  for (int by = 0; by < height; by += 32)
    for (int bx = 0; bx < width; bx += 32) {
      float tile[32][33];
      for (int ty = 0; ty < 32 && by + ty < height; ty++)
        for (int tx = 0; tx < 32 && bx + tx < width; tx++) tile[ty][tx] = in[(size_t)(by + ty) * width + bx + tx];
      for (int ty = 0; ty < 32 && bx + ty < width; ty++)
        for (int tx = 0; tx < 32 && by + tx < height; tx++) out[(size_t)(bx + ty) * height + by + tx] = tile[tx][ty];
    }
}
