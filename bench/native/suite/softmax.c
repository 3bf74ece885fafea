/* fixtures/bench-kernels/softmax.cu: per row, 256 strided partials, then the shared-memory tree. */
KERNEL(softmax) {
  const float* in = PTR(float, 0);
  float* out = PTR(float, 1);
  int cols = I32(2), rows = I32(3);
#pragma omp parallel for
  for (int r = 0; r < rows; r++) {
    const float* row = in + (size_t)r * cols;
    float* orow = out + (size_t)r * cols;
    float red[256];
    for (int t = 0; t < 256; t++) {
      float m = -INFINITY;
      for (int c = t; c < cols; c += 256) m = fmaxf(m, row[c]);
      red[t] = m;
    }
    for (int s = 128; s > 0; s >>= 1)
      for (int t = 0; t < s; t++) red[t] = fmaxf(red[t], red[t + s]);
    float m = red[0];
    for (int t = 0; t < 256; t++) {
      float sum = 0.0f;
      for (int c = t; c < cols; c += 256) sum += expf(row[c] - m);
      red[t] = sum;
    }
    for (int s = 128; s > 0; s >>= 1)
      for (int t = 0; t < s; t++) red[t] += red[t + s];
    float inv = 1.0f / red[0];
    for (int c = 0; c < cols; c++) orow[c] = expf(row[c] - m) * inv;
  }
}
