/* fixtures/bench-kernels/layernorm.cu: per row, 256 strided partials, then the shared-memory tree. */
KERNEL(layernorm) {
  const float *in = PTR(float, 0), *gamma = PTR(float, 1), *beta = PTR(float, 2);
  float* out = PTR(float, 3);
  int cols = I32(4);
  float eps = F32(5);
  int rows = I32(6);
#pragma omp parallel for
  for (int r = 0; r < rows; r++) {
    const float* row = in + (size_t)r * cols;
    float* orow = out + (size_t)r * cols;
    float red[256];
    for (int t = 0; t < 256; t++) {
      float s = 0.0f;
      for (int c = t; c < cols; c += 256) s += row[c];
      red[t] = s;
    }
    for (int k = 128; k > 0; k >>= 1)
      for (int t = 0; t < k; t++) red[t] += red[t + k];
    float mean = red[0] / cols;
    for (int t = 0; t < 256; t++) {
      float v = 0.0f;
      for (int c = t; c < cols; c += 256) { float d = row[c] - mean; v += d * d; }
      red[t] = v;
    }
    for (int k = 128; k > 0; k >>= 1)
      for (int t = 0; t < k; t++) red[t] += red[t + k];
    float inv = 1.0f / sqrtf(red[0] / cols + eps);
    for (int c = 0; c < cols; c++) orow[c] = (row[c] - mean) * inv * gamma[c] + beta[c];
  }
}
